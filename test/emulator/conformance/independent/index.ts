import { execFileSync, spawnSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/**
 * Verifiers outside the emulator's own code paths, so the emulator cannot agree with itself by mistake:
 * OpenSSL's command line, pyca/cryptography (ML-DSA) and Go's crypto/ed25519 (Ed25519ph). Each reports why it is
 * missing instead of passing silently; a test that needs one skips with that reason.
 */
const HERE = __dirname;
const REPO = join(HERE, '../../../..');

function works(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/** A python with pyca/cryptography's ML-DSA (the clients' virtualenv first), or why there is none. */
export const PYTHON: { path?: string; missing?: string } = (() => {
  const candidates = [join(REPO, '.venv-clients/bin/python'), 'python3'];
  const path = candidates.find(p => (p === 'python3' || existsSync(p)) && works(p, ['-c', 'from cryptography.hazmat.primitives.asymmetric import mldsa']));
  return path ? { path } : { missing: 'no python with cryptography>=46 (ML-DSA): pip install cryptography' };
})();

export const OPENSSL = works('openssl', ['version']) ? {} : { missing: 'no openssl on PATH' };
export const GO = works('go', ['version']) ? {} : { missing: 'no go on PATH' };

const hex = (data: Uint8Array) => Buffer.from(data).toString('hex');

/** pyca/cryptography verifies a pure ML-DSA signature (empty context) under a SubjectPublicKeyInfo. */
export function pythonVerifiesMlDsa(spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return execFileSync(PYTHON.path!, [join(HERE, 'verify.py'), 'mldsa-verify', hex(spki), hex(message), hex(signature)]).toString().trim() === 'valid';
}

/** pyca/cryptography's reading of a PKCS#8 PEM: the public key it derives, as DER SubjectPublicKeyInfo. */
export function pythonPublicKeyOf(privateKeyPem: string): Buffer {
  return withTemp({ 'key.pem': privateKeyPem }, dir =>
    Buffer.from(execFileSync(PYTHON.path!, [join(HERE, 'verify.py'), 'mldsa-public', join(dir, 'key.pem')]).toString().trim(), 'hex'));
}

/** Go's crypto/ed25519 verifies an Ed25519ph signature over `message` (which it prehashes with SHA-512). */
export function goVerifiesEd25519ph(spki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const out = execFileSync('go', ['run', join(HERE, 'ed25519ph.go'), hex(spki), hex(message), hex(signature)]);
  return out.toString().trim() === 'valid';
}

/**
 * `openssl pkeyutl -verify` over a digest (no hashing: the input is the digest), with the DER public key; for
 * ECDSA on any curve OpenSSL knows, secp256k1 included.
 */
export function opensslVerifiesDigest(spki: Uint8Array, digest: Uint8Array, signature: Uint8Array, options: string[] = []): boolean {
  return withTemp({ 'key.der': spki, 'digest.bin': digest, 'sig.der': signature }, dir => {
    const result = spawnSync('openssl', ['pkeyutl', '-verify', '-pubin', '-keyform', 'DER', '-inkey', join(dir, 'key.der'), '-in', join(dir, 'digest.bin'),
      '-sigfile', join(dir, 'sig.der'), ...options]);
    return result.status === 0 && /Signature Verified Successfully/.test(result.stdout.toString());
  });
}

function withTemp<T>(files: Record<string, string | Uint8Array>, use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'gk-independent-'));
  try {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
