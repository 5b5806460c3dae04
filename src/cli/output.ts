/**
 * Where a command writes, and when its bytes become visible. A regular file (or a new path) is written aside and
 * renamed into place only when the command succeeded, so a failure leaves the old file or nothing; stdout and other
 * non-regular paths (a pipe, a FIFO, /dev/null) cannot be taken back, so they are streams that see bytes as they
 * are written — or, through {@link allOrNothing}, only once everything is known to be good.
 * @module
 */
import { closeSync, fsyncSync, lstatSync, openSync, renameSync, statSync, unlinkSync, createWriteStream } from 'fs';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { BrokenPipeError, SIGNAL_EXIT, UsageError } from './exit-codes';

export interface OutputTarget {
  /** True when nothing is visible until {@link OutputTarget.commit}: a file written aside and renamed. */
  readonly atomic: boolean;
  readonly stream: Writable;
  /** Makes a complete output visible (fsync, then rename); call once the stream has finished. */
  commit(): void;
  /** Removes what was written aside; a stream's bytes are already gone and stay written. */
  abort(): void;
}

/** The output of a command: stdout when no path is given. */
export function openOutput(path: string | undefined): OutputTarget {
  if (path === undefined) return streamOutput(stdout());
  if (isNonRegular(path)) {
    // Renaming over /dev/null or a FIFO would replace the device or the pipe with a file: write to it directly.
    return { atomic: false, stream: createWriteStream(path, { flags: 'w' }), commit: () => undefined, abort: () => undefined };
  }
  return fileWrittenAside(path);
}

/**
 * Pipes the stages into the output, then commits it; on any failure the output is aborted and the error rethrown.
 * A stream output is wrapped by `wrap` (e.g. {@link allOrNothing}) when given.
 */
export async function pipeInto(
  output: string | OutputTarget | undefined,
  stages: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream>,
  wrap?: (stream: Writable) => Writable,
): Promise<void> {
  const target = typeof output === 'object' ? output : openOutput(output);
  const sink = !target.atomic && wrap ? wrap(target.stream) : target.stream;
  try {
    await pipeline([...stages, sink] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream]);
    target.commit();
  } catch (err) {
    target.abort();
    throw err;
  }
}

/**
 * A sink that holds everything written to it (at most `limit` bytes) and passes it on to `inner` only when its
 * writer ended without error: a failure upstream (a frame that does not verify, a truncated envelope) means
 * `inner` receives nothing. Held bytes are zeroed once written or abandoned.
 */
export function allOrNothing(inner: Writable, limit: number, tooLarge: string): Writable {
  let held: Buffer[] = [];
  let size = 0;
  const release = () => {
    for (const chunk of held) chunk.fill(0);
    held = [];
  };
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > limit) return callback(new UsageError(tooLarge));
      held.push(chunk);
      callback();
    },
    final(callback) {
      writeAllThenEnd(inner, held).then(() => callback(), callback).finally(release);
    },
    destroy(err, callback) {
      release();
      if (!inner.writableEnded) inner.destroy();
      callback(err);
    },
  });
}

async function writeAllThenEnd(inner: Writable, chunks: Buffer[]): Promise<void> {
  await pipeline(Readable.from(chunks, { objectMode: false }), inner);
}

/**
 * Process stdout, for a command that writes it from the main thread. A reader that goes away makes stdout emit
 * 'error' besides failing the write; without a listener Node would crash with a stack trace, so one is added (the
 * failed write itself reports it, as BrokenPipeError). Only then: creating process.stdout makes a pipe on fd 1
 * non-blocking, which the stream worker, writing fd 1 itself, must not find (./fd-seal.ts).
 */
export function stdout(): NodeJS.WriteStream {
  if (!process.stdout.listeners('error').includes(ignore)) process.stdout.on('error', ignore);
  return process.stdout;
}

const ignore = () => undefined;

/**
 * A stream output that cannot be taken back: process stdout, or (in the CLI's stream worker) a stream over fd 1.
 * Its failure when the reader went away is a {@link BrokenPipeError}.
 */
export function streamOutput(out: Writable): OutputTarget {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.write(chunk, err => callback(err ? asBrokenPipe(err) : undefined));
    },
    final(callback) {
      // process.stdout is never ended (node owns it); another stream over fd 1 is ended, so its last bytes are written.
      if (out === process.stdout) callback();
      else out.end(callback);
    },
  });
  return { atomic: false, stream, commit: () => undefined, abort: () => undefined };
}

function asBrokenPipe(err: Error): Error {
  return (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ERR_STREAM_DESTROYED' ? new BrokenPipeError() : err;
}

function isNonRegular(path: string): boolean {
  try {
    // stat follows a symlink (/dev/stdout -> /proc/self/fd/1 -> pipe); lstat alone would see a link.
    lstatSync(path);
    return !statSync(path).isFile();
  } catch {
    return false; // does not exist (yet): a new file
  }
}

/**
 * The output written to `<path>.partial-<pid>` (mode 0600, created exclusively so an existing file or link of that
 * name is never followed), fsync'ed and renamed over `path` on commit.
 */
function fileWrittenAside(path: string): OutputTarget {
  const temporary = `${path}.partial-${process.pid}`;
  const fd = openSync(temporary, 'wx', 0o600);
  let open = true;
  const close = () => {
    if (open) closeSync(fd);
    open = false;
  };
  const remove = () => {
    try {
      unlinkSync(temporary);
    } catch { /* already gone */ }
  };
  // Interrupted (Ctrl-C, kill): no half-written file stays behind, least of all a plaintext one.
  const stopWatching = onInterrupt(remove);
  return {
    atomic: true,
    stream: createWriteStream('', { fd, autoClose: false }),
    commit: () => {
      fsyncSync(fd);
      close();
      renameSync(temporary, path);
      stopWatching();
    },
    abort: () => {
      try {
        close();
      } catch { /* already closed */ }
      remove();
      stopWatching();
    },
  };
}

/** Runs `cleanup` and exits with the signal's code when one of those signals arrives; returns the undo. */
function onInterrupt(cleanup: () => void): () => void {
  const handlers = Object.entries(SIGNAL_EXIT).map(([signal, code]) => {
    const handler = () => {
      cleanup();
      process.exit(code);
    };
    process.once(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => handlers.forEach(off => off());
}
