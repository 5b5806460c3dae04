import { CallerIdentity, NamedPolicy, PolicyDocumentJson } from './authz/types';
import { accountOfArn, EmulatorConfig, PrincipalConfig } from './config';
import { KmsError } from './errors';

/** The account any caller acts as when the emulator has no configuration (a quick start needs none). */
export const DEFAULT_ACCOUNT = '000000000000';

/** A caller the emulator can authenticate: its identity and its secret. */
export interface KnownPrincipal {
  readonly identity: CallerIdentity;
  readonly secretAccessKey: string;
}

/**
 * Maps SigV4 access key ids to principals. Without any configured principal, every access key acts as the
 * root of {@link DEFAULT_ACCOUNT} and any secret is accepted (the signature is still parsed).
 */
export class IdentityRegistry {
  private readonly byAccessKey = new Map<string, KnownPrincipal>();
  private readonly configs = new Map<string, PrincipalConfig>();

  constructor(config: EmulatorConfig) {
    for (const principal of config.principals ?? []) this.add(principal);
  }

  /** Whether callers are checked against configured principals. */
  public get configured(): boolean {
    return this.byAccessKey.size > 0;
  }

  /** Registers (or replaces) a principal. */
  public add(principal: PrincipalConfig): void {
    this.configs.set(principal.accessKeyId, principal);
    this.byAccessKey.set(principal.accessKeyId, {
      secretAccessKey: principal.secretAccessKey,
      identity: {
        arn: principal.arn,
        accountId: accountOfArn(principal.arn),
        identityPolicies: (principal.identityPolicies ?? []).map(named),
        tags: { ...(principal.tags ?? {}) },
      },
    });
  }

  /** Forgets a principal (no-op when unknown). */
  public remove(accessKeyId: string): void {
    this.byAccessKey.delete(accessKeyId);
    this.configs.delete(accessKeyId);
  }

  /** Every principal known now, as configured or registered (for the unused-access findings). */
  public principals(): PrincipalConfig[] {
    return [...this.configs.values()];
  }

  /** The principal for an access key, or UnrecognizedClientException. */
  public lookup(accessKeyId: string): KnownPrincipal | undefined {
    if (!this.configured) return OPEN_MODE_CALLER;
    const known = this.byAccessKey.get(accessKeyId);
    if (!known) throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    return known;
  }
}

/** Every caller of an emulator without principals: one object, so what is kept per caller (decisions) is reused. */
const OPEN_MODE_CALLER: KnownPrincipal = Object.freeze({
  secretAccessKey: '',
  identity: Object.freeze({ arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:root`, accountId: DEFAULT_ACCOUNT, identityPolicies: [], tags: Object.freeze({}) }),
});

function named(policy: PolicyDocumentJson | NamedPolicy, index: number): NamedPolicy {
  return 'document' in policy ? policy : { name: `policy-${index + 1}`, document: policy };
}
