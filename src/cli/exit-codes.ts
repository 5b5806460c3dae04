/**
 * How the envelope commands end: one exit code per kind of failure, so a script can tell a tampered file from a
 * typo, and messages that never echo secret input.
 * @module
 */
import { EnvelopeError, ExpectationError, IntegrityError, KeyNotFoundError, KmsAccessError } from '../envelope';

/**
 * Exit codes (documented in docs/cli.md and the README). `brokenPipe` is what a shell reports for a program that
 * SIGPIPE ended (128 + 13): `guarded-keys open x | head -c 10` then looks, under `set -o pipefail`, as `cat` would.
 */
export const EXIT = { ok: 0, failure: 1, usage: 2, integrity: 3, kms: 4, io: 5, brokenPipe: 141 } as const;

/** Exit codes after a signal interrupted a write to `--out` (and its partial file was removed): 128 + the signal. */
export const SIGNAL_EXIT = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;

/** The command line asked for something this tool refuses (an empty input, a plaintext over the buffer limit...). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Whoever reads our stdout stopped reading (EPIPE). Not a failure worth a message: the reader chose to stop. */
export class BrokenPipeError extends Error {
  constructor() {
    super('stdout closed by its reader');
    this.name = 'BrokenPipeError';
  }
}

/**
 * A failure already classified elsewhere: the CLI's stream worker (./stream-worker.ts) fails in its own thread, whose
 * error classes are not this thread's, and sends its exit code and message, which this carries as they were.
 */
export class ReportedError extends Error {
  constructor(message: string, public readonly exitCode: number) {
    super(message);
    this.name = 'ReportedError';
  }
}

/** The exit code of an error thrown by a command. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof ReportedError) return err.exitCode;
  if (err instanceof BrokenPipeError || (err as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.brokenPipe;
  if (err instanceof UsageError) return EXIT.usage;
  if (err instanceof KmsAccessError || err instanceof KeyNotFoundError) return EXIT.kms;
  // Tampered, truncated, malformed, an unmet expectation: all "do not trust this envelope".
  if (err instanceof IntegrityError || err instanceof ExpectationError || err instanceof EnvelopeError) return EXIT.integrity;
  if (err instanceof TypeError || err instanceof RangeError) return EXIT.usage;
  // System errors (ENOENT, EACCES, ENOSPC...) carry the failed system call.
  if (typeof (err as NodeJS.ErrnoException)?.syscall === 'string') return EXIT.io;
  return EXIT.failure;
}

/** Runs a command, mapping a failure to its exit code and a one-line message (none for a broken pipe). */
export async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const code = exitCodeFor(err);
    if (code !== EXIT.brokenPipe) process.stderr.write(`guarded-keys: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = code;
  }
}
