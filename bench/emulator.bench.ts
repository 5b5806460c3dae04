/**
 * Emulator throughput, latency and server CPU per request, side by side in one run with local-kms (Go; no SigV4,
 * no policies) and moto (Python), when they are available here.
 *
 * The load comes from bench/loadgen, a Go program with aws-sdk-go-v2 (16 clients; 64 in the full run's latency
 * figure), so the generator is not the bottleneck; it reads each server's CPU time from /proc, so the CPU per
 * request is the server's own, whatever the generator costs on this shared machine. Contenders run interleaved,
 * every (server, operation) pair once a round, for REPS rounds; tables give median (min–max).
 *
 * Servers: ours in open mode (any credential acts as root, no signature check); ours with a configured principal
 * (SigV4 verified, key policy + IAM identity policy evaluated on every request); the same with 10,000 keys already
 * created (cost per request must not grow with the number of keys); local-kms; moto. local-kms is built with
 * `go install github.com/nsmithuk/local-kms@latest` when missing (once), moto installed into bench/.venv.
 *
 * Two references beside the peers, on Encrypt only: the node HTTP floor (bench/node-floor-server.ts, a node server
 * that parses each request and answers a constant), whose requests per second and p99 are the best a single node
 * thread scores under this generator on this machine; and, in the full run, local-kms limited to one thread
 * (GOMAXPROCS=1), the like-for-like comparison with one node thread.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { request } from 'http';
import { createServer } from 'net';
import { homedir, tmpdir } from 'os';
import { join } from 'path';
import { createInterface } from 'readline';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { bundle } from './bundle';
import { addSummary, median, printTable, QUICK, ratio, REPS, summary } from './stats';

const ROOT = join(__dirname, '..');
const VENV = join(ROOT, 'bench', '.venv');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 0.4 : 3));
const WARMUP = QUICK ? '150ms' : '500ms';
const SEED_KEYS = 10_000;
/** The bundle lives in the temp directory: its external packages (@noble/*) resolve from the repository's node_modules. */
const SERVER_ENV = { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
const PRINCIPAL = {
  arn: 'arn:aws:iam::111122223333:role/bench',
  accessKeyId: 'AKIABENCHROLE',
  secretAccessKey: 'bench-role-secret',
  identityPolicies: [{ name: 'kms-use', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }],
};

const NODE_FLOOR = 'node HTTP floor (no KMS work)';
const LOCAL_KMS_ONE_THREAD = 'local-kms, GOMAXPROCS=1';
/** Contenders measured on Encrypt only: the floor answers nothing else; local-kms on one thread is a reference. */
const ENCRYPT_ONLY = new Set([NODE_FLOOR, LOCAL_KMS_ONE_THREAD]);

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly ak: string;
  readonly sk: string;
}

interface LoadResult {
  count: number;
  errors: number;
  firstError?: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMicrosPerRequest: number;
  /** The load generator's own CPU per request (it and the server share the machine's cores). */
  loadgenCpuMicrosPerRequest: number;
}

const work = mkdtempSync(join(tmpdir(), 'guarded-keys-emu-bench-'));

/** The Go load generator, built once per source version into the temp directory. */
function loadgen(): string {
  const binary = join(tmpdir(), 'guarded-keys-loadgen');
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: join(__dirname, 'loadgen'), stdio: 'inherit' });
  return binary;
}

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the server answers a KMS request; returns the milliseconds since `since`. */
async function firstAnswer(endpoint: string, ak: string, sk: string, since: bigint, tries = 2000): Promise<number> {
  const kms = new KMSClient({ endpoint, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: ak, secretAccessKey: sk } });
  try {
    for (let i = 0; i < tries; i++) {
      try {
        await kms.send(new ListKeysCommand({}));
        return Number(process.hrtime.bigint() - since) / 1e6;
      } catch {
        await new Promise(r => setTimeout(r, 5));
      }
    }
    throw new Error(`${endpoint} never answered`);
  } finally {
    kms.destroy();
  }
}

/**
 * Milliseconds from `since` until an open-mode emulator answers ListKeys over plain HTTP: a raw request (open mode
 * reads the credential but checks no signature), so no SDK client's own cold start is counted.
 */
