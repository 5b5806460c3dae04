import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative } from 'path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { App } from 'aws-cdk-lib';
import * as ts from 'typescript';
import { buildDataPlatformApp } from '../integ/integ.data-platform';
import { kmsClientFor, RunningEmulator, startEmulator } from '../src/emulator';
import { open, seal } from '../src/envelope';

/**
 * Every ```ts snippet of README.md and docs/ is run by a test, or says why not; the run ones (and the README blocks
 * the other tests run) are type-checked as a user's file too. The comment right above a snippet
 * decides:
 * - a marker of another test: `quickstart:start` (test/readme.test.ts), `jest-example:start`
 *   (test/readme-jest.test.ts), `example:start` / `checks:start` (test/docs/integrations.test.ts);
 * - `<!-- run: FIXTURE -->`: run here, transpiled as written, with the fixture's names provided (FIXTURES below);
 * - `<!-- not-run: reason -->`: listed by this test with its reason.
 * A snippet with none of them fails the first test, so none is left out silently.
 */
const ROOT = join(__dirname, '..');
const OTHER_TESTS: Record<string, string> = {
  'quickstart:start': 'test/readme.test.ts',
  'jest-example:start': 'test/readme-jest.test.ts',
  'example:start': 'test/docs/integrations.test.ts',
  'checks:start': 'test/docs/integrations.test.ts',
};

interface Snippet {
  readonly where: string;
  readonly code: string;
  /** The HTML comment right above the fence, if any. */
  readonly marker?: string;
}

function snippetsOf(file: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts(\s|$)/.test(lines[i].trim())) continue;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    let above = i - 1;
    while (above >= 0 && lines[above].trim() === '') above--;
    const marker = /^<!--\s*(.*?)\s*-->$/.exec(lines[above]?.trim() ?? '')?.[1];
    found.push({ where: `${relative(ROOT, file)}:${i + 1}`, code: lines.slice(i + 1, end).join('\n'), marker });
    i = end;
  }
  return found;
}

const markdown = [
  join(ROOT, 'README.md'),
  ...['docs', 'docs/integrations'].flatMap(dir => readdirSync(join(ROOT, dir)).filter(f => f.endsWith('.md')).map(f => join(ROOT, dir, f))),
];
const snippets = markdown.flatMap(snippetsOf);
const runHere = snippets.filter(s => s.marker?.startsWith('run:'));
const notRun = snippets.filter(s => s.marker?.startsWith('not-run:'));

/** What a `run:` fixture provides, what it reads back from the snippet, and what it checks. */
interface Fixture {
  /** Names the snippet declares, handed to `check`. */
  readonly reads: readonly string[];
  /** Names the snippet uses without declaring them. */
  setUp(): Promise<Record<string, unknown>>;
  check(read: Record<string, any>, provided: Record<string, any>): Promise<void>;
  tearDown(): Promise<void>;
}

/**
 * A fixture around an emulator in open mode started for the snippet: `provide` adds what the snippet uses besides
 * `kms` (an SDK client for it), which the fixture provides too; the emulator stops at tear-down.
 */
function withOpenEmulator(spec: {
  reads: readonly string[];
  provide(kms: KMSClient): Promise<Record<string, unknown>>;
  check(read: Record<string, any>, provided: Record<string, any>): Promise<void>;
}): Fixture {
  let emulator: RunningEmulator | undefined;
  let kms: KMSClient | undefined;
  return {
    reads: spec.reads,
    async setUp() {
      emulator = await startEmulator();
      kms = kmsClientFor(emulator, { region: 'eu-west-1' });
      return { kms, ...await spec.provide(kms) };
    },
    check: spec.check,
    async tearDown() {
      kms?.destroy();
      await emulator?.stop();
    },
  };
}

