/**
 * The stream worker's seal (./stream-worker.ts): a loop of blocking reads and writes on file descriptors rather
 * than a Node stream pipeline. The worker has nothing else to do while it streams, so blocking costs nothing, and
 * the loop spares what the pipeline spends per frame: a fresh buffer for every read (the input is read into
 * one buffer, reused), frames assembled from chunks that straddle them (each frame is sealed in place), three
 * writes for the frame's sequence word, ciphertext and tag (one `writev`), and the streams' callbacks and ticks.
 * The envelope is byte for byte what `createSealStream` writes for the same data key and message id: the same
 * `prepareSeal` and `sealFrameParts`, the same rule that a full frame is written only once a following byte
 * proves it is not the last.
 * @module
 */
import { closeSync, openSync, readSync, writeSync, writevSync } from 'fs';
import { UsageError } from './exit-codes';
import { EMPTY_INPUT } from './input';
import { CipherBackend } from '../envelope/backends';
import { wipe } from '../envelope/bytes';
import { DEFAULT_FRAME_SIZE } from '../envelope/format';
import { sealFrameParts } from '../envelope/frames';
import { EnvelopeKms } from '../envelope/kms';
import { prepareSeal } from '../envelope/seal';

/**
 * The CLI's frame size, on both of its seal paths (this loop, and the stream on the main thread): 64 KiB, not the
 * library streams' 256 KiB. Measured on this loop (1 GiB from a pipe, CPU time, 5 interleaved rounds): 1,308–1,419
 * MiB/s per CPU-second with 64 KiB frames against 818–1,342 with 256 KiB, where the library's stream gains from the
 * larger frames (docs/performance.md).
 */
export const CLI_FRAME_SIZE = DEFAULT_FRAME_SIZE;

/** How much plaintext is sealed between two calls of `collect`. */
export const COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

export interface FdSealOptions {
  readonly keyIds: string[];
  readonly encryptionContext: Record<string, string>;
  readonly kms: EnvelopeKms;
  readonly allowEmpty: boolean;
  /** A file to read; fd 0 when undefined. */
  readonly input?: string;
  /** Where to write (fd 1 by default). */
  readonly output?: number;
  /** Bytes already read from the input (they come first); the array is wiped. */
  readonly first?: Uint8Array;
  /**
   * Called after every {@link COLLECT_EVERY_BYTES} of plaintext sealed: the worker passes a minor GC
   * (./young-gc.ts says why).
   */
  readonly collect?: () => void;
  /** The cipher backend (tests pass one with fixed randomness to compare bytes with the stream's). */
  readonly backend?: CipherBackend;
}

/** Seals the input to the output; the message key and the plaintext buffer are wiped however it ends. */
export async function sealFd(options: FdSealOptions): Promise<void> {
  const input = options.input === undefined ? 0 : openSync(options.input, 'r');
  const output = options.output ?? 1;
  // Room for 4 frames, so that moving a partial frame back to the start is rare.
  let buffer: Uint8Array = new Uint8Array(4 * CLI_FRAME_SIZE);
  let key: Uint8Array | undefined;
  try {
    // The first byte (or the end) before KMS is asked for anything, as the stream pipeline does.
    let filled = options.first?.length ? options.first.length : readSome(input, buffer, 0);
    if (options.first?.length) {
      buffer.set(options.first);
      wipe(options.first);
    }
    if (filled === 0 && !options.allowEmpty) throw new UsageError(EMPTY_INPUT);
    const { keyIds, encryptionContext, kms, backend } = options;
    const p = await prepareSeal({ keyIds, encryptionContext, kms, backend, frameSize: CLI_FRAME_SIZE });
    key = p.encryptionKey;
    writeAll(output, [p.preamble]);
    if (buffer.length < 2 * p.frameSize + 1) buffer = grown(buffer, 2 * p.frameSize + 1, filled);
    let start = 0;
    let sequence = 1;
    let sinceCollect = 0;
    let ended = filled === 0;
    for (;;) {
      while (filled - start > p.frameSize) {
        writeAll(output, sealFrameParts(p.backend, p.encryptionKey, p.headerBytes, sequence++, false, buffer.subarray(start, start + p.frameSize)));
        start += p.frameSize;
        sinceCollect += p.frameSize;
        if (sinceCollect >= COLLECT_EVERY_BYTES) {
          sinceCollect = 0;
          options.collect?.();
        }
      }
      if (ended) break;
      if (buffer.length - filled < p.frameSize) {
        buffer.copyWithin(0, start, filled);
        filled -= start;
        start = 0;
      }
      const read = readSome(input, buffer, filled);
      if (read === 0) ended = true;
      filled += read;
    }
    writeAll(output, sealFrameParts(p.backend, p.encryptionKey, p.headerBytes, sequence, true, buffer.subarray(start, filled)));
  } finally {
    wipe(key, buffer);
    if (options.input !== undefined) closeSync(input);
  }
}

function grown(buffer: Uint8Array, size: number, filled: number): Uint8Array {
  const larger = new Uint8Array(size);
  larger.set(buffer.subarray(0, filled));
  wipe(buffer);
  return larger;
}

/** One read into `buffer` after `at`: the bytes read, 0 at the end of the input. */
function readSome(fd: number, buffer: Uint8Array, at: number): number {
  for (let waits = 0; ; waits++) {
    try {
      return readSync(fd, buffer, at, buffer.length - at, null);
    } catch (err) {
      if (!wouldBlock(err)) throw err;
      pause(waits);
    }
  }
}

/** Writes every byte of `parts`: one writev, then whatever a short write left. */
function writeAll(fd: number, parts: Uint8Array[]): void {
  let rest = parts.filter(part => part.length > 0);
  let waits = 0;
  while (rest.length > 0) {
    let written: number;
    try {
      written = rest.length === 1 ? writeSync(fd, rest[0]) : writevSync(fd, rest);
    } catch (err) {
      if (!wouldBlock(err)) throw err;
      pause(waits++);
      continue;
    }
    const left: Uint8Array[] = [];
    for (const part of rest) {
      if (written >= part.length) {written -= part.length;} else {
        left.push(part.subarray(written));
        written = 0;
      }
    }
    rest = left;
  }
}

/**
 * A descriptor someone set non-blocking answers EAGAIN when it is not ready: a parent process that shares its pipe,
 * or stderr on the same pipe (`2>&1`) once node wrote a warning to it. The loop then waits and tries again, from
 * 20 µs up to 1 ms, so a pipe that its reader drains quickly is not slowed to one write a millisecond.
 */
function wouldBlock(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'EAGAIN';
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

function pause(waits: number): void {
  Atomics.wait(SLEEPER, 0, 0, Math.min(1, 0.02 * 2 ** waits));
}
