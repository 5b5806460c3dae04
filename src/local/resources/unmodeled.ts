import { physicalName } from './iam';
import { PhysicalResource, ResourceContext, ResourceHandler } from './types';

/**
 * Every type without a handler: listed in `deployment.unmodeled` (never silently dropped) and given plausible
 * physical values, so references to it resolve. Any attribute resolves to the resource's ARN-like name.
 */
export const unmodeled: ResourceHandler = {
  create: async ctx => placeholder(ctx),
  update: async ctx => placeholder(ctx),
};

function placeholder(ctx: ResourceContext): PhysicalResource {
  const name = physicalName(ctx.stackName, ctx.logicalId).toLowerCase();
  return { ref: name, attributes: { Arn: placeholderArn(ctx.type, ctx.account, ctx.region, name) } };
}

export function placeholderArn(type: string, account: string, region: string, name: string): string {
  return `arn:aws:${type.split('::')[1]?.toLowerCase() ?? 'unknown'}:${region}:${account}:${name}`;
}

/** An attribute the placeholder does not store: `<arn>/<attribute>`, as before. */
export function placeholderAttribute(physical: PhysicalResource, attribute: string): string {
  return `${String(physical.attributes.Arn)}/${attribute}`;
}
