import { Readable, Transform, TransformCallback } from 'stream';
import { anumber, wipe } from './bytes';
import { ChunkQueue, GrowingBuffer } from './chunk-queue';
import { MalformedEnvelopeError, TooManyWrappedKeysError } from './errors';
import { DEFAULT_STREAM_FRAME_SIZE, FIXED_HEADER_BYTES, ParsedEnvelope, parseEnvelope, PreambleScanner } from './format';
import { FrameOpener, sealFrameParts } from './frames';
import { DEFAULT_MAX_WRAPPED_KEYS, OpenOptions, unlock } from './open';
import { prepareSeal, PreparedSeal, SealOptions } from './seal';

/** The most header + wrapped-keys bytes a streamed open buffers, unless `maxPreambleBytes` says otherwise. */
export const MAX_PREAMBLE_BYTES = 1024 * 1024;

/** How to seal a stream (every seal option but `output`: a stream's bytes go to its reader). */
export interface SealStreamOptions extends Omit<SealOptions, 'output'> {
  /**
   * Plaintext bytes per frame (1 KiB to 16 MiB); a reader of the stream holds up to one frame before it releases it.
   * @default 262144 (256 KiB, {@link DEFAULT_STREAM_FRAME_SIZE}); a buffered seal's is 64 KiB
   */
  readonly frameSize?: number;
  /**
   * The plaintext's length, if known. It is what a cache charges against `maxBytes`, so a streamed seal uses
   * `cache` only when it is given; writing more than this many bytes fails the stream.
   * @default - unknown: the cache is not used and any length is accepted
   */
  readonly plaintextLength?: number;
}

/** How to open a stream (every open option but `output`: a stream's bytes go to its reader). */
export interface OpenStreamOptions extends Omit<OpenOptions, 'output'> {
  /**
   * The most preamble (header and wrapped keys) bytes buffered before the first KMS call; a longer preamble, legal
   * as it may be (the format allows far more), fails with a message naming this limit.
   * @default 1048576 (1 MiB)
   */
  readonly maxPreambleBytes?: number;
}

/**
 * A Node Transform that seals what is written to it, with memory bounded by about two frames: the header and
 * wrapped keys first, then each full frame as soon as a following byte proves it is not the last (so a plaintext
 * of exactly one frame is one final frame, as the buffered seal writes it). The message key is wiped at the end,
 * on error and on destroy.
 */
export function createSealStream(options: SealStreamOptions): Transform {
  refuseOutput(options);
  const declared = options.plaintextLength === undefined ? undefined : anumber(options.plaintextLength, 'plaintextLength', 0, Number.MAX_SAFE_INTEGER);
  let prepared: Promise<PreparedSeal> | undefined;
  let key: Uint8Array | undefined;
  const pending = new ChunkQueue();
  let written = 0;
  let sequence = 1;
  const ready = (stream: Transform) => {
    if (!prepared) {
      prepared = prepareSeal({ ...options, frameSize: options.frameSize ?? DEFAULT_STREAM_FRAME_SIZE }, declared).then(p => {
        key = p.encryptionKey;
        if (stream.destroyed) wipe(key);
        else stream.push(p.preamble);
        return p;
      });
    }
    return prepared;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      ready(this).then(p => {
        written += chunk.length;
        if (declared !== undefined && written > declared) throw new RangeError(`plaintext: more than the declared plaintextLength of ${declared} bytes`);
        pending.add(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)); // a view: sealed from the chunk itself
        while (pending.length > p.frameSize) {
          for (const part of sealFrameParts(p.backend, p.encryptionKey, p.headerBytes, sequence++, false, pending.take(p.frameSize))) this.push(part);
        }
        // What waits for the next chunk (at most a frame: whether it is the final one is not known yet) is copied
        // into the queue's own buffer before the callback, after which the writer may refill its chunk.
        pending.detach();
        callback();
      }).catch(callback);
    },
    flush(callback: TransformCallback) {
      ready(this).then(p => {
        for (const part of sealFrameParts(p.backend, p.encryptionKey, p.headerBytes, sequence, true, pending.take(pending.length))) this.push(part);
        wipe(p.encryptionKey);
        pending.wipeOwned();
        callback();
      }).catch(callback);
    },
    destroy(err, callback) {
      wipe(key);
      pending.wipeOwned();
      callback(err);
    },
  });
}

/**
 * A Node Transform that opens an envelope as it streams. Each frame's plaintext is pushed only after its tag
 * verified; a truncated envelope fails at the end. A consumer may therefore have received the verified frames
 * before the failure: write to a temporary place and commit only when the stream ends without error.
 *
 * Work is linear in the input however it is chunked: the preamble grows by doubling and is scanned field by field
 * ({@link PreambleScanner}), frames wait in a chunk queue. The message key is wiped when the stream ends, fails or
 * is destroyed, including when it is destroyed while KMS is still answering.
 */
