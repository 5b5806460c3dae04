/**
 * The KMS actions, and the capability each one gives, so that a policy written with wildcards
 * (`kms:*`, `kms:ReEncrypt*`, `kms:Get*`) can be read as "who can encrypt, decrypt, administer".
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html
 */
import { globMatch } from '../private/glob';

/** What an action lets a principal do with a key. */
export type Capability = 'administer' | 'encrypt' | 'decrypt' | 'grant' | 'sign' | 'verify' | 'mac' | 'describe';

/** Every capability, in the order the access matrix prints them. */
export const CAPABILITIES: readonly Capability[] = ['administer', 'encrypt', 'decrypt', 'grant', 'sign', 'verify', 'mac', 'describe'];

const ACTION_CAPABILITIES: Record<string, Capability | undefined> = {
  CancelKeyDeletion: 'administer',
  ConnectCustomKeyStore: undefined,
  CreateAlias: 'administer',
  CreateCustomKeyStore: undefined,
  CreateGrant: 'grant',
  CreateKey: undefined,
  Decrypt: 'decrypt',
  DeleteAlias: 'administer',
  DeleteCustomKeyStore: undefined,
  DeleteImportedKeyMaterial: 'administer',
  DeriveSharedSecret: 'decrypt',
  DescribeCustomKeyStores: undefined,
  DescribeKey: 'describe',
  DisableKey: 'administer',
  DisableKeyRotation: 'administer',
  DisconnectCustomKeyStore: undefined,
  EnableKey: 'administer',
  EnableKeyRotation: 'administer',
  Encrypt: 'encrypt',
  GenerateDataKey: 'encrypt',
  GenerateDataKeyPair: 'encrypt',
  GenerateDataKeyPairWithoutPlaintext: 'encrypt',
  GenerateDataKeyWithoutPlaintext: 'encrypt',
  GenerateMac: 'mac',
  GenerateRandom: undefined,
  GetKeyPolicy: 'describe',
  GetKeyRotationStatus: 'describe',
  GetParametersForImport: 'administer',
  GetPublicKey: 'verify',
  ImportKeyMaterial: 'administer',
  ListAliases: 'describe',
  ListGrants: 'describe',
  ListKeyPolicies: 'describe',
  ListKeyRotations: 'describe',
  ListKeys: undefined,
  ListResourceTags: 'describe',
  ListRetirableGrants: undefined,
  PutKeyPolicy: 'administer',
  ReEncryptFrom: 'decrypt',
  ReEncryptTo: 'encrypt',
  ReplicateKey: 'administer',
  RetireGrant: 'grant',
  RevokeGrant: 'administer',
  RotateKeyOnDemand: 'administer',
  ScheduleKeyDeletion: 'administer',
  Sign: 'sign',
  SynchronizeMultiRegionKey: undefined,
  TagResource: 'administer',
  UntagResource: 'administer',
  UpdateAlias: 'administer',
  UpdateCustomKeyStore: undefined,
  UpdateKeyDescription: 'administer',
  UpdatePrimaryRegion: 'administer',
  Verify: 'verify',
  VerifyMac: 'mac',
};

/** Every KMS action name, as `kms:Name`. */
export const KMS_ACTIONS: readonly string[] = Object.freeze(Object.keys(ACTION_CAPABILITIES).map(a => `kms:${a}`));

/**
 * The KMS actions an action pattern covers (IAM action patterns are case-insensitive and
 * support `*` and `?`). Patterns for other services cover nothing.
 */
export function expandActionPattern(pattern: string): readonly string[] {
  let actions = EXPANDED.get(pattern);
  if (!actions) {
    actions = pattern === '*' ? KMS_ACTIONS : Object.freeze(KMS_ACTIONS.filter(a => globMatch(pattern, a, true)));
    // An app repeats a handful of patterns on every key: matching each against the catalogue again made the guard
    // quadratic-looking in practice (most of a 500-key synthesis with the KeyGuard). Bounded, as patterns also
    // come from templates of any size.
    if (EXPANDED.size >= MAX_EXPANDED_PATTERNS) EXPANDED.clear();
    EXPANDED.set(pattern, actions);
  }
  return actions;
}

/** Expanded action patterns (frozen: callers share them), at most {@link MAX_EXPANDED_PATTERNS}. */
const EXPANDED = new Map<string, readonly string[]>();
const MAX_EXPANDED_PATTERNS = 4096;

/** The capability an action gives on a key, if any. */
export function capabilityOf(action: string): Capability | undefined {
  return ACTION_CAPABILITIES[action.replace(/^kms:/i, '')];
}

/** The capabilities a set of action patterns gives (or `NotAction` patterns withhold). */
export function capabilitiesOf(patterns: string[], notAction = false): Set<Capability> {
  const covered = new Set(patterns.flatMap(expandActionPattern));
  const actions = notAction ? KMS_ACTIONS.filter(a => !covered.has(a)) : [...covered];
  return new Set(actions.map(capabilityOf).filter((c): c is Capability => c !== undefined));
}
