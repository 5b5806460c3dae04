import { CreateAliasCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { envelopeFixture, EnvelopeFixture, text } from './support';
import { ExpectationError, IntegrityError, KeyNotFoundError, KmsAccessError, MalformedEnvelopeError, open, seal } from '../../src/envelope';
import { compareBytes, concat, utf8 } from '../../src/envelope/bytes';
import { encodeContext, encodeHeader, encodeWrappedKeys, parseEnvelope, PreambleScanner, u16 } from '../../src/envelope/format';
import { sameKey } from '../../src/envelope/open';

describe('encryption context bytes', () => {
  test('keys are sorted by UTF-8 bytes, not UTF-16 code units: é (C3 A9) < Ａ (EF BC A1) < 😀 (F0 9F 98 80)', () => {
    const encoded = encodeContext({ '😀': '1', 'Ａ': '2', 'é': '3', 'z': '4' });
    const keys = parseEnvelope(envelopeWith(encoded)).header.encryptionContext;
    expect(Object.keys(keys)).toEqual(['z', 'é', 'Ａ', '😀']);
    // The UTF-16 order (é, 😀, Ａ) is what the code wrote before: a reader must refuse it as unsorted.
    const utf16Order = concat([u16(3), ...['é', '😀', 'Ａ'].flatMap(k => [u16(utf8(k).length), utf8(k), u16(1), utf8('v')])]);
    expect(() => parseEnvelope(envelopeWith(utf16Order))).toThrow(new MalformedEnvelopeError('encryption context keys are not sorted by UTF-8 bytes and unique'));
  });

  test('any context round-trips through its bytes, in UTF-8 byte order (300 seeded runs)', () => {
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }), { maxKeys: 8 }), context => {
      const encoded = encodeContext(context);
      const decoded = parseEnvelope(envelopeWith(encoded)).header.encryptionContext;
      expect(decoded).toEqual(context);
      const keyBytes = Object.keys(decoded).map(utf8);
      for (let i = 1; i < keyBytes.length; i++) expect(compareBytes(keyBytes[i - 1], keyBytes[i])).toBeLessThan(0);
    }), { numRuns: 300, seed: 11 });
  });

  test('decoding is exact: a leading U+FEFF stays, a __proto__ key is a key', () => {
    const context = JSON.parse('{"__proto__": "p", "\\ufeffk": "\\ufeffv"}') as Record<string, string>;
    const decoded = parseEnvelope(envelopeWith(encodeContext(context))).header.encryptionContext;
    expect(Object.keys(decoded).sort()).toEqual(['__proto__', '\ufeffk']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe('p');
    expect(decoded['\ufeffk']).toBe('\ufeffv');
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  test('the empty context is the two bytes 00 00; zero bytes of context are malformed', () => {
    expect(encodeContext({})).toEqual(new Uint8Array([0, 0]));
    expect(() => parseEnvelope(envelopeWith(new Uint8Array(0)))).toThrow(MalformedEnvelopeError);
  });
});

describe('preamble scanner', () => {
  test('finds exactly where the preamble ends, fed any prefix lengths (200 seeded runs)', () => {
    const wrapped = fc.record({ keyId: fc.string({ maxLength: 300 }), ciphertext: fc.uint8Array({ maxLength: 300 }) });
    fc.assert(fc.property(fc.array(wrapped, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(400), { maxLength: 40 }), (keys, steps) => {
      const header = encodeHeader({
        version: 1, suite: 1, messageId: new Uint8Array(16), frameSize: 1024, encryptionContext: { a: 'b' }, commitment: new Uint8Array(32),
      });
      const envelope = concat([header, encodeWrappedKeys(keys), new Uint8Array(50).fill(7)]);
      const end = parseEnvelope(envelope).bodyOffset;
      const scanner = new PreambleScanner();
      let length = 0;
      for (const step of [...steps, envelope.length]) {
        length = Math.min(envelope.length, length + step);
        const done = scanner.advance(envelope.subarray(0, length));
        expect(done).toBe(length >= end);
        if (!done) expect(scanner.needed).toBeGreaterThan(length);
      }
      expect(scanner.needed).toBe(end);
      expect(scanner.wrappedKeyCount).toBe(keys.length);
    }), { numRuns: 200, seed: 5 });
  });
});

/** A syntactically complete envelope around the given context bytes (for parser tests; it opens nothing). */
function envelopeWith(contextBytes: Uint8Array): Uint8Array {
  const frameSize = new Uint8Array([0, 0, 4, 0]);
  return concat([
    new Uint8Array([1, 1]), new Uint8Array(16), frameSize, u16(contextBytes.length), contextBytes, new Uint8Array(32),
    encodeWrappedKeys([{ keyId: 'k', ciphertext: new Uint8Array(1) }]),
  ]);
}

describe('contexts through seal, open and KMS (emulator)', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());

  test.each([
    ['a __proto__ key', '{"__proto__": "x", "tenant": "a"}'],
    ['a value starting with U+FEFF', '{"k": "\\ufeffv"}'],
    ['a key starting with U+FEFF', '{"\\ufeffk": "v"}'],
    ['non-ASCII keys', '{"é": "1", "😀": "2", "Ａ": "3"}'],
  ])('%s seals and opens, and open reports the same context', async (_, json) => {
    const context = JSON.parse(json) as Record<string, string>;
    const envelope = await seal(text('x'), { keyIds: [f.keyA], encryptionContext: context, kms: f.kms });
    const opened = await open(envelope, { kms: f.kms, expect: { encryptionContext: context } });
    expect(Object.entries(opened.encryptionContext).sort()).toEqual(Object.entries(context).sort());
  });

  test('expectations compare own properties only', async () => {
    const envelope = await seal(text('x'), { keyIds: [f.keyA], encryptionContext: { tenant: 'a' }, kms: f.kms });
    const inherited = Object.create({ tenant: 'a' }) as Record<string, string>;
    expect((await open(envelope, { kms: f.kms, expect: { encryptionContext: inherited } })).plaintext).toEqual(text('x'));
    await expect(open(envelope, { kms: f.kms, expect: { encryptionContext: { toString: 'x' } } })).rejects.toBeInstanceOf(ExpectationError);
    await expect(open(envelope, { kms: f.kms, expect: { encryptionContext: JSON.parse('{"__proto__": "x"}') } })).rejects.toBeInstanceOf(ExpectationError);
  });

  test('a lone surrogate has no UTF-8 form: seal refuses it rather than write a context it cannot open', async () => {
    await expect(seal(text('x'), { keyIds: [f.keyA], encryptionContext: { k: 'a\ud800' }, kms: f.kms })).rejects.toThrow(RangeError);
  });
});

