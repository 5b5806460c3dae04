import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as ts from 'typescript';

/**
 * The package's entry points as a user's project reaches them: through package.json's `exports` map, from an ES
 * module and from a CommonJS one, with types. The consumer project is made here, in a temporary directory, with
 * the package linked into its node_modules (as `npm install <path>` does); it needs the compiled lib/, which
 * `projen build` makes before it runs the tests.
 */
const root = resolve(__dirname, '..', '..');
const compiled = existsSync(join(root, 'lib', 'index.js')) && existsSync(join(root, 'lib', 'local', 'snapshot-serializer.js'));
if (!compiled) {
  // eslint-disable-next-line no-console
  console.warn('test/packaging/esm-cjs.test.ts skipped: lib/ is not compiled (run `npx projen compile` first)');
}
const describeCompiled = compiled ? describe : describe.skip;

/** The subpaths a user imports, and a name each must export. */
const ENTRIES: Array<[string, string]> = [
  ['cdk-guarded-keys', 'GuardedKey'],
  ['cdk-guarded-keys/lib/emulator', 'startEmulator'],
  ['cdk-guarded-keys/lib/local', 'deployLocally'],
  ['cdk-guarded-keys/lib/envelope', 'seal'],
  ['cdk-guarded-keys/lib/local/snapshot-serializer', 'maskTemplate'],
  ['cdk-guarded-keys/emulator', 'startEmulator'],
  ['cdk-guarded-keys/local', 'checkAccess'],
  ['cdk-guarded-keys/envelope', 'open'],
  // deep imports that worked before the exports map keep working
  ['cdk-guarded-keys/lib/keys/guarded-key', 'GuardedKey'],
  ['cdk-guarded-keys/lib/keys/guarded-key.js', 'GuardedKey'],
];

/** Imports every entry (and the jest matchers, which call the jest global `expect.extend`) and prints what it found. */
function consumerScript(kind: 'esm' | 'cjs'): string {
  const load = kind === 'esm' ? 'await import(name)' : 'require(name)';
  const pkg = kind === 'esm'
    ? "(await import('cdk-guarded-keys/package.json', { with: { type: 'json' } })).default"
    : "require('cdk-guarded-keys/package.json')";
  const body = `
    const entries = ${JSON.stringify(ENTRIES)};
    const found = {};
    for (const [name, symbol] of entries) found[name] = typeof (${load})[symbol];
    globalThis.expect = { extend: (matchers) => { found['cdk-guarded-keys/lib/local/jest'] = Object.keys(matchers).sort().join(','); } };
    ${kind === 'esm' ? 'await import' : 'require'}('cdk-guarded-keys/lib/local/jest');
    // the short subpath names the same file (a second import of it would not run it again)
    found['cdk-guarded-keys/local/jest'] = ${kind === 'esm' ? 'import.meta.resolve' : 'require.resolve'}('cdk-guarded-keys/local/jest').replace(/\\\\/g, '/').split('/lib/')[1];
    found.version = typeof ${pkg}.version;
    console.log(JSON.stringify(found));`;
  return kind === 'esm' ? body : `(async () => {${body}})();`;
}

/** Type-checks the files as one program (one program is much faster than three) and returns each file's errors. */
function typeDiagnostics(dir: string, files: string[]): Record<string, string[]> {
  const program = ts.createProgram(files.map(file => join(dir, file)), {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return Object.fromEntries(files.map(file => [file, diagnostics
    .filter(d => d.file?.fileName === join(dir, file))
    .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))]));
}

describeCompiled('package entry points from a consumer project', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'gk-consumer-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'cdk-guarded-keys'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    writeFileSync(join(dir, 'esm.mjs'), consumerScript('esm'));
    writeFileSync(join(dir, 'cjs.cjs'), consumerScript('cjs'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop()!);
  const expected = {
    ...Object.fromEntries(ENTRIES.map(([name]) => [name, 'function'])),
    'cdk-guarded-keys/lib/local/jest': 'toAllow,toAllowUse,toDeny,toDenyUse,toHaveKeyUsedOnlyBy,toHaveUsedKey',
    'cdk-guarded-keys/local/jest': 'local/jest.js',
    'version': 'string',
  };

  test('every entry imports from an ES module (no ERR_UNSUPPORTED_DIR_IMPORT), with its named exports', () => {
    expect(run('esm.mjs')).toEqual(expected);
  });

  test('every entry requires from CommonJS', () => {
    expect(run('cjs.cjs')).toEqual(expected);
  });

  test('types resolve through the exports map from .mts and .cts files', () => {
    const source = [
      "import { GuardedKey } from 'cdk-guarded-keys';",
      "import { startEmulator, type RunningEmulator } from 'cdk-guarded-keys/lib/emulator';",
      "import { deployLocally } from 'cdk-guarded-keys/lib/local';",
      "import { seal } from 'cdk-guarded-keys/envelope';",
      "import { maskTemplate } from 'cdk-guarded-keys/lib/local/snapshot-serializer';",
      'export const used: unknown[] = [GuardedKey, startEmulator, deployLocally, seal, maskTemplate];',
      'export type Running = RunningEmulator;',
    ].join('\n');
    writeFileSync(join(dir, 'types.mts'), source);
    writeFileSync(join(dir, 'types.cts'), source);
    writeFileSync(join(dir, 'wrong.mts'), "import { noSuchThing } from 'cdk-guarded-keys/lib/emulator';\nexport const x = noSuchThing;\n");
    const errors = typeDiagnostics(dir, ['types.mts', 'types.cts', 'wrong.mts']);
    expect(errors['types.mts']).toEqual([]);
    expect(errors['types.cts']).toEqual([]);
    // and a name an entry does not export is an error (so the checks above can fail)
    expect(errors['wrong.mts'].join('\n')).toMatch(/noSuchThing/);
  });
});
