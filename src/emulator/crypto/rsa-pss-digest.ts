import { constants, createPrivateKey, KeyObject, privateEncrypt } from 'crypto';
import type * as Forge from 'node-forge';
import { DER, tlv } from './der';

/**
 * RSASSA-PSS over a digest the caller computed (KMS's `MessageType: DIGEST`), signed by OpenSSL.
 *
 * Node's `crypto.sign` always hashes its input, and `privateEncrypt` with PSS padding signs a digest only with
 * OpenSSL's default hash (SHA-1). But OpenSSL takes the hash from the key when the key is an RSASSA-PSS key
 * restricted to one hash (RFC 4055): so the emulator re-labels its RSA private key as such a key (the same
 * RSAPrivateKey, only the PKCS#8 AlgorithmIdentifier changes) and lets OpenSSL do the PSS encoding with the
 * right hash, MGF1 and salt length (the hash length, as KMS uses).
 *
 * Verifying a PSS signature over a digest has no such door: OpenSSL offers PSS neither through `publicDecrypt`
 * nor through a verify that skips hashing. So verification is node-forge's (`publicKey.verify(digest, signature,
 * pss)`: the RSA public operation, then EMSA-PSS-VERIFY of RFC 8017 §9.1.2 over the given digest), loaded on the
 * first such request only: every other path stays with OpenSSL.
 * @module
 */

/**
 * RSASSA-PSS-params (RFC 4055 §3.1) per hash: hashAlgorithm [0], maskGenAlgorithm [1] = MGF1 with the same hash,
 * saltLength [2] = the hash length. Bytes as OpenSSL writes them for `generateKeyPair('rsa-pss', ...)` (a test
 * compares them).
 */
const PSS_ALGORITHM_IDENTIFIER: Record<string, string> = {
  sha256: '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
  sha384: '304106092a864886f70d01010a3034a00f300d06096086480165030402020500a11c301a06092a864886f70d010108300d06096086480165030402020500a203020130',
  sha512: '304106092a864886f70d01010a3034a00f300d06096086480165030402030500a11c301a06092a864886f70d010108300d06096086480165030402030500a203020140',
};

/** The AlgorithmIdentifier bytes used for `hash` (exported for the test that checks them against OpenSSL's). */
export function pssAlgorithmIdentifier(hash: string): Buffer {
  return Buffer.from(PSS_ALGORITHM_IDENTIFIER[hash], 'hex');
}

/** The RSA private key as an RSASSA-PSS key bound to `hash`. */
function pssKeyFor(rsaPrivateKey: KeyObject, hash: string): KeyObject {
  const rsaPrivateKeyDer = rsaPrivateKey.export({ type: 'pkcs1', format: 'der' });
  const pkcs8 = tlv(DER.SEQUENCE, Buffer.from([DER.INTEGER, 1, 0]), pssAlgorithmIdentifier(hash), tlv(DER.OCTET_STRING, rsaPrivateKeyDer));
  try {
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } finally {
    rsaPrivateKeyDer.fill(0);
    pkcs8.fill(0);
  }
}

/** Signs `digest` (already checked to be the hash's length) with RSASSA-PSS. */
export function signPssDigest(rsaPrivateKey: KeyObject, hash: string, digest: Buffer): Buffer {
  return privateEncrypt({ key: pssKeyFor(rsaPrivateKey, hash), padding: constants.RSA_PKCS1_PSS_PADDING }, digest);
}

/** node-forge, loaded on the first PSS Verify over a digest (the only path that needs it). */
let forge: typeof Forge | undefined;
function forgeLibrary(): typeof Forge {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  forge ??= require('node-forge') as typeof Forge;
  return forge;
}

const FORGE_HASH = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' } as const;
/** KMS's PSS salt is the hash's length. */
const SALT_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Whether `signature` is an RSASSA-PSS signature (MGF1 with the same hash, salt = the hash length, as KMS signs)
 * over `digest` (already checked to be the hash's length) under the RSA public key. False, never an error, for a
 * signature that does not verify or is malformed (wrong length, out of range).
 */
export function verifyPssDigest(rsaPublicKey: KeyObject, hash: string, digest: Buffer, signature: Buffer): boolean {
  const lib = forgeLibrary();
  const name = FORGE_HASH[hash as keyof typeof FORGE_HASH];
  if (!name) throw new TypeError(`rsa-pss-digest: no hash ${hash}`);
  const publicKey = lib.pki.publicKeyFromPem(rsaPublicKey.export({ type: 'spki', format: 'pem' }).toString()) as Forge.pki.rsa.PublicKey;
  const pss = lib.pss.create({ md: lib.md[name].create(), mgf: lib.mgf.mgf1.create(lib.md[name].create()), saltLength: SALT_BYTES[hash] });
  try {
    return publicKey.verify(digest.toString('binary'), signature.toString('binary'), pss);
  } catch {
    return false;
  }
}
