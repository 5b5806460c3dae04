import {
  constants, createHash, createHmac, diffieHellman, generateKeyPairSync, KeyObject, publicEncrypt, randomBytes,
  sign as nodeSign, verify as nodeVerify,
} from 'crypto';
import {
  CreateKeyCommand, CreateKeyCommandInput, DecryptCommand, DeleteImportedKeyMaterialCommand, DeriveSharedSecretCommand,
  DescribeKeyCommand, GenerateMacCommand, GetParametersForImportCommand, GetPublicKeyCommand, KMSClient, RotateKeyOnDemandCommand,
  SignCommand, VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';
import { importMaterial, ImportOptions } from './byok-wrap';

/**
 * Imported key material beyond symmetric keys (HMAC, RSA, ECC) and into multi-Region keys. The test makes the
 * material itself with node:crypto, so every result is checked against the material the test holds: the public key
 * KMS returns is the imported key's, KMS's signatures verify with node:crypto (and node's with KMS), KMS's MAC is
 * node's HMAC with the imported bytes, KMS decrypts what node encrypted, ECDH gives node's shared secret.
 * Multi-Region keys with imported material: imported-multi-region.test.ts.
 */
describe('imported key material of every kind KMS imports', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());

  const externalKey = async (input: CreateKeyCommandInput, kms: KMSClient = t.kms) =>
    (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...input }))).KeyMetadata!;
  const importInto = (keyId: string, material: Buffer, options: ImportOptions & { kms?: KMSClient } = {}) =>
    importMaterial(options.kms ?? t.kms, keyId, material, options);
  const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' });
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  const publicKeyOf = async (KeyId: string, kms: KMSClient = t.kms) => Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!);

  describe('HMAC', () => {
    test.each([
      ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28, 64], ['HMAC_256', 'HMAC_SHA_256', 'sha256', 32, 64],
      ['HMAC_384', 'HMAC_SHA_384', 'sha384', 48, 128], ['HMAC_512', 'HMAC_SHA_512', 'sha512', 64, 128],
    ] as const)('%s: GenerateMac (%s) is node\'s %s HMAC with the imported bytes, %s and %s bytes long; other lengths are refused', async (spec, algorithm, hash, min, max) => {
      for (const length of [min, max]) {
        // GIVEN an EXTERNAL HMAC key and our own bytes, imported (RSAES_OAEP_SHA_256 carries them)
        const key = await externalKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
        const material = randomBytes(length);
        await importInto(key.KeyId!, material, { algorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
        // WHEN KMS computes a MAC THEN it is node's HMAC with those bytes, and KMS verifies node's
        const message = bytes(`mac me ${length}`);
        const expected = createHmac(hash, material).update(message).digest();
        const { Mac } = await t.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: algorithm, Message: message }));
        expect(Buffer.from(Mac!)).toEqual(expected);
        const verified = await t.kms.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm: algorithm, Message: message, Mac: expected }));
        expect(verified.MacValid).toBe(true);
      }
      const key = await externalKey({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      for (const length of [min - 1, max + 1]) {
        expect(await errorOf(importInto(key.KeyId!, randomBytes(length)))).toMatchObject({
          name: 'IncorrectKeyMaterialException', message: `${spec} key material must be ${min} to ${max} bytes. Received: ${length} bytes.`,
        });
      }
    });

    test('the material is the key\'s for life: NEW_KEY_MATERIAL is refused, the same bytes come back after deletion', async () => {
      const key = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
      const material = randomBytes(32);
      const first = await importInto(key.KeyId!, material);
      const other = await errorOf(importInto(key.KeyId!, randomBytes(32), { extra: { ImportType: 'NEW_KEY_MATERIAL' } }));
      expect(other).toMatchObject({ name: 'IncorrectKeyMaterialException', message: expect.stringMatching(/KeySpec HMAC_256, whose key material cannot change after the first import/) });
      expect((await errorOf(t.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })))).name).toBe('UnsupportedOperationException');
      await t.kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
      expect((await errorOf(importInto(key.KeyId!, randomBytes(32)))).name).toBe('IncorrectKeyMaterialException');
      expect((await importInto(key.KeyId!, material)).KeyMaterialId).toBe(first.KeyMaterialId);
      const { Mac } = await t.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: bytes('again') }));
      expect(Buffer.from(Mac!)).toEqual(createHmac('sha256', material).update('again').digest());
    });
  });

  describe('RSA', () => {
    test('SIGN_VERIFY RSA_2048: GetPublicKey is the imported key\'s; KMS and node:crypto verify each other\'s PSS and PKCS#1 signatures, RAW and DIGEST', async () => {
      // GIVEN our own RSA key, imported as PKCS#8 under RSA_AES_KEY_WRAP_SHA_256 (RSA-OAEP alone cannot carry it)
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
      expect(await errorOf(t.kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' })))).toMatchObject({
        name: 'ValidationException', message: 'RSA private key material must be wrapped with RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256. Received: RSAES_OAEP_SHA_256',
      });
      await importInto(key.KeyId!, pkcs8(privateKey), { algorithm: 'RSA_AES_KEY_WRAP_SHA_1', wrappingKeySpec: 'RSA_2048' });
      expect(await publicKeyOf(key.KeyId!)).toEqual(spki(publicKey));

      const message = bytes('release manifest');
      const digest = createHash('sha256').update(message).digest();
      const pss = { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
      const verifyDigest = (Signature: Uint8Array, SigningAlgorithm: 'RSASSA_PSS_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_256', Message = digest) =>
        t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message, MessageType: 'DIGEST', Signature, SigningAlgorithm })).then(r => r.SignatureValid, (e: Error) => e.name);
      // WHEN node:crypto signs the RAW message with PSS THEN KMS verifies it given only the digest (and vice versa)
      expect(await verifyDigest(nodeSign('sha256', message, pss), 'RSASSA_PSS_SHA_256')).toBe(true);
      const kmsPss = (await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256' }))).Signature!;
      expect(nodeVerify('sha256', message, { ...pss, key: publicKey }, kmsPss)).toBe(true);
      // AND PKCS#1 v1.5 both ways
      expect(await verifyDigest(nodeSign('sha256', message, privateKey), 'RSASSA_PKCS1_V1_5_SHA_256')).toBe(true);
      const kmsPkcs1 = (await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }))).Signature!;
      expect(nodeVerify('sha256', message, publicKey, kmsPkcs1)).toBe(true);
      // AND a PSS signature with another salt length, over another digest, or with a flipped byte fails as KMS fails it
      expect(await verifyDigest(nodeSign('sha256', message, { ...pss, saltLength: 20 }), 'RSASSA_PSS_SHA_256')).toBe('KMSInvalidSignatureException');
      expect(await verifyDigest(nodeSign('sha256', message, { ...pss, saltLength: 0 }), 'RSASSA_PSS_SHA_256')).toBe('KMSInvalidSignatureException');
      expect(await verifyDigest(nodeSign('sha256', message, pss), 'RSASSA_PSS_SHA_256', createHash('sha256').update('other').digest())).toBe('KMSInvalidSignatureException');
      const flipped = Buffer.from(nodeSign('sha256', message, pss));
      flipped[100] = flipped[100] === 0 ? 1 : 0;
      expect(await verifyDigest(flipped, 'RSASSA_PSS_SHA_256')).toBe('KMSInvalidSignatureException');
    });

    test('ENCRYPT_DECRYPT: KMS decrypts what node:crypto encrypted to the imported key', async () => {
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const key = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      await importInto(key.KeyId!, pkcs8(privateKey));
      const ciphertext = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, bytes('sealed offline'));
      const { Plaintext } = await t.kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
      expect(text(Plaintext)).toBe('sealed offline');
    });
  });

  describe('ECC', () => {
    test.each([
      ['ECC_NIST_P256', 'prime256v1', 'ECDSA_SHA_256', 'sha256'], ['ECC_NIST_P384', 'secp384r1', 'ECDSA_SHA_384', 'sha384'],
      ['ECC_NIST_P521', 'secp521r1', 'ECDSA_SHA_512', 'sha512'], ['ECC_SECG_P256K1', 'secp256k1', 'ECDSA_SHA_256', 'sha256'],
    ] as const)('%s SIGN_VERIFY: GetPublicKey is the imported key\'s; KMS\'s DIGEST signature verifies with node, node\'s with KMS', async (spec, curve, algorithm, hash) => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const key = await externalKey({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      await importInto(key.KeyId!, pkcs8(privateKey), { algorithm: spec === 'ECC_NIST_P521' ? 'RSA_AES_KEY_WRAP_SHA_256' : 'RSAES_OAEP_SHA_256' });
      expect(await publicKeyOf(key.KeyId!)).toEqual(spki(publicKey));
      const message = bytes(`signed by ${spec}`);
      const digest = createHash(hash).update(message).digest();
      const signature = (await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: algorithm }))).Signature!;
      expect(nodeVerify(hash, message, { key: publicKey, dsaEncoding: 'der' }, signature)).toBe(true);
      const nodes = nodeSign(hash, message, { key: privateKey, dsaEncoding: 'der' });
      const verified = await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature: nodes, SigningAlgorithm: algorithm }));
      expect(verified.SignatureValid).toBe(true);
    });

    test('P-521 cannot travel by RSA-OAEP under an RSA_2048 wrapping key (KMS\'s rule); under RSA_3072 it can', async () => {
      const key = await externalKey({ KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
      const refused = await errorOf(t.kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' })));
      expect(refused).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^ECC_NIST_P521 key material cannot be wrapped with RSAES_OAEP_SHA_1 under an RSA_2048/) });
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
      await importInto(key.KeyId!, pkcs8(privateKey), { algorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_3072' });
      expect((await t.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Enabled');
    });

    test('KEY_AGREEMENT P-384: DeriveSharedSecret is the secret node derives with the imported private key', async () => {
      const ours = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
      const key = await externalKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' });
      await importInto(key.KeyId!, pkcs8(ours.privateKey));
      const { SharedSecret, KeyOrigin } = await t.kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: spki(peer.publicKey) }));
      expect(KeyOrigin).toBe('EXTERNAL');
      expect(Buffer.from(SharedSecret!)).toEqual(diffieHellman({ privateKey: peer.privateKey, publicKey: ours.publicKey }));
    });
  });

  test('material that does not fit the key spec is IncorrectKeyMaterialException; the key stays PendingImport', async () => {
    const rsa = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(await errorOf(importInto(rsa.KeyId!, pkcs8(rsa1024)))).toMatchObject({
      name: 'IncorrectKeyMaterialException', message: 'The key material is not a private key of KeySpec RSA_2048. Received: an RSA key of 1024 bits',
    });
    const p256 = await externalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    expect((await errorOf(importInto(p256.KeyId!, pkcs8(p384)))).message).toBe('The key material is not a private key of KeySpec ECC_NIST_P256. Received: an EC key on secp384r1');
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect((await errorOf(importInto(p256.KeyId!, pkcs8(ed)))).message).toBe('The key material is not a private key of KeySpec ECC_NIST_P256. Received: a key of type ed25519');
    // a SEC1 (not PKCS#8) EC key, and random bytes
    const sec1 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'sec1', format: 'der' });
    for (const material of [sec1, randomBytes(64)]) {
      expect(await errorOf(importInto(p256.KeyId!, material))).toMatchObject({
        name: 'IncorrectKeyMaterialException', message: 'Asymmetric key material must be a DER-encoded PKCS#8 private key.',
      });
    }
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: p256.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
    expect((await errorOf(externalKey({ KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' }))).name).toBe('UnsupportedOperationException');
  });
});
