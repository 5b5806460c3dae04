import { PhysicalResource, ResourceContext, ResourceHandler } from './types';

/**
 * CDK's cross-region references: `Custom::CrossRegionExportWriter` writes SSM parameters in the consumer's region,
 * `Custom::CrossRegionExportReader` reads them as attributes. Both are refreshed on every deployment, unchanged or
 * not, because a reader's properties name the parameters, not their values.
 */
export const crossRegionExportWriter: ResourceHandler = {
  create: async ctx => write(ctx),
  update: async ctx => write(ctx),
  refresh: ctx => write(ctx),
};

export const crossRegionExportReader: ResourceHandler = {
  create: async ctx => read(ctx),
  update: async ctx => read(ctx),
  refresh: ctx => read(ctx),
};

function write(ctx: ResourceContext): PhysicalResource {
  for (const [parameter, value] of Object.entries(ctx.properties.WriterProps?.exports ?? {})) ctx.crossRegionParameters.set(parameter, value);
  return { ref: ctx.logicalId, attributes: {} };
}

function read(ctx: ResourceContext): PhysicalResource {
  const attributes: Record<string, unknown> = {};
  for (const parameter of Object.keys(ctx.properties.ReaderProps?.imports ?? {})) attributes[parameter] = ctx.crossRegionParameters.get(parameter);
  return { ref: ctx.logicalId, attributes };
}
