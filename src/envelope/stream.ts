import { Duplex, Transform, TransformCallback } from 'stream';
import { concat, wipe } from './bytes';
import { MalformedEnvelopeError } from './errors';
import { parseEnvelope } from './format';
import { FrameOpener, sealFrame } from './frames';
import { OpenOptions, unlock } from './open';
import { prepareSeal, PreparedSeal, SealOptions } from './seal';

/** The most header + wrapped-keys bytes a streamed open buffers before giving up. */
export const MAX_PREAMBLE_BYTES = 1024 * 1024;

/**
 * A Node Transform that seals what is written to it, with memory bounded by about two frames: the header and
 * wrapped keys first, then each full frame as soon as a following byte proves it is not the last.
 */
export function createSealStream(options: SealOptions): Transform {
  let prepared: Promise<PreparedSeal> | undefined;
  const pending = new ChunkQueue();
  let sequence = 1;
  const ready = (stream: Transform) => {
    if (!prepared) {
      prepared = prepareSeal(options).then(p => {
        stream.push(p.preamble);
        return p;
      });
    }
    return prepared;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      ready(this).then(p => {
        pending.add(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)); // a view, not a copy
        while (pending.length > p.frameSize) {
          this.push(sealFrame(p.backend, p.encryptionKey, p.headerBytes, sequence++, false, pending.take(p.frameSize)));
        }
        callback();
      }, callback);
    },
    flush(callback: TransformCallback) {
      ready(this).then(p => {
        this.push(sealFrame(p.backend, p.encryptionKey, p.headerBytes, sequence, true, pending.take(pending.length)));
        wipe(p.encryptionKey);
        callback();
      }, callback);
    },
  });
}

/**
 * A Node Transform that opens an envelope as it streams. Each frame's plaintext is pushed only after its tag
 * verified; a truncated envelope fails at the end. A consumer may therefore have received the verified frames
 * before the failure: write to a temporary place and commit only when the stream ends without error.
 */
export function createOpenStream(options: OpenOptions): Transform {
  let preamble: Uint8Array = new Uint8Array(0);
  let opener: FrameOpener | undefined;
  let key: Uint8Array | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      const data = new Uint8Array(chunk);
      if (opener) {
        try {
          opener.push(data).forEach(frame => this.push(frame));
          callback();
        } catch (err) {
          callback(err as Error);
        }
        return;
      }
      preamble = concat([preamble, data]);
      let parsed;
      try {
        parsed = parseEnvelope(preamble);
      } catch (err) {
        if (err instanceof MalformedEnvelopeError && /truncated/.test(err.message) && preamble.length < MAX_PREAMBLE_BYTES) return callback();
        return callback(err as Error);
      }
      unlock(parsed, options).then(unlocked => {
        key = unlocked.encryptionKey;
        opener = new FrameOpener(unlocked.backend, unlocked.encryptionKey, parsed.headerBytes, parsed.header.frameSize);
        opener.push(preamble.subarray(parsed.bodyOffset)).forEach(frame => this.push(frame));
        preamble = new Uint8Array(0);
        callback();
      }).catch(err => callback(err));
    },
    flush(callback: TransformCallback) {
      try {
        if (!opener) throw new MalformedEnvelopeError('truncated before the first frame');
        opener.finish();
        callback();
      } catch (err) {
        callback(err as Error);
      } finally {
        wipe(key);
      }
    },
  });
}

/**
 * Web-stream forms (`{ readable, writable }`, usable with `pipeThrough`) of the Node transforms, for code that uses
 * the WHATWG streams API. The same guarantees hold: frames are released only after their tag verified.
 */
export function createSealWebStream(options: SealOptions): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  return Duplex.toWeb(createSealStream(options)) as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
}

export function createOpenWebStream(options: OpenOptions): { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> } {
  return Duplex.toWeb(createOpenStream(options)) as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
}

/**
 * Written chunks waiting to become frames, kept as views: a frame inside one chunk is a subarray (no copy), and
 * only a frame spanning chunks is assembled, so a streamed seal copies each byte at most once before encrypting.
 */
class ChunkQueue {
  private readonly chunks: Uint8Array[] = [];
  public length = 0;

  public add(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Removes and returns the first `n` bytes. */
  public take(n: number): Uint8Array {
    const first = this.chunks[0];
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const used = Math.min(chunk.length, n - filled);
      out.set(chunk.subarray(0, used), filled);
      filled += used;
      if (used === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(used);
    }
    this.length -= n;
    return out;
  }
}
