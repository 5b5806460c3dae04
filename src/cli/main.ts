#!/usr/bin/env node
/**
 * The `guarded-keys` command (./program.ts). The same file is started again as the stream worker of a `seal` or
 * `open` (./stream-in-worker.ts): it then loads the worker's part only, not commander or the other commands.
 * @module
 */
import { isMainThread, workerData } from 'worker_threads';
import type { Command } from 'commander';
import type * as Program from './program';
import type * as StreamInWorker from './stream-in-worker';
import type * as StreamWorker from './stream-worker';
import { STREAM_WORKER } from './stream-worker-protocol';

/** The program, with every command registered. */
export function buildProgram(): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./program') as typeof Program).buildProgram();
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[STREAM_WORKER] !== undefined) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./stream-worker') as typeof StreamWorker).runStreamWorker();
} else if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./stream-in-worker') as typeof StreamInWorker).useStreamWorker(__filename);
  buildProgram().parseAsync(process.argv).catch((err: unknown) => {
    process.stderr.write(`guarded-keys: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
