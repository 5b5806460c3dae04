import { ExampleApp } from './apps';
import { CdkNagCollector } from './tools/cdk-nag';
import { GuardTemplate, readGuardTemplates } from '../src/guard/template-source';

/**
 * Builds and synthesizes the example apps, with cdk-nag attached, into cloud assemblies whose templates the
 * template-reading tools (cfn-lint, checkov) then read.
 * @module
 */

/** One synthesized example app. */
export interface SynthesizedApp {
  readonly name: string;
  /** The cloud assembly directory. */
  readonly directory: string;
  /** Each stack's template file, with its region (cfn-lint validates against it). */
  readonly templates: readonly GuardTemplate[];
}

/** Synthesizes each app in turn (one at a time: the machine is small and synth is CPU-bound). */
export async function synthesizeAll(apps: readonly ExampleApp[], cdkNag: CdkNagCollector): Promise<SynthesizedApp[]> {
  const out: SynthesizedApp[] = [];
  for (const example of apps) {
    const app = await example.build();
    cdkNag.attach(app, example.name);
    const directory = app.synth().directory;
    out.push({ name: example.name, directory, templates: readGuardTemplates(directory) });
  }
  return out;
}

/** The construct path of a resource, from its `aws:cdk:path` metadata; `Stack/LogicalId` without it. */
export function resourcePath(t: GuardTemplate, logicalId: string): string {
  const path = t.template.Resources?.[logicalId]?.Metadata?.['aws:cdk:path'];
  return typeof path === 'string' ? path : `${t.stackName}/${logicalId}`;
}
