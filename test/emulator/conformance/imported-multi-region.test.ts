import { createPublicKey, generateKeyPairSync, KeyObject, randomBytes, verify as nodeVerify } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CreateKeyCommand, CreateKeyCommandInput, DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EncryptCommand, GetPublicKeyCommand,
  KMSClient, ReplicateKeyCommand, RotateKeyOnDemandCommand, SignCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';
import { importMaterial, ImportOptions } from './byok-wrap';

const DAY = 24 * 60 * 60 * 1000;

/**
 * Imported key material in multi-Region keys, as KMS has it: KMS does not copy it to replicas, each replica takes the
 * same material as its primary (new material goes to the primary first), and expiry is per region.
 * @see https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-import.html
 */
describe('imported key material in multi-Region keys', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());

  const externalKey = async (input: CreateKeyCommandInput) => (await t.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...input }))).KeyMetadata!;
  const importInto = (keyId: string, material: Buffer, options: ImportOptions & { kms?: KMSClient } = {}) =>
    importMaterial(options.kms ?? t.kms, keyId, material, options);
  const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' });
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  const publicKeyOf = async (KeyId: string, kms: KMSClient = t.kms) => Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!);

  test('symmetric: the replica starts PendingImport, takes only its primary\'s material, and then decrypts the primary\'s ciphertext', async () => {
    // GIVEN an EXTERNAL multi-Region primary with our material, and ciphertext under it
    const primary = await externalKey({ MultiRegion: true });
    expect(primary.KeyId).toMatch(/^mrk-/);
    const material = randomBytes(32);
    const imported = await importInto(primary.KeyId!, material);
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: bytes('portable') }));
    // WHEN it is replicated THEN the replica has no material until it is imported there too (KMS does not copy it)
    await t.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1' }));
    const us = t.client('us-east-1');
    expect((await us.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL' });
    expect((await errorOf(us.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('KMSInvalidStateException');
    // AND other material is refused, the primary's accepted with the same material id
    expect(await errorOf(importInto(primary.KeyId!, randomBytes(32), { kms: us }))).toMatchObject({
      name: 'IncorrectKeyMaterialException', message: 'The key material is not key material of this replica\'s primary key; a replica takes only the material imported into its primary.',
    });
    expect((await importInto(primary.KeyId!, material, { kms: us })).KeyMaterialId).toBe(imported.KeyMaterialId);
    expect(text((await us.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('portable');
    const back = await us.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: bytes('and back') }));
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }))).Plaintext)).toBe('and back');
  });

  test('new material goes to the primary; rotation waits until every replica has it; then both regions use it', async () => {
    // GIVEN a primary and its replica, both with the first material
    const primary = await externalKey({ MultiRegion: true });
    const first = randomBytes(32);
    await importInto(primary.KeyId!, first);
    await t.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1' }));
    const us = t.client('us-east-1');
    await importInto(primary.KeyId!, first, { kms: us });
    const { CiphertextBlob: old } = await us.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: bytes('old') }));
    // WHEN new material is imported into the replica THEN refused: it goes to the primary
    const next = randomBytes(32);
    expect(await errorOf(importInto(primary.KeyId!, next, { kms: us, extra: { ImportType: 'NEW_KEY_MATERIAL' } }))).toMatchObject({
      name: 'ValidationException', message: expect.stringMatching(/^New key material can be imported only into the primary key arn:aws:kms:eu-west-1:/),
    });
    const staged = await importInto(primary.KeyId!, next, { extra: { ImportType: 'NEW_KEY_MATERIAL' } });
    expect(await errorOf(t.kms.send(new RotateKeyOnDemandCommand({ KeyId: primary.KeyId })))).toMatchObject({
      name: 'KMSInvalidStateException', message: expect.stringMatching(/^arn:aws:kms:us-east-1:000000000000:key\/mrk-\w+ does not have the key material pending rotation/),
    });
    expect((await importInto(primary.KeyId!, next, { kms: us })).KeyMaterialId).toBe(staged.KeyMaterialId);
    // (deleting it from the replica leaves the replica awaiting it again, and rotation waiting)
    await us.send(new DeleteImportedKeyMaterialCommand({ KeyId: primary.KeyId, KeyMaterialId: staged.KeyMaterialId }));
    expect((await errorOf(t.kms.send(new RotateKeyOnDemandCommand({ KeyId: primary.KeyId })))).name).toBe('KMSInvalidStateException');
    await importInto(primary.KeyId!, next, { kms: us });
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: primary.KeyId }));
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(staged.KeyMaterialId);
    expect((await us.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.CurrentKeyMaterialId).toBe(staged.KeyMaterialId);
    // AND the replica's old ciphertext decrypts in the primary's region, new ciphertext in the replica's
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('old');
    const fresh = await t.kms.send(new EncryptCommand({ KeyId: primary.KeyId, Plaintext: bytes('new') }));
    expect(text((await us.send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }))).Plaintext)).toBe('new');
  });

  test('ECC: the replica takes the same private key, GetPublicKey agrees in both regions; expiry in one region leaves the other alone', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const primary = await externalKey({ MultiRegion: true, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await importInto(primary.KeyId!, pkcs8(privateKey), { extra: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(t.clock.now() + DAY) } });
    await t.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'ap-southeast-2' }));
    const ap = t.client('ap-southeast-2');
    await importInto(primary.KeyId!, pkcs8(privateKey), { kms: ap });
    expect(await publicKeyOf(primary.KeyId!, ap)).toEqual(spki(publicKey));
    expect(await publicKeyOf(primary.KeyId!)).toEqual(spki(publicKey));
    t.clock.advance(DAY);
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
    expect((await ap.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    const message = bytes('still signing in ap-southeast-2');
    const { Signature } = await ap.send(new SignCommand({ KeyId: primary.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(nodeVerify('sha256', message, createPublicKey({ key: spki(publicKey), format: 'der', type: 'spki' }), Signature!)).toBe(true);
  });
});

describe('imported key material in multi-Region keys across restarts', () => {
  test('a replica awaiting its primary\'s material, and an imported ECC key in both regions, are journaled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-byok-mrk-'));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    try {
      // GIVEN an imported primary and its replica, still PendingImport, when the emulator stops
      let t = await startTestEmulator({ dataDir: dir });
      const key = (await t.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true, KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
      await importMaterial(t.kms, key.KeyId!, pkcs8);
      await t.kms.send(new ReplicateKeyCommand({ KeyId: key.KeyId, ReplicaRegion: 'us-west-2' }));
      await t.emulator.stop();
      // WHEN it restarts THEN the replica still takes only the primary's key, and does
      t = await startTestEmulator({ dataDir: dir });
      const other = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'der' });
      expect((await errorOf(importMaterial(t.client('us-west-2'), key.KeyId!, other))).name).toBe('IncorrectKeyMaterialException');
      await importMaterial(t.client('us-west-2'), key.KeyId!, pkcs8);
      await t.emulator.stop();
      // AND after another restart both regions give the imported public key
      t = await startTestEmulator({ dataDir: dir });
      for (const kms of [t.kms, t.client('us-west-2')]) {
        expect(Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!)).toEqual(spki);
      }
      await t.emulator.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
