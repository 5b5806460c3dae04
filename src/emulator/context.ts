import { AuditAuthorization, auditAuthorization } from './audit/event';
import { AuthorizationRequest, CallerIdentity, ConditionValue, GrantRecord, PolicyDocumentJson } from './authz/types';
import { ensureAwsManagedKey } from './aws-managed-keys';
import { ConditionFacts, conditionContextOf, keyFacts } from './condition-context';
import { EmulatorCore } from './core';
import { KmsError } from './errors';
import { aliasNotAccepted, invalidKeyId, isKeyIdSyntax } from './key-id';
import { AliasRecord, aliasSlot, GrantRecordStored, KeyRecord, keySlot } from './state';

/** What the HTTP layer learned about a request before dispatch. */
export interface RequestInfo {
  readonly operation: string;
  readonly caller: CallerIdentity;
  /** The region of the SigV4 credential scope. */
  readonly region: string;
  /** `x-guarded-keys-via-service` (emulator-only): the AWS service the request claims to come through. */
  readonly viaService?: string;
  /** `x-guarded-keys-source-ip` (emulator-only), else the socket's address. */
  readonly sourceIp: string;
  /** `x-guarded-keys-source-arn` (emulator-only): the resource a service principal acts for (`aws:SourceArn`). */
  readonly sourceArn?: string;
  /** `x-guarded-keys-source-account` (emulator-only): the account a service principal acts for (`aws:SourceAccount`). */
  readonly sourceAccount?: string;
}

/** Extra facts for one authorization. */
export interface AuthorizeOptions {
  readonly encryptionContext?: Readonly<Record<string, string>>;
  readonly grantTokens?: string[];
  readonly conditions?: Readonly<Record<string, ConditionValue>>;
  /** The alias named in the request (`kms:RequestAlias`). */
  readonly requestAlias?: string;
  /** CreateGrant: the grant being created (a grant may only create grants within itself). */
  readonly newGrant?: AuthorizationRequest['newGrant'];
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

/**
 * One request's view of the emulator: the caller, the region, key resolution with KMS's key-state rules,
 * and authorization through the configured authorizer.
 */
export class OperationContext {
  /** The alias the request named, if it named one (`kms:RequestAlias`). */
  private lastAlias?: string;
  /** For the audit trail: the keys the request resolved, and each authorization with its deciding statements. */
  public readonly resources: string[] = [];
  public readonly authorizations: AuditAuthorization[] = [];

  constructor(public readonly core: EmulatorCore, public readonly request: RequestInfo) {}

  public get store() {
    return this.core.store;
  }

  public now(): number {
    return this.core.clock.now();
  }

  public get account(): string {
    return this.request.caller.accountId;
  }

  public get region(): string {
    return this.request.region;
  }

  /** A key ARN in the caller's account and region. */
  public keyArn(keyId: string, account = this.account, region = this.region): string {
    return `arn:aws:kms:${region}:${account}:key/${keyId}`;
  }

  /**
   * Finds the key a `KeyId` names: a key id, a key ARN (any account, for cross-account use), an alias name or an
   * alias ARN. Not found: NotFoundException, as KMS words it.
   */
  public resolveKey(keyIdInput: string, options: { allowAlias?: boolean } = {}): KeyRecord {
    this.lastAlias = undefined;
    const allowAlias = options.allowAlias ?? true;
    let account = this.account;
    let region = this.region;
    let keyId = keyIdInput;
    const keyArn = KEY_ARN.exec(keyIdInput);
    const aliasArn = ALIAS_ARN.exec(keyIdInput);
    if (keyArn) [, region, account, keyId] = keyArn;
    if (aliasArn || keyIdInput.startsWith('alias/')) {
      if (!allowAlias) throw aliasNotAccepted(keyIdInput);
      const aliasName = aliasArn ? aliasArn[3] : keyIdInput;
      if (aliasArn) [, region, account] = aliasArn;
      // An alias is regional: an alias ARN of another region names nothing here, as in KMS.
      if (region !== this.region) throw new KmsError('NotFoundException', `Alias ${keyIdInput} is not found.`);
      const alias = this.store.aliases.get(aliasSlot(account, region, aliasName)) ?? this.awsManagedAlias(account, aliasName);
      if (!alias) throw new KmsError('NotFoundException', `Alias arn:aws:kms:${region}:${account}:${aliasName} is not found.`);
      this.lastAlias = aliasName;
      keyId = alias.targetKeyId;
    } else if (region !== this.region && keyArn) {
      // A key ARN of another region cannot be used from this region (KMS is regional); KMS names the region.
      throw new KmsError('NotFoundException', `Invalid arn ${region}`);
    }
    if (!isKeyIdSyntax(keyId)) throw invalidKeyId(keyId);
    const key = this.store.keys.get(keySlot(account, region, keyId));
    if (!key) throw new KmsError('NotFoundException', `Key '${keyArn ? keyIdInput : this.keyArn(keyId, account, region)}' does not exist`);
    this.resources.push(key.arn);
    return key;
  }

  /**
   * A predefined AWS alias (`alias/aws/s3`, ...) of the caller's own account is created with its AWS managed key
   * the first time a request names it, as KMS does.
   */
  private awsManagedAlias(account: string, aliasName: string): AliasRecord | undefined {
    if (account !== this.account) return undefined;
    return ensureAwsManagedKey(this.store, account, this.region, aliasName, this.now());
  }

  /** The alias the last resolveKey went through. */
  public get requestAlias(): string | undefined {
    return this.lastAlias;
  }

