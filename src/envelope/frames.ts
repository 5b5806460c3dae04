import { CipherBackend } from './backends';
import { allocForOverwrite, concat, utf8, wipe } from './bytes';
import { ChunkQueue } from './chunk-queue';
import { IntegrityError } from './errors';
import { COMMITMENT_BYTES, FINAL_FRAME_FLAG, frameAad, frameIv, reuseFrameNonces, SEQUENCE_BYTES, TAG_BYTES } from './format';

const KDF_LABEL = utf8('guarded-keys/v1');
const KEY_BYTES = 32;
/** Frames are numbered from 1 in 31 bits (the high bit flags the final frame). */
export const MAX_FRAMES = 0x7fffffff;

/** The per-message encryption key and the key commitment, both from HKDF-SHA512(data key, message id). */
export interface MessageKeys {
  readonly encryptionKey: Uint8Array;
  readonly commitment: Uint8Array;
}

/** HKDF's info per suite (the label, then the suite byte): built once, not per message. */
const KDF_INFO = new Map<number, Uint8Array>();

export function deriveMessageKeys(backend: CipherBackend, dataKey: Uint8Array, messageId: Uint8Array, suite: number): MessageKeys {
  let info = KDF_INFO.get(suite);
  if (!info) KDF_INFO.set(suite, info = concat([KDF_LABEL, new Uint8Array([suite])]));
  const okm = backend.hkdfSha512(dataKey, messageId, info, KEY_BYTES + COMMITMENT_BYTES);
  // Two views of the one output, not two copies (two allocations per message, and the original to wipe): the caller
  // wipes `encryptionKey`, which is all of it that is secret; the commitment is written into the header.
  return { encryptionKey: okm.subarray(0, KEY_BYTES), commitment: okm.subarray(KEY_BYTES) };
}

/** Encrypts one frame. */
export function sealFrame(
  backend: CipherBackend, key: Uint8Array, headerBytes: Uint8Array, sequence: number, final: boolean, plaintext: Uint8Array,
): Uint8Array {
  if (sequence > MAX_FRAMES) throw new RangeError(`plaintext: more than ${MAX_FRAMES} frames`);
  // One allocation per frame: the frame header, then the ciphertext and tag written in place.
  const prefix = final ? SEQUENCE_BYTES + 4 : SEQUENCE_BYTES;
  const out = new Uint8Array(prefix + plaintext.length + TAG_BYTES);
  const word = final ? sequence + FINAL_FRAME_FLAG : sequence;
  const view = new DataView(out.buffer);
  view.setUint32(0, word);
  if (final) view.setUint32(SEQUENCE_BYTES, plaintext.length);
  const iv = frameIv(word);
  const aad = frameAad(headerBytes, word, plaintext.length);
  if (backend.sealInto) backend.sealInto(key, iv, aad, plaintext, out, prefix);
  else out.set(backend.seal(key, iv, aad, plaintext), prefix);
  return out;
}

/**
 * One frame as the parts a stream pushes: the frame header, the ciphertext and the tag, each as the cipher produced
 * it, so a streamed seal never copies the ciphertext into a frame buffer (the backend must offer `sealParts`;
 * otherwise the frame comes whole from {@link sealFrame}).
 */
export function sealFrameParts(
  backend: CipherBackend, key: Uint8Array, headerBytes: Uint8Array, sequence: number, final: boolean, plaintext: Uint8Array,
): Uint8Array[] {
  if (!backend.sealParts) return [sealFrame(backend, key, headerBytes, sequence, final, plaintext)];
  if (sequence > MAX_FRAMES) throw new RangeError(`plaintext: more than ${MAX_FRAMES} frames`);
  const word = final ? sequence + FINAL_FRAME_FLAG : sequence;
  const prefix = new Uint8Array(final ? SEQUENCE_BYTES + 4 : SEQUENCE_BYTES);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, word);
  if (final) view.setUint32(SEQUENCE_BYTES, plaintext.length);
  const [ciphertext, tag] = backend.sealParts(key, frameIv(word), frameAad(headerBytes, word, plaintext.length), plaintext);
  return [prefix, ciphertext, tag];
}

/** The body's size for a plaintext length: full frames, then the final frame with its length word. */
export function bodyLength(plaintextLength: number, frameSize: number): number {
  const full = Math.max(0, Math.ceil(plaintextLength / frameSize) - 1);
  const last = plaintextLength - full * frameSize;
  return full * (SEQUENCE_BYTES + frameSize + TAG_BYTES) + SEQUENCE_BYTES + 4 + last + TAG_BYTES;
}

