import { existsSync, readFileSync, statSync } from 'fs';
import { join, relative, resolve } from 'path';

/**
 * Reads what the guard checks: a synthesized template file, or a cloud assembly directory (`cdk.out`), whose
 * manifest names each stack's template and environment. Anything else is a {@link GuardInputError}, which the
 * CLI turns into exit code 2.
 * @module
 */

/** One CloudFormation template to review, with what is known of its stack. */
export interface GuardTemplate {
  /** The stack name (the template's file name without `.template.json` when read alone). */
  readonly stackName: string;
  /** The template file, as given or found in the assembly. */
  readonly file: string;
  readonly template: CfnTemplate;
  /** The stack's account and region when its environment fixes them (a cloud assembly says so). */
  readonly account?: string;
  readonly region?: string;
  /** Rules suppressed per construct path by `KeyGuard.suppress` (from the assembly's metadata). */
  readonly suppressions?: ReadonlyArray<{ readonly path: string; readonly rules: string[]; readonly reason: string }>;
}

/** The parts of a template the guard reads. */
export interface CfnTemplate {
  readonly Parameters?: Record<string, unknown>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Resources?: Record<string, CfnResource>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
}

/** A file that is not a template or an assembly (exit code 2 in the CLI). */
export class GuardInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuardInputError';
  }
}

/** The metadata type `KeyGuard.suppress` writes. */
export const SUPPRESSIONS_METADATA = 'cdk-guarded-keys:guard-suppressions';

/** Reads a template file or a cloud assembly directory. */
export function readGuardTemplates(path: string): GuardTemplate[] {
  if (!existsSync(path)) throw new GuardInputError(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return readAssembly(path);
  return [{ stackName: stackNameOf(path), file: path, template: parseTemplate(path) }];
}

function readAssembly(dir: string, seen: ReadonlySet<string> = new Set()): GuardTemplate[] {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new GuardInputError(`${dir}: not a cloud assembly (no manifest.json)`);
  // A nested assembly that names itself (or an ancestor) would be read forever.
  if (seen.has(resolve(dir))) throw new GuardInputError(`${manifestFile}: the nested assembly ${dir} contains itself`);
  const manifest = parseJson(manifestFile) as { artifacts?: unknown };
  const artifacts = manifest && typeof manifest === 'object' ? manifest.artifacts ?? {} : undefined;
  if (!isObject(artifacts)) throw new GuardInputError(`${manifestFile}: not a cloud assembly manifest ('artifacts' must be an object)`);
  const templates: GuardTemplate[] = [];
  for (const [id, raw] of Object.entries(artifacts)) {
    const artifact = artifactOf(manifestFile, id, raw);
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      templates.push(...readAssembly(join(dir, artifact.properties.directoryName), new Set([...seen, resolve(dir)]))); // a stage's nested assembly
      continue;
    }
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const file = join(dir, artifact.properties.templateFile);
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    templates.push({
      stackName: artifact.properties.stackName ?? artifact.displayName ?? id,
      file,
      template: parseTemplate(file),
      account: env && /^\d{12}$/.test(env[1]) ? env[1] : undefined,
      region: env && !env[2].startsWith('unknown-') ? env[2] : undefined,
      suppressions: suppressionsOf(artifact),
    });
  }
  if (!templates.length) throw new GuardInputError(`${dir}: the cloud assembly has no stack`);
  return templates;
}

/** An artifact of the manifest, its fields checked (the strings it names are paths and names). */
function artifactOf(manifestFile: string, id: string, raw: unknown): Artifact {
  const bad = (what: string) => new GuardInputError(`${manifestFile}: artifact ${id}: ${what}`);
  if (!isObject(raw)) throw bad('must be an object');
  for (const field of ['type', 'environment', 'displayName'] as const) {
    if (raw[field] !== undefined && typeof raw[field] !== 'string') throw bad(`'${field}' must be a string`);
  }
  if (raw.properties !== undefined && !isObject(raw.properties)) throw bad("'properties' must be an object");
  for (const field of ['templateFile', 'stackName', 'directoryName'] as const) {
    const value = (raw.properties as Record<string, unknown> | undefined)?.[field];
    if (value !== undefined && typeof value !== 'string') throw bad(`'properties.${field}' must be a string`);
  }
  if (raw.metadata !== undefined && (!isObject(raw.metadata) || !Object.values(raw.metadata).every(Array.isArray))) {
    throw bad("'metadata' must map construct paths to lists of entries");
  }
  return raw as Artifact;
}

interface Artifact {
  type?: string;
  environment?: string;
  displayName?: string;
  properties?: { templateFile?: string; stackName?: string; directoryName?: string };
  metadata?: Record<string, Array<{ type: string; data?: unknown }>>;
}

function suppressionsOf(artifact: Artifact): GuardTemplate['suppressions'] {
  const out: Array<{ path: string; rules: string[]; reason: string }> = [];
  for (const [path, entries] of Object.entries(artifact.metadata ?? {})) {
    for (const entry of entries) {
      if (!isObject(entry)) continue;
      const data = entry.data as { rules?: unknown; reason?: unknown } | undefined;
      if (entry.type !== SUPPRESSIONS_METADATA || !Array.isArray(data?.rules) || typeof data?.reason !== 'string') continue;
      out.push({ path: path.replace(/^\//, ''), rules: data.rules.map(String), reason: data.reason });
    }
  }
  return out;
}

function parseTemplate(file: string): CfnTemplate {
  const json = parseJson(file) as CfnTemplate;
  if (!isObject(json) || !isObject(json.Resources)) {
    throw new GuardInputError(`${file}: not a CloudFormation template (no Resources)`);
  }
  const problems = shapeProblems(json);
  if (problems.length) throw new GuardInputError(`${file}: not a template CloudFormation would accept:\n  ${problems.join('\n  ')}`);
  return json;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What CloudFormation itself would refuse before looking at any property: a resource that is not an object or has no
 * string Type, sections and attributes of the wrong kind. Said here, naming the resource, so that the rules and the
 * matrix only ever see the shape they read (what is inside Properties is theirs to judge, intrinsics and all).
 */
function shapeProblems(template: CfnTemplate): string[] {
  const problems: string[] = [];
  for (const section of ['Parameters', 'Conditions', 'Mappings'] as const) {
    if (template[section] !== undefined && !isObject(template[section])) problems.push(`'${section}' must be an object`);
  }
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (!isObject(resource)) {
      problems.push(`resource ${id} must be an object with a Type`);
      continue;
    }
    if (typeof resource.Type !== 'string' || resource.Type === '') problems.push(`resource ${id} has no Type (a string)`);
    for (const attribute of ['Properties', 'Metadata'] as const) {
      if (resource[attribute] !== undefined && !isObject(resource[attribute])) problems.push(`resource ${id}: '${attribute}' must be an object`);
    }
    for (const attribute of ['DeletionPolicy', 'UpdateReplacePolicy', 'Condition'] as const) {
      if (resource[attribute] !== undefined && typeof resource[attribute] !== 'string') problems.push(`resource ${id}: '${attribute}' must be a string`);
    }
  }
  return problems;
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new GuardInputError(`${file}: cannot be read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GuardInputError(`${file}: not JSON (${(err as Error).message}); YAML templates are not read`);
  }
}

function stackNameOf(file: string): string {
  return relative('.', file).split(/[\\/]/).pop()!.replace(/\.template\.json$|\.json$/, '');
}
