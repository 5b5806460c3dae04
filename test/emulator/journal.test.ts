import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { errorOf } from './support';
import { kmsClientFor, ManualClock, startEmulator } from '../../src/emulator';

/**
 * What changed in memory is journaled even when the request that triggered it fails: a rotation that came due while
 * a failing request was served must still be on disk when a later request encrypts with the new material.
 */
describe('journal consistency', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'guarded-keys-journal-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('a rotation applied during a failed request survives a restart', async () => {
    const clock = new ManualClock();
    let emulator = await startEmulator({ clock, dataDir });
    let kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    clock.advanceDays(91);
    // WHEN the first request after the rotation came due fails
    expect((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })))).name).toBe('NotFoundException');
    // AND the next one encrypts with the rotated material
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after rotation') }));
    kms.destroy();
    await emulator.stop();

    // THEN after a restart the ciphertext still decrypts
    emulator = await startEmulator({ clock, dataDir });
    kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    try {
      const out = await kms.send(new DecryptCommand({ CiphertextBlob }));
      expect(Buffer.from(out.Plaintext!).toString()).toBe('after rotation');
    } finally {
      kms.destroy();
      await emulator.stop();
    }
  });
});
