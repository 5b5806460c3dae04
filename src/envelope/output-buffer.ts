/**
 * Sealing and opening into a buffer the caller provides (the `output` option of {@link seal} and {@link open}).
 *
 * A buffered seal or open returns a message as long as its input; a fresh buffer of 64 MiB costs about as much in
 * page faults as encrypting into it (docs/performance.md). A caller that seals or opens many messages can hand in
 * one buffer it reuses instead. The length is known only part-way (a seal's once KMS has answered, since the wrapped
 * key's size is KMS's; an open's once the body's size implies it), so the caller gives a function of the length.
 *
 * What is checked of what it returns, and why:
 * - a Uint8Array of exactly the length asked for, so that every byte is written (or wiped on failure);
 * - not backed by a SharedArrayBuffer: another thread could read a frame's plaintext in the window between its
 *   decryption and its tag check, and a tampered envelope must release nothing;
 * - not overlapping the input (the plaintext of a seal, the envelope of an open): a seal writes each frame's
 *   ciphertext ahead of the plaintext it has not read yet (the preamble shifts everything), and an open would
 *   overwrite frames before authenticating them, and on failure wipe the caller's envelope with the output.
 * @module
 */

/** Called once with the message's length; returns a Uint8Array of exactly that many bytes to write it into. */
export type OutputBuffer = (byteLength: number) => Uint8Array;

/** The option itself, checked before any KMS call: absent, or a function. */
export function checkOutputOption(output: unknown): OutputBuffer | undefined {
  if (output !== undefined && typeof output !== 'function') throw new TypeError(`output: expected a function (byteLength) => Uint8Array, got ${typeof output}`);
  return output as OutputBuffer | undefined;
}

/**
 * Calls `output` for `byteLength` bytes and checks what it returned (see the module's list). Nothing has been
 * written to it when this throws, so a refused buffer is left as it was.
 */
export function callOutput(output: OutputBuffer, byteLength: number, input: Uint8Array, inputTitle: string): Uint8Array {
  const out: unknown = output(byteLength);
  if (!(out instanceof Uint8Array)) throw new TypeError(`output: expected the function to return a Uint8Array, got ${out === null ? 'null' : typeof out}`);
  if (isShared(out.buffer)) throw new TypeError('output: a buffer backed by a SharedArrayBuffer is refused (another thread could read plaintext before its tag is verified)');
  if (out.length !== byteLength) throw new RangeError(`output: expected a Uint8Array of exactly ${byteLength} bytes, got ${out.length}`);
  if (overlaps(out, input)) throw new RangeError(`output: must not overlap the ${inputTitle} (it would be overwritten before it is read)`);
  return out;
}

function isShared(buffer: ArrayBufferLike): boolean {
  // toString rather than instanceof: a SharedArrayBuffer from another realm (a worker, a vm context) is one too.
  return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]';
}

/** Same memory and intersecting byte ranges (two views of one pooled Buffer side by side do not overlap). */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
