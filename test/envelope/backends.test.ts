import { createCipheriv, hkdfSync, randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import * as fc from 'fast-check';
import { CipherBackend, nobleBackend, nodeBackend, open } from '../../src/envelope';
import { sealBody } from '../../src/envelope/frames';
import { KmsLike } from '../../src/envelope/kms';
import { prepareSeal } from '../../src/envelope/seal';

/** A KMS that always hands out the same data key: test vectors need fixed keys. */
function fixedKms(dataKey: Uint8Array, wrapped: Uint8Array, keyArn: string): KmsLike {
  return {
    send: (async (command: { constructor: { name: string } }) => {
      if (command.constructor.name === 'GenerateDataKeyCommand') return { Plaintext: dataKey.slice(), CiphertextBlob: wrapped, KeyId: keyArn };
      if (command.constructor.name === 'DecryptCommand') return { Plaintext: dataKey.slice(), KeyId: keyArn };
      throw new Error(`unexpected ${command.constructor.name}`);
    }) as KmsLike['send'],
  };
}

interface Vector {
  name: string;
  dataKey: string;
  wrappedKey: string;
  keyArn: string;
  messageId: string;
  frameSize: number;
  context: Record<string, string>;
  plaintext: string;
  envelope: string;
}
const vectors: Vector[] = JSON.parse(readFileSync(join(__dirname, 'vectors', 'v1.json'), 'utf8')).vectors;
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

async function sealWith(backend: CipherBackend, v: Vector): Promise<Uint8Array> {
  const kms = fixedKms(hex(v.dataKey), hex(v.wrappedKey), v.keyArn);
  const options = { keyIds: [v.keyArn], encryptionContext: v.context, kms, frameSize: v.frameSize, backend };
  const prepared = await prepareSeal(options, undefined, { messageId: hex(v.messageId) });
  const body = sealBody(backend, prepared.encryptionKey, prepared.headerBytes, prepared.frameSize, hex(v.plaintext));
  return new Uint8Array([...prepared.preamble, ...body]);
}

describe('cipher backends', () => {
  test.each(vectors.map(v => [v.name, v] as [string, Vector]))('vector %s: both backends produce the committed bytes and open them', async (_, v) => {
    for (const backend of [nodeBackend, nobleBackend]) {
      expect(Buffer.from(await sealWith(backend, v)).toString('hex')).toBe(v.envelope);
      const opened = await open(hex(v.envelope), { kms: fixedKms(hex(v.dataKey), hex(v.wrappedKey), v.keyArn), backend });
      expect(Buffer.from(opened.plaintext).toString('hex')).toBe(v.plaintext);
    }
  });

  test('HKDF-SHA512 and AES-256-GCM agree byte for byte with node:crypto on random inputs (100 seeded runs)', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }),
      fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 3000 }),
      (key, iv, aad, plaintext) => {
        const a = nodeBackend.seal(key, iv, aad, plaintext);
        const b = nobleBackend.seal(key, iv, aad, plaintext);
        expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
        expect(nobleBackend.open(key, iv, aad, a)).toEqual(nodeBackend.open(key, iv, aad, b));
        const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
        expect(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]).equals(Buffer.from(a))).toBe(true);
        const hk = nobleBackend.hkdfSha512(key, iv, aad, 64);
        expect(Buffer.from(hk).equals(Buffer.from(hkdfSync('sha512', key, iv, aad, 64)))).toBe(true);
      },
    ), { numRuns: 100, seed: 7 });
  });

  test('a wrong tag opens to nothing on both backends', () => {
    const key = randomBytes(32);
    const iv = randomBytes(12);
    for (const backend of [nodeBackend, nobleBackend]) {
      const sealed = backend.seal(key, iv, new Uint8Array(0), new Uint8Array([1, 2, 3]));
      sealed[sealed.length - 1] = (sealed[sealed.length - 1] + 1) % 256;
      expect(backend.open(key, iv, new Uint8Array(0), sealed)).toBeUndefined();
    }
  });
});
