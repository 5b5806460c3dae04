import { createHash, createPublicKey, publicEncrypt, constants, verify as nodeVerify } from 'crypto';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyPairCommand, GenerateMacCommand, GetPublicKeyCommand,
  KeySpec, SignCommand, VerifyCommand, VerifyMacCommand, SigningAlgorithmSpec, DecryptCommandInput,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';

describe('asymmetric and HMAC keys', () => {
  let t: TestEmulator;
  beforeAll(async () => { t = await startTestEmulator(); });
  afterAll(() => t.emulator.stop());
  const create = async (spec: KeySpec, KeyUsage: 'SIGN_VERIFY' | 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC') =>
    (await t.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage }))).KeyMetadata!;

  test.each([
    ['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384'], ['RSA_4096', 'RSASSA_PSS_SHA_512'],
    ['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['ECC_NIST_P521', 'ECDSA_SHA_512'], ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
  ] as Array<[KeySpec, SigningAlgorithmSpec]>)('%s signs with %s; the public key verifies it outside KMS', async (spec, algorithm) => {
    const key = await create(spec, 'SIGN_VERIFY');
    expect(key.SigningAlgorithms).toContain(algorithm);
    const message = bytes('release v1.2.3');
    const { Signature } = await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }));
    const verified = await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: message, Signature, SigningAlgorithm: algorithm }));
    expect(verified.SignatureValid).toBe(true);
    const { PublicKey } = await t.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' });
    const hash = `sha${algorithm.slice(-3)}`;
    const options = algorithm.startsWith('RSASSA_PSS') ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(-3)) / 8 }
      : algorithm.startsWith('RSASSA_PKCS1') ? { key: publicKey, padding: constants.RSA_PKCS1_PADDING } : { key: publicKey, dsaEncoding: 'der' as const };
    expect(nodeVerify(hash, message, options, Buffer.from(Signature!))).toBe(true);
  });

  test('a signature over another message is KMSInvalidSignatureException', async () => {
    const key = await create('ECC_NIST_P256', 'SIGN_VERIFY');
    const { Signature } = await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: bytes('a'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    const err = await errorOf(t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: bytes('b'), Signature, SigningAlgorithm: 'ECDSA_SHA_256' })));
    expect(err.name).toBe('KMSInvalidSignatureException');
  });

  test('MessageType DIGEST with RSASSA_PKCS1 signs the caller\'s digest', async () => {
    const key = await create('RSA_2048', 'SIGN_VERIFY');
    const digest = createHash('sha256').update('payload').digest();
    const { Signature } = await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
    const raw = await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message: bytes('payload'), MessageType: 'RAW', Signature, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }));
    expect(raw.SignatureValid).toBe(true);
    const short = await errorOf(t.kms.send(new SignCommand({ KeyId: key.KeyId, Message: digest.subarray(1), MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })));
    expect(short.name).toBe('ValidationException');
  });

  test('usage is enforced: a signing key cannot encrypt, a symmetric key cannot sign, a P-256 key refuses SHA-384', async () => {
    const signing = await create('ECC_NIST_P256', 'SIGN_VERIFY');
    const symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: signing.KeyId, Plaintext: bytes('x') })))).name).toBe('InvalidKeyUsageException');
    expect((await errorOf(t.kms.send(new SignCommand({ KeyId: symmetric.KeyId, Message: bytes('x'), SigningAlgorithm: 'ECDSA_SHA_256' })))).name).toBe('InvalidKeyUsageException');
    expect((await errorOf(t.kms.send(new SignCommand({ KeyId: signing.KeyId, Message: bytes('x'), SigningAlgorithm: 'ECDSA_SHA_384' })))).name).toBe('InvalidKeyUsageException');
    expect((await errorOf(t.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })))).name).toBe('ValidationException');
  });

  test('RSA encryption: OAEP in KMS, and offline with the public key, both decrypt in KMS', async () => {
    const key = await create('RSA_3072', 'ENCRYPT_DECRYPT');
    expect(key.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('rsa'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    const input: DecryptCommandInput = { KeyId: key.KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' };
    expect(Buffer.from((await t.kms.send(new DecryptCommand(input))).Plaintext!).toString()).toBe('rsa');
    const { PublicKey } = await t.kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    const offline = publicEncrypt({ key: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, bytes('offline'));
    const back = await t.kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: offline, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }));
    expect(Buffer.from(back.Plaintext!).toString()).toBe('offline');
    const tooLong = await errorOf(t.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.alloc(319), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })));
    expect(tooLong.name).toBe('ValidationException');
  });

  test.each(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as KeySpec[])('%s generates and verifies MACs; a wrong MAC is KMSInvalidMacException', async (spec) => {
    const key = await create(spec, 'GENERATE_VERIFY_MAC');
    const algorithm = key.MacAlgorithms![0];
    expect(algorithm).toBe(`HMAC_SHA_${spec.slice(-3)}`);
    const { Mac } = await t.kms.send(new GenerateMacCommand({ KeyId: key.KeyId, Message: bytes('m'), MacAlgorithm: algorithm }));
    expect((await t.kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: bytes('m'), Mac, MacAlgorithm: algorithm }))).MacValid).toBe(true);
    const wrong = Buffer.from(Mac!);
    wrong[0] = wrong[0] === 0 ? 1 : 0;
    expect((await errorOf(t.kms.send(new VerifyMacCommand({ KeyId: key.KeyId, Message: bytes('m'), Mac: wrong, MacAlgorithm: algorithm })))).name).toBe('KMSInvalidMacException');
  });

  test('GenerateDataKeyPair returns a usable pair whose wrapped private key decrypts to the same key', async () => {
    const symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const pair = await t.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric.KeyId, KeyPairSpec: 'ECC_NIST_P256' }));
    const unwrapped = await t.kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
    expect(Buffer.from(unwrapped.Plaintext!).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
    expect(createPublicKey({ key: Buffer.from(pair.PublicKey!), format: 'der', type: 'spki' }).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  test('DescribeKey reports the spec and usage of an asymmetric key', async () => {
    const key = await create('ECC_SECG_P256K1', 'SIGN_VERIFY');
    const { KeyMetadata } = await t.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    expect(KeyMetadata).toEqual(expect.objectContaining({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'] }));
  });
});
