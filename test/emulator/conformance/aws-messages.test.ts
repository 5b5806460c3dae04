import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateMacCommand, GenerateRandomCommand,
  ListAliasesCommand, ListGrantsCommand, ListKeysCommand, ListResourceTagsCommand, ReEncryptCommand, RotateKeyOnDemandCommand, SignCommand,
  VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';

/** AWS's exact codes and texts (issue 12, item 3), as recorded from KMS itself; see the message table in docs/emulator.md. */
describe('KMS error codes and messages, word for word', () => {
  let t: TestEmulator;
  let symmetric: string;
  let symmetricArn: string;
  let hmac: string;
  let signing: string;
  beforeAll(async () => {
    t = await startTestEmulator();
    ({ KeyId: symmetric, Arn: symmetricArn } = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata! as { KeyId: string; Arn: string });
    hmac = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.KeyId!;
    signing = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
  });
  afterAll(() => t.emulator.stop());

  test.each([
    [0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"],
  ])('GenerateRandom and GenerateDataKey with NumberOfBytes %d', async (n, message) => {
    expect(await errorOf(t.kms.send(new GenerateRandomCommand({ NumberOfBytes: n })))).toMatchObject({ name: 'ValidationException', message });
    expect(await errorOf(t.kms.send(new GenerateDataKeyCommand({ KeyId: symmetric, NumberOfBytes: n })))).toMatchObject({ name: 'ValidationException', message });
  });

  test('a missing member is "Value null", a sensitive one has no value', async () => {
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: undefined as never })))).message)
      .toBe("1 validation error detected: Value null at 'plaintext' failed to satisfy constraint: Member must not be null");
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: Buffer.alloc(4097) })))).message)
      .toBe("1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });

  test('CreateKey with an unknown KeyUsage names the value and the enum', async () => {
    expect((await errorOf(t.kms.send(new CreateKeyCommand({ KeyUsage: 'RANDOM' as never })))).message)
      .toBe("1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]");
  });

  // @smithy/core turns an empty message into "UnknownError" (exception.message || ... || "UnknownError"), against KMS
  // too; the wire carries none, which the raw request below and the boto3 test (Message '') show.
  const NONE = 'UnknownError';

  test('InvalidCiphertextException, KMSInvalidSignatureException and KMSInvalidMacException carry no message', async () => {
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x'), EncryptionContext: { a: '1' } }));
    const ciphertext = await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob })));
    expect(ciphertext).toMatchObject({ name: 'InvalidCiphertextException', message: NONE });
    expect(await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob: bytes('garbage') })))).toMatchObject({ name: 'InvalidCiphertextException', message: NONE });
    const raw = await fetch(`${t.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.Decrypt',
        'authorization': `AWS4-HMAC-SHA256 Credential=AKIAX/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: JSON.stringify({ CiphertextBlob: Buffer.from('garbage').toString('base64') }),
    });
    expect(await raw.json()).toEqual({ __type: 'InvalidCiphertextException', message: '' });
    const { Signature } = await t.kms.send(new SignCommand({ KeyId: signing, Message: bytes('a'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    expect(await errorOf(t.kms.send(new VerifyCommand({ KeyId: signing, Message: bytes('b'), Signature, SigningAlgorithm: 'ECDSA_SHA_256' }))))
      .toMatchObject({ name: 'KMSInvalidSignatureException', message: NONE });
    expect(await errorOf(t.kms.send(new VerifyMacCommand({ KeyId: hmac, Message: bytes('m'), Mac: Buffer.alloc(28), MacAlgorithm: 'HMAC_SHA_224' }))))
      .toMatchObject({ name: 'KMSInvalidMacException', message: NONE });
  });

  test('an unknown MacAlgorithm is ValidationException; one the key does not have is InvalidKeyUsageException', async () => {
    expect(await errorOf(t.kms.send(new GenerateMacCommand({ KeyId: hmac, Message: bytes('m'), MacAlgorithm: 'INVALID' as never })))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]",
    });
    expect(await errorOf(t.kms.send(new GenerateMacCommand({ KeyId: hmac, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }))))
      .toMatchObject({ name: 'InvalidKeyUsageException', message: 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.' });
  });

  test('InvalidKeyUsageException names the key and its usage, not its spec', async () => {
    const signingArn = `arn:aws:kms:eu-west-1:000000000000:key/${signing}`;
    expect(await errorOf(t.kms.send(new EncryptCommand({ KeyId: signing, Plaintext: bytes('x') }))))
      .toMatchObject({ name: 'InvalidKeyUsageException', message: `${signingArn} key usage is SIGN_VERIFY which is not valid for Encrypt.` });
    expect(await errorOf(t.kms.send(new SignCommand({ KeyId: symmetric, Message: bytes('x'), SigningAlgorithm: 'ECDSA_SHA_256' }))))
      .toMatchObject({ name: 'InvalidKeyUsageException', message: `${symmetricArn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.` });
  });

  test('ReEncrypt from an HMAC key, and Decrypt with another key, are IncorrectKeyException in KMS\'s words ("CMK")', async () => {
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x') }));
    const message = 'The key ID in the request does not identify a CMK that can perform this operation.';
    expect(await errorOf(t.kms.send(new ReEncryptCommand({ CiphertextBlob, SourceKeyId: hmac, DestinationKeyId: symmetric }))))
      .toMatchObject({ name: 'IncorrectKeyException', message });
    const other = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    expect(await errorOf(t.kms.send(new DecryptCommand({ CiphertextBlob, KeyId: other })))).toMatchObject({ name: 'IncorrectKeyException', message });
  });

  test.each(['bogus', '99999', '-1'])('a Marker the emulator never issued (%p) is InvalidMarkerException', async (Marker) => {
    for (const call of [
      t.kms.send(new ListKeysCommand({ Marker })),
      t.kms.send(new ListAliasesCommand({ Marker })),
      t.kms.send(new ListGrantsCommand({ KeyId: symmetric, Marker })),
      t.kms.send(new ListResourceTagsCommand({ KeyId: symmetric, Marker })),
    ]) {
      expect((await errorOf(call)).name).toBe('InvalidMarkerException');
    }
  });

  test('a Marker the emulator issued pages on', async () => {
    const first = await t.kms.send(new ListKeysCommand({ Limit: 1 }));
    expect(first.Truncated).toBe(true);
    const second = await t.kms.send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));
    expect(second.Keys![0].KeyId).not.toBe(first.Keys![0].KeyId);
  });

  test('the on-demand rotation limit is LimitExceededException as KMS words it', async () => {
    const id = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    for (let i = 0; i < 10; i++) await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: id.KeyId }));
    expect(await errorOf(t.kms.send(new RotateKeyOnDemandCommand({ KeyId: id.KeyId })))).toMatchObject({
      name: 'LimitExceededException',
      message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${id.Arn}`,
    });
  });

  test('a key ARN of another region is "Invalid arn <region>"; a key id of another region does not exist here', async () => {
    const us = (await t.client('us-east-1').send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: us.Arn })))).toMatchObject({ name: 'NotFoundException', message: 'Invalid arn us-east-1' });
    expect(await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: us.KeyId })))).toMatchObject({
      name: 'NotFoundException', message: `Key 'arn:aws:kms:eu-west-1:000000000000:key/${us.KeyId}' does not exist`,
    });
  });

  test('rotating an asymmetric key is UnsupportedOperationException without a message', async () => {
    expect(await errorOf(t.kms.send(new RotateKeyOnDemandCommand({ KeyId: signing })))).toMatchObject({ name: 'UnsupportedOperationException', message: NONE });
  });
});
