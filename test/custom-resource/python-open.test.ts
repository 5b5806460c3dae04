import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { createKey } from './support';
import { DataKeyCache, generateDataKeyEnvelope, seal } from '../../src/envelope';
import { startTestEmulator, TestEmulator } from '../emulator/support';

/** The Python run-time snippet of docs/custom-resource.md, run against the emulator (needs python3 with boto3 and cryptography). */
const python = spawnSync('python3', ['-c', 'import boto3, cryptography'], { encoding: 'utf8' });
const describeIfPython = python.status === 0 ? describe : describe.skip;

describeIfPython('docs/snippets/open_value.py', () => {
  let t: TestEmulator;
  let key: string;
  beforeAll(async () => {
    t = await startTestEmulator();
    key = await createKey(t.kms);
  });
  afterAll(() => t.emulator.stop());

  // Asynchronous: the emulator answers from this process, so a synchronous spawn would wait for itself.
  const runPython = (envelope: Uint8Array, context: Record<string, string>) => run(['-c', `
import sys, json, boto3
sys.path.insert(0, ${JSON.stringify(path.join(__dirname, '..', '..', 'docs', 'snippets'))})
from open_value import open_value
kms = boto3.client("kms", endpoint_url=${JSON.stringify(t.emulator.endpoint)}, region_name="eu-west-1", aws_access_key_id="AKIAEMULATORDEFAULT", aws_secret_access_key="emulator-secret")
sys.stdout.write(open_value(sys.argv[1], json.loads(sys.argv[2]), kms).hex())
`, Buffer.from(envelope).toString('base64'), JSON.stringify(context)]);

  test.each([[10], [1024], [2500]])('opens a sealed value of %i bytes (one or several frames) as the TypeScript core seals it', async size => {
    const plaintext = new Uint8Array(size).map((_, i) => (i * 7) % 251);
    const envelope = await seal(plaintext, { keyIds: [key], encryptionContext: { app: 'billing' }, kms: t.kms, frameSize: 1024, cache: new DataKeyCache() });
    const out = await runPython(envelope, { app: 'billing' });
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe(Buffer.from(plaintext).toString('hex'));
  });

  test('opens a data-key envelope to its data key, and refuses another context', async () => {
    const envelope = await generateDataKeyEnvelope(t.kms, key, { app: 'billing' });
    const out = await runPython(envelope, { app: 'billing' });
    expect(out.stdout).toMatch(/^[0-9a-f]{64}$/);
    expect((await runPython(envelope, { app: 'other' })).stderr).toMatch(/encryption context is not the expected one/);
  });
});

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', d => (stdout += d));
    child.stderr.on('data', d => (stderr += d));
    child.on('error', reject);
    child.on('close', () => resolve({ stdout, stderr }));
  });
}
