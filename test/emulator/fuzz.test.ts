import { request } from 'http';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../src/emulator';
import { OPERATIONS } from '../../src/emulator/operations';

/** Every exception type the emulator may answer with, as KMS names them. */
const KMS_EXCEPTIONS = new Set([
  'AccessDeniedException', 'AlreadyExistsException', 'DisabledException', 'IncorrectKeyException', 'InvalidAliasNameException',
  'InvalidArnException', 'InvalidCiphertextException', 'InvalidGrantIdException', 'InvalidGrantTokenException', 'InvalidKeyUsageException',
  'KMSInvalidMacException', 'KMSInvalidSignatureException', 'KMSInvalidStateException', 'LimitExceededException',
  'MalformedPolicyDocumentException', 'NotFoundException', 'SerializationException', 'TagException', 'UnsupportedOperationException',
  'ValidationException',
]);

function post(endpoint: string, target: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
        'x-amz-date': '20260101T000000Z',
        'authorization': `AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      },
      timeout: 5000,
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('timeout', () => req.destroy(new Error('the emulator did not answer')));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A bounded, seeded fuzz of the request parser and every handler: random targets and bodies (malformed JSON,
 * wrong types, missing and oversized fields, plausible field names with random values). Every answer must be
 * 200, or a 400 with one of KMS's exception types — never a 500, never a hang — and the server keeps serving.
 */
describe('fuzzing the emulator', () => {
  let emulator: RunningEmulator;
  let keyId: string;
  beforeAll(async () => {
    emulator = await startEmulator();
    const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    kms.destroy();
  });
  afterAll(() => emulator.stop());

  test('random requests get KMS exception types and the server stays up (300 seeded runs)', async () => {
    const fields = ['KeyId', 'Plaintext', 'CiphertextBlob', 'EncryptionContext', 'NumberOfBytes', 'KeySpec', 'KeyUsage', 'Policy', 'AliasName',
      'TargetKeyId', 'GrantTokens', 'Operations', 'GranteePrincipal', 'Tags', 'TagKeys', 'Message', 'SigningAlgorithm', 'MacAlgorithm', 'Mac',
      'Signature', 'PendingWindowInDays', 'RotationPeriodInDays', 'DestinationKeyId', 'ReplicaRegion', 'Limit', 'Marker', 'Constraints', 'Description'];
    const value = fc.oneof(
      fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.base64String(), fc.constantFrom(keyId!, 'alias/x', 'AES_256'),
      fc.array(fc.string(), { maxLength: 4 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
      fc.string({ minLength: 5000, maxLength: 9000 }),
    );
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom(...fields), value, { maxKeys: 6 }).map(o => JSON.stringify(o)),
      fc.string(),
      fc.constantFrom('', '{', '[]', 'null', '"x"', '{"KeyId":', '{}'),
    );
    const target = fc.oneof(fc.constantFrom(...Object.keys(OPERATIONS)).map(o => `TrentService.${o}`), fc.string(), fc.constant('TrentService.'));
    const seen = new Set<string>();
    await fc.assert(fc.asyncProperty(target, body, async (t, b) => {
      const { status, json } = await post(emulator.endpoint, t, b);
      seen.add(status === 200 ? 'OK' : String(json.__type));
      if (status === 200) return;
      expect(status).toBe(400);
      expect(KMS_EXCEPTIONS).toContain(json.__type);
      expect(typeof json.message).toBe('string');
    }), { numRuns: 300, seed: 20261124, interruptAfterTimeLimit: 20_000 });
    // The fuzz reached the handlers, not only the JSON parser.
    expect([...seen]).toEqual(expect.arrayContaining(['OK', 'SerializationException', 'ValidationException', 'UnsupportedOperationException']));
    const kms = kmsClientFor(emulator, { region: 'eu-west-1' });
    await kms.send(new ListKeysCommand({}));
    kms.destroy();
  });
});
