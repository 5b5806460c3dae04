import { constants, createHash, generateKeyPairSync, sign as nodeSign } from 'crypto';
import * as fc from 'fast-check';
import { signPssDigest, verifyPssDigest } from '../../../src/emulator/crypto/rsa-pss-digest';

/**
 * RSASSA-PSS over a caller's digest (Verify with MessageType DIGEST, node-forge) against OpenSSL's PSS (node:crypto
 * signing the RAW message, and the emulator's own DIGEST signing), as properties over random messages, hashes and
 * single-bit changes: a signature made with KMS's parameters verifies given the digest, and any change refuses it.
 */
describe('verifyPssDigest', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const hashes = fc.constantFrom('sha256', 'sha384', 'sha512');
  const saltOf: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };
  const flip = (data: Buffer, bit: number) => {
    const copy = Buffer.from(data);
    const byte = Math.floor(bit / 8) % copy.length;
    copy[byte] = copy[byte] ^ (2 ** (bit % 8)); // eslint-disable-line no-bitwise
    return copy;
  };

  const pssOf = (hash: string) => ({ key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltOf[hash] });

  test('node:crypto\'s PSS signature over m (salt = hash length) verifies given H(m); the emulator\'s DIGEST signature too', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), hashes, (message, hash) => {
      const digest = createHash(hash).update(message).digest();
      const fromNode = nodeSign(hash, message, pssOf(hash));
      expect(verifyPssDigest(publicKey, hash, digest, fromNode)).toBe(true);
      expect(verifyPssDigest(publicKey, hash, digest, signPssDigest(privateKey, hash, digest))).toBe(true);
    }), { numRuns: 40 });
  });

  test('one flipped bit of the signature or the digest, another salt length, another hash, or a truncated signature: false, never an error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), hashes, fc.nat(), fc.nat(), (message, hash, signatureBit, digestBit) => {
      const digest = createHash(hash).update(message).digest();
      const signature = nodeSign(hash, message, pssOf(hash));
      expect(verifyPssDigest(publicKey, hash, digest, flip(signature, signatureBit % 2048))).toBe(false);
      expect(verifyPssDigest(publicKey, hash, flip(digest, digestBit % (digest.length * 8)), signature)).toBe(false);
      expect(verifyPssDigest(publicKey, hash, digest, signature.subarray(1))).toBe(false);
      const otherSalt = nodeSign(hash, message, { ...pssOf(hash), saltLength: saltOf[hash] - 1 });
      expect(verifyPssDigest(publicKey, hash, digest, otherSalt)).toBe(false);
      const otherHash = hash === 'sha256' ? 'sha384' : 'sha256';
      const underOtherHash = nodeSign(otherHash, message, pssOf(otherHash));
      expect(verifyPssDigest(publicKey, hash, digest, underOtherHash)).toBe(false);
    }), { numRuns: 40 });
  });
});