export function createOpenStream(options: OpenStreamOptions): Transform {
  refuseOutput(options);
  const maxPreamble = anumber(options.maxPreambleBytes ?? MAX_PREAMBLE_BYTES, 'maxPreambleBytes', FIXED_HEADER_BYTES, Number.MAX_SAFE_INTEGER);
  const maxWrappedKeys = options.maxWrappedKeys ?? DEFAULT_MAX_WRAPPED_KEYS;
  const preamble = new GrowingBuffer();
  const scanner = new PreambleScanner();
  let opener: FrameOpener | undefined;
  let key: Uint8Array | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const data = new Uint8Array(chunk); // our copy: the writer may reuse its buffer once we call back
      let parsed: ParsedEnvelope;
      try {
        if (opener) {
          opener.push(data).forEach(frame => this.push(frame));
          return callback();
        }
        preamble.append(data);
        const done = scanner.advance(preamble.view());
        if (scanner.wrappedKeyCount !== undefined && scanner.wrappedKeyCount > maxWrappedKeys) {
          throw new TooManyWrappedKeysError(scanner.wrappedKeyCount, maxWrappedKeys);
        }
        if (scanner.needed > maxPreamble) {
          throw new MalformedEnvelopeError(`the preamble (header and wrapped keys) needs at least ${scanner.needed} bytes, over this reader's limit of ${maxPreamble} (raise maxPreambleBytes to open it)`);
        }
        if (!done) return callback();
        parsed = parseEnvelope(preamble.view().subarray(0, scanner.needed));
      } catch (err) {
        return callback(err as Error);
      }
      // The body bytes that came with the preamble, and the header (every frame's AAD), copied out so that the
      // preamble's buffer (up to maxPreambleBytes of wrapped keys) is not kept for the whole stream.
      const rest = preamble.view().slice(scanner.needed);
      const headerBytes = parsed.headerBytes.slice();
      unlock(parsed, options).then(unlocked => {
        preamble.release();
        if (this.destroyed) return wipe(unlocked.encryptionKey);
        key = unlocked.encryptionKey;
        opener = new FrameOpener(unlocked.backend, unlocked.encryptionKey, headerBytes, parsed.header.frameSize);
        opener.push(rest).forEach(frame => this.push(frame));
        callback();
      }).catch(err => callback(err));
    },
    flush(callback: TransformCallback) {
      try {
        if (!opener) throw new MalformedEnvelopeError(`truncated in the preamble (${preamble.length} bytes of at least ${scanner.needed})`);
        opener.finish();
        callback();
      } catch (err) {
        callback(err as Error);
      } finally {
        wipe(key);
      }
    },
    destroy(err, callback) {
      wipe(key);
      callback(err);
    },
  });
}

/**
 * A stream pushes its output chunk by chunk to its reader, so a caller's `output` buffer has no place here; refused
 * rather than silently ignored (a JavaScript caller, or an options object shared with a buffered seal, may pass one).
 */
function refuseOutput(options: object): void {
  if ((options as { output?: unknown }).output !== undefined) {
    throw new TypeError('output: not supported by streams (the stream\'s reader receives the bytes); use seal() or open() to write into a buffer');
  }
}

/**
 * Web-stream forms (`{ readable, writable }`, usable with `pipeThrough`) of the Node transforms, for code that uses
 * the WHATWG streams API. The same guarantees hold: frames are released only after their tag verified.
 */
export function createSealWebStream(options: SealStreamOptions): WebTransformPair {
  return webPair(createSealStream(options));
}

export function createOpenWebStream(options: OpenStreamOptions): WebTransformPair {
  return webPair(createOpenStream(options));
}

/** A Node transform as the `{ readable, writable }` pair of the WHATWG streams API. */
export interface WebTransformPair {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

/**
 * The pair for a Node transform, whose `write()` resolves only once the transform has taken the chunk (its write
 * callback), so a writer may refill its buffer after `await writer.write(buffer)`. Not `Duplex.toWeb`: its writes
 * resolve as soon as Node buffers the chunk (nodejs/node#64549), so a refilled buffer changed bytes the transform
 * had not read yet, and a seal authenticated the wrong plaintext.
 */
function webPair(stream: Transform): WebTransformPair {
  const writable = new WritableStream<Uint8Array>({
    write: chunk => new Promise<void>((resolve, reject) => {
      stream.write(chunk, err => (err ? reject(err) : resolve()));
    }),
    close: () => new Promise<void>((resolve, reject) => {
      stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    }),
    abort: reason => {
      stream.destroy(reason instanceof Error ? reason : new Error(String(reason)));
    },
  });
  return { readable: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, writable };
}
