import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { actionsFor, KeyPolicyModel, KeyRole, ROLE_PROP, ROLES_OF_KIND } from '../policy/key-policy-model';
import { Conditions } from '../policy/narrowing';
import { describePrincipal, principalArnPattern } from '../policy/principal-identity';
import { validationError } from '../private/errors';
import { DESCRIBE_ACTIONS } from '../private/perms';

/** What a grant writer needs to know about the key it writes for. */
export interface GrantTarget {
  readonly scope: IConstruct;
  readonly model: KeyPolicyModel;
  /** The key's ARN (a token in the key's own stack). */
  readonly keyArn: string;
  /** The region the key lives in (a replica's region for a replica). */
  readonly region: string;
  /** The key's aliases, to narrow cross-account grants that cannot reference the key's ARN. */
  readonly aliases: () => string[];
  /** Adds a statement to this key's policy (a replica keeps its own). */
  readonly addKeyPolicyStatement: (statement: iam.PolicyStatement) => void;
}

/** The grant method that stands for each role, as error messages name it. */
const GRANT_METHOD: Record<KeyRole, string> = {
  admin: 'grantAdmin',
  user: 'grantEncryptDecrypt',
  encryptor: 'grantEncrypt',
  decryptor: 'grantDecrypt',
  signer: 'grantSign',
  verifier: 'grantVerify',
  macGenerator: 'grantGenerateMac',
  macVerifier: 'grantVerifyMac',
};

/**
 * Writes the grants of guarded keys and replicas, keeping admins and users apart and narrowing use
 * as the key policy does (the aws-cdk-lib KeyGrants idea, with separation and conditions).
 */
export class KeyGrantWriter {
  constructor(private readonly target: GrantTarget) {}

  /** Registers a principal in a role from props (key policy), refusing mixed roles. */
  public addMember(role: KeyRole, principal: iam.IPrincipal): void {
    this.assertRoleAllowed(role, principal, ROLE_PROP[role]);
    this.target.model.add(role, principal, 'key-policy');
    const account = this.target.model.foreignAccountOf(principal);
    // A role object of another account's stack: that account's IAM side is written here too (both sides must allow).
    if (account && role !== 'admin' && typeof (principal as Partial<iam.IRole>).roleArn === 'string') {
      this.addForeignIdentityStatement(principal, actionsFor(role, this.target.model.options), this.target.model.useConditions(this.target.region));
      this.addForeignIdentityStatement(principal, DESCRIBE_ACTIONS, this.target.model.callerConditions(this.target.region));
    }
  }

  /** Grants a role through IAM (or the key policy when the grantee cannot hold an IAM policy). */
  public grantRole(grantee: iam.IGrantable, role: KeyRole): iam.Grant {
    const principal = grantee.grantPrincipal;
    this.assertRoleAllowed(role, principal, GRANT_METHOD[role]);
    this.target.model.add(role, principal, 'iam-policy');
    if (role === 'admin') return this.addStatements(grantee, [], actionsFor('admin', this.target.model.options), false);
    return this.addStatements(grantee, actionsFor(role, this.target.model.options), DESCRIBE_ACTIONS, true);
  }

  /** Grants arbitrary actions (as other constructs call `key.grant`); cryptographic ones are narrowed and refused to admins. */
  public grantActions(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const crypto = actions.filter(isCryptographicAction);
    if (crypto.length && this.target.model.rolesOf(grantee.grantPrincipal).includes('admin')) {
      throw this.mixedRoles(grantee.grantPrincipal, `grant(${crypto.join(', ')})`, 'admin');
    }
    return this.addStatements(grantee, crypto, actions.filter(a => !isCryptographicAction(a)), crypto.length > 0);
  }

  private assertRoleAllowed(role: KeyRole, principal: iam.IPrincipal, where: string): void {
    const kind = this.target.model.kind;
    if (role !== 'admin' && !ROLES_OF_KIND[kind].includes(role)) {
      throw validationError(this.target.scope, `${where} is not available on a ${kind} key: its use roles are ${ROLES_OF_KIND[kind].map(r => `'${ROLE_PROP[r]}'`).join(', ')}`);
    }
    const held = this.target.model.rolesOf(principal);
    if (role === 'admin' && held.some(r => r !== 'admin')) throw this.mixedRoles(principal, where, 'user', held);
    if (role !== 'admin' && held.includes('admin')) throw this.mixedRoles(principal, where, 'admin');
    if (this.target.model.options.strict && principalArnPattern(principal) === undefined) {
      throw validationError(this.target.scope, `strict mode needs IAM principals (roles, users, ARNs or accounts) in '${ROLE_PROP[role]}'; ${describePrincipal(this.target.scope, principal)} has no IAM ARN`);
    }
  }

