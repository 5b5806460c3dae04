import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateKeyCommand, DeriveSharedSecretCommand, GetPublicKeyCommand, KeySpec, KeyUsageType, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { kmsClientFor, startEmulator } from '../../../src/emulator';

/**
 * The journal replays a key only when every field is one it knows (journal-entry.ts): the new specs and the
 * KEY_AGREEMENT usage must be among them, or a restart would refuse the data directory.
 */
test('ML-DSA, Ed25519 and key-agreement keys survive a restart with their material', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-kinds-'));
  try {
    // GIVEN keys of each new kind, signed with (or agreed) before the restart
    const first = await startEmulator({ dataDir });
    const kms = kmsClientFor(first, { region: 'eu-west-1' });
    const made: Array<{ id: string; spec: KeySpec; usage: KeyUsageType; publicKey: Uint8Array; signature?: Uint8Array }> = [];
    const message = Buffer.from('before the restart');
    for (const [spec, usage] of [['ML_DSA_87', 'SIGN_VERIFY'], ['ECC_NIST_EDWARDS25519', 'SIGN_VERIFY'], ['ECC_NIST_P521', 'KEY_AGREEMENT']] as const) {
      const id = (await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: usage }))).KeyMetadata!.KeyId!;
      const publicKey = (await kms.send(new GetPublicKeyCommand({ KeyId: id }))).PublicKey!;
      const algorithm = spec === 'ML_DSA_87' ? 'ML_DSA_SHAKE_256' : 'ED25519_SHA_512';
      const signature = usage === 'SIGN_VERIFY' ? (await kms.send(new SignCommand({ KeyId: id, Message: message, SigningAlgorithm: algorithm }))).Signature : undefined;
      made.push({ id, spec, usage, publicKey, signature });
    }
    kms.destroy();
    await first.stop();

    // WHEN the emulator starts again on the same directory
    const second = await startEmulator({ dataDir });
    const again = kmsClientFor(second, { region: 'eu-west-1' });
    try {
      // THEN each key is there with the same public key, and old signatures verify
      for (const key of made) {
        const { PublicKey } = await again.send(new GetPublicKeyCommand({ KeyId: key.id }));
        expect(Buffer.from(PublicKey!).equals(Buffer.from(key.publicKey))).toBe(true);
        if (key.signature) {
          const SigningAlgorithm = key.spec === 'ML_DSA_87' ? 'ML_DSA_SHAKE_256' : 'ED25519_SHA_512';
          const verified = await again.send(new VerifyCommand({ KeyId: key.id, Message: message, Signature: key.signature, SigningAlgorithm }));
          expect(verified.SignatureValid).toBe(true);
        } else {
          const derived = await again.send(new DeriveSharedSecretCommand({ KeyId: key.id, KeyAgreementAlgorithm: 'ECDH', PublicKey: key.publicKey }));
          expect(derived.SharedSecret!.length).toBe(66);
        }
      }
    } finally {
      again.destroy();
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
