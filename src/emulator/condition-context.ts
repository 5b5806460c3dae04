import { principalArnOf } from './authz/principals';
import { CallerIdentity, ConditionValue } from './authz/types';
import type { RequestInfo } from './context';
import { KeyRecord } from './state';

/**
 * What one authorization's condition context is made of, taken when the request is built: the time, the alias the
 * request named, and the key's attributes and aliases as they are then. The context itself (a dozen keys or more,
 * a date string, every tag) is built from these only when something reads it: a statement with a condition or a
 * policy variable, a custom authorizer, or a reader of the decision log. Most statements read none, and building it
 * on every request was a tenth of the emulator's time per request.
 */
export interface ConditionFacts {
  readonly request: RequestInfo;
  readonly caller: CallerIdentity;
  readonly region: string;
  /** The emulator's clock when the request was authorized. */
  readonly now: number;
  readonly requestAlias?: string;
  readonly encryptionContext?: Readonly<Record<string, string>>;
  readonly conditions?: Readonly<Record<string, ConditionValue>>;
  /** A copy of the key's attributes (a later UpdatePrimaryRegion or UpdateAlias must not change a logged request). */
  readonly key?: {
    readonly keySpec: string;
    readonly keyUsage: string;
    readonly origin: string;
    readonly multiRegion: boolean;
    readonly multiRegionKeyType?: string;
    /** Replaced, never changed in place, by TagResource and UntagResource. */
    readonly tags: Readonly<Record<string, string>>;
    readonly aliases: string[];
  };
}

type KeyFacts = NonNullable<ConditionFacts['key']>;

/**
 * The facts of a key, copied, and frozen: the copy is kept per key record and given again while the key's attributes
 * and aliases are the same (most requests), so a logged request still shows the key as it was, without a new copy
 * per request.
 */
export function keyFacts(key: KeyRecord, aliases: string[]): KeyFacts {
  const kept = KEY_FACTS.get(key);
  if (kept && kept.keySpec === key.keySpec && kept.keyUsage === key.keyUsage && kept.origin === key.origin
    && kept.multiRegion === key.multiRegion && kept.multiRegionKeyType === key.multiRegionKeyType && kept.tags === key.tags
    && sameList(kept.aliases, aliases)) return kept;
  const facts = copyKeyFacts(key, Object.isFrozen(aliases) ? aliases : Object.freeze([...aliases]) as string[]);
  KEY_FACTS.set(key, facts);
  return facts;
}

const KEY_FACTS = new WeakMap<KeyRecord, KeyFacts>();

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function copyKeyFacts(key: KeyRecord, aliases: string[]): KeyFacts {
  return Object.freeze({
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    origin: key.origin,
    multiRegion: key.multiRegion,
    multiRegionKeyType: key.multiRegionKeyType,
    tags: key.tags,
    aliases,
  });
}

const USER_NAME = /:user\/(?:.*\/)?([^/]+)$/;

/** The condition keys present in a request, spelled as AWS documents them (see AuthorizationRequest.conditionContext). */
export function conditionContextOf(facts: ConditionFacts): Record<string, ConditionValue> {
  const { caller, request, now } = facts;
  const conditions: Record<string, ConditionValue> = {};
  // A service principal has no ARN or account of its own: those keys are absent from its requests.
  if (caller.accountId) {
    conditions['aws:PrincipalArn'] = principalArnOf(caller);
    conditions['aws:PrincipalAccount'] = caller.accountId;
    conditions['kms:CallerAccount'] = caller.accountId;
  }
  conditions['aws:SourceIp'] = request.sourceIp;
  conditions['aws:RequestedRegion'] = facts.region;
  conditions['aws:CurrentTime'] = new Date(now).toISOString();
  conditions['aws:EpochTime'] = Math.floor(now / 1000);
  conditions['aws:SecureTransport'] = false;
  // True only for an AWS service calling as its own service principal (not for calls a service makes for a caller).
  conditions['aws:PrincipalIsAWSService'] = !caller.accountId;
  if (!caller.accountId) conditions['aws:PrincipalServiceName'] = caller.arn;
  if (request.sourceArn) conditions['aws:SourceArn'] = request.sourceArn;
  if (request.sourceAccount) conditions['aws:SourceAccount'] = request.sourceAccount;
  const user = USER_NAME.exec(caller.arn);
  if (user) conditions['aws:username'] = user[1];
  for (const [tag, value] of Object.entries(caller.tags)) conditions[`aws:PrincipalTag/${tag}`] = value;
  if (request.viaService) conditions['kms:ViaService'] = request.viaService;
  if (facts.encryptionContext) {
    for (const [k, v] of Object.entries(facts.encryptionContext)) conditions[`kms:EncryptionContext:${k}`] = v;
    conditions['kms:EncryptionContextKeys'] = Object.keys(facts.encryptionContext);
  }
  if (facts.requestAlias) conditions['kms:RequestAlias'] = facts.requestAlias;
  const key = facts.key;
  if (key) {
    conditions['kms:KeySpec'] = key.keySpec;
    conditions['kms:KeyUsage'] = key.keyUsage;
    conditions['kms:KeyOrigin'] = key.origin;
    conditions['kms:MultiRegion'] = key.multiRegion;
    if (key.multiRegionKeyType) conditions['kms:MultiRegionKeyType'] = key.multiRegionKeyType;
    conditions['kms:ResourceAliases'] = key.aliases;
    // Attribute-based access: `aws:ResourceTag/<tag>` from the key's tags (tag keys are matched case-insensitively).
    for (const [tag, value] of Object.entries(key.tags)) conditions[`aws:ResourceTag/${tag}`] = value;
  }
  Object.assign(conditions, facts.conditions ?? {});
  return conditions;
}
