import { randomUUID } from 'crypto';
import type { AuthorizationDecision, DecisionTraceEntry } from '../authz/types';

/**
 * One request as CloudTrail records a KMS call (eventName, userIdentity, requestParameters, resources,
 * errorCode/errorMessage), plus what only the emulator knows: the statement that decided each authorization.
 *
 * Request parameters are copied through an allowlist ({@link RECORDED_PARAMETERS}), never a denylist: a field the
 * emulator does not know (a new operation's blob, say) is left out rather than risked, so plaintext, data keys,
 * ciphertext, signatures, imported key material and grant tokens never reach the trail.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/logging-using-cloudtrail.html
 * @see https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * @module
 */

/** The CloudTrail `userIdentity` of a caller, as far as the emulator knows it. */
export interface AuditUserIdentity {
  /** `Root`, `IAMUser`, `AssumedRole` (a role), `AWSService` or `Unknown` (a request that failed authentication). */
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole' | 'AWSService' | 'Unknown';
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  /** For `AWSService`: the service principal. */
  readonly invokedBy?: string;
}

/** One authorization of the request and the statement that decided it (emulator-only). */
export interface AuditAuthorization {
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly reason: string;
  /** The statements (or grant) whose effect is the outcome; empty for an implicit deny. */
  readonly decidingStatements: AuditStatementRef[];
}

/** Where a deciding statement lives. */
export interface AuditStatementRef {
  readonly source: DecisionTraceEntry['source'];
  /** The identity policy name, or the grant id. */
  readonly policyName?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  readonly effect?: 'Allow' | 'Deny';
}

/** A CloudTrail-shaped KMS event. */
export interface AuditEvent {
  readonly eventVersion: '1.08';
  readonly eventID: string;
  readonly eventTime: string;
  readonly eventSource: 'kms.amazonaws.com';
  readonly eventName: string;
  readonly eventType: 'AwsApiCall';
  readonly eventCategory: 'Management';
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userIdentity: AuditUserIdentity;
  readonly requestParameters: Record<string, unknown> | null;
  readonly resources: Array<{ readonly accountId: string; readonly type: 'AWS::KMS::Key'; readonly ARN: string }>;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly readOnly: boolean;
  readonly recipientAccountId?: string;
  /** `kms:ViaService`, when the request came through a service (CloudTrail shows the service as `invokedBy`). */
  readonly additionalEventData?: { readonly viaService?: string };
  /** Emulator-only: each authorization and the statement that decided it. */
  readonly authorizations: AuditAuthorization[];
}

/**
 * Request fields recorded as they are (CloudTrail spells them in lower camel case). Everything else is left out:
 * Plaintext, CiphertextBlob, Message, Signature, Mac, EncryptedKeyMaterial, ImportToken, PublicKey, GrantTokens,
 * Recipient.
 */
export const RECORDED_PARAMETERS: ReadonlySet<string> = new Set([
  'KeyId', 'SourceKeyId', 'DestinationKeyId', 'TargetKeyId', 'AliasName',
  'EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext',
  'EncryptionAlgorithm', 'SourceEncryptionAlgorithm', 'DestinationEncryptionAlgorithm',
  'KeySpec', 'KeyPairSpec', 'NumberOfBytes', 'KeyUsage', 'CustomerMasterKeySpec', 'Origin', 'Description', 'MultiRegion',
  'SigningAlgorithm', 'MessageType', 'MacAlgorithm', 'KeyAgreementAlgorithm',
  'GranteePrincipal', 'RetiringPrincipal', 'Operations', 'Constraints', 'Name', 'GrantId',
  'PendingWindowInDays', 'RotationPeriodInDays', 'PolicyName', 'Policy', 'BypassPolicyLockoutSafetyCheck',
  'Tags', 'TagKeys', 'ReplicaRegion', 'PrimaryRegion', 'Limit', 'Marker', 'DryRun', 'IncludeKeyMaterial',
  'WrappingAlgorithm', 'WrappingKeySpec', 'ValidTo', 'ExpirationModel', 'ImportType', 'KeyMaterialId',
]);

/** Operations that use a key (not management): what makes a key "used" in the findings and the matchers. */
export const KEY_USE_OPERATIONS: ReadonlySet<string> = new Set([
  'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret', 'GetPublicKey',
]);

/** Operations CloudTrail marks `readOnly`. */
const READ_ONLY = /^(Describe|Get|List)/;

/** The request's recordable parameters, in CloudTrail's lower camel case (null when none). */
export function recordedParameters(input: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!input) return null;
  let out: Record<string, unknown> | null = null;
  for (const name in input) {
    if (!Object.prototype.hasOwnProperty.call(input, name)) continue;
    const recorded = RECORDED_NAMES.get(name);
    if (recorded !== undefined) (out ??= {})[recorded] = input[name];
  }
  return out;
}

