import { CustomResource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { ENVELOPE_ATTRIBUTE, PROPS, RESOURCE_TYPES, ValueKind } from './handler/event';
import { handlerFunction } from './handler-function';
import { RESERVED_CONTEXT_PREFIX } from '../envelope/format';
import { validationError } from '../private/errors';

/** One value resource: the custom resource, the handler's permissions on the keys it names, and grantOpen. */
export class ValueResource {
  public readonly resource: CustomResource;
  public readonly handlerRole: iam.IRole;

  constructor(
    scope: Construct,
    kind: ValueKind,
    private readonly targetKey: kms.IKey,
    private readonly encryptionContext: Record<string, string>,
    properties: Record<string, unknown>,
  ) {
    const fn = handlerFunction(scope);
    this.handlerRole = fn.role!;
    this.resource = new CustomResource(scope, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: RESOURCE_TYPES[kind],
      properties: {
        [PROPS.kind]: kind,
        [PROPS.targetKeyArn]: targetKey.keyArn,
        [PROPS.encryptionContext]: encryptionContext,
        ...properties,
      },
    });
  }

  /** The envelope the handler returned (base64): a token. */
  public get envelope(): string {
    return this.resource.getAttString(ENVELOPE_ATTRIBUTE);
  }

  /**
   * Gives the handler's role `actions` on `key`, only for this value's encryption context. Through the key's own
   * `grant`, so a guarded key registers the role (strict mode's denies exempt it) and narrows it as its users.
   */
  public allowHandler(key: kms.IKey, actions: string[]): void {
    key.grant(withContext(this.handlerRole, this.encryptionContext), ...actions);
  }

  /** What `open` needs: Decrypt on the target key, with this value's encryption context. */
  public grantOpen(grantee: iam.IGrantable): iam.Grant {
    return this.targetKey.grant(withContext(grantee.grantPrincipal, this.encryptionContext), 'kms:Decrypt');
  }
}

/** A grantee whose statements carry `kms:EncryptionContext:<key>` = value for every pair of the context. */
function withContext(principal: iam.IPrincipal, context: Record<string, string>): iam.IGrantable {
  const pairs = Object.entries(context);
  if (pairs.length === 0) return { grantPrincipal: principal };
  return { grantPrincipal: new ContextConditionedPrincipal(principal, Object.fromEntries(pairs.map(([k, v]) => [`kms:EncryptionContext:${k}`, v]))) };
}

/**
 * A principal whose identity-policy statements get the value's encryption context as a condition.
 * (`iam.PrincipalWithConditions` conditions only the resource-policy side: its identity statements go out bare.)
 * Its policy fragment is the wrapped principal's, so a guarded key registers the same ARN.
 */
class ContextConditionedPrincipal implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly principalAccount: string | undefined;

  constructor(private readonly inner: iam.IPrincipal, private readonly contextConditions: Record<string, string>) {
    this.assumeRoleAction = inner.assumeRoleAction;
    this.principalAccount = inner.principalAccount;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.inner.policyFragment;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    // DescribeKey has no encryption context: conditioning it would make it never match, so it goes out as granted.
    const contextFree = statement.actions.every(a => a === 'kms:DescribeKey');
    if (!contextFree) statement.addCondition('StringEquals', { ...(statement.conditions.StringEquals ?? {}), ...this.contextConditions });
    return this.inner.addToPrincipalPolicy(statement);
  }
}

/** Checks an encryption context prop: literal keys and values, not empty keys, not the library's reserved prefix. */
export function checkEncryptionContext(scope: Construct, context: Record<string, string> | undefined): Record<string, string> {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(context ?? {})) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) {
      problems.push(`encryptionContext: '${key}' must be a literal (a token cannot be checked at synth nor written in an IAM condition key)`);
    } else if (key.length === 0) {
      problems.push('encryptionContext: keys must not be empty');
    } else if (key.startsWith(RESERVED_CONTEXT_PREFIX)) {
      problems.push(`encryptionContext: keys starting with '${RESERVED_CONTEXT_PREFIX}' are reserved. Received: '${key}'`);
    } else if (typeof value !== 'string') {
      problems.push(`encryptionContext: the value of '${key}' must be a string. Received: ${typeof value}`);
    }
  }
  if (problems.length) throw validationError(scope, problems.join('; '));
  return { ...(context ?? {}) };
}

/** Checks `generation`: a positive integer. */
export function checkGeneration(scope: Construct, generation: number | undefined): string {
  const value = generation ?? 1;
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
    throw validationError(scope, `generation must be a positive integer. Received: ${value}`);
  }
  return String(value);
}
