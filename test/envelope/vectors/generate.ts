/**
 * Writes test/envelope/vectors/v1.json: `npx ts-node test/envelope/vectors/generate.ts`. Every byte is fixed
 * (patterned data keys, wrapped keys, message ids and plaintexts), so the output is the same on every run, and
 * test/envelope/vectors.test.ts checks that the committed file is exactly what this writes. The first three
 * vectors predate the UTF-8 key order and did not change with it (their keys are ASCII).
 *
 * The envelopes are assembled here from the format's parts (header, wrapped keys, frames), not through `seal`,
 * so that the file can hold envelopes `seal` refuses to write but readers accept, and malformed ones.
 */
import { writeFileSync } from 'fs';
import { join } from 'path';
import { nodeBackend } from '../../../src/envelope/backends';
import { concat, utf8 } from '../../../src/envelope/bytes';
import { encodeContext, encodeWrappedKeys, frameIv, u16, u32, WrappedKey } from '../../../src/envelope/format';
import { deriveMessageKeys, sealBody, sealFrame } from '../../../src/envelope/frames';

const pattern = (length: number, seed: number) => new Uint8Array(length).map((_, i) => (i * 31 + seed) % 256);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

const DATA_KEY = pattern(32, 1);
const OTHER_DATA_KEY = pattern(32, 101);
const WRAPPED = pattern(48, 2);
const OTHER_WRAPPED = pattern(48, 102);
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1';
const MESSAGE_ID = pattern(16, 5);

interface Parts {
  readonly dataKey?: Uint8Array;
  readonly frameSize?: number;
  /** The context, or its exact bytes (for contexts no writer would produce). */
  readonly context?: Record<string, string> | Uint8Array;
  readonly wrapped?: WrappedKey[];
  readonly plaintext?: Uint8Array;
  /** Frames as [final, plaintext] in order, instead of the writers' framing of `plaintext`. */
  readonly frames?: Array<[boolean, Uint8Array]>;
  /** Changes the body after sealing (for invalid vectors). */
  readonly tamperBody?: (body: Uint8Array) => Uint8Array;
  /** The wrapped-keys section's exact bytes (for sections no writer would produce). */
  readonly wrappedBytes?: Uint8Array;
  /** Seals non-final frames with this AAD instead of the format's (for invalid vectors). */
  readonly nonFinalAad?: (header: Uint8Array, word: number) => Uint8Array;
}

function build(parts: Parts): Uint8Array {
  const dataKey = parts.dataKey ?? DATA_KEY;
  const frameSize = parts.frameSize ?? 1024;
  const context = parts.context instanceof Uint8Array ? parts.context : encodeContext(parts.context ?? {});
  const keys = deriveMessageKeys(nodeBackend, dataKey, MESSAGE_ID, 1);
  const header = concat([new Uint8Array([1, 1]), MESSAGE_ID, u32(frameSize), u16(context.length), context, keys.commitment]);
  const frame = (sequence: number, final: boolean, plaintext: Uint8Array) => {
    if (final || !parts.nonFinalAad) return sealFrame(nodeBackend, keys.encryptionKey, header, sequence, final, plaintext);
    const sealed = nodeBackend.seal(keys.encryptionKey, frameIv(sequence), parts.nonFinalAad(header, sequence), plaintext);
    return concat([u32(sequence), sealed]);
  };
  let body = parts.frames
    ? concat(parts.frames.map(([final, plaintext], i) => frame(i + 1, final, plaintext)))
    : sealBody(nodeBackend, keys.encryptionKey, header, frameSize, parts.plaintext ?? new Uint8Array(0));
  if (parts.tamperBody) body = parts.tamperBody(body);
  const wrapped = parts.wrappedBytes ?? encodeWrappedKeys(parts.wrapped ?? [{ keyId: KEY_ARN, ciphertext: WRAPPED }]);
  return concat([header, wrapped, body]);
}

const common = { dataKey: hex(DATA_KEY), wrappedKey: hex(WRAPPED), keyArn: KEY_ARN, messageId: hex(MESSAGE_ID) };

