import { readFileSync } from 'fs';
import { join } from 'path';
import * as ts from 'typescript';

/**
 * The README's jest example must work as written: its block (between the jest-example markers) is transpiled and
 * evaluated here, at the top level of this file, so its describe/test/beforeAll register with jest as they would
 * in a user's test file. The package's import paths resolve to this repository's sources.
 */
const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
const block = /<!-- jest-example:start -->\s*```ts[^\n]*\n([\s\S]*?)```\s*<!-- jest-example:end -->/.exec(readme)?.[1];

const SOURCES: Record<string, string> = {
  'cdk-guarded-keys': '../src',
  'cdk-guarded-keys/lib/emulator': '../src/emulator',
  'cdk-guarded-keys/lib/local': '../src/local',
  'cdk-guarded-keys/lib/local/jest': '../src/local/jest',
};

if (!block) {
  test('the README has a jest example', () => {
    expect(block).toBeDefined();
  });
} else {
  const js = ts.transpileModule(block, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports, resolved as a user's would be
  const load = (name: string) => require(SOURCES[name] ?? name);
  new Function('require', 'exports', 'describe', 'test', 'beforeAll', 'afterAll', 'expect', js)(
    load, {}, describe, test, beforeAll, afterAll, expect);
}
