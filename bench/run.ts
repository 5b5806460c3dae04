/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn, each in its own process (so one benchmark's heap and
 * timers never skew another's), prints their reports, then one summary table of the ratios against their peers.
 * Each benchmark measures its peers in the same run, interleaved and repeated (median and range); none asserts a
 * wall-clock threshold.
 *
 * `npm run bench -- --quick`: fewer, shorter samples (under two minutes in all).
 * `npm run bench -- envelope`: only the benchmarks whose file name contains `envelope`.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { printTable } from './stats';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const filter = args.find(a => !a.startsWith('--'));
const benches = readdirSync(__dirname)
  .filter(f => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${filter ?? '*'} in bench/\n`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'guarded-keys-bench-'));
const summaryFile = join(dir, 'summary.jsonl');
const started = Date.now();
let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench}${quick ? ' (quick)' : ''} ===\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '-r', 'ts-node/register/transpile-only', join(__dirname, bench)], {
    stdio: 'inherit',
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.dev.json'),
      BENCH_SUMMARY: summaryFile,
      ...(quick ? { BENCH_QUICK: '1' } : {}),
    },
  });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`${bench} exited with ${result.status ?? result.signal}\n`);
  }
}
if (existsSync(summaryFile)) {
  const rows = readFileSync(summaryFile, 'utf8').trim().split('\n').map(l => JSON.parse(l) as string[]);
  process.stdout.write(`\n=== summary (medians; ${quick ? 'quick' : 'full'} run, ${((Date.now() - started) / 1000).toFixed(0)} s) ===\n`);
  printTable([['measure', 'guarded-keys', 'peer', 'ratio', 'goal'], ...rows]);
}
rmSync(dir, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
