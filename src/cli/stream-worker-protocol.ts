/**
 * What the CLI's main thread and its stream worker (./stream-worker.ts, ./stream-in-worker.ts) say to each other:
 * the job, the worker's KMS calls and the main thread's answers, the worker's failure. Bytes cross as exact copies
 * whose buffers are transferred, so neither side keeps a second copy of a data key to forget.
 * @module
 */
import type { KmsOperation } from '../envelope/kms';

/** The workerData key that marks a stream worker, and holds its job. */
export const STREAM_WORKER = 'guardedKeysStreamJob';

/** What the worker streams: stdin (or `input`) to stdout. */
export type StreamJob =
  | {
    readonly kind: 'seal';
    readonly keyIds: string[];
    readonly encryptionContext: Record<string, string>;
    readonly input?: string;
    readonly allowEmpty: boolean;
    /** The first bytes of stdin, read by the main thread (./stream-in-worker.ts says why). */
    readonly first?: Uint8Array;
  }
  | {
    readonly kind: 'open';
    readonly expectContext: Record<string, string>;
    readonly keyIds?: string[];
    readonly input?: string;
    readonly stream: boolean;
    readonly maxBuffer: number;
    readonly tooLarge: string;
  };

export interface StreamWorkerData {
  readonly [STREAM_WORKER]: StreamJob;
  /** True when the main thread's client has a region (the worker then asks for it to rewrite `mrk-` ARNs). */
  readonly regional: boolean;
}

/** The worker's requests. */
export type WorkerRequest =
  | { readonly kind: 'kms'; readonly id: number; readonly operation: KmsOperation; readonly input: Record<string, unknown> }
  | { readonly kind: 'region'; readonly id: number }
  /** The job failed: its exit code and message as the CLI reports them, and whether KMS refused a key. */
  | { readonly kind: 'failed'; readonly exitCode: number; readonly message: string; readonly kmsRefusal: boolean };

/** The main thread's answer to a request. */
export interface MainAnswer {
  readonly id: number;
  readonly output?: unknown;
  readonly error?: PlainError;
}

/** An error's fields that the envelope and the exit codes read (`name` for KMS's exception, `syscall` for I/O). */
export interface PlainError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly syscall?: string;
}

export function plainError(err: unknown): PlainError {
  const e = err as Partial<NodeJS.ErrnoException> | undefined;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.syscall === 'string' ? { syscall: e.syscall } : {}),
  };
}

export function errorFrom(plain: PlainError): Error {
  return Object.assign(new Error(plain.message), plain);
}

/**
 * An object's fields made ready to post: each byte array as an exact copy (a view would clone its whole buffer),
 * listed for transfer, so the copy leaves this thread; functions and undefined left out.
 */
export function forThread(value: object): { message: Record<string, unknown>; transfer: ArrayBuffer[] } {
  const message: Record<string, unknown> = {};
  const transfer: ArrayBuffer[] = [];
  for (const [name, field] of Object.entries(value)) {
    if (field instanceof Uint8Array) {
      const copy = new Uint8Array(field);
      message[name] = copy;
      transfer.push(copy.buffer);
    } else if (field !== undefined && typeof field !== 'function') {
      message[name] = field;
    }
  }
  return { message, transfer };
}
