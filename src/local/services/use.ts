import { KMSClient } from '@aws-sdk/client-kms';
import { describeCall, KmsCallOutcome, performKmsCall } from './calls';
import { SERVICE_MODELS, serviceModelFor } from './index';
import { resourceArnOf } from './resource-arn';
import { NamedKey, ServiceKmsCall, UseMode } from './types';
import { evaluateAuthorization } from '../../emulator/authz';
import { AuthorizationDecision, CallerIdentity, PolicyDocumentJson } from '../../emulator/authz/types';
import { SERVICE_PRINCIPAL } from '../../emulator/config';
import { DeployedKey, DeployedPrincipal, DeployedResource, LocalDeployment } from '../deployment';

/** The IAM side of a use: may the principal call the service on the resource? */
export interface IamOutcome {
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** The policy statement that decided, or why none did. */
  readonly reason: string;
}

/** How a use is made. */
export interface ServiceUseOptions {
  /** Encryption context the caller adds to the service's own, where the service lets it (S3). */
  readonly encryptionContext?: Record<string, string>;
}

/** The answer to "may this principal read (write) this resource?", found as AWS would find it. */
export interface ServiceUseResult {
  readonly allowed: boolean;
  readonly principal: string;
  readonly resource: string;
  readonly mode: UseMode;
  /** The service, as people name it (`S3`). */
  readonly service: string;
  readonly iam: IamOutcome[];
  /** Every KMS request the service made for the principal, in order. */
  readonly kms: KmsCallOutcome[];
}

/**
 * Checks a use of a resource the way AWS decides it: the principal's IAM policies (and the resource's own policy,
 * for another account or a service principal) for the service's action on the resource, then the KMS requests the
 * service makes for that use, sent to the emulator for real.
 *
 * @param principal a deployed principal, by the names `toAllow` takes, or a service principal (`sns.amazonaws.com`)
 * @param resource a resource by `Stack/LogicalId`, `Stack/construct/path`, or a unique logical id or path
 */
export async function checkServiceUse(
  deployment: LocalDeployment, principal: string | DeployedPrincipal, resource: string | DeployedResource, mode: UseMode,
  options: ServiceUseOptions = {},
): Promise<ServiceUseResult> {
  const r = typeof resource === 'string' ? findResource(deployment.resources, resource) : resource;
  const model = serviceModelFor(r.type);
  if (!model) throw new Error(`the local deployment does not act as the service of ${r.type} (${r.stack}/${r.logicalId}); it models ${modeledTypes()}`);
  const acting = typeof principal === 'string' ? actingResource(deployment, principal) : undefined;
  const service = acting ? SOURCE_SERVICES[acting.type] : typeof principal === 'string' && SERVICE_PRINCIPAL.test(principal) ? principal : undefined;
  const p = service ? undefined : typeof principal === 'string' ? deployment.principal(principal) : principal as DeployedPrincipal;
  // A service principal acts for a resource: the one named as the principal, else the resource used.
  const source = { arn: resourceArnOf(acting ?? r), account: (acting ?? r).account };
  const caller: CallerIdentity = service
    ? { arn: service, accountId: '', identityPolicies: [], tags: {} }
    : { arn: p!.arn, accountId: p!.account, identityPolicies: p!.identityPolicies, tags: {} };

  const keys = model.keysOf(r);
  if (options.encryptionContext && !model.acceptsCallerContext) {
    throw new Error(`${model.title} sends only its own encryption context; a caller cannot add ${JSON.stringify(options.encryptionContext)}`);
  }
  const withCallerContext = (call: ServiceKmsCall): ServiceKmsCall => (options.encryptionContext && call.as === 'caller'
    ? { ...call, encryptionContext: { ...options.encryptionContext, ...call.encryptionContext } } : call);
  const uses = keys.map(key => {
    const use = model.use(r, mode, key);
    return { key, use: { ...use, kms: use.kms.map(withCallerContext) } };
  });
  // Every region's IAM need (a global table is a table ARN per region), each once.
  const allNeeds = uses.length ? uses.flatMap(u => u.use.iam) : model.use(r, mode, { keyId: '', region: r.region }).iam;
  const iamNeeds = allNeeds.filter((n, i) => allNeeds.findIndex(m => m.action === n.action && m.resource === n.resource) === i);
  const policy = model.resourcePolicyOf?.(r, deployment.resources);
  const iam = iamNeeds.map(need => evaluateIam(caller, need, r, policy, source));

  const kms: KmsCallOutcome[] = [];
  for (const { key, use } of uses) {
    for (const call of use.kms) {
      kms.push(await performKmsCall(call, key, model, {
        endpoint: deployment.endpoint,
        callerClient: region => deployment.clientFor(p!, { region }),
        callerArn: caller.arn,
        callerService: service,
        producer: region => producerFor(deployment, key, region),
        source,
        decisions: () => deployment.decisions() as ReadonlyArray<{ reason: string; caller?: string }>,
      }));
    }
  }
  return {
    allowed: iam.every(i => i.allowed) && kms.every(k => k.allowed),
    principal: acting ? `${acting.path ?? acting.logicalId} (${service})` : service ?? p!.path ?? p!.logicalId,
    resource: r.path ?? r.logicalId,
    mode,
    service: model.title,
    iam,
    kms,
  };
}

