import { AuthorizationRequest, ConditionValue } from './types';

/** Condition keys and their values as read, case-insensitively (see {@link conditionLookup}). */
export type ConditionLookup = (key: string) => ConditionValue | undefined;

/**
 * The case-insensitive condition-key lookup of a request (condition key names are case-insensitive, including the
 * context key of kms:EncryptionContext:<key>). It reads (and lower-cases) the context only when a statement first
 * asks for a key: most statements ask for none, and the emulator builds the context itself only on first read.
 */
export function conditionLookup(request: AuthorizationRequest): ConditionLookup {
  let map: Map<string, ConditionValue> | undefined;
  return key => {
    map ??= new Map(Object.entries(request.conditionContext).map(([k, v]) => [k.toLowerCase(), v]));
    return map.get(key.toLowerCase());
  };
}