async function firstRawAnswer(endpoint: string, since: bigint): Promise<number> {
  const url = new URL(endpoint);
  const authorization = 'AWS4-HMAC-SHA256 Credential=AKIASTARTUP/20260101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, '
    + `Signature=${'0'.repeat(64)}`;
  for (let i = 0; i < 2000; i++) {
    const status = await new Promise<number>(resolve => {
      const req = request({
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1', 'x-amz-date': '20260101T000000Z', authorization },
      }, res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end('{}');
    });
    if (status === 200) return Number(process.hrtime.bigint() - since) / 1e6;
    await new Promise(r => setTimeout(r, 2));
  }
  throw new Error(`${endpoint} never answered`);
}

/** Start-up to first answer: spawn the bundled emulator (open mode) and time its first ListKeys answer. */
async function startupMs(serverJs: string): Promise<number> {
  const since = process.hrtime.bigint();
  const child = spawn(process.execPath, [serverJs], { stdio: ['ignore', 'pipe', 'inherit'], env: SERVER_ENV });
  try {
    const endpoint = await new Promise<string>(resolve => createInterface({ input: child.stdout! }).once('line', resolve));
    return await firstRawAnswer(endpoint, since);
  } finally {
    child.kill('SIGTERM');
  }
}

async function startOurs(name: string, serverJs: string, configured: boolean): Promise<Server> {
  const args = [serverJs];
  if (configured) {
    const config = join(work, 'config.json');
    writeFileSync(config, JSON.stringify({ principals: [PRINCIPAL] }));
    args.push(config);
  }
  const since = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: SERVER_ENV });
  const endpoint = await new Promise<string>(resolve => createInterface({ input: child.stdout! }).once('line', resolve));
  const ak = configured ? PRINCIPAL.accessKeyId : 'AKIAEMULATORDEFAULT';
  const sk = configured ? PRINCIPAL.secretAccessKey : 'emulator-secret';
  await firstAnswer(endpoint, ak, sk, since);
  return { name, child, endpoint, ak, sk };
}

