import { createPublicKey, randomBytes } from 'crypto';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  AlgorithmSpec, CancelKeyDeletionCommand, CreateKeyCommand, EnableKeyCommand, ScheduleKeyDeletionCommand,
  DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand,
  GetParametersForImportCommand, ImportKeyMaterialCommand, ImportKeyMaterialCommandInput, KMSClient, ListKeyRotationsCommand,
  RotateKeyOnDemandCommand, WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';
import { importMaterial, wrap } from './byok-wrap';

const DAY = 24 * 60 * 60 * 1000;

describe('imported key material (BYOK)', () => {
  let t: TestEmulator;
  let kms: KMSClient;
  beforeEach(async () => {
    t = await startTestEmulator();
    kms = t.kms;
  });
  afterEach(() => t.emulator.stop());

  const externalKey = async () => (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
  const stateOf = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
  const importInto = (keyId: string, material: Buffer, extra: Partial<ImportKeyMaterialCommandInput> = {}, algorithm: AlgorithmSpec = 'RSAES_OAEP_SHA_256') =>
    importMaterial(kms, keyId, material, { algorithm, extra });

  test('CreateKey Origin EXTERNAL: PendingImport, no material, unusable until the import', async () => {
    const key = await externalKey();
    expect(key).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
    expect(key.CurrentKeyMaterialId).toBeUndefined();
    const error = await errorOf(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })));
    expect(error).toMatchObject({ name: 'KMSInvalidStateException', message: `${key.Arn} is pending import.` });
  });

  test.each<[AlgorithmSpec, WrappingKeySpec]>([
    ['RSAES_OAEP_SHA_1', 'RSA_2048'],
    ['RSAES_OAEP_SHA_256', 'RSA_2048'],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048'],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072'],
    ['RSAES_OAEP_SHA_256', 'RSA_4096'],
  ])('material wrapped by node:crypto with %s under an %s public key imports, and the key encrypts and decrypts', async (algorithm, spec) => {
    // GIVEN an EXTERNAL key and its import parameters
    const key = await externalKey();
    const params = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }));
    expect(params.KeyId).toBe(key.Arn);
    expect(params.ParametersValidTo!.getTime()).toBe(t.clock.now() + DAY);
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));

    // WHEN 256 bits of our own material are wrapped (node:crypto) and imported
    const material = randomBytes(32);
    const imported = await kms.send(new ImportKeyMaterialCommand({
      KeyId: key.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrap(params.PublicKey!, algorithm, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }));

    // THEN the key is Enabled with that material current, and works
    expect(imported.KeyId).toBe(key.Arn);
    expect(await stateOf(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: imported.KeyMaterialId });
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('bring your own key') }));
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('bring your own key');
  });

  test('expiry: at ValidTo the material is deleted (PendingImport); re-importing the same material makes old ciphertext decrypt', async () => {
    // GIVEN material valid for one day, and ciphertext made under it
    const key = await externalKey();
    const material = randomBytes(32);
    await importInto(key.KeyId!, material, { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(t.clock.now() + DAY) });
    expect(await stateOf(key.KeyId!)).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(t.clock.now() + DAY) });
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('before expiry') }));

    // WHEN the day passes (a millisecond before, it still works)
    t.clock.advance(DAY - 1);
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    t.clock.advance(1);

    // THEN the key is PendingImport and decrypts nothing
    expect((await stateOf(key.KeyId!)).KeyState).toBe('PendingImport');
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('KMSInvalidStateException');

    // WHEN other material is imported: refused; the same material: the old ciphertext decrypts
    expect((await errorOf(importInto(key.KeyId!, randomBytes(32)))).name).toBe('IncorrectKeyMaterialException');
    await importInto(key.KeyId!, material, {}, 'RSA_AES_KEY_WRAP_SHA_256');
    expect((await stateOf(key.KeyId!)).KeyState).toBe('Enabled');
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('before expiry');
  });

  test('DeleteImportedKeyMaterial: PendingImport until the same material comes back', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const first = await importInto(key.KeyId!, material);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('kept') }));

    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    expect(deleted).toMatchObject({ KeyId: key.Arn, KeyMaterialId: first.KeyMaterialId });
    expect((await stateOf(key.KeyId!)).KeyState).toBe('PendingImport');
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('KMSInvalidStateException');

    const again = await importInto(key.KeyId!, material, { KeyMaterialId: first.KeyMaterialId });
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('kept');
  });

  test('on-demand rotation of imported material: NEW_KEY_MATERIAL waits as PENDING_ROTATION, RotateKeyOnDemand makes it current', async () => {
    // GIVEN a key with its first material and ciphertext under it
    const key = await externalKey();
    const first = await importInto(key.KeyId!, randomBytes(32));
    const { CiphertextBlob: old } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('old') }));
    expect((await errorOf(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('KMSInvalidStateException');
    expect((await errorOf(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })))).name).toBe('UnsupportedOperationException');

    // WHEN new material is imported as NEW_KEY_MATERIAL
    const second = await importInto(key.KeyId!, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
    const listed = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(listed.map(r => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState])).toEqual([
      [first.KeyMaterialId, 'CURRENT', 'IMPORTED'], [second.KeyMaterialId, 'PENDING_ROTATION', 'IMPORTED'],
    ]);
    // (still encrypting under the first)
    expect((await stateOf(key.KeyId!)).CurrentKeyMaterialId).toBe(first.KeyMaterialId);

    // THEN RotateKeyOnDemand switches to it; old ciphertext still decrypts
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    expect((await stateOf(key.KeyId!)).CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    const { CiphertextBlob: fresh } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('new') }));
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext)).toBe('old');
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: fresh }))).Plaintext)).toBe('new');

    // AND deleting the old (non-current) material leaves the key usable, but the old ciphertext no longer decrypts
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: first.KeyMaterialId }));
    expect((await stateOf(key.KeyId!)).KeyState).toBe('Enabled');
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: old })))).name).toBe('KMSInvalidStateException');
    expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: fresh }))).Plaintext)).toBe('new');
  });

  test('an imported key whose material expired while pending deletion stays unusable after CancelKeyDeletion and EnableKey', async () => {
    // (regression: the key came back Enabled without material, and Encrypt failed as an internal error)
    const key = await externalKey();
    await importInto(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: new Date(t.clock.now() + DAY) });
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    t.clock.advance(2 * DAY);
    expect((await stateOf(key.KeyId!)).KeyState).toBe('PendingDeletion');
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(await errorOf(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })))).toMatchObject({
      name: 'KMSInvalidStateException', message: `${key.Arn} is pending import.`,
    });
  });

  describe('refusals', () => {
    test('a token from an earlier request, an expired token, garbage, the wrong size', async () => {
      const key = await externalKey();
      const material = randomBytes(32);
      const older = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      const params = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
      const input = (p: typeof params, encrypted: Buffer) => new ImportKeyMaterialCommand({
        KeyId: key.KeyId, ImportToken: p.ImportToken, EncryptedKeyMaterial: encrypted, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      });
      expect((await errorOf(kms.send(input(older, wrap(older.PublicKey!, 'RSAES_OAEP_SHA_256', material))))).name).toBe('InvalidImportTokenException');
      expect((await errorOf(kms.send(input(params, randomBytes(256))))).name).toBe('InvalidCiphertextException');
      expect((await errorOf(kms.send(input(params, wrap(params.PublicKey!, 'RSAES_OAEP_SHA_1', material))))).name).toBe('InvalidCiphertextException');
      expect(await errorOf(kms.send(input(params, wrap(params.PublicKey!, 'RSAES_OAEP_SHA_256', randomBytes(16)))))).toMatchObject({
        name: 'IncorrectKeyMaterialException', message: 'Symmetric key material must be 32 bytes. Received: 16 bytes.',
      });
      t.clock.advance(DAY);
      expect((await errorOf(kms.send(input(params, wrap(params.PublicKey!, 'RSAES_OAEP_SHA_256', material))))).name).toBe('ExpiredImportTokenException');
      expect((await stateOf(key.KeyId!)).KeyState).toBe('PendingImport');
    });

    test('ValidTo rules; import into an AWS_KMS key; EXTERNAL for a key spec whose material is not imported', async () => {
      const key = await externalKey();
      const expires = (validTo?: Date) => errorOf(importInto(key.KeyId!, randomBytes(32), { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }));
      expect((await expires(undefined)).message).toBe('ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.');
      expect((await expires(new Date(t.clock.now()))).message).toMatch(/^ValidTo must be in the future and at most 365 days from now/);
      expect((await expires(new Date(t.clock.now() + 366 * DAY))).name).toBe('ValidationException');
      const both = await errorOf(importInto(key.KeyId!, randomBytes(32), { ValidTo: new Date(t.clock.now() + DAY) }));
      expect(both.message).toBe('ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.');

      const own = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const refused = await errorOf(kms.send(new GetParametersForImportCommand({ KeyId: own.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })));
      expect(refused).toMatchObject({ name: 'UnsupportedOperationException' });
      const mlDsa = await errorOf(kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' })));
      expect(mlDsa).toMatchObject({ name: 'UnsupportedOperationException', message: 'The emulator does not import key material for KeySpec ML_DSA_65.' });
    });
  });
});

describe('imported key material across a restart', () => {
  test('the wrapping key and the imported material are journaled: import after a restart, decrypt after another', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gk-byok-'));
    try {
      let t = await startTestEmulator({ dataDir: dir });
      const key = (await t.kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
      const params = await t.kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_1', WrappingKeySpec: 'RSA_2048' }));
      await t.emulator.stop();

      t = await startTestEmulator({ dataDir: dir });
      await t.kms.send(new ImportKeyMaterialCommand({
        KeyId: key.KeyId,
        ImportToken: params.ImportToken,
        EncryptedKeyMaterial: wrap(params.PublicKey!, 'RSA_AES_KEY_WRAP_SHA_1', randomBytes(32)),
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: new Date(t.clock.now() + 10 * DAY),
      }));
      const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('durable') }));
      await t.emulator.stop();

      t = await startTestEmulator({ dataDir: dir });
      expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('durable');
      await t.emulator.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
