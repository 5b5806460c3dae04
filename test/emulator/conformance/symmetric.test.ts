import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateRandomCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator, text } from '../support';

describe('symmetric cryptography through the real SDK', () => {
  let t: TestEmulator;
  let keyId: string;
  beforeAll(async () => {
    t = await startTestEmulator();
    keyId = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  });
  afterAll(() => t.emulator.stop());

  test('Encrypt then Decrypt without a KeyId returns the plaintext and the key ARN', async () => {
    const { CiphertextBlob, KeyId } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('secret') }));
    expect(KeyId).toBe(`arn:aws:kms:eu-west-1:000000000000:key/${keyId}`);
    const out = await t.kms.send(new DecryptCommand({ CiphertextBlob }));
    expect(text(out.Plaintext)).toBe('secret');
    expect(out.KeyId).toBe(KeyId);
    expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  test('the encryption context is bound: a different or missing context is InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 'a' } }));
    expect(text((await t.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'a' } }))).Plaintext)).toBe('x');
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 'b' } })))).name).toBe('InvalidCiphertextException');
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob })))).name).toBe('InvalidCiphertextException');
  });

  test('context key order does not matter', async () => {
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x'), EncryptionContext: { a: '1', b: '2' } }));
    await t.kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { b: '2', a: '1' } }));
  });

  test('a tampered ciphertext is InvalidCiphertextException', async () => {
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    const tampered = Buffer.from(CiphertextBlob!);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] + 1) % 256;
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob: tampered })))).name).toBe('InvalidCiphertextException');
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob: bytes('garbage') })))).name).toBe('InvalidCiphertextException');
  });

  test('Decrypt with the wrong KeyId is IncorrectKeyException', async () => {
    const other = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    expect((await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: other })))).name).toBe('IncorrectKeyException');
  });

  test('Encrypt refuses more than 4096 bytes with ValidationException', async () => {
    await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4096) }));
    const err = await errorOf(t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.alloc(4097) })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/^1 validation error detected: Value at 'plaintext'/);
  });

  test('GenerateDataKey returns a key that its ciphertext decrypts to; WithoutPlaintext returns only the ciphertext', async () => {
    const dk = await t.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { p: 'q' } }));
    expect(dk.Plaintext).toHaveLength(32);
    const back = await t.kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { p: 'q' } }));
    expect(Buffer.from(back.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
    const bare = await t.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, NumberOfBytes: 16 }));
    expect((bare as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    expect((await t.kms.send(new DecryptCommand({ CiphertextBlob: bare.CiphertextBlob }))).Plaintext).toHaveLength(16);
  });

  test.each([
    [{ NumberOfBytes: 0 }, 'ValidationException'],
    [{ NumberOfBytes: 1025 }, 'ValidationException'],
    [{}, 'ValidationException'],
    [{ NumberOfBytes: 16, KeySpec: 'AES_256' as const }, 'ValidationException'],
  ])('GenerateDataKey %p fails with %s', async (params, name) => {
    expect((await errorOf(t.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, ...params })))).name).toBe(name);
  });

  test('ReEncrypt moves a ciphertext to another key and context without returning plaintext', async () => {
    const target = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('moved'), EncryptionContext: { v: '1' } }));
    const re = await t.kms.send(new ReEncryptCommand({
      CiphertextBlob, SourceEncryptionContext: { v: '1' }, DestinationKeyId: target, DestinationEncryptionContext: { v: '2' },
    }));
    expect(re.KeyId).toBe(target);
    expect(re.SourceKeyId).toMatch(new RegExp(`${keyId}$`));
    expect((re as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    const out = await t.kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { v: '2' } }));
    expect(text(out.Plaintext)).toBe('moved');
    expect(out.KeyId).toBe(target);
  });

  test('GenerateRandom returns the bytes asked for, 1 to 1024', async () => {
    expect((await t.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext).toHaveLength(1024);
    expect((await errorOf(t.kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })))).name).toBe('ValidationException');
  });
});
