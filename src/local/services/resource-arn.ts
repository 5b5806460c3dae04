import { DeployedResource } from '../deployment';

/** The resource's ARN: its Ref when that is an ARN (topics, secrets), else the ARN attribute CloudFormation returns. */
export function resourceArnOf(resource: DeployedResource): string | undefined {
  if (typeof resource.ref === 'string' && resource.ref.startsWith('arn:')) return resource.ref;
  const attributes = Object.keys(resource.attributes);
  const name = ['Arn', 'DBInstanceArn', 'DBClusterArn', 'TopicArn'].find(a => attributes.includes(a));
  return name ? String(resource.attributes[name]).replace(/:\*$/, '') : undefined;
}