/** The node HTTP floor (bench/node-floor-server.ts): parses each request's JSON and answers a constant. */
async function startFloor(floorJs: string): Promise<Server> {
  const child = spawn(process.execPath, [floorJs], { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise<string>(resolve => createInterface({ input: child.stdout! }).once('line', resolve));
  await firstAnswer(endpoint, 'AKIAFLOOR', 'floor-secret', process.hrtime.bigint());
  return { name: NODE_FLOOR, child, endpoint, ak: 'AKIAFLOOR', sk: 'floor-secret' };
}

/**
 * local-kms; with `threads`, its Go runtime limited to that many (GOMAXPROCS), which is how it compares with a server
 * on one node thread. The default (every core) is its users' configuration, and the peer the goals name.
 */
async function startLocalKms(threads?: number): Promise<Server | undefined> {
  let binary = join(homedir(), 'go', 'bin', 'local-kms');
  if (!existsSync(binary)) {
    try {
      process.stdout.write('building local-kms (go install github.com/nsmithuk/local-kms@latest) ...\n');
      execFileSync('go', ['install', 'github.com/nsmithuk/local-kms@latest'], { stdio: 'ignore', timeout: 600_000 });
    } catch (err) {
      process.stdout.write(`local-kms could not be built (${(err as Error).message.split('\n')[0]}); measured without it\n`);
      return undefined;
    }
    binary = join(execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim(), 'bin', 'local-kms');
  }
  const port = await freePort();
  const data = mkdtempSync(join(work, 'local-kms-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), KMS_DATA_PATH: data, KMS_REGION: 'us-east-1', KMS_ACCOUNT_ID: '111122223333' };
  if (threads) env.GOMAXPROCS = String(threads);
  const child = spawn(binary, [], { stdio: 'ignore', env });
  const endpoint = `http://127.0.0.1:${port}`;
  await firstAnswer(endpoint, 'AKIALOCALKMS', 'local-kms-secret', process.hrtime.bigint());
  return { name: threads ? LOCAL_KMS_ONE_THREAD : 'local-kms', child, endpoint, ak: 'AKIALOCALKMS', sk: 'local-kms-secret' };
}

async function startMoto(): Promise<Server | undefined> {
  const motoServer = join(VENV, 'bin', 'moto_server');
  if (!existsSync(motoServer)) {
    try {
      process.stdout.write('installing moto[server] into bench/.venv ...\n');
      execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'ignore' });
      execFileSync(join(VENV, 'bin', 'pip'), ['install', '-q', 'moto[server]'], { stdio: 'ignore', timeout: 600_000 });
    } catch (err) {
      process.stdout.write(`moto could not be installed (${(err as Error).message.split('\n')[0]}); measured without it\n`);
      return undefined;
    }
  }
  const port = await freePort();
  const child = spawn(motoServer, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await firstAnswer(endpoint, 'AKIAMOTO', 'moto-secret', process.hrtime.bigint());
  return { name: 'moto', child, endpoint, ak: 'AKIAMOTO', sk: 'moto-secret' };
}

function drive(binary: string, server: Server, op: string, clients: number, seconds = SECONDS, seedKeys = 0): LoadResult {
  const out = execFileSync(binary, [
    '-endpoint', server.endpoint, '-op', op, '-clients', String(clients), '-duration', `${Math.round(seconds * 1000)}ms`, '-warmup', WARMUP,
    '-ak', server.ak, '-sk', server.sk, '-server-pid', String(server.child.pid), '-seed-keys', String(seedKeys),
  ], { encoding: 'utf8', timeout: 600_000 });
  return JSON.parse(out) as LoadResult;
}

async function main(): Promise<void> {
  const binary = loadgen();
  // @noble/* (ML-DSA, Ed25519ph, ECDSA over a digest) load on first use, from node_modules as lib/ loads them: inlined,
  // they would be compiled at every start although no request here uses them.
  const serverJs = bundle('bench/emulator-server.ts', 'emulator-server', ['@noble/*']);
  const floorJs = bundle('bench/node-floor-server.ts', 'node-floor-server', []);
  process.stdout.write(`emulator vs local-kms and moto: Go load generator (aws-sdk-go-v2), ${REPS} interleaved rounds of ${SECONDS} s; median (min–max)\n`);

  // Start-up to first answer of the bundled emulator (no ts-node), a few times.
  // ... and the floor under it on this machine: spawning node itself to exit (`node -e 0`).
  const startups: number[] = [];
  const bareNode: number[] = [];
  for (let i = 0; i < (QUICK ? 3 : 5); i++) {
    startups.push(await startupMs(serverJs));
    const since = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', '0']);
    bareNode.push(Number(process.hrtime.bigint() - since) / 1e6);
  }

  const servers: Server[] = [];
  try {
    servers.push(await startOurs('ours open', serverJs, false));
    servers.push(await startOurs('ours SigV4+policies', serverJs, true));
    const seeded = await startOurs(`ours SigV4+policies, ${SEED_KEYS / 1000}k keys`, serverJs, true);
    servers.push(seeded);
    drive(binary, seeded, 'DescribeKey', 16, 0.1, SEED_KEYS);
    servers.push(await startFloor(floorJs));
    const localKms = await startLocalKms();
    if (localKms) servers.push(localKms);
    const localKmsOneThread = localKms && !QUICK ? await startLocalKms(1) : undefined;
    if (localKmsOneThread) servers.push(localKmsOneThread);
    const moto = await startMoto();
    if (moto) servers.push(moto);

    // Warm every server (the JIT, connection pools) before any measured round.
    for (const s of servers) {
      drive(binary, s, 'Encrypt', 16, QUICK ? 0.8 : 2);
      if (s.name !== 'moto' && !ENCRYPT_ONLY.has(s.name)) drive(binary, s, 'Decrypt', 16, QUICK ? 0.4 : 1);
    }
    const byName = (name: string) => servers.find(s => s.name === name);
    const plan: Array<[string, string, number]> = [];
    for (const s of servers) plan.push([s.name, 'Encrypt', 16]);
    for (const s of servers) if (s.name !== 'moto' && !ENCRYPT_ONLY.has(s.name)) plan.push([s.name, 'Decrypt', 16]);
    for (const s of servers) {
      if (!s.name.includes('keys') && (s.name !== 'moto' || !QUICK) && s.name !== 'ours open' && !ENCRYPT_ONLY.has(s.name)) plan.push([s.name, 'CreateKey', 16]);
    }
    if (!QUICK) for (const s of servers) if (s.name !== 'moto' && s.name !== LOCAL_KMS_ONE_THREAD) plan.push([s.name, 'Encrypt', 64]);

    const results = new Map<string, LoadResult[]>();
    const key = (server: string, op: string, clients: number) => `${server}|${op}|${clients}`;
    for (let round = 0; round < REPS; round++) {
      for (let i = 0; i < plan.length; i++) {
        const [name, op, clients] = plan[(i + round) % plan.length];
        const r = drive(binary, byName(name)!, op, clients);
        if (r.errors > 0) process.stdout.write(`  ${name} ${op}: ${r.errors} errors (${r.firstError})\n`);
        const k = key(name, op, clients);
        results.set(k, [...(results.get(k) ?? []), r]);
      }
    }

    const rows: string[][] = [['operation', 'server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'load generator CPU µs/req', 'errors']];
    const seen = new Set<string>();
    for (const [name, op, clients] of plan) {
      const k = key(name, op, clients);
      if (seen.has(k)) continue;
      seen.add(k);
      const rs = results.get(k)!;
      rows.push([`${op}, ${clients} clients`, name, summary(rs.map(r => r.rps)), summary(rs.map(r => r.p50Ms), 1), summary(rs.map(r => r.p99Ms), 1),
        summary(rs.map(r => r.serverCpuMicrosPerRequest)), summary(rs.map(r => r.loadgenCpuMicrosPerRequest)),
        String(rs.reduce((n, r) => n + r.errors, 0))]);
    }
    rows.push(['start-up to first answer (ms)', 'ours (bundled, spawn to first ListKeys)', summary(startups), '', '', '', '', '']);
    rows.push(['start-up (ms)', 'node -e 0 (spawn to exit)', summary(bareNode), '', '', '', '', '']);
    printTable(rows);

    const med = (name: string, op: string, clients: number, f: (r: LoadResult) => number) => {
      const rs = results.get(key(name, op, clients));
      return rs ? median(rs.map(f)) : NaN;
    };
    const rps = (name: string, op: string, clients = 16) => med(name, op, clients, r => r.rps);
    const cpu = (name: string, op: string, clients = 16) => med(name, op, clients, r => r.serverCpuMicrosPerRequest);
    const strict = 'ours SigV4+policies';
    const peerName = localKms ? 'local-kms' : moto ? 'moto' : undefined;
    for (const op of ['Encrypt', 'CreateKey']) {
      if (!peerName) break;
      addSummary(`${op} req/s, ${strict} vs ${peerName} (open)`, rps(strict, op).toFixed(0), rps(peerName, op).toFixed(0), ratio(rps(strict, op), rps(peerName, op)),
        op === 'Encrypt' ? '>= 1.0x' : '>= 0.8x');
      addSummary(`${op} server CPU µs/req, ${strict} vs ${peerName}`, cpu(strict, op).toFixed(0), cpu(peerName, op).toFixed(0), ratio(cpu(peerName, op), cpu(strict, op)), '');
    }
    // The floor: the same ratio against a node server that does no KMS work (the best any node emulator can score).
    addSummary(`Encrypt req/s, ${strict} vs ${NODE_FLOOR}`, rps(strict, 'Encrypt').toFixed(0), rps(NODE_FLOOR, 'Encrypt').toFixed(0),
      ratio(rps(strict, 'Encrypt'), rps(NODE_FLOOR, 'Encrypt')), '');
    if (localKmsOneThread) {
      addSummary(`Encrypt req/s, ${strict} vs ${LOCAL_KMS_ONE_THREAD}`, rps(strict, 'Encrypt').toFixed(0), rps(LOCAL_KMS_ONE_THREAD, 'Encrypt').toFixed(0),
        ratio(rps(strict, 'Encrypt'), rps(LOCAL_KMS_ONE_THREAD, 'Encrypt')), '');
    }
    if (moto) addSummary(`Encrypt req/s, ${strict} vs moto`, rps(strict, 'Encrypt').toFixed(0), rps('moto', 'Encrypt').toFixed(0), ratio(rps(strict, 'Encrypt'), rps('moto', 'Encrypt')), '');
    const many = seeded.name;
    for (const op of ['Encrypt', 'Decrypt']) {
      addSummary(`${op} server CPU µs/req: 10,000 keys vs 1 key`, cpu(many, op).toFixed(0), cpu(strict, op).toFixed(0), ratio(cpu(many, op), cpu(strict, op)), '<= 1.2x');
    }
    if (!QUICK) {
      addSummary(`Encrypt p99 ms, 64 clients, ${strict}`, med(strict, 'Encrypt', 64, r => r.p99Ms).toFixed(1),
        peerName ? med(peerName, 'Encrypt', 64, r => r.p99Ms).toFixed(1) : '', '', '< 10 ms');
      addSummary(`Encrypt p99 ms, 64 clients, ${NODE_FLOOR}`, med(NODE_FLOOR, 'Encrypt', 64, r => r.p99Ms).toFixed(1), '', '', '< 10 ms');
    }
    addSummary('emulator start-up to first answer (ms) vs node -e 0', median(startups).toFixed(0), median(bareNode).toFixed(0),
      ratio(median(startups), median(bareNode)), '< 100 ms');
  } finally {
    servers.forEach(s => s.child.kill('SIGTERM'));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch(err => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