/**
 * Encrypts a whole plaintext into frames (at least one: the final frame, possibly empty), written straight into
 * `out` after `offset` (the preamble's bytes), so a large message is not copied frame by frame.
 */
export function sealBodyInto(
  backend: CipherBackend, key: Uint8Array, headerBytes: Uint8Array, frameSize: number, plaintext: Uint8Array, out: Uint8Array, offset: number,
): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // One IV and one AAD for every frame, rewritten per frame (see reuseFrameNonces).
  let iv: Uint8Array | undefined;
  let aad: Uint8Array | undefined;
  let sequence = 1;
  let read = 0;
  let write = offset;
  for (;;) {
    const final = plaintext.length - read <= frameSize;
    const chunk = plaintext.subarray(read, final ? plaintext.length : read + frameSize);
    if (sequence > MAX_FRAMES) throw new RangeError(`plaintext: more than ${MAX_FRAMES} frames`);
    const word = final ? sequence + FINAL_FRAME_FLAG : sequence;
    view.setUint32(write, word);
    write += SEQUENCE_BYTES;
    if (final) {
      view.setUint32(write, chunk.length);
      write += 4;
    }
    if (iv && aad) {reuseFrameNonces(iv, aad, word, chunk.length);} else {
      iv = frameIv(word);
      aad = frameAad(headerBytes, word, chunk.length);
    }
    if (backend.sealInto) {write += backend.sealInto(key, iv, aad, chunk, out, write);} else {
      const sealed = backend.seal(key, iv, aad, chunk);
      out.set(sealed, write);
      write += sealed.length;
    }
    if (final) return;
    read += frameSize;
    sequence++;
  }
}

/** Encrypts a whole plaintext into a new body. */
export function sealBody(backend: CipherBackend, key: Uint8Array, headerBytes: Uint8Array, frameSize: number, plaintext: Uint8Array): Uint8Array {
  const out = new Uint8Array(bodyLength(plaintext.length, frameSize));
  sealBodyInto(backend, key, headerBytes, frameSize, plaintext, out, 0);
  return out;
}

/**
 * The plaintext length a whole body of this size holds, if it is a well-formed body: full frames, then a final frame
 * of at most `frameSize` bytes. Undefined when no sequence of frames has this size (the caller's one integrity error).
 */
export function plaintextLengthOf(bodyBytes: number, frameSize: number): number | undefined {
  const finalOverhead = SEQUENCE_BYTES + 4 + TAG_BYTES;
  if (bodyBytes < finalOverhead) return undefined;
  const full = Math.floor((bodyBytes - finalOverhead) / (SEQUENCE_BYTES + frameSize + TAG_BYTES));
  const last = bodyBytes - finalOverhead - full * (SEQUENCE_BYTES + frameSize + TAG_BYTES);
  return last <= frameSize ? full * frameSize + last : undefined;
}

/**
 * Decrypts a whole body (buffered open) straight into one plaintext buffer of the size the body implies, instead of
 * a buffer per frame concatenated at the end: the plaintext is written once and the peak memory is one copy.
 * Frame by frame it checks what {@link FrameOpener} checks (sequence numbers, the final flag on the last frame
 * only, its length, every tag, nothing after it); any failure wipes what was written and is the one IntegrityError.
 * `alloc` gives the plaintext's buffer, of exactly the length asked for (a caller's `output`); a new one by default.
 * It is called only for a body whose size implies a plaintext length, before anything is decrypted.
 */
