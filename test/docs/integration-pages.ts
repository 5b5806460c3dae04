import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';

/**
 * The pages of docs/integrations/ and their example apps, as a user would run them: a page's `example` block is
 * TypeScript that builds an `App` named `app`, importing `cdk-guarded-keys` (resolved to src/ here). Shared by
 * the docs test, which deploys each example, and the external validators (validators/), which lint it.
 * @module
 */

/** The folder of the integration pages. */
export const INTEGRATIONS_DIR = join(__dirname, '..', '..', 'docs', 'integrations');

/** The page files (`s3.md`, ...), sorted, without the index. */
export function integrationPages(): string[] {
  return readdirSync(INTEGRATIONS_DIR).filter(f => f.endsWith('.md') && f !== 'README.md').sort();
}

/** The text of a page's marked code block (`<!-- example:start -->` ... `<!-- example:end -->`). */
export function pageBlock(text: string, marker: string): string {
  const found = new RegExp(`<!-- ${marker}:start -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${marker}:end -->`).exec(text)?.[1];
  if (!found) throw new Error(`no ${marker} block`);
  return found;
}

/** TypeScript to CommonJS, types dropped, as ts-node would run it. */
export const transpile = (source: string) =>
  ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the page's own imports, resolved as a user's would be
const load = (name: string) => (name === 'cdk-guarded-keys' ? require('../../src') : require(name));

/** Runs an example block and returns the `App` it built, not yet synthesized (so aspects can still be added). */
export function buildExampleApp(source: string): App {
  const exported: { app?: App } = {};
  new Function('require', 'exports', transpile(`${source}\nexports.app = app;`))(load, exported);
  if (!exported.app) throw new Error('the example block defines no `app`');
  return exported.app;
}

/** The example app of one page (a file name from {@link integrationPages}). */
export function pageExampleApp(page: string): App {
  return buildExampleApp(pageBlock(readFileSync(join(INTEGRATIONS_DIR, page), 'utf8'), 'example'));
}