describe('expect.keyIds: full ARNs; ids and aliases resolved by KMS', () => {
  let f: EnvelopeFixture;
  let envelope: Uint8Array;
  beforeAll(async () => {
    f = await envelopeFixture();
    envelope = await seal(text('x'), { keyIds: [f.keyA], kms: f.kms });
    await f.kms.send(new CreateAliasCommand({ AliasName: 'alias/a', TargetKeyId: f.keyA }));
    await f.kms.send(new CreateAliasCommand({ AliasName: 'alias/b', TargetKeyId: f.keyB }));
  });
  afterAll(() => f.stop());

  const opens = (keyIds: string[]) => open(envelope, { kms: f.kms, expect: { keyIds } }).then(o => o.keyId, (e: Error) => e.constructor.name);

  test('the key ARN itself matches; the same key id under another account or region does not', async () => {
    expect(await opens([f.keyA])).toBe(f.keyA);
    expect(await opens([f.keyA.replace(/:\d{12}:/, ':999999999999:')])).toBe('ExpectationError');
    expect(await opens([f.keyA.replace(':eu-west-1:', ':us-east-1:')])).toBe('ExpectationError');
  });

  test('a key id, an alias name and an alias ARN are resolved in the client\'s account and region', async () => {
    expect(await opens([f.keyA.split('/')[1]])).toBe(f.keyA);
    expect(await opens(['alias/a'])).toBe(f.keyA);
    expect(await opens([f.keyA.replace(/key\/.*/, 'alias/a')])).toBe(f.keyA);
    expect(await opens(['alias/b'])).toBe('ExpectationError');
    expect(await opens(['alias/missing'])).toBe('KeyNotFoundError');
  });

  test.each([
    ['arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef', 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef', true],
    ['arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef', 'arn:aws:kms:us-east-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef', false],
    ['arn:aws:kms:eu-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef', 'arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef', false],
    ['arn:aws:kms:eu-west-1:111122223333:key/0123-abcd', 'arn:aws:kms:us-east-1:111122223333:key/0123-abcd', false],
    ['arn:aws:kms:eu-west-1:111122223333:key/0123-abcd', 'arn:aws:kms:eu-west-1:111122223333:key/0123-abcd', true],
  ])('sameKey(%s, %s) is %p', (expected, wrapped, same) => {
    expect(sameKey(expected, wrapped)).toBe(same);
  });
});

describe('several wrapped keys: which is tried, when to fall back, which error wins', () => {
  let f: EnvelopeFixture;
  beforeAll(async () => { f = await envelopeFixture(); });
  afterAll(() => f.stop());

  /** The envelope with its wrapped key under `keyId` replaced by that of `other` (another data key: fails the commitment). */
  function withForeignWrappedKey(envelope: Uint8Array, other: Uint8Array, keyId: string): Uint8Array {
    const a = parseEnvelope(envelope);
    const b = parseEnvelope(other);
    const foreign = b.wrappedKeys.find(w => w.keyId === keyId)!;
    const keys = a.wrappedKeys.map(w => (w.keyId === keyId ? foreign : w));
    return concat([a.headerBytes, encodeWrappedKeys(keys), envelope.subarray(a.bodyOffset)]);
  }

  test('a wrapped key that fails the commitment is skipped: the next one opens', async () => {
    const envelope = await seal(text('both'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    const other = await seal(text('other'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    const opened = await open(withForeignWrappedKey(envelope, other, f.keyA), { kms: f.kms });
    expect(opened.plaintext).toEqual(text('both'));
    expect(opened.keyId).toBe(f.keyB);
  });

  test('when none opens, a KMS refusal is reported over an integrity failure, in either order', async () => {
    const envelope = await seal(text('both'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    const other = await seal(text('other'), { keyIds: [f.keyA, f.keyB], kms: f.kms });
    const firstForeign = withForeignWrappedKey(envelope, other, f.keyA);
    const secondForeign = withForeignWrappedKey(envelope, other, f.keyB);
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyB }));
    try {
      await expect(open(firstForeign, { kms: f.kms })).rejects.toBeInstanceOf(KmsAccessError);
    } finally {
      await f.kms.send(new EnableKeyCommand({ KeyId: f.keyB }));
    }
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyA }));
    try {
      await expect(open(secondForeign, { kms: f.kms })).rejects.toBeInstanceOf(KmsAccessError);
    } finally {
      await f.kms.send(new EnableKeyCommand({ KeyId: f.keyA }));
    }
    const bothForeign = withForeignWrappedKey(firstForeign, other, f.keyB);
    await expect(open(bothForeign, { kms: f.kms })).rejects.toBeInstanceOf(IntegrityError);
  });

  test('a key KMS does not know is reported over an integrity failure', async () => {
    const envelope = await seal(text('x'), { keyIds: [f.keyA], kms: f.kms });
    const other = await seal(text('y'), { keyIds: [f.keyA], kms: f.kms });
    const foreign = withForeignWrappedKey(envelope, other, f.keyA);
    const p = parseEnvelope(foreign);
    const unknown = { keyId: f.keyA.replace(/key\/.*/, 'key/00000000-0000-0000-0000-000000000000'), ciphertext: p.wrappedKeys[0].ciphertext };
    const both = concat([p.headerBytes, encodeWrappedKeys([p.wrappedKeys[0], unknown]), foreign.subarray(p.bodyOffset)]);
    await expect(open(both, { kms: f.kms })).rejects.toBeInstanceOf(KeyNotFoundError);
  });
});