/** Why a use was allowed or denied, naming the request and the statement that decided. */
export function explainServiceUse(result: ServiceUseResult): string {
  const lines = [`${result.principal} ${result.mode}s ${result.resource} via ${result.service}: ${result.allowed ? 'yes' : 'no'}`];
  for (const i of result.iam) lines.push(`  IAM ${i.action} on ${i.resource}: ${i.allowed ? 'allowed' : 'denied'} — ${i.reason}`);
  for (const k of result.kms) lines.push(`  ${describeCall(k)}: ${k.allowed ? 'allowed' : `denied (${k.error?.name})`} — ${k.reason ?? ''}`);
  if (result.kms.length === 0) lines.push('  (no KMS request is made for this use)');
  return lines.join('\n');
}

/**
 * Resources whose service sends to other resources as its own service principal, with `aws:SourceArn` = the
 * resource: an SNS topic delivering to a queue, an EventBridge rule or a CloudWatch alarm publishing to a topic.
 */
const SOURCE_SERVICES: Record<string, string> = {
  'AWS::SNS::Topic': 'sns.amazonaws.com',
  'AWS::Events::Rule': 'events.amazonaws.com',
  'AWS::CloudWatch::Alarm': 'cloudwatch.amazonaws.com',
};

/** The resource a principal name means, when it names no deployed principal but a resource that acts as its service. */
function actingResource(deployment: LocalDeployment, name: string): DeployedResource | undefined {
  if (deployment.principals.some(p => [p.logicalId, p.path, `${p.stack}/${p.logicalId}`, `${p.stack}/${p.path}`].includes(name))) return undefined;
  const found = deployment.resources.filter(r => SOURCE_SERVICES[r.type] && [r.logicalId, r.path, `${r.stack}/${r.logicalId}`, `${r.stack}/${r.path}`].includes(name));
  return found.length === 1 ? found[0] : undefined;
}

/** A resource by the names `toAllow` takes for keys and principals. */
export function findResource(resources: readonly DeployedResource[], name: string): DeployedResource {
  const matches = resources.filter(r => `${r.stack}/${r.logicalId}` === name || `${r.stack}/${r.path}` === name || r.logicalId === name || r.path === name);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new Error(`no resource named ${name} in the deployment`);
  throw new Error(`resource name ${name} is ambiguous: ${matches.map(r => `${r.stack}/${r.logicalId}`).join(', ')}; qualify it with the stack`);
}

/**
 * IAM for the service's action on the resource. In the resource's account an identity policy or the resource policy
 * allows it; from another account, or for a service principal, the resource policy must allow it too. An explicit
 * deny in either wins. Requests to services come over TLS (`aws:SecureTransport` is true).
 */
function evaluateIam(
  caller: CallerIdentity, need: { action: string; resource: string }, resource: DeployedResource, policy: PolicyDocumentJson | undefined,
  source: { arn?: string; account: string },
): IamOutcome {
  const conditionContext = {
    ...(caller.accountId ? { 'aws:PrincipalArn': caller.arn, 'aws:PrincipalAccount': caller.accountId } : { 'aws:PrincipalServiceName': caller.arn }),
    'aws:SecureTransport': true,
    ...(caller.accountId ? {} : { 'aws:SourceAccount': source.account, ...(source.arn ? { 'aws:SourceArn': source.arn } : {}) }),
  };
  const base = { action: need.action, operation: need.action, resourceArn: need.resource, grants: [], conditionContext };
  const onResource = (c: CallerIdentity): AuthorizationDecision => evaluateAuthorization({
    ...base, caller: c, key: { arn: need.resource, accountId: resource.account, region: resource.region, policy: policy ?? { Statement: [] } },
  });
  const verdict = (decision: AuthorizationDecision): IamOutcome => ({ ...need, allowed: decision.allowed, reason: decision.reason });
  if (caller.accountId !== resource.account) return verdict(onResource(caller));
  const identity = evaluateAuthorization({ ...base, caller });
  const resourceSide = onResource({ ...caller, identityPolicies: [] });
  const denied = [identity, resourceSide].find(d => d.reason.startsWith('explicitly denied'));
  if (denied) return verdict(denied);
  if (identity.allowed) return verdict(identity);
  if (resourceSide.allowed) return verdict(resourceSide);
  return { ...need, allowed: false, reason: identity.reason };
}

/** The clients that may make the ciphertext a Decrypt works on: the deployment's probe clients of the key's account. */
function producerFor(deployment: LocalDeployment, key: NamedKey, region: string): Promise<KMSClient[]> {
  const aliased = (k: DeployedKey) => deployment.aliases.some(a => a.keyId === k.keyId && a.region === region && key.keyId.endsWith(a.aliasName));
  const deployed = deployment.keys.find(k => k.region === region && (k.arn === key.keyId || k.keyId === key.keyId || aliased(k)));
  const account = deployed?.account ?? /^arn:aws[a-z-]*:kms:[^:]+:(\d{12}):/.exec(key.keyId)?.[1];
  if (!account) throw new Error(`cannot tell the account of key ${key.keyId}`);
  return deployment.probeClientsFor(account, region);
}

function modeledTypes(): string {
  return SERVICE_MODELS.flatMap(m => m.resourceTypes).join(', ');
}
