import { existsSync, readFileSync, statSync } from 'fs';
import { join } from 'path';

/** A CloudFormation template, as CDK synthesizes it. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Conditions?: Record<string, unknown>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown }; Condition?: string }>;
}

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly Metadata?: Record<string, unknown>;
  /** `Delete` (default), `Retain`, `RetainExceptOnCreate` or `Snapshot`: what happens when the resource leaves the template. */
  readonly DeletionPolicy?: string;
  /** What happens to the old resource when an update replaces it. */
  readonly UpdateReplacePolicy?: string;
}

/** One stack to deploy: its template and environment. */
export interface StackSource {
  readonly name: string;
  readonly account?: string;
  readonly region?: string;
  readonly template: CfnTemplate;
  /** Names of stacks that must be deployed first (from the cloud assembly manifest). */
  readonly dependencies: string[];
  /**
   * The role CloudFormation deploys the stack as: the manifest's `cloudFormationExecutionRoleArn`, which may hold
   * `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` (environment-agnostic stacks).
   */
  readonly executionRoleArn?: string;
}

/**
 * Reads what to deploy: a template object, a template file, or a cdk.out folder (every CloudFormation stack
 * of its manifest, with its environment and dependencies).
 */
export function readSource(source: string | CfnTemplate, stackName = 'Stack'): StackSource[] {
  if (typeof source !== 'string') return [{ name: stackName, template: source, dependencies: [] }];
  if (!existsSync(source)) throw new Error(`nothing to deploy at ${source}: give a template file or a cdk.out folder`);
  if (statSync(source).isDirectory()) return readCloudAssembly(source);
  return [{ name: stackName, template: parseJson(source) as CfnTemplate, dependencies: [] }];
}

interface Manifest {
  artifacts?: Record<string, {
    type: string;
    environment?: string;
    properties?: { templateFile?: string; stackName?: string; cloudFormationExecutionRoleArn?: string };
    dependencies?: string[];
  }>;
}

function readCloudAssembly(dir: string): StackSource[] {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${dir} has no manifest.json: is it a cdk.out folder?`);
  const manifest = parseJson(manifestPath) as Manifest;
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
  const names = new Set(stacks.map(([id]) => id));
  return stacks.map(([id, artifact]) => {
    const env = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '');
    const account = env && env[1] !== 'unknown-account' ? env[1] : undefined;
    const region = env && env[2] !== 'unknown-region' ? env[2] : undefined;
    return {
      name: artifact.properties?.stackName ?? id,
      account,
      region,
      template: parseJson(join(dir, artifact.properties!.templateFile!)) as CfnTemplate,
      dependencies: (artifact.dependencies ?? []).filter(d => names.has(d)),
      executionRoleArn: artifact.properties?.cloudFormationExecutionRoleArn,
    };
  });
}

function parseJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${path}: ${(err as Error).message}`);
  }
}