export function openBody(
  backend: CipherBackend, key: Uint8Array, headerBytes: Uint8Array, frameSize: number, body: Uint8Array,
  alloc: (byteLength: number) => Uint8Array = allocForOverwrite,
): Uint8Array {
  const total = plaintextLengthOf(body.length, frameSize);
  if (total === undefined) throw new IntegrityError();
  // The frames' lengths add up to `total` exactly (checked as they are read), so every byte is written or, on a
  // failure, the whole buffer wiped (the caller's `output` too: a tampered envelope releases nothing).
  const out = alloc(total);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  // One IV and one AAD for every frame, rewritten per frame (see reuseFrameNonces).
  let iv: Uint8Array | undefined;
  let aad: Uint8Array | undefined;
  let sequence = 1;
  let read = 0;
  let write = 0;
  try {
    for (;;) {
      if (sequence > MAX_FRAMES || body.length - read < SEQUENCE_BYTES) throw new IntegrityError();
      const word = view.getUint32(read);
      const final = word >= FINAL_FRAME_FLAG;
      if ((final ? word - FINAL_FRAME_FLAG : word) !== sequence) throw new IntegrityError();
      let length = frameSize;
      let start = read + SEQUENCE_BYTES;
      if (final) {
        if (body.length - start < 4) throw new IntegrityError();
        length = view.getUint32(start);
        start += 4;
      }
      const end = start + length + TAG_BYTES;
      // The sizes were implied by the body's length: a frame that disagrees is tampering.
      if (length > frameSize || end > body.length || write + length > total || final !== (end === body.length)) throw new IntegrityError();
      const sealed = body.subarray(start, end);
      if (iv && aad) {reuseFrameNonces(iv, aad, word, length);} else {
        iv = frameIv(word);
        aad = frameAad(headerBytes, word, length);
      }
      if (backend.openInto) {
        if (!backend.openInto(key, iv, aad, sealed, out, write)) throw new IntegrityError();
      } else {
        const plaintext = backend.open(key, iv, aad, sealed);
        if (!plaintext) throw new IntegrityError();
        out.set(plaintext, write);
        wipe(plaintext);
      }
      write += length;
      read = end;
      if (final) return out;
      sequence++;
    }
  } catch (err) {
    wipe(out);
    throw err;
  }
}

/**
 * Decrypts frames as their bytes arrive, releasing a frame's plaintext only after its tag verified. `finish()`
 * fails when the final frame never came (truncation). The key is in use here, so every failure is the one
 * IntegrityError without detail (a final-frame length over the frame size included). Bytes wait in a
 * {@link ChunkQueue}: each is copied at most once, so the work is linear in the body however it is chunked.
 */
export class FrameOpener {
  private readonly queue = new ChunkQueue();
  /** The IV and AAD of the first frame, rewritten for each next one (see reuseFrameNonces). */
  private nonces?: { iv: Uint8Array; aad: Uint8Array };
  private sequence = 1;
  private done = false;

  constructor(
    private readonly backend: CipherBackend,
    private readonly key: Uint8Array,
    private readonly headerBytes: Uint8Array,
    private readonly frameSize: number,
  ) {}

  /** Feeds body bytes; returns the plaintext of every frame completed and verified by them. */
  public push(chunk: Uint8Array): Uint8Array[] {
    this.queue.add(chunk);
    const out: Uint8Array[] = [];
    for (;;) {
      const frame = this.nextFrame();
      if (!frame) break;
      out.push(frame);
    }
    return out;
  }

  /** Ends the body: the final frame must have been seen and nothing may follow it. */
  public finish(): void {
    if (!this.done || this.queue.length > 0) throw new IntegrityError();
  }

  private nextFrame(): Uint8Array | undefined {
    if (this.queue.length === 0) return undefined;
    if (this.done) throw new IntegrityError(); // bytes after the final frame
    if (this.queue.length < SEQUENCE_BYTES) return undefined;
    const word = new DataView(this.queue.peek(SEQUENCE_BYTES).buffer).getUint32(0);
    const final = word >= FINAL_FRAME_FLAG;
    if ((final ? word - FINAL_FRAME_FLAG : word) !== this.sequence) throw new IntegrityError();
    let headerLength = SEQUENCE_BYTES;
    let length = this.frameSize;
    if (final) {
      if (this.queue.length < SEQUENCE_BYTES + 4) return undefined;
      length = new DataView(this.queue.peek(SEQUENCE_BYTES + 4).buffer).getUint32(SEQUENCE_BYTES);
      if (length > this.frameSize) throw new IntegrityError();
      headerLength += 4;
    }
    const total = headerLength + length + TAG_BYTES;
    if (this.queue.length < total) return undefined;
    const frame = this.queue.take(total);
    if (this.nonces) reuseFrameNonces(this.nonces.iv, this.nonces.aad, word, length);
    else this.nonces = { iv: frameIv(word), aad: frameAad(this.headerBytes, word, length) };
    const { iv, aad } = this.nonces;
    const plaintext = this.backend.open(this.key, iv, aad, frame.subarray(headerLength));
    if (!plaintext) throw new IntegrityError();
    this.sequence++;
    this.done = final;
    return plaintext;
  }
}
