/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn, each in its own process (so one benchmark's
 * heap and timers never skew another's), and prints their reports. Each benchmark measures a peer in
 * the same run and prints ratios against it; none asserts a wall-clock threshold.
 *
 * `npm run bench -- envelope` runs only the benchmarks whose file name contains `envelope`.
 */
import { spawnSync } from 'child_process';
import { readdirSync } from 'fs';
import { join } from 'path';

const filter = process.argv[2];
const benches = readdirSync(__dirname)
  .filter(f => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

if (benches.length === 0) {
  process.stderr.write(`no benchmark matches ${filter ?? '*'} in bench/\n`);
  process.exit(2);
}

let failed = 0;
for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, bench)], {
    stdio: 'inherit',
    env: { ...process.env, TS_NODE_PROJECT: join(__dirname, '..', 'tsconfig.dev.json') },
  });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`${bench} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