  /** KMS's key-state rules for cryptographic operations. */
  public assertUsable(key: KeyRecord): void {
    if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
    if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
    // (also an imported key whose current material is gone but whose state says otherwise, e.g. after CancelKeyDeletion)
    const external = key.origin === 'EXTERNAL' && key.materials[key.materials.length - 1]?.importState !== 'IMPORTED';
    if (key.state === 'PendingImport' || external) throw new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
  }

  /** Management operations other than CancelKeyDeletion are refused on a key pending deletion. */
  public assertNotPendingDeletion(key: KeyRecord): void {
    if (key.state === 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
  }

  /** Operations on a key of another account are limited to cryptographic ones and grants (KMS rule). */
  public assertSameAccount(key: KeyRecord): void {
    if (key.account !== this.account) throw new KmsError('NotFoundException', `Key '${key.arn}' does not exist`);
  }

  /** The key's aliases in its account and region (`kms:ResourceAliases`). */
  public aliasesOf(key: KeyRecord): AliasRecord[] {
    return this.store.aliasesOfKey(key);
  }

  /** The grants on a key. */
  public grantsOf(key: KeyRecord): GrantRecordStored[] {
    return this.store.grantsOfKey(key.arn);
  }

  /**
   * Authorizes one action through the configured authorizer, records the decision, and throws KMS's
   * AccessDeniedException when it is denied.
   */
  public authorize(action: string, key: KeyRecord | undefined, options: AuthorizeOptions = {}): void {
    const request = this.authorizationRequest(action, key, options);
    const decision = this.core.decide(request);
    this.core.record(this.now(), request, decision);
    this.authorizations.push(auditAuthorization(decision, action, request.resourceArn));
    if (key) this.resources.push(key.arn);
    if (!decision.allowed) {
      const resource = key ? key.arn : '*';
      const explicit = decision.trace.some(t => t.matched && t.effect === 'Deny');
      const why = explicit ? `with an explicit deny in a ${decision.trace.find(t => t.matched && t.effect === 'Deny')?.source === 'identity-policy' ? 'identity-based' : 'resource-based'} policy`
        : `because no ${key ? 'resource-based' : 'identity-based'} policy allows the ${action} action`;
      throw new KmsError('AccessDeniedException', `User: ${this.request.caller.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`);
    }
  }

  /**
   * The authorization request for one action, as {@link authorize} builds it (the lockout check evaluates one too).
   * Its condition context is built on first read (condition-context.ts), from facts taken now.
   */
  public authorizationRequest(action: string, key: KeyRecord | undefined, options: AuthorizeOptions = {}): AuthorizationRequest {
    const caller = this.request.caller;
    const facts: ConditionFacts = {
      request: this.request,
      caller,
      region: this.region,
      now: this.now(),
      requestAlias: options.requestAlias ?? this.lastAlias,
      encryptionContext: options.encryptionContext,
      conditions: options.conditions,
      key: key ? keyFacts(key, aliasNames(this.aliasesOf(key))) : undefined,
    };
    let conditionContext: Record<string, ConditionValue> | undefined;
    return {
      action,
      operation: this.request.operation,
      caller,
      key: key ? resourceOf(key) : undefined,
      resourceArn: key ? key.arn : '*',
      grants: key ? grantRecords(this.grantsOf(key)) : NO_GRANTS,
      newGrant: options.newGrant,
      encryptionContext: options.encryptionContext,
      get conditionContext() {
        return conditionContext ??= conditionContextOf(facts);
      },
    };
  }
}

/** Parsed key policies by their text: parsing on every request was the largest avoidable cost of the hot path. */
const POLICY_CACHE = new Map<string, PolicyDocumentJson>();
const POLICY_CACHE_SIZE = 256;

function parsedPolicy(text: string): PolicyDocumentJson {
  let parsed = POLICY_CACHE.get(text);
  if (!parsed) {
    parsed = JSON.parse(text) as PolicyDocumentJson;
    if (POLICY_CACHE.size >= POLICY_CACHE_SIZE) POLICY_CACHE.delete(POLICY_CACHE.keys().next().value!);
    POLICY_CACHE.set(text, parsed);
  }
  return parsed;
}

/**
 * The shared answers for a key without aliases or grants (most keys, most requests): frozen, so no reader of one
 * request can change what another request sees.
 */
const NO_GRANTS: GrantRecord[] = Object.freeze([]) as unknown as GrantRecord[];
const NO_ALIASES: string[] = Object.freeze([]) as unknown as string[];

function grantRecords(grants: GrantRecordStored[]): GrantRecord[] {
  return grants.length === 0 ? NO_GRANTS : grants.map(toGrantRecord);
}

function aliasNames(aliases: AliasRecord[]): string[] {
  return aliases.length === 0 ? NO_ALIASES : aliases.map(a => a.aliasName);
}

type KeyResource = NonNullable<AuthorizationRequest['key']>;

/**
 * The authorization request's view of a key, made once per key record and policy text: a key's ARN, account and
 * region never change, and a new policy text (PutKeyPolicy) makes a new one. Frozen, as it is shared by requests.
 */
const RESOURCES = new WeakMap<KeyRecord, { readonly policyText: string; readonly resource: KeyResource }>();

function resourceOf(key: KeyRecord): KeyResource {
  const known = RESOURCES.get(key);
  if (known && known.policyText === key.policy) return known.resource;
  const resource = Object.freeze({ arn: key.arn, accountId: key.account, region: key.region, policy: parsedPolicy(key.policy) });
  RESOURCES.set(key, { policyText: key.policy, resource });
  return resource;
}

function toGrantRecord(g: GrantRecordStored): GrantRecord {
  return {
    grantId: g.grantId,
    keyArn: g.keyArn,
    granteePrincipal: g.granteePrincipal,
    retiringPrincipal: g.retiringPrincipal,
    operations: g.operations,
    constraints: g.constraints,
    name: g.name,
  };
}
