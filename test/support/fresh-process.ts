import { spawnSync, SpawnSyncReturns } from 'child_process';
import { join } from 'path';

const ROOT = join(__dirname, '..', '..');

/**
 * Runs `script` in a fresh node process at the repository root, able to `require('./src/…')` through ts-node
 * (transpile only), with node's warnings off: for tests that must see a process from its start (which modules a
 * path loads, what a first call costs), which the jest worker, having loaded everything already, cannot show.
 */
export function runSourceScript(script: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.dev.json', NODE_NO_WARNINGS: '1' },
  });
}