/** Sealed by `seal` (both backends) with these inputs, and opened back. */
function sealable(name: string, note: string, frameSize: number, context: Record<string, string>, plaintext: Uint8Array) {
  return { name, note, ...common, frameSize, context, plaintext: hex(plaintext), envelope: hex(build({ frameSize, context, plaintext })) };
}

/** Opened by readers, never written by `seal`. */
function openOnly(name: string, note: string, parts: Parts & { context: Record<string, string>; plaintext: Uint8Array }) {
  return { name, note, ...common, context: parts.context, plaintext: hex(parts.plaintext), envelope: hex(build(parts)) };
}

/** Refused by readers with this error code. */
function invalid(name: string, note: string, error: string, parts: Parts) {
  return { name, note, ...common, error, envelope: hex(build(parts)) };
}

const utf16Sorted = concat([u16(3), ...['é', '😀', 'Ａ'].flatMap(k => [u16(utf8(k).length), utf8(k), u16(1), utf8('v')])]);
const limitContext = { k: 'v'.repeat(8192 - 2 - 2 - 1 - 2) };
const overLimitContext = concat([u16(1), u16(1), utf8('k'), u16(8186), utf8('v'.repeat(8186))]);
const frames1024 = pattern(1024, 7);
const FULL_FRAME = 4 + 1024 + 16;
const MRK = 'mrk-0123456789abcdef0123456789abcdef';
const mrkArn = (region: string, account = '111122223333') => `arn:aws:kms:${region}:${account}:key/${MRK}`;

/** Wrapped keys that KMS would refuse or that unwrap to another data key, to pin the order and fallback rules. */
const foreign = (i: number): WrappedKey => ({
  keyId: `arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-00000000000${i}`, ciphertext: pattern(48, 200 + i),
});
const genuine: WrappedKey = { keyId: KEY_ARN, ciphertext: WRAPPED };
const mismatched: WrappedKey = { keyId: OTHER_KEY_ARN, ciphertext: OTHER_WRAPPED };
const kmsEntry = (w: WrappedKey, outcome: Uint8Array | string) =>
  (typeof outcome === 'string' ? { keyArn: w.keyId, wrappedKey: hex(w.ciphertext), error: outcome } : { keyArn: w.keyId, wrappedKey: hex(w.ciphertext), dataKey: hex(outcome) });
const KMS_TABLE = [
  kmsEntry(genuine, DATA_KEY), kmsEntry(mismatched, OTHER_DATA_KEY),
  ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(i => kmsEntry(foreign(i), 'InvalidCiphertextException')),
];

/** Several wrapped keys: which KMS Decrypt calls open makes, in order, and what it reports. */
function multiKey(name: string, note: string, wrapped: WrappedKey[], expected: object, options: object = {}, kms: object[] = KMS_TABLE) {
  return { name, note, kms, options, envelope: hex(build({ wrapped, plaintext: pattern(5, 30) })), plaintext: hex(pattern(5, 30)), ...expected };
}