  private mixedRoles(principal: iam.IPrincipal, where: string, held: 'admin' | 'user', roles: KeyRole[] = []): Error {
    const who = describePrincipal(this.target.scope, principal);
    return held === 'admin'
      ? validationError(this.target.scope, `${who} is in 'admins' and cannot also use the key (${where}): administrators manage and never use`)
      : validationError(this.target.scope, `${who} uses the key (${roles.filter(r => r !== 'admin').map(r => `'${ROLE_PROP[r]}'`).join(', ')}) and cannot also be an admin (${where}): administrators manage and never use`);
  }

  /**
   * Writes the grant on the grantee's IAM policy, so the key need not depend on the grantee (no cross-stack
   * cycles). A grantee that cannot hold a policy is named in the key policy instead. A grantee of another
   * account gets both: its IAM statement (on the key ARN pattern of the key's account and region, narrowed
   * by the key's aliases, since a cross-account reference to the ARN is impossible) and a key-policy statement
   * naming its account with `kms:CallerAccount`.
   */
  private addStatements(grantee: iam.IGrantable, cryptoActions: string[], otherActions: string[], narrowOther: boolean): iam.Grant {
    const principal = grantee.grantPrincipal;
    const model = this.target.model;
    const foreign = model.foreignAccountOf(principal);
    const parts: iam.Grant[] = [];
    const add = (actions: string[], conditions: Conditions, purpose: string) => {
      if (!actions.length) return;
      if (foreign) {
        this.addForeignIdentityStatement(principal, actions, conditions);
        this.target.addKeyPolicyStatement(new iam.PolicyStatement({
          sid: `Grant${purpose}ToAccount${foreign}`,
          principals: [new iam.AccountPrincipal(foreign)],
          actions,
          resources: ['*'],
          conditions: { ...conditions, StringEquals: { ...(conditions.StringEquals ?? {}), 'kms:CallerAccount': foreign } },
        }));
        parts.push(iam.Grant.drop(grantee, 'both sides written'));
        return;
      }
      const onPrincipal = iam.Grant.addToPrincipal({
        grantee, actions, resourceArns: [this.target.keyArn], scope: this.target.scope, conditions: nonEmpty(conditions),
      });
      if (!onPrincipal.success) {
        this.target.addKeyPolicyStatement(new iam.PolicyStatement({ principals: [principal], actions, resources: ['*'], conditions: nonEmpty(conditions) }));
      }
      parts.push(onPrincipal.success ? onPrincipal : iam.Grant.drop(grantee, 'named in the key policy'));
    };
    add(cryptoActions, model.useConditions(this.target.region), sidPart(cryptoActions));
    add(otherActions, narrowOther ? model.callerConditions(this.target.region) : {}, sidPart(otherActions));
    return parts.reduce((a, b) => a.combine(b));
  }

  /** The other account's side of a cross-account grant: its IAM statement on the key's ARN pattern. */
  private addForeignIdentityStatement(principal: iam.IPrincipal, actions: string[], conditions: Conditions): void {
    principal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions,
      resources: [this.keyArnPattern()],
      conditions: nonEmpty({ ...conditions, ...this.aliasCondition() }),
    }));
  }

  private keyArnPattern(): string {
    const stack = Stack.of(this.target.scope);
    return `arn:${Aws.PARTITION}:kms:${this.target.region}:${stack.account}:key/*`;
  }

  private aliasCondition(): Conditions {
    const aliases = this.target.aliases();
    return aliases.length ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } } : {};
  }
}

/** Cryptographic actions are narrowed like users and refused to admins. */
export function isCryptographicAction(action: string): boolean {
  return /^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateMac|VerifyMac|Sign|Verify|DeriveSharedSecret|CreateGrant|GetPublicKey)/i.test(action);
}

/** `['kms:Decrypt', 'kms:ReEncryptFrom']` -> `DecryptReEncryptFrom`, for the Sid of a grant statement. */
function sidPart(actions: string[]): string {
  return actions.map(a => a.replace(/^kms:/, '').replace(/[^A-Za-z0-9]/g, '')).join('').slice(0, 60);
}

function nonEmpty(conditions: Conditions): Conditions | undefined {
  return Object.keys(conditions).length ? conditions : undefined;
}
