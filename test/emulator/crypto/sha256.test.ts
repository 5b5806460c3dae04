import * as crypto from 'crypto';
import * as fc from 'fast-check';
import { sha256Hex } from '../../../src/emulator/crypto/sha256';
import { keyMaterialId } from '../../../src/emulator/metadata';

describe('sha256Hex', () => {
  test('equals createHash over UTF-8 on any text (unicode, empty, long)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ minLength: 1000, maxLength: 5000 })), text => {
      expect(sha256Hex(text)).toBe(crypto.createHash('sha256').update(text, 'utf8').digest('hex'));
    }), { numRuns: 300 });
  });

  test('a key material id makes no Hash object where node has the one-shot hash (node 20.12 and later)', () => {
    const hasOneShot = typeof (crypto as { hash?: unknown }).hash === 'function';
    // The module object itself (the namespace import above is a read-only view of it), as the source sees it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const createHash = jest.spyOn(require('crypto') as typeof crypto, 'createHash');
    try {
      const id = keyMaterialId({ id: '00112233445566778899aabbccddeeff' } as Parameters<typeof keyMaterialId>[0]);
      expect(id).toBe(crypto.createHash('sha256').update('guarded-keys key material 00112233445566778899aabbccddeeff').digest('hex'));
      expect(createHash).toHaveBeenCalledTimes(hasOneShot ? 1 : 2); // the expectation's own call (and the fallback's)
    } finally {
      createHash.mockRestore();
    }
  });
});
