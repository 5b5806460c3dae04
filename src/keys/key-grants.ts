import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { classifyActions } from './action-roles';
import { GuardedKeyGrants } from './guarded-key-grants';
import { narrowServicePrincipals, resourceStatementProblem } from './resource-statement';
import { AllowServicePrincipalOptions, SERVICE_PRINCIPAL_PRESETS, servicePrincipalStatement } from './service-principal-access';
import { actionsFor, KeyPolicyModel, KeyRole, ROLE_PROP, ROLES_OF_KIND } from '../policy/key-policy-model';
import { expandActionPattern } from '../policy/kms-actions';
import { Conditions } from '../policy/narrowing';
import { describePrincipal, principalArnPattern, principalIdentity } from '../policy/principal-identity';
import { intersectViaServices } from '../policy/via-services';
import { iamClasses } from '../private/cdk-exports';
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
  /** For a replica: its region, so that the principals its grants register are rendered in its policy only. */
  readonly replicaRegion?: string;
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
  deriver: 'grantDeriveSharedSecret',
  publicKeyReader: 'grant',
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
    if (this.isRegistrable(principal)) this.target.model.add(role, principal, 'iam-policy', this.target.replicaRegion);
    if (role === 'admin') return this.addStatements(grantee, [], actionsFor('admin', this.target.model.options), false);
    return this.addStatements(grantee, actionsFor(role, this.target.model.options), DESCRIBE_ACTIONS, true, [role]);
  }

  /**
   * Grants arbitrary actions (as other constructs call `key.grant`: `bucket.grantRead` asks for `kms:Decrypt`).
   * Actions are classified by expanding their wildcards; use is narrowed like the key's users and refused to
   * admins, management is refused to users, and the grantee is registered in the model in the roles the actions
   * amount to, so strict mode's denies exempt it.
   */
  public grantActions(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    const principal = grantee.grantPrincipal;
    const model = this.target.model;
    const classified = classifyActions(actions, model.kind);
    const where = `grant(${actions.join(', ')})`;
    const held = model.rolesOf(principal);
    if (classified.uses && classified.administers) throw this.mixedRoles(principal, where, 'both');
    if (classified.uses && held.includes('admin')) throw this.mixedRoles(principal, where, 'admin');
    if (classified.administers && held.some(r => r !== 'admin')) throw this.mixedRoles(principal, where, 'user', held);
    if (this.isRegistrable(principal)) {
      if (classified.administers) model.add('admin', principal, 'iam-policy', this.target.replicaRegion);
      for (const role of classified.useRoles) model.add(role, principal, 'iam-policy', this.target.replicaRegion);
    }
    const isUse = (pattern: string) => classifyActions([pattern], model.kind).uses;
    // A wildcard use action (aws-cdk-lib's grants ask for `kms:GenerateDataKey*` and `kms:ReEncrypt*`) is written as
    // the actions it covers today: the wildcard would also cover any use action KMS adds later, and linters rightly
    // flag it (cdk-nag AwsSolutions-IAM5). Management patterns stay as asked: they go to admins only, unnarrowed.
    const useActions = [...new Set(actions.filter(isUse).flatMap(a => (a.includes('*') ? expandActionPattern(a).filter(isUse) : [a])))];
    return this.addStatements(grantee, useActions, actions.filter(a => !isUse(a)), classified.uses, classified.useRoles);
  }

  /**
   * Checks a statement another construct adds to the key policy (`addToResourcePolicy`) as the props are
   * checked, then adds it: no Allow to `Principal: *` without a condition that narrows the caller, no Allow
   * with `NotPrincipal`, and no principal that both manages and uses the key.
   */
  public addResourceStatement(statement: iam.PolicyStatement): void {
    const problem = resourceStatementProblem(statement, this.target.model, this.target.scope);
    if (problem) throw validationError(this.target.scope, problem);
    narrowServicePrincipals(statement, this.target.model, this.target.scope);
    this.target.addKeyPolicyStatement(statement);
  }

  /** Lets an AWS service use the key as its own principal, with the conditions its documentation gives. */
  public allowServicePrincipal(service: string, options: AllowServicePrincipalOptions): void {
    if (!SERVICE_PRINCIPAL_PRESETS[service]) {
      throw validationError(this.target.scope, `allowServicePrincipal: '${service}' is not a service that calls KMS as its own principal; use one of ${Object.keys(SERVICE_PRINCIPAL_PRESETS).join(', ')}`);
    }
    this.addResourceStatement(servicePrincipalStatement(this.target.scope, this.target.region, service, options));
  }

  /**
   * The `grants` object of aws-cdk-lib 2.2xx keys (`key.grants.decrypt(role)`), routed through the same
   * separation and narrowing as the `grant*` methods instead of aws-cdk-lib's unnarrowed statements.
   */
  public grantsObject(): GuardedKeyGrants {
    return {
      actions: (grantee, ...actions) => this.grantActions(grantee, actions),
      admin: grantee => this.grantRole(grantee, 'admin'),
      decrypt: grantee => this.grantRole(grantee, 'decryptor'),
      encrypt: grantee => this.grantRole(grantee, 'encryptor'),
      encryptDecrypt: grantee => this.grantRole(grantee, 'user'),
      sign: grantee => this.grantRole(grantee, 'signer'),
      verify: grantee => this.grantRole(grantee, 'verifier'),
      signVerify: grantee => this.grantRole(grantee, 'signer').combine(this.grantRole(grantee, 'verifier')),
      generateMac: grantee => this.grantRole(grantee, 'macGenerator'),
      verifyMac: grantee => this.grantRole(grantee, 'macVerifier'),
    };
  }

  /**
   * Puts the guarded `grants` object on a key or replica. It is defined on the instance, not declared, because
   * aws-cdk-lib declares `grants` (with a class type) only from 2.2xx on, and this library builds against the
   * floor of its peer range: declaring it would not compile there.
   */
  public installGrantsObject(key: object): void {
    const grants = this.grantsObject();
    Object.defineProperty(key, 'grants', { get: () => grants, configurable: true, enumerable: false });
  }

  /**
   * Whether a grantee becomes a member that strict mode's denies exempt. A whole account is never registered by a
   * grant: aws-cdk-lib grants an account through a service (a `secretsmanager.Secret` gives its account use via
   * Secrets Manager), and exempting `arn:aws:iam::<account>:*` would switch strict mode off for everyone in it.
   * Accounts that may use a strict key are listed in its props instead. Principals without an IAM ARN (services)
   * cannot be named in `aws:PrincipalArn` and are not registered either.
   */
  private isRegistrable(principal: iam.IPrincipal): boolean {
    if (principalArnPattern(principal) === undefined || principal instanceof iamClasses().AccountPrincipal) return false;
    return !/:root"/.test(principalIdentity(this.target.scope, principal));
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

  private mixedRoles(principal: iam.IPrincipal, where: string, held: 'admin' | 'user' | 'both', roles: KeyRole[] = []): Error {
    const who = describePrincipal(this.target.scope, principal);
    if (held === 'both') {
      return validationError(this.target.scope, `${where} gives ${who} both management and use of the key: administrators manage and never use; grant each in its own call to its own principal`);
    }
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
  private addStatements(
    grantee: iam.IGrantable, cryptoActions: string[], otherActions: string[], narrowOther: boolean, roles: KeyRole[] = [],
  ): iam.Grant {
    const principal = grantee.grantPrincipal;
    const model = this.target.model;
    const foreign = model.foreignAccountOf(principal);
    const parts: iam.Grant[] = [];
    // A grantee of another account in a known role is a member of the model, named by its account: the key policy
    // is then rendered for every region (a replica's policy included, so a failover keeps partners working), with
    // kms:CallerAccount, and strict mode exempts the account (its own IAM policy picks the role).
    const asMember = foreign !== undefined && roles.length > 0;
    if (asMember) roles.forEach(role => model.add(role, new iam.AccountPrincipal(foreign), 'key-policy', this.target.replicaRegion));
    const add = (actions: string[], keyConditions: Conditions, purpose: string) => {
      if (!actions.length) return;
      const conditions = this.withPrincipalsViaServices(principal, keyConditions);
      if (foreign) {
        this.addForeignIdentityStatement(principal, actions, conditions);
        if (asMember) {
          parts.push(iam.Grant.drop(grantee, 'both sides written'));
          return;
        }
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
        grantee, actions, resourceArns: [this.target.keyArn], conditions: nonEmpty(conditions),
      });
      if (!onPrincipal.success) {
        const statement = new iam.PolicyStatement({ principals: [principal], actions, resources: ['*'], conditions: nonEmpty(conditions) });
        // The principal's own conditions were merged in by the statement; the intersection must win over them.
        const via = conditions.StringEquals?.['kms:ViaService'];
        if (via !== undefined) statement.addCondition('StringEquals', { 'kms:ViaService': via });
        this.target.addKeyPolicyStatement(statement);
      }
      parts.push(onPrincipal.success ? onPrincipal : iam.Grant.drop(grantee, 'named in the key policy'));
    };
    add(cryptoActions, model.useConditions(this.target.region), sidPart(cryptoActions));
    add(otherActions, narrowOther ? model.callerConditions(this.target.region) : {}, sidPart(otherActions));
    return parts.reduce((a, b) => a.combine(b));
  }

  /**
   * The key's conditions with `kms:ViaService` narrowed to what both the key and the grantee's principal allow
   * (a `kms.ViaServicePrincipal` from `secret.grantRead` keeps Secrets Manager); refused when they exclude each other.
   */
  private withPrincipalsViaServices(principal: iam.IPrincipal, conditions: Conditions): Conditions {
    const principalConditions = principal.policyFragment.conditions as Conditions;
    const ours = conditions.StringEquals?.['kms:ViaService'];
    const theirs = principalConditions?.StringEquals?.['kms:ViaService'];
    if (ours === undefined || theirs === undefined) return conditions;
    const both = intersectViaServices(conditions, principalConditions)!;
    if (both.length === 0) {
      throw validationError(this.target.scope, `the key allows use only via ${JSON.stringify(ours)} ('viaServices'), and a grant to ${describePrincipal(this.target.scope, principal)} `
        + `allows it only via ${JSON.stringify(theirs)}: no request can meet both; add the grant's service to 'viaServices'`);
    }
    return { ...conditions, StringEquals: { ...conditions.StringEquals, 'kms:ViaService': both } };
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

/** `['kms:Decrypt', 'kms:ReEncryptFrom']` -> `DecryptReEncryptFrom`, for the Sid of a grant statement. */
function sidPart(actions: string[]): string {
  return actions.map(a => a.replace(/^kms:/, '').replace(/[^A-Za-z0-9]/g, '')).join('').slice(0, 60);
}

function nonEmpty(conditions: Conditions): Conditions | undefined {
  return Object.keys(conditions).length ? conditions : undefined;
}