/** Each recorded field's CloudTrail name, spelled once (not per request). */
const RECORDED_NAMES: ReadonlyMap<string, string> = new Map(
  [...RECORDED_PARAMETERS].map(name => [name, name.charAt(0).toLowerCase() + name.slice(1)]),
);

/** The CloudTrail identity type of an ARN (or a service principal). */
export function userIdentityOf(arn: string | undefined, accountId: string | undefined, accessKeyId: string | undefined): AuditUserIdentity {
  if (!arn) return { type: 'Unknown', accessKeyId };
  if (!accountId) return { type: 'AWSService', invokedBy: arn };
  const type = arn.endsWith(':root') ? 'Root' : /:user\//.test(arn) ? 'IAMUser' : 'AssumedRole';
  return { type, arn, accountId, accessKeyId };
}

/** The statements that decided (the evaluator's `deciding`; another authorizer may name none). */
export function decidingStatements(decision: AuthorizationDecision): AuditStatementRef[] {
  const deciding = decision.deciding;
  if (!deciding) return [];
  let refs = REFS.get(deciding);
  if (!refs) {
    refs = deciding.map(statementRef);
    REFS.set(deciding, refs);
  }
  return refs;
}

/**
 * The references of a decision's deciding statements, made once per decision: a decision served from the cache
 * (authz/decision-cache.ts) is the same object every time, and so are its references (read-only, like the events).
 */
const REFS = new WeakMap<readonly DecisionTraceEntry[], AuditStatementRef[]>();

/**
 * A request's authorization as the audit trail keeps it. A decision served from the cache (authz/decision-cache.ts)
 * is the same object on every request, so its record is made once per decision, action and resource and shared,
 * frozen: the in-memory trail keeps tens of thousands of events, and every object a request leaves in it is copied
 * by a young-generation collection and then promoted.
 */
export function auditAuthorization(decision: AuthorizationDecision, action: string, resource: string): AuditAuthorization {
  const statements = decidingStatements(decision);
  const known = AUTHORIZATIONS.get(decision);
  if (known !== undefined && known.action === action && known.resource === resource && known.allowed === decision.allowed
    && known.reason === decision.reason && known.decidingStatements === statements) return known;
  const made: AuditAuthorization = Object.freeze({
    action, resource, allowed: decision.allowed, reason: decision.reason, decidingStatements: statements,
  });
  AUTHORIZATIONS.set(decision, made);
  return made;
}

/** The last authorization record made for each decision (a decision is nearly always for one action and resource). */
const AUTHORIZATIONS = new WeakMap<AuthorizationDecision, AuditAuthorization>();

/** A trace entry's reference, without its undefined fields (as the JSON-lines file has them). */
function statementRef(t: DecisionTraceEntry): AuditStatementRef {
  const ref: { -readonly [K in keyof AuditStatementRef]: AuditStatementRef[K] } = { source: t.source };
  if (t.policyName !== undefined) ref.policyName = t.policyName;
  if (t.sid !== undefined) ref.sid = t.sid;
  if (t.statementIndex !== undefined) ref.statementIndex = t.statementIndex;
  if (t.effect !== undefined) ref.effect = t.effect;
  return ref;
}

/** What the HTTP layer knows of one finished request. */
export interface FinishedRequest {
  readonly time: number;
  readonly operation: string;
  readonly region: string;
  readonly sourceIp: string;
  readonly accessKeyId?: string;
  readonly callerArn?: string;
  readonly callerAccount?: string;
  readonly viaService?: string;
  readonly input?: Record<string, unknown>;
  /** Key ARNs the request resolved or created. */
  readonly resources: readonly string[];
  readonly authorizations: readonly AuditAuthorization[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** Builds the event of one finished request. */
export function auditEventOf(request: FinishedRequest): AuditEvent {
  return auditEventWith(request, recordedParameters(request.input));
}

/** Builds the event of one finished request whose parameters were already copied through the allowlist. */
export function auditEventWith(request: Omit<FinishedRequest, 'input'>, requestParameters: Record<string, unknown> | null): AuditEvent {
  const resources = [...new Set(request.resources)].map(arn => ({ accountId: arn.split(':')[4], type: 'AWS::KMS::Key' as const, ARN: arn }));
  return {
    eventVersion: '1.08',
    eventID: randomUUID(),
    eventTime: new Date(request.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: request.operation,
    eventType: 'AwsApiCall',
    eventCategory: 'Management',
    awsRegion: request.region,
    sourceIPAddress: request.viaService ?? request.sourceIp,
    userIdentity: userIdentityOf(request.callerArn, request.callerAccount, request.accessKeyId),
    requestParameters,
    resources,
    ...(request.error ? { errorCode: request.error.code, errorMessage: request.error.message } : {}),
    readOnly: READ_ONLY.test(request.operation),
    recipientAccountId: resources[0]?.accountId ?? request.callerAccount,
    ...(request.viaService ? { additionalEventData: { viaService: request.viaService } } : {}),
    authorizations: [...request.authorizations],
  };
}
