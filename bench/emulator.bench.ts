/**
 * Emulator throughput and latency, side by side with moto's KMS server in the same run.
 *
 * Encrypt and Decrypt with 16 concurrent SDK clients, spread over 2 worker processes (BENCH_WORKERS; one Node
 * SDK process saturates a core), for a fixed duration per measurement (BENCH_SECONDS, default 5). Each server runs
 * in its own process on 127.0.0.1. Prints req/s, p50 and p99 and, since on a 2-core machine the SDK clients
 * compete with the server for CPU, the server's own CPU time per request (from /proc), each with its ratio
 * against moto. moto is installed into bench/.venv when missing;
 * without it the emulator's figures are printed alone.
 */
import { ChildProcess, execFileSync, fork, spawn } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { createServer } from 'net';
import { join } from 'path';
import { createInterface } from 'readline';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';

const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const CLIENTS_PER_WORKER = 16 / WORKERS;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROOT = join(__dirname, '..');
const VENV = join(ROOT, 'bench', '.venv');

interface WorkerResult { count: number; errors: number; latencies: number[] }

const client = (endpoint: string) => new KMSClient({
  endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIABENCH', secretAccessKey: 'bench-secret' },
});

async function workerMain(): Promise<void> {
  const { endpoint, op, keyId, ciphertext, seconds, clients } = JSON.parse(process.argv[3]);
  const blob = Buffer.from(ciphertext, 'base64');
  const deadline = Date.now() + seconds * 1000;
  const result: WorkerResult = { count: 0, errors: 0, latencies: [] };
  await Promise.all(Array.from({ length: clients }, async () => {
    const kms = client(endpoint);
    while (Date.now() < deadline) {
      const start = process.hrtime.bigint();
      try {
        if (op === 'Encrypt') await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(64, 1) }));
        else await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
        result.count++;
        result.latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
      } catch {
        result.errors++;
      }
    }
    kms.destroy();
  }));
  process.send!(result, () => process.exit(0));
}

/** CPU seconds (user + system) a process has used, from /proc: the server's own cost, whatever the clients cost. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz on Linux)
}

interface Measurement { rps: number; p50: number; p99: number; errors: number; serverCpuMicros: number }

async function measure(endpoint: string, op: 'Encrypt' | 'Decrypt', serverPid: number): Promise<Measurement> {
  const kms = client(endpoint);
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(64, 1) }));
  kms.destroy();
  const cpuBefore = cpuSeconds(serverPid);
  const args = JSON.stringify({ endpoint, op, keyId, ciphertext: Buffer.from(CiphertextBlob!).toString('base64'), seconds: SECONDS, clients: CLIENTS_PER_WORKER });
  const results = await Promise.all(Array.from({ length: WORKERS }, () => new Promise<WorkerResult>((resolve, reject) => {
    const worker = fork(__filename, ['worker', args], { execArgv: ['-r', 'ts-node/register/transpile-only'] });
    worker.once('message', m => resolve(m as WorkerResult));
    worker.once('error', reject);
  })));
  const serverCpu = cpuSeconds(serverPid) - cpuBefore;
  const latencies = results.flatMap(r => r.latencies).sort((a, b) => a - b);
  const count = results.reduce((n, r) => n + r.count, 0);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  const errors = results.reduce((n, r) => n + r.errors, 0);
  return { rps: count / SECONDS, p50: pct(0.5), p99: pct(0.99), errors, serverCpuMicros: serverCpu / count * 1e6 };
}

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

async function startGuardedKeys(): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(ROOT, 'src', 'cli', 'main.ts'), 'emulator', '--port', '0'], {
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.dev.json') }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>(resolve => createInterface({ input: child.stdout! }).once('line', l => resolve(l.replace('listening on ', ''))));
  return { child, endpoint };
}

async function startMoto(): Promise<{ child: ChildProcess; endpoint: string } | undefined> {
  const motoServer = join(VENV, 'bin', 'moto_server');
  if (!existsSync(motoServer)) {
    try {
      process.stdout.write('installing moto[server] into bench/.venv ...\n');
      execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'ignore' });
      execFileSync(join(VENV, 'bin', 'pip'), ['install', '-q', 'moto[server]'], { stdio: 'ignore' });
    } catch (err) {
      process.stdout.write(`moto could not be installed (${(err as Error).message}); measuring the emulator alone\n`);
      return undefined;
    }
  }
  const port = await freePort();
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const kms = client(endpoint);
      await kms.send(new CreateKeyCommand({}));
      kms.destroy();
      return { child, endpoint };
    } catch {
      await new Promise(r => setTimeout(r, 200));
    }
  }
  child.kill();
  process.stdout.write('moto did not start; measuring the emulator alone\n');
  return undefined;
}

async function main(): Promise<void> {
  process.stdout.write(`emulator vs moto: ${WORKERS} worker processes x ${CLIENTS_PER_WORKER} SDK clients, ${SECONDS} s per measurement\n`);
  const ours = await startGuardedKeys();
  const moto = await startMoto();
  const rows: string[][] = [['operation', 'server', 'req/s', 'vs moto', 'p50 ms', 'p99 ms', 'server CPU us/req', 'vs moto', 'errors']];
  const row = (op: string, name: string, m: Measurement, peer?: Measurement) => [
    op, name, m.rps.toFixed(0), peer ? `${(m.rps / peer.rps).toFixed(1)}x` : 'n/a', m.p50.toFixed(1), m.p99.toFixed(1),
    m.serverCpuMicros.toFixed(0), peer ? `${(peer.serverCpuMicros / m.serverCpuMicros).toFixed(1)}x less` : 'n/a', String(m.errors),
  ];
  try {
    for (const op of ['Encrypt', 'Decrypt'] as const) {
      const mine = await measure(ours.endpoint, op, ours.child.pid!);
      const theirs = moto ? await measure(moto.endpoint, op, moto.child.pid!) : undefined;
      rows.push(row(op, 'guarded-keys', mine, theirs));
      if (theirs) rows.push(row(op, 'moto', theirs, theirs));
    }
  } finally {
    ours.child.kill('SIGTERM');
    moto?.child.kill('SIGTERM');
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  process.stdout.write(`${rows.map(r => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n')}\n`);
}

if (process.argv[2] === 'worker') void workerMain();
else main().catch(err => { process.stderr.write(`${err}\n`); process.exit(1); });
