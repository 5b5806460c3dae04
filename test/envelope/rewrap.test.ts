import { CreateKeyCommand, DisableKeyCommand, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { countingKms, envelopeFixture, EnvelopeFixture, text } from './support';
import { kmsClientFor } from '../../src/emulator';
import { inspect, KmsAccessError, open, rewrap, seal } from '../../src/envelope';

describe('rewrap', () => {
  let f: EnvelopeFixture;
  beforeEach(async () => { f = await envelopeFixture(); });
  afterEach(() => f.stop());

  test('moves the envelope to the new key only: it opens with the old key disabled', async () => {
    const envelope = await seal(text('move me'), { keyIds: [f.keyA], encryptionContext: { app: 'x' }, kms: f.kms });
    const counting = countingKms(f.kms);
    const moved = await rewrap(envelope, { toKeyId: f.keyB, kms: counting.kms });
    expect(counting.calls).toEqual({ ReEncrypt: 1 });
    expect(inspect(moved).wrappedKeys.map(w => w.keyId)).toEqual([f.keyB]);
    await f.kms.send(new DisableKeyCommand({ KeyId: f.keyA }));
    const opened = await open(moved, { kms: f.kms });
    expect(opened.keyId).toBe(f.keyB);
    expect(opened.plaintext).toEqual(text('move me'));
    await expect(open(envelope, { kms: f.kms })).rejects.toBeInstanceOf(KmsAccessError);
  });

  test('keepExisting leaves the old wrapped key beside the new one', async () => {
    const envelope = await seal(text('both'), { keyIds: [f.keyA], kms: f.kms });
    const moved = await rewrap(envelope, { toKeyId: f.keyB, kms: f.kms, keepExisting: true });
    expect(inspect(moved).wrappedKeys.map(w => w.keyId)).toEqual([f.keyA, f.keyB]);
  });

  test('one ReEncrypt whatever the payload size', async () => {
    const big = await seal(new Uint8Array(2 * 1024 * 1024), { keyIds: [f.keyA], kms: f.kms });
    const counting = countingKms(f.kms);
    await rewrap(big, { toKeyId: f.keyB, kms: counting.kms });
    expect(counting.calls).toEqual({ ReEncrypt: 1 });
  });
});

describe('multi-Region keys', () => {
  test('an envelope sealed under an mrk- primary opens in the replica\'s region', async () => {
    const f = await envelopeFixture('eu-west-1');
    const us = kmsClientFor(f.emulator, { region: 'us-east-1' });
    try {
      const primary = (await f.kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata!;
      await f.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1' }));
      const envelope = await seal(text('everywhere'), { keyIds: [primary.Arn!], encryptionContext: { r: '1' }, kms: f.kms });
      const opened = await open(envelope, { kms: us });
      expect(opened.plaintext).toEqual(text('everywhere'));
    } finally {
      us.destroy();
      await f.stop();
    }
  });
});
