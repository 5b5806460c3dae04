import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand, ListAliasesCommand,
  ListKeyRotationsCommand, ListKeysCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, UpdateAliasCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';

describe('key lifecycle', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());
  const newKey = async () => (await t.kms.send(new CreateKeyCommand({ Description: 'test' }))).KeyMetadata!.KeyId!;

  test('CreateKey, DescribeKey, ListKeys and UpdateKeyDescription', async () => {
    const keyId = await newKey();
    await t.kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'renamed' }));
    const { KeyMetadata } = await t.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(KeyMetadata).toEqual(expect.objectContaining({
      KeyId: keyId,
      AWSAccountId: '000000000000',
      Description: 'renamed',
      KeyState: 'Enabled',
      Enabled: true,
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyManager: 'CUSTOMER',
      Origin: 'AWS_KMS',
      MultiRegion: false,
    }));
    const { Keys } = await t.kms.send(new ListKeysCommand({}));
    expect(Keys!.map(k => k.KeyId)).toEqual([keyId]);
  });

  test('a disabled key refuses cryptography with DisabledException until enabled', async () => {
    const keyId = await newKey();
    await t.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') })))).name).toBe('DisabledException');
    await t.kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
  });

  test.each([6, 31])('a deletion window of %d days is refused', async (days) => {
    const keyId = await newKey();
    expect((await errorOf(t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: days })))).name).toBe('ValidationException');
  });

  test('a key pending deletion is KMSInvalidStateException; cancelling leaves it Disabled', async () => {
    const keyId = await newKey();
    const scheduled = await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    expect(scheduled.KeyState).toBe('PendingDeletion');
    expect(scheduled.PendingWindowInDays).toBe(7);
    expect(scheduled.DeletionDate!.getTime()).toBe(t.clock.now() + 7 * 86_400_000);
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') })))).name).toBe('KMSInvalidStateException');
    await t.kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('Disabled');
    expect((await errorOf(t.kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })))).name).toBe('KMSInvalidStateException');
  });

  test('when the window passes the key, its material and its aliases are gone', async () => {
    const keyId = await newKey();
    await t.kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: keyId }));
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    t.clock.advanceDays(6.9);
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe('PendingDeletion');
    t.clock.advanceDays(0.2);
    expect((await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name).toBe('NotFoundException');
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('InvalidCiphertextException');
    // (the predefined AWS aliases stay, unbound)
    expect((await t.kms.send(new ListAliasesCommand({}))).Aliases!.filter(a => !a.AliasName!.startsWith('alias/aws/'))).toEqual([]);
  });

  test('aliases resolve, move between keys, and alias/aws/ is reserved', async () => {
    const [a, b] = [await newKey(), await newKey()];
    await t.kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: a }));
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(a);
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: 'arn:aws:kms:eu-west-1:000000000000:alias/app' }))).KeyMetadata!.KeyId).toBe(a);
    expect((await errorOf(t.kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b })))).name).toBe('AlreadyExistsException');
    await t.kms.send(new UpdateAliasCommand({ AliasName: 'alias/app', TargetKeyId: b }));
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId).toBe(b);
    expect((await errorOf(t.kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/s3', TargetKeyId: a })))).name).toBe('InvalidAliasNameException');
    expect((await errorOf(t.kms.send(new CreateAliasCommand({ AliasName: 'no-prefix', TargetKeyId: a })))).name).toBe('ValidationException');
    await t.kms.send(new DeleteAliasCommand({ AliasName: 'alias/app' }));
    expect((await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' })))).name).toBe('NotFoundException');
  });

  test('aliases are per region', async () => {
    const keyId = await newKey();
    await t.kms.send(new CreateAliasCommand({ AliasName: 'alias/regional', TargetKeyId: keyId }));
    const us = t.client('us-east-1');
    expect((await errorOf(us.send(new DescribeKeyCommand({ KeyId: 'alias/regional' })))).name).toBe('NotFoundException');
  });

  test('automatic rotation adds material on schedule and old ciphertext still decrypts', async () => {
    const keyId = await newKey();
    const { CiphertextBlob: old } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('before') }));
    await t.kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const status = await t.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(status).toEqual(expect.objectContaining({ KeyRotationEnabled: true, RotationPeriodInDays: 90 }));
    t.clock.advanceDays(91);
    const { Rotations } = await t.kms.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    expect(Rotations!.map(r => r.RotationType)).toEqual(['AUTOMATIC']);
    const { CiphertextBlob: fresh } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('after') }));
    expect(Buffer.from(fresh!).subarray(38, 54).equals(Buffer.from(old!).subarray(38, 54))).toBe(false);
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('before');
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob: fresh }))).Plaintext)).toBe('after');
  });

  test.each([89, 2561])('a rotation period of %d days is refused', async (days) => {
    const keyId = await newKey();
    expect((await errorOf(t.kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: days })))).name).toBe('ValidationException');
  });

  test('on-demand rotation is listed; disabling rotation is reported', async () => {
    const keyId = await newKey();
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    expect((await t.kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!.map(r => r.RotationType)).toEqual(['ON_DEMAND']);
    await t.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await t.kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    expect((await t.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);
  });

  test('an unknown key is NotFoundException naming its ARN', async () => {
    const err = await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })));
    expect(err.name).toBe('NotFoundException');
    expect(err.message).toBe("Key 'arn:aws:kms:eu-west-1:000000000000:key/00000000-0000-0000-0000-000000000000' does not exist");
  });
});