const FIXTURES: Record<string, () => Fixture> = {
  /** An emulator in open mode, two keys, and a plaintext (README, envelope encryption). */
  'envelope': () => withOpenEmulator({
    async provide(kms) {
      const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const otherKeyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      return { keyArn, otherKeyArn, plaintext: new TextEncoder().encode('the plaintext of the README') };
    },
    reads: ['back', 'moved'],
    async check({ back, moved }, { kms, plaintext, otherKeyArn }) {
      expect(Buffer.from(back).equals(Buffer.from(plaintext))).toBe(true);
      const reopened = await open(moved, { kms, expect: { keyIds: [otherKeyArn], encryptionContext: { tenant: 'acme' } } });
      expect(Buffer.from(reopened.plaintext).equals(Buffer.from(plaintext))).toBe(true);
    },
  }),
  /** An emulator in open mode, a key and a plaintext (docs/envelope-format.md, sealing into your own buffer). */
  'output-buffer': () => withOpenEmulator({
    async provide(kms) {
      const keyIds = [(await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!];
      return { keyIds, plaintext: new Uint8Array(200_000).map((_, i) => i % 251) };
    },
    reads: ['envelope', 'view', 'sealBuffer', 'openBuffer'],
    async check({ envelope, view, sealBuffer, openBuffer }, { plaintext }) {
      expect(envelope.buffer).toBe(sealBuffer.buffer);
      expect(view.buffer).toBe(openBuffer.buffer);
      expect(Buffer.from(view).equals(Buffer.from(plaintext))).toBe(true);
    },
  }),
  /** Nothing but the snippet's own imports (docs/emulator.md, starting the emulator in process). */
  'self-contained': () => ({
    setUp: async () => ({}),
    reads: ['kms'],
    async check({ kms }) {
      expect(kms).toBeInstanceOf(KMSClient);
    },
    tearDown: async () => undefined,
  }),
  /** A cdk.out of the example data platform in the working directory, as `cdk synth` writes it (docs/local-deployment.md). */
  'cdk-out': () => {
    const cwd = process.cwd();
    const dir = mkdtempSync(join(tmpdir(), 'snippet-cdk-out-'));
    let read: Record<string, any> = {};
    return {
      async setUp() {
        buildDataPlatformApp(new App({ outdir: join(dir, 'cdk.out'), context: { 'aws:cdk:enable-path-metadata': true } })).synth();
        process.chdir(dir);
        return { expect };
      },
      reads: ['emulator', 'deployment'],
      async check(values) {
        read = values;
        expect(values.deployment.key('alias/data/customers')).toBeDefined();
      },
      async tearDown() {
        process.chdir(cwd);
        read.deployment?.close();
        await read.emulator?.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  /**
   * A value sealed under a key of an emulator, in the environment variables a Lambda would have, and the SDK's
   * own configuration pointed at the emulator (AWS_ENDPOINT_URL_KMS), so `new KMSClient({})` works unchanged.
   */
  'open-value': () => {
    let emulator: RunningEmulator;
    let kms: KMSClient;
    const saved = { ...process.env };
    return {
      async setUp() {
        emulator = await startEmulator();
        kms = kmsClientFor(emulator, { region: 'eu-west-1' });
        const keyArn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
        const envelope = await seal(new TextEncoder().encode('hunter2, sealed'), { keyIds: [keyArn], encryptionContext: { app: 'billing' }, kms });
        Object.assign(process.env, {
          DB_PASSWORD: Buffer.from(envelope).toString('base64'),
          APP_KEY_ARN: keyArn,
          AWS_ENDPOINT_URL_KMS: emulator.endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
          AWS_SECRET_ACCESS_KEY: 'secret',
        });
        return {};
      },
      reads: ['dbPassword'],
      async check({ dbPassword }) {
        expect(await dbPassword()).toBe('hunter2, sealed');
      },
      async tearDown() {
        for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
        Object.assign(process.env, saved);
        kms?.destroy();
        await emulator?.stop();
      },
    };
  },
};

/**
 * The types of what each fixture provides, for the type check: a snippet is compiled as a user's file would be, so
 * a misspelt option (which running would silently ignore) fails too.
 */
const DECLARATIONS: Record<string, string> = {
  'envelope': `import { KMSClient } from '@aws-sdk/client-kms';
declare const kms: KMSClient, keyArn: string, otherKeyArn: string, plaintext: Uint8Array;`,
  'output-buffer': `import { KMSClient } from '@aws-sdk/client-kms';
declare const kms: KMSClient, keyIds: string[], plaintext: Uint8Array;`,
  'self-contained': '',
  'cdk-out': '',
  'open-value': '',
};

/**
 * A snippet as a TypeScript file of this repository: its imports on top (the package's paths pointed at src/), the
 * rest in an async function, so its top-level awaits compile in a CommonJS project. A snippet that exports stays a
 * module as written.
 */
function asTypeCheckedFile(code: string, declarations: string): string {
  const source = ts.createSourceFile('snippet.ts', code, ts.ScriptTarget.ES2022, true);
  const imports = source.statements.filter(ts.isImportDeclaration).map(i => i.getText(source)
    .replace(/(['"])cdk-guarded-keys(?:\/lib)?(\/[^'"]*)?\1/, (_m, q, sub) => `${q}../src${sub ?? ''}${q}`));
  const rest = source.statements.filter(st => !ts.isImportDeclaration(st)).map(st => st.getFullText(source)).join('');
  const exports = source.statements.some(st => ts.canHaveModifiers(st) && ts.getModifiers(st)?.some(m => m.kind === ts.SyntaxKind.ExportKeyword));
  const body = exports ? rest : `export async function snippet(): Promise<void> {\n${rest}\n}`;
  return `${imports.join('\n')}\n${declarations}\n${body}\n`;
}

/** The package's import paths resolve to this repository's sources, as in the other README tests. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the snippet's own imports, resolved as a user's would be
const load = (name: string) => require(name.replace(/^cdk-guarded-keys(\/lib)?/, '../src'));

async function runSnippet(snippet: Snippet, fixture: Fixture): Promise<void> {
  const provided = await fixture.setUp();
  try {
    // The snippet's top level becomes an async function's body, so its awaits run as a module's would.
    const js = ts.transpileModule(snippet.code, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const exported: Record<string, unknown> = {};
    const reads = fixture.reads.map(name => `exports[${JSON.stringify(name)}] ??= typeof ${name} === 'undefined' ? undefined : ${name};`).join('\n');
    const names = Object.keys(provided);
    const body = new Function('require', 'exports', ...names, `return (async () => {\n${js}\n${reads}\n})();`);
    await body(load, exported, ...names.map(n => provided[n]));
    await fixture.check(exported, provided);
  } finally {
    await fixture.tearDown();
  }
}

describe('the ts snippets of README.md and docs/', () => {
  test('every snippet is run by a test or marked not-run with a reason', () => {
    const unaccounted = snippets.filter(s => !s.marker || !(s.marker in OTHER_TESTS || /^(run|not-run):\s*\S/.test(s.marker)));
    expect(unaccounted.map(s => s.where)).toEqual([]);
    expect(snippets.length).toBeGreaterThan(25);
  });

  test('each marker of another test names a test that reads that marker', () => {
    for (const s of snippets.filter(x => x.marker && x.marker in OTHER_TESTS)) {
      const test = join(ROOT, OTHER_TESTS[s.marker!]);
      expect(existsSync(test) && readFileSync(test, 'utf8').includes(s.marker!.replace(':start', ''))).toBe(true);
    }
  });

  test('every run snippet, and the README blocks the other tests run, type-check as written', () => {
    const typeChecked = snippets.filter(x => x.marker?.startsWith('run:') || x.marker === 'quickstart:start' || x.marker === 'jest-example:start');
    const files = new Map(typeChecked.map((snippet, i) => {
      const fixture = snippet.marker!.startsWith('run:') ? snippet.marker!.replace(/^run:\s*/, '') : '';
      return [join(ROOT, 'test', `__snippet_${i}.ts`), { snippet, text: asTypeCheckedFile(snippet.code, DECLARATIONS[fixture] ?? '') }] as const;
    }));
    const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const options = { ...parsed.options, noEmit: true, noUnusedLocals: false, isolatedModules: false };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (file, language, onError) => {
      const virtual = files.get(file);
      return virtual ? ts.createSourceFile(file, virtual.text, language) : getSourceFile.call(host, file, language, onError);
    };
    const fileExists = host.fileExists;
    host.fileExists = file => files.has(file) || fileExists.call(host, file);
    const program = ts.createProgram([...files.keys()], options, host);
    const problems = [...files].flatMap(([file, { snippet }]) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map(d => `${snippet.where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`));
    expect(problems).toEqual([]);
    expect(files.size).toBe(runHere.length + 2);
  }, 180_000); // a TypeScript program over aws-cdk-lib's types: seconds alone, more on a shared machine

  test.each(notRun.map(s => [s.where, s.marker!.replace(/^not-run:\s*/, '')]))('%s is not run: %s', (_where, reason) => {
    expect(reason.length).toBeGreaterThan(20);
  });

  test.each(runHere.map(s => [s.where, s.marker!.replace(/^run:\s*/, ''), s] as const))('%s runs (fixture %s)', async (_where, name, snippet) => {
    expect(Object.keys(FIXTURES)).toContain(name);
    await runSnippet(snippet, FIXTURES[name]());
  }, 60_000);
});
