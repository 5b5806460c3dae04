import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildSync } from 'esbuild';
import { runSourceScript } from '../support/fresh-process';

const ROOT = join(__dirname, '..', '..');

/**
 * The CLI loads what a command needs when that command runs, not with the program: `seal` and `inspect` never load
 * the emulator, the guard, aws-cdk-lib or the policy model, and a seal that refuses its empty input never loads
 * the AWS SDK (its fixed cost went from about 250 ms of CPU and 95 MB to about 70 ms and 48 MB). The CLI runs
 * bundled with its dependencies external, as the published package resolves them, and a preloaded script lists
 * every module it loaded.
 */
describe('guarded-keys loads each part when a command needs it', () => {
  let dir: string;
  let cli: string;
  let hook: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guarded-keys-lazy-'));
    cli = join(dir, 'guarded-keys.js');
    hook = join(dir, 'loaded.js');
    buildSync({ entryPoints: [join(ROOT, 'src', 'cli', 'main.ts')], outfile: cli, bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'error' });
    // At exit, the files of every module node loaded (the bundle itself is one of them).
    writeFileSync(hook, 'process.on(\'exit\', () => require(\'fs\').writeFileSync(process.env.LOADED_OUT, Object.keys(require.cache).join(\'\\n\')));');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs the CLI with stdin from `input` and returns its exit code and the modules it loaded. */
  function loadedBy(args: string[], input?: string): { code: number | null; modules: string[] } {
    const out = join(dir, `loaded-${args[0]}.txt`);
    const result = spawnSync(process.execPath, ['-r', hook, cli, ...args], {
      input: input === undefined ? '' : readFileSync(input),
      env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), NODE_NO_WARNINGS: '1', LOADED_OUT: out },
    });
    return { code: result.status, modules: readFileSync(out, 'utf8').split('\n') };
  }

  const HEAVY = ['aws-cdk-lib', 'constructs', '@noble/', 'cli-progress'];
  const heavyIn = (modules: string[]) => modules.filter(m => HEAVY.some(h => m.includes(`node_modules/${h}`)));

  test('seal on an empty stdin: refused (exit 2) with commander alone loaded, not even the AWS SDK', () => {
    // WHEN
    const { code, modules } = loadedBy(['seal', '--key', 'alias/any']);
    // THEN
    expect(code).toBe(2);
    expect(heavyIn(modules)).toEqual([]);
    expect(modules.filter(m => m.includes('node_modules/@aws-sdk/') || m.includes('node_modules/@smithy/'))).toEqual([]);
  }, 30_000);

  test('inspect reads the header without KMS, the guard or the emulator', () => {
    // GIVEN an envelope sealed with a KMS stand-in
    const envelope = join(dir, 'sealed.gke');
    const script = `
      require('./src/envelope').seal(new Uint8Array(100), { keyIds: ['k'], kms: { send: async () => ({
        Plaintext: new Uint8Array(32), CiphertextBlob: new Uint8Array(8), KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/k' }) } })
        .then(bytes => require('fs').writeFileSync(${JSON.stringify(envelope)}, bytes));
    `;
    const sealed = runSourceScript(script);
    expect(sealed.stderr).toBe('');
    // WHEN
    const { code, modules } = loadedBy(['inspect'], envelope);
    // THEN
    expect(code).toBe(0);
    expect(heavyIn(modules)).toEqual([]);
    expect(modules.filter(m => m.includes('node_modules/@aws-sdk/client-kms'))).toEqual([]);
  }, 30_000);

  test('check still loads the guard when it runs (it is only deferred)', () => {
    // GIVEN a template with one key
    const template = join(dir, 'template.json');
    writeFileSync(template, JSON.stringify({ Resources: { K: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } } } }));
    // WHEN
    const { code, modules } = loadedBy(['check', '--format', 'json', template]);
    // THEN the guard ran (exit 0 or 1 by its findings, never 2) from the bundle
    expect([0, 1]).toContain(code);
    expect(modules.some(m => m.endsWith('guarded-keys.js'))).toBe(true);
    // and it reviews the template without aws-cdk-lib's IAM module (the policy model's classes are read on first use)
    expect(modules.filter(m => m.includes('node_modules/aws-cdk-lib/aws-iam'))).toEqual([]);
  }, 30_000);
});
