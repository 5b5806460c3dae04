/**
 * The CLI's stream worker: `seal` and `open` on stdout run their stream (read, seal or open frames, write) in a
 * worker thread of their own, whose V8 heap never holds @aws-sdk/client-kms. With the SDK in the heap, V8 ran 30 to
 * 47 incremental mark-compacts per 512 MiB streamed, against 1 or 2 without it, for the same stream code: GC was 41%
 * of the CLI's busy time (docs/performance.md). The main thread keeps the KMS client (credentials, region, the
 * witness of refusals) and answers this worker's KMS calls, made by operation name ({@link KmsOperations}), so the
 * envelope here never builds the SDK's command objects.
 *
 * The worker reads fd 0 (or `--in`) and writes fd 1 itself: nothing of the stream passes through the main thread.
 * On failure it posts its exit code and message, classified here, where the envelope's error classes are its own.
 * @module
 */
import { createReadStream, fstatSync, writeSync } from 'fs';
import { Socket } from 'net';
import { Readable, Writable } from 'stream';
import { isMainThread, MessagePort, parentPort, workerData } from 'worker_threads';
import { exitCodeFor } from './exit-codes';
import { sealFd } from './fd-seal';
import { openInput } from './input';
import { allOrNothing, pipeInto, streamOutput } from './output';
import { errorFrom, forThread, MainAnswer, STREAM_WORKER, StreamJob, StreamWorkerData, WorkerRequest } from './stream-worker-protocol';
import { youngGc } from './young-gc';
import { createOpenStream, KeyNotFoundError, KmsAccessError } from '../envelope';
import type { KmsOperation, KmsOperations, KmsOperationTypes, KmsOutput } from '../envelope/kms';

/** True in a thread started by ./stream-in-worker.ts. */
export function isStreamWorker(): boolean {
  return !isMainThread && (workerData as Partial<StreamWorkerData> | null)?.[STREAM_WORKER] !== undefined;
}

/** Runs the job in workerData, then lets the thread end: a failure is posted, never thrown. */
export function runStreamWorker(): void {
  const data = workerData as StreamWorkerData;
  const port = parentPort!;
  const kms = new PortKms(port, data.regional);
  streamJob(data[STREAM_WORKER], kms).catch((err: unknown) => {
    const report: WorkerRequest = {
      kind: 'failed',
      exitCode: exitCodeFor(err),
      message: (err as Error)?.message ?? String(err),
      kmsRefusal: err instanceof KmsAccessError || err instanceof KeyNotFoundError,
    };
    port.postMessage(report);
  });
}

async function streamJob(job: StreamJob, kms: KmsOperations): Promise<void> {
  if (job.kind === 'seal') {
    const { keyIds, encryptionContext, allowEmpty, input, first } = job;
    return sealFd({ keyIds, encryptionContext, kms, allowEmpty, input, first, collect: youngGc() });
  }
  const input = job.input !== undefined ? openInput(job.input) : readableFd(0);
  const output = streamOutput(writableFd(1));
  const opening = createOpenStream({ kms, expect: { encryptionContext: job.expectContext, keyIds: job.keyIds } });
  await pipeInto(output, [input, opening], job.stream ? undefined : sink => allOrNothing(sink, job.maxBuffer, job.tooLarge));
}

/** A pipe or socket as a net.Socket (non-blocking, as node's own stdio); a file or device as a file stream. */
function readableFd(fd: number): Readable {
  return isPipe(fd) ? new Socket({ fd, readable: true, writable: false }) : createReadStream('', { fd, autoClose: false, highWaterMark: 1024 * 1024 });
}

/** A pipe or socket as a net.Socket; a file or device written synchronously, as node writes its stdout to them. */
function writableFd(fd: number): Writable {
  if (isPipe(fd)) return new Socket({ fd, readable: false, writable: true });
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        for (let at = 0; at < chunk.length;) at += writeSync(fd, chunk, at);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

function isPipe(fd: number): boolean {
  const stats = fstatSync(fd);
  return stats.isFIFO() || stats.isSocket();
}

/**
 * KMS as the main thread answers it. The port keeps this thread alive only while a call waits (a paused stdin does
 * not), and lets it end when the stream did.
 */
class PortKms implements KmsOperations {
  public readonly config?: { readonly region: () => Promise<unknown> };
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  constructor(private readonly port: MessagePort, regional: boolean) {
    port.on('message', (answer: MainAnswer) => {
      const call = this.waiting.get(answer.id);
      if (!call) return;
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) port.unref();
      if (answer.error) call.reject(errorFrom(answer.error));
      else call.resolve(answer.output);
    });
    port.unref();
    if (regional) this.config = { region: () => this.ask(id => ({ kind: 'region', id }), []) };
  }

  public kmsOperation<O extends KmsOperation>(operation: O, input: KmsOperationTypes[O][0]): Promise<KmsOutput<O>> {
    const { message, transfer } = forThread(input);
    return this.ask(id => ({ kind: 'kms', id, operation, input: message }), transfer) as Promise<KmsOutput<O>>;
  }

  private ask(request: (id: number) => WorkerRequest, transfer: ArrayBuffer[]): Promise<unknown> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.port.ref();
      this.port.postMessage(request(id), transfer);
    });
  }
}
