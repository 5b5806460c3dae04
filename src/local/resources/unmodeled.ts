import { physicalName } from './iam';
import { PhysicalResource, ResourceContext, ResourceHandler } from './types';
import { servicePhysical } from '../services/physical';

/**
 * Every type without a handler: listed in `deployment.unmodeled` (never silently dropped) and given plausible
 * physical values, so references to it resolve. Any attribute resolves to the resource's ARN-like name.
 */
export const unmodeled: ResourceHandler = {
  create: async ctx => placeholder(ctx),
  update: async ctx => placeholder(ctx),
};

/**
 * The physical values AWS returns where a service's own shape is known (a bucket's `arn:aws:s3:::name`, a queue's
 * URL as `Ref`: services/physical.ts), so hand-written ARNs, `Fn::GetAtt` and services' encryption contexts agree;
 * else an ARN-like name.
 */
function placeholder(ctx: ResourceContext): PhysicalResource {
  const known = servicePhysical(ctx.type, physicalName(ctx.stackName, ctx.logicalId), ctx.properties, ctx.account, ctx.region);
  if (known) return { ref: String(known.ref), attributes: known.attributes };
  const name = physicalName(ctx.stackName, ctx.logicalId).toLowerCase();
  return { ref: name, attributes: { Arn: placeholderArn(ctx.type, ctx.account, ctx.region, name) } };
}

export function placeholderArn(type: string, account: string, region: string, name: string): string {
  return `arn:aws:${type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${region}:${account}:${name}`;
}

/** An attribute the placeholder does not store: `<arn>/<attribute>`, as before. */
export function placeholderAttribute(physical: PhysicalResource, attribute: string): string {
  return `${String(physical.attributes.Arn ?? physical.ref)}/${attribute}`;
}
