/**
 * The main thread's side of the CLI's stream worker (./stream-worker.ts says why there is one): starts it on the
 * CLI's own entry file, answers its KMS calls with the main thread's client, and turns its failure into the error
 * the command throws. Used only where the worker streams exactly as the main thread would: stdout as the output
 * (not `--out`, whose partial file the main thread's signal handlers remove), no progress bar, stdin (when read)
 * and stdout not terminals.
 * @module
 */
import { fstatSync, readSync } from 'fs';
import { isatty } from 'tty';
import { Worker } from 'worker_threads';
import { ReportedError, UsageError } from './exit-codes';
import { EMPTY_INPUT } from './input';
import { forThread, MainAnswer, plainError, STREAM_WORKER, StreamJob, StreamWorkerData, WorkerRequest } from './stream-worker-protocol';
import { wipe } from '../envelope/bytes';
import { callKms, KmsLike } from '../envelope/kms';

let entry: string | undefined;

/**
 * Lets the envelope commands stream in a worker started on `file`, the CLI's entry (main.ts, or the bundle made
 * of it), which runs the worker's job when it starts in one. A program built in-process without it streams in
 * its own thread.
 */
export function useStreamWorker(file: string): void {
  entry = file;
}

/** Whether a command with these `--in` and `--out` streams in the worker. */
export function streamsInWorker(input: string | undefined, output: string | undefined): boolean {
  if (entry === undefined || output !== undefined || process.env.GUARDED_KEYS_STREAM_WORKER === '0') return false;
  return (input !== undefined || streamable(0)) && streamable(1);
}

function streamable(fd: number): boolean {
  try {
    if (isatty(fd)) return false;
    const stats = fstatSync(fd);
    return stats.isFIFO() || stats.isSocket() || stats.isFile() || stats.isCharacterDevice();
  } catch {
    return false; // closed: the main thread reports it as it always did
  }
}

/** A failure of the worker's job, as the worker classified it. */
export class StreamWorkerError extends ReportedError {
  /** True when KMS refused a wrapped key (an access error or a key not found). */
  public readonly kmsRefusal: boolean;

  constructor(message: string, exitCode: number, kmsRefusal: boolean) {
    super(message, exitCode);
    this.kmsRefusal = kmsRefusal;
  }
}

/**
 * Runs the job in a stream worker, answering its KMS calls with `kms`; resolves when it streamed everything.
 * A seal of stdin first reads its first bytes here: an empty input is then refused without starting a worker
 * (about 30 ms of CPU and 10 MB), and the bytes read are handed over.
 */
export async function streamInWorker(job: StreamJob, kms: KmsLike & { config?: { region?: unknown } }): Promise<void> {
  if (job.kind === 'seal' && job.input === undefined) {
    const first = firstBytes();
    if (first?.length === 0 && !job.allowEmpty) throw new UsageError(EMPTY_INPUT);
    if (first?.length) job = { ...job, first };
  }
  const data: StreamWorkerData = { [STREAM_WORKER]: job, regional: kms.config?.region !== undefined };
  const transfer = job.kind === 'seal' && job.first ? [job.first.buffer as ArrayBuffer] : [];
  // The worker's stdio are not piped to this thread's: that would create process.stdout here, which makes a pipe
  // on fd 1 non-blocking, under the worker's blocking writes (./fd-seal.ts). Its stderr (a warning) is passed on.
  const worker = new Worker(entry!, { workerData: data, transferList: transfer, stdout: true, stderr: true });
  worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    worker.on('message', (request: WorkerRequest) => {
      if (request.kind === 'failed') failure = new StreamWorkerError(request.message, request.exitCode, request.kmsRefusal);
      else if (request.kind === 'region') answer(worker, request.id, () => regionOf(kms));
      else answer(worker, request.id, () => callKms(kms, request.operation, request.input), request.input);
    });
    worker.on('error', err => (failure ??= err));
    worker.on('exit', code => {
      if (failure) reject(failure);
      else if (code !== 0) reject(new Error(`the stream worker ended with code ${code}`));
      else resolve();
    });
  });
}

/**
 * Posts the call's output (byte arrays transferred, the SDK's own copies wiped) or its error. A data key sent for
 * KMS Encrypt is wiped here once KMS answered: this thread's copy is the structured clone of the worker's.
 */
function answer(worker: Worker, id: number, call: () => Promise<unknown>, input?: Record<string, unknown>): void {
  void (async () => {
    try {
      const output = await call();
      if (typeof output !== 'object' || output === null) return worker.postMessage({ id, output } satisfies MainAnswer);
      const { message, transfer } = forThread(output);
      worker.postMessage({ id, output: message } satisfies MainAnswer, transfer);
      wipe((output as { Plaintext?: Uint8Array }).Plaintext);
    } catch (err) {
      worker.postMessage({ id, error: plainError(err) } satisfies MainAnswer);
    } finally {
      wipe(input?.Plaintext as Uint8Array | undefined);
    }
  })();
}

/**
 * One blocking read of stdin (this thread has nothing else to do yet): its bytes, empty at the end of the input,
 * or undefined when stdin is non-blocking and has nothing yet (the worker then reads it all).
 */
function firstBytes(): Uint8Array | undefined {
  const buffer = new Uint8Array(64 * 1024);
  try {
    return buffer.subarray(0, readSync(0, buffer, 0, buffer.length, null));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return undefined;
    throw err;
  }
}

async function regionOf(kms: { config?: { region?: unknown } }): Promise<unknown> {
  const region = kms.config?.region;
  return typeof region === 'function' ? (region as () => Promise<unknown>)() : region;
}
