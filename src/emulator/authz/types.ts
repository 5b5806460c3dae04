/**
 * The contract between the emulator (which knows the request, the caller, the key and its grants)
 * and the authorization evaluator (which knows IAM and KMS policy semantics).
 *
 * The emulator builds one {@link AuthorizationRequest} per action it must authorize
 * (ReEncrypt builds two: `kms:ReEncryptFrom` on the source key and `kms:ReEncryptTo` on the destination)
 * and calls an {@link Authorizer}. The evaluator is a pure function of the request.
 * @module
 */

/** A policy document as JSON: a key policy or an IAM identity policy. */
export interface PolicyDocumentJson {
  readonly Version?: string;
  readonly Id?: string;
  readonly Statement: PolicyStatementJson | PolicyStatementJson[];
}

/** A principal element: `"*"`, or a map of principal type to one or many values. */
export type PrincipalJson = '*' | { readonly [type: string]: string | string[] };

/** One policy statement, as IAM accepts it (single values or arrays). */
export interface PolicyStatementJson {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: PrincipalJson;
  readonly NotPrincipal?: PrincipalJson;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: {
    readonly [operator: string]: { readonly [conditionKey: string]: string | string[] | boolean | number | Array<boolean | number> };
  };
}

/** An identity policy attached to a caller, with the name it is reported under in explanations. */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocumentJson;
}

/** Who is calling, as the emulator authenticated them (SigV4 access key id -> configured principal). */
export interface CallerIdentity {
  /** e.g. `arn:aws:iam::111122223333:role/App`, `arn:aws:iam::111122223333:user/alice` or `arn:aws:iam::111122223333:root`. */
  readonly arn: string;
  /** The 12-digit account of the caller. */
  readonly accountId: string;
  /** IAM identity policies of the caller (ignored for the account root, which IAM does not constrain). */
  readonly identityPolicies: NamedPolicy[];
  /** Principal tags, for `aws:PrincipalTag/<tag>`. */
  readonly tags: Readonly<Record<string, string>>;
}

/** A KMS grant on a key. */
export interface GrantRecord {
  readonly grantId: string;
  readonly keyArn: string;
  /** The grantee principal ARN (grants match the caller by ARN). */
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string;
  /** KMS operation names the grant allows, e.g. `Decrypt`, `GenerateDataKey`. */
  readonly operations: string[];
  readonly constraints?: {
    readonly encryptionContextEquals?: Readonly<Record<string, string>>;
    readonly encryptionContextSubset?: Readonly<Record<string, string>>;
  };
  readonly name?: string;
}

/** Values of condition keys for one request. */
export type ConditionValue = string | string[] | boolean | number;

/** Everything the evaluator needs to decide one action on one resource. */
export interface AuthorizationRequest {
  /** The IAM action, e.g. `kms:Decrypt`, `kms:ReEncryptFrom`, `kms:CreateKey`. */
  readonly action: string;
  /** The KMS API operation being served, e.g. `Decrypt`, `ReEncrypt` (grants are matched on it). */
  readonly operation: string;
  readonly caller: CallerIdentity;
  /**
   * The key acted on. Undefined for actions without a key resource (CreateKey, ListKeys, ListAliases,
   * GenerateRandom, ...): only identity policies govern those, and the account root is always allowed.
   */
  readonly key?: {
    readonly arn: string;
    readonly accountId: string;
    readonly region: string;
    readonly policy: PolicyDocumentJson;
  };
  /** The resource ARN to match `Resource` against: the key ARN, or `*` for account-level actions. */
  readonly resourceArn: string;
  /** All grants on the key (the evaluator picks those whose grantee is the caller). */
  readonly grants: GrantRecord[];
  /**
   * For `kms:CreateGrant`: the grant being created. A grant allows CreateGrant only for a grant within itself
   * (a subset of its operations, constraints at least as strict); key and identity policies are not limited so.
   */
  readonly newGrant?: {
    readonly operations: string[];
    readonly constraints?: GrantRecord['constraints'];
  };
  /** The request's encryption context, for grant constraints. */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /**
   * Condition keys present in this request, spelled as AWS documents them, e.g. `aws:PrincipalArn`,
   * `aws:SourceIp`, `kms:ViaService`, `kms:CallerAccount`, `kms:EncryptionContext:Department`
   * (the context key verbatim), `kms:EncryptionContextKeys` (array), `kms:GrantOperations` (array).
   * A key absent here is missing from the request (this matters to `Null` and `...IfExists`).
   */
  readonly conditionContext: Readonly<Record<string, ConditionValue>>;
}

/** Why a statement or grant did or did not apply. */
export interface DecisionTraceEntry {
  readonly source: 'key-policy' | 'identity-policy' | 'grant';
  /** The identity policy name, or the grant id. */
  readonly policyName?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  readonly effect?: 'Allow' | 'Deny';
  /** Whether the statement applied to this request (principal, action, resource and all conditions matched). */
  readonly matched: boolean;
  /** A readable explanation, e.g. `condition StringEquals kms:ViaService failed: got s3.eu-west-1.amazonaws.com`. */
  readonly detail: string;
}

/** The evaluator's answer. */
export interface AuthorizationDecision {
  readonly allowed: boolean;
  /** One line for a user: which statement allowed, which denied explicitly, or that nothing allowed. */
  readonly reason: string;
  readonly trace: DecisionTraceEntry[];
  /**
   * The statements (or grant) that decided: the explicit Deny; the Allow that sufficed (a key policy statement
   * naming the caller, a grant), or the pair that did together (the key policy trusting the account and the
   * identity policy allowing). Absent for an implicit deny and for the account root acting without a key.
   */
  readonly deciding?: DecisionTraceEntry[];
}

/** Decides one request. Pure: no I/O, no clock other than `aws:CurrentTime` in the context. */
export type Authorizer = (request: AuthorizationRequest) => AuthorizationDecision;