export function generateVectors(): unknown {
  const withFrameSize = (frameSize: number) => {
    const bytes = build({ plaintext: pattern(3, 3) });
    new DataView(bytes.buffer).setUint32(18, frameSize);
    return hex(bytes);
  };
  return {
    description: 'guarded-keys envelope format v1 test vectors: fixed data key, wrapped key and message id; see docs/envelope-format.md',
    vectors: [
      sealable('empty', 'an empty plaintext is one empty final frame', 1024, {}, new Uint8Array(0)),
      sealable('one-frame-with-context', 'keys sorted: purpose < tenant', 1024, { tenant: 'acme', purpose: 'vectors' }, pattern(1024, 3)),
      sealable('three-frames', 'two full frames, then a final frame of 452 bytes', 1024, { a: '1' }, pattern(2500, 9)),
      sealable('non-ascii-context-keys', 'UTF-8 byte order: z (7A) < é (C3 A9) < Ａ (EF BC A1) < 😀 (F0 9F 98 80)', 1024,
        { '😀': 'grin', 'Ａ': 'fullwidth', 'é': 'acute', 'z': 'ascii' }, pattern(10, 11)),
      sealable('bom-in-context', 'a leading U+FEFF (EF BB BF) is part of the key and of the value', 1024, { '\ufeffk': '\ufeffv' }, pattern(10, 12)),
      sealable('proto-context-key', 'a key named __proto__ is a key like any other', 1024, JSON.parse('{"__proto__": "x"}'), pattern(10, 13)),
      sealable('exactly-one-frame', 'a plaintext of exactly one frame: one final frame holding frame-size bytes (how writers frame it)', 1024, {}, frames1024),
      sealable('exactly-two-frames', 'one full frame, then a final frame holding frame-size bytes', 1024, {}, pattern(2048, 8)),
      sealable('largest-frame-size', 'frame size 16,777,216 (inclusive upper bound)', 16 * 1024 * 1024, {}, pattern(100, 14)),
      sealable('context-at-limit', 'an encoded context of exactly 8,192 bytes (inclusive limit)', 1024, limitContext, pattern(10, 15)),
    ],
    openOnly: [
      openOnly('one-frame-as-full-plus-empty-final', 'exactly one frame framed as a full non-final frame then an empty final frame: readers accept it, writers here do not write it', {
        context: {}, plaintext: frames1024, frames: [[false, frames1024], [true, new Uint8Array(0)]],
      }),
      openOnly('reserved-prefix-context-key', 'seal refuses keys under guarded-keys:, open accepts them', { context: { 'guarded-keys:x': 'y' }, plaintext: pattern(5, 16) }),
      openOnly('empty-context-key', 'seal refuses an empty key, open accepts it', { context: { '': 'v' }, plaintext: pattern(5, 17) }),
    ],
    invalid: [
      invalid('context-sorted-by-utf16', 'keys in UTF-16 code-unit order (é, 😀, Ａ) are not sorted by UTF-8 bytes', 'MALFORMED', { context: utf16Sorted }),
      invalid('context-duplicate-key', 'keys must be unique', 'MALFORMED', {
        context: concat([u16(2), u16(1), utf8('k'), u16(1), utf8('a'), u16(1), utf8('k'), u16(1), utf8('b')]),
      }),
      invalid('context-zero-bytes', 'the empty context is 00 00, never zero bytes', 'MALFORMED', { context: new Uint8Array(0) }),
      invalid('context-over-limit', 'an encoded context of 8,193 bytes', 'MALFORMED', { context: overLimitContext }),
      invalid('context-invalid-utf8', 'context strings are valid UTF-8', 'MALFORMED', { context: concat([u16(1), u16(1), new Uint8Array([0xff]), u16(0)]) }),
      { name: 'frame-size-below-minimum', note: 'frame size 1,023', ...common, error: 'MALFORMED', envelope: withFrameSize(1023) },
      { name: 'frame-size-above-maximum', note: 'frame size 16,777,217', ...common, error: 'MALFORMED', envelope: withFrameSize(16 * 1024 * 1024 + 1) },
      invalid('no-wrapped-key', 'at least one wrapped key', 'MALFORMED', { wrappedBytes: u16(0) }),
      invalid('final-frame-length-over-frame-size', 'after the key is involved every failure is INTEGRITY, whatever the detail', 'INTEGRITY', {
        plaintext: pattern(10, 18), tamperBody: b => { new DataView(b.buffer, b.byteOffset).setUint32(4, 1025); return b; },
      }),
      invalid('non-final-frame-aad-without-length', 'a non-final frame\'s AAD ends with its length (the frame size); one sealed without it fails', 'INTEGRITY', {
        frames: [[false, frames1024], [true, pattern(10, 19)]], nonFinalAad: (header, word) => concat([header, u32(word)]),
      }),
      invalid('bytes-after-final-frame', 'nothing may follow the final frame', 'INTEGRITY', { plaintext: pattern(10, 20), tamperBody: b => concat([b, new Uint8Array(1)]) }),
      invalid('no-final-frame', 'a body without its final frame is truncated', 'INTEGRITY', {
        frames: [[false, frames1024]],
      }),
      invalid('frames-out-of-order', 'frames are numbered from 1 in order', 'INTEGRITY', {
        // Swap the two full frames (each 4 + 1024 + 16 bytes).
        plaintext: pattern(2500, 21),
        tamperBody: b => concat([b.subarray(FULL_FRAME, 2 * FULL_FRAME), b.subarray(0, FULL_FRAME), b.subarray(2 * FULL_FRAME)]),
      }),
    ],
    multiKey: [
      multiKey('commitment-mismatch-then-genuine', 'a wrapped key whose data key fails the commitment is skipped', [mismatched, genuine],
        { opensWith: KEY_ARN, decryptCalls: [OTHER_KEY_ARN, KEY_ARN] }),
      multiKey('refused-then-genuine', 'a wrapped key KMS refuses is skipped', [foreign(0), genuine],
        { opensWith: KEY_ARN, decryptCalls: [foreign(0).keyId, KEY_ARN] }),
      multiKey('first-that-opens-wins', 'envelope order: the first wrapped key that opens is used, the rest are not tried', [genuine, mismatched],
        { opensWith: KEY_ARN, decryptCalls: [KEY_ARN] }),
      multiKey('access-denied-beats-integrity', 'when none opens, a KMS refusal is reported over an integrity failure', [mismatched, genuine],
        { error: 'KMS_ACCESS', decryptCalls: [OTHER_KEY_ARN, KEY_ARN] }, {}, [kmsEntry(mismatched, OTHER_DATA_KEY), kmsEntry(genuine, 'AccessDeniedException')]),
      multiKey('all-integrity', 'only integrity failures: INTEGRITY', [mismatched, foreign(1)],
        { error: 'INTEGRITY', decryptCalls: [OTHER_KEY_ARN, foreign(1).keyId] }),
      multiKey('expect-key-filters', 'with expect.keyIds only the matching wrapped keys are tried', [mismatched, genuine],
        { opensWith: KEY_ARN, decryptCalls: [KEY_ARN] }, { expectKeyIds: [KEY_ARN] }),
      multiKey('ten-wrapped-keys', 'maxWrappedKeys (default 10) is inclusive: ten are tried', [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map(foreign), genuine],
        { opensWith: KEY_ARN, decryptCalls: [...[0, 1, 2, 3, 4, 5, 6, 7, 8].map(i => foreign(i).keyId), KEY_ARN] }),
      multiKey('eleven-wrapped-keys', 'eleven are refused before any KMS call', [...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(foreign), genuine],
        { error: 'TOO_MANY_WRAPPED_KEYS', decryptCalls: [] }),
    ],
    keyIdMatching: [
      { expected: KEY_ARN, wrapped: KEY_ARN, matches: true, note: 'the same ARN' },
      { expected: KEY_ARN, wrapped: KEY_ARN.replace('111122223333', '444455556666'), matches: false, note: 'the same key id in another account' },
      { expected: KEY_ARN, wrapped: KEY_ARN.replace('eu-west-1', 'us-east-1'), matches: false, note: 'a single-Region key id in another region' },
      { expected: mrkArn('eu-west-1'), wrapped: mrkArn('us-east-1'), matches: true, note: 'a multi-Region key in any region' },
      { expected: mrkArn('eu-west-1'), wrapped: mrkArn('us-east-1', '444455556666'), matches: false, note: 'a multi-Region key id in another account' },
      { expected: mrkArn('eu-west-1'), wrapped: mrkArn('eu-west-1').replace('arn:aws:', 'arn:aws-cn:'), matches: false, note: 'another partition' },
    ],
    mrkRewrite: [
      { wrapped: mrkArn('eu-west-1'), clientRegion: 'us-east-1', decryptKeyId: mrkArn('us-east-1'), note: 'rewritten to the client\'s region' },
      { wrapped: mrkArn('eu-west-1'), clientRegion: 'eu-west-1', decryptKeyId: mrkArn('eu-west-1'), note: 'already local' },
      { wrapped: KEY_ARN, clientRegion: 'us-east-1', decryptKeyId: KEY_ARN, note: 'a single-Region key is used as written' },
      { wrapped: `${mrkArn('eu-west-1')}0`, clientRegion: 'us-east-1', decryptKeyId: `${mrkArn('eu-west-1')}0`, note: 'not exactly mrk- and 32 hex digits: as written' },
    ],
  };
}

if (require.main === module) {
  writeFileSync(join(__dirname, 'v1.json'), `${JSON.stringify(generateVectors(), null, 2)}\n`);
}
