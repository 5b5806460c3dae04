import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, UpdatePrimaryRegionCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';

describe('multi-Region keys', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());

  test('a primary has an mrk- id; its replica shares id and material, so ciphertext is portable both ways', async () => {
    const { KeyMetadata } = await t.kms.send(new CreateKeyCommand({ MultiRegion: true }));
    expect(KeyMetadata!.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    const replica = await t.kms.send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: 'us-east-1', Description: 'dr' }));
    expect(replica.ReplicaKeyMetadata!.Arn).toBe(`arn:aws:kms:us-east-1:000000000000:key/${KeyMetadata!.KeyId}`);
    const us = t.client('us-east-1');
    const fromPrimary = await t.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: bytes('eu'), EncryptionContext: { a: 'b' } }));
    expect(text((await us.send(new DecryptCommand({ CiphertextBlob: fromPrimary.CiphertextBlob, EncryptionContext: { a: 'b' } }))).Plaintext)).toBe('eu');
    const fromReplica = await us.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: bytes('us') }));
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob: fromReplica.CiphertextBlob }))).Plaintext)).toBe('us');
  });

  test('DescribeKey shows the multi-Region configuration from either region', async () => {
    const { KeyMetadata } = await t.kms.send(new CreateKeyCommand({ MultiRegion: true }));
    await t.kms.send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: 'us-east-1' }));
    const us = t.client('us-east-1');
    const config = (await us.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!.MultiRegionConfiguration!;
    expect(config.MultiRegionKeyType).toBe('REPLICA');
    expect(config.PrimaryKey).toEqual({ Arn: KeyMetadata!.Arn, Region: 'eu-west-1' });
    expect(config.ReplicaKeys).toEqual([{ Arn: `arn:aws:kms:us-east-1:000000000000:key/${KeyMetadata!.KeyId}`, Region: 'us-east-1' }]);
  });

  test('rotation happens on the primary and reaches the replica; replicas refuse rotation settings', async () => {
    const { KeyMetadata } = await t.kms.send(new CreateKeyCommand({ MultiRegion: true }));
    await t.kms.send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: 'us-east-1' }));
    const us = t.client('us-east-1');
    expect((await errorOf(us.send(new EnableKeyRotationCommand({ KeyId: KeyMetadata!.KeyId })))).name).toBe('UnsupportedOperationException');
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId }));
    const rotated = await t.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: bytes('new material') }));
    expect(text((await us.send(new DecryptCommand({ CiphertextBlob: rotated.CiphertextBlob }))).Plaintext)).toBe('new material');
  });

  test('a single-Region key cannot be replicated; a region cannot be replicated twice', async () => {
    const single = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId;
    expect((await errorOf(t.kms.send(new ReplicateKeyCommand({ KeyId: single, ReplicaRegion: 'us-east-1' })))).name).toBe('UnsupportedOperationException');
    const mrk = (await t.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId;
    await t.kms.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
    expect((await errorOf(t.kms.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' })))).name).toBe('AlreadyExistsException');
  });

  test('a primary with replicas cannot be scheduled for deletion; UpdatePrimaryRegion swaps the roles', async () => {
    const mrk = (await t.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!.KeyId!;
    await t.kms.send(new ReplicateKeyCommand({ KeyId: mrk, ReplicaRegion: 'us-east-1' }));
    expect((await errorOf(t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: mrk })))).name).toBe('KMSInvalidStateException');
    await t.kms.send(new UpdatePrimaryRegionCommand({ KeyId: mrk, PrimaryRegion: 'us-east-1' }));
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: mrk }))).KeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType).toBe('REPLICA');
    await t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: mrk, PendingWindowInDays: 7 }));
  });
});
