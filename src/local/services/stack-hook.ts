import { performServiceCreation } from './creation';
import type { DeployedResource } from '../deployment';
import type { StackDeploymentEvent } from '../stack-hooks';

/**
 * The KMS calls AWS services make while CloudFormation creates their resources (S3, SQS, DynamoDB's grant, a
 * generated secret...), made for the resources this deployment created, as the stack's execution role through the
 * service or as the service principal. A refused call fails the stack, which rolls back.
 */
export async function serviceCreationHook(event: StackDeploymentEvent): Promise<void> {
  const created = new Set(event.created);
  const resources: DeployedResource[] = Object.entries(event.resources)
    .filter(([logicalId]) => created.has(logicalId))
    .map(([logicalId, r]) => ({
      stack: event.stackName,
      logicalId,
      path: r.path,
      type: r.type,
      account: event.account,
      region: event.region,
      properties: r.properties as Record<string, any>,
      ref: r.ref,
      attributes: r.attributes,
    }));
  if (resources.length === 0) return;
  await performServiceCreation(resources, { target: event.target, deployerClientFor: (_account, region) => event.kms(region) });
}
