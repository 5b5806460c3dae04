import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, SignCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor, MANAGEMENT_QUOTAS, startEmulator, symmetricQuota, THROTTLING_MESSAGE } from '../../../src/emulator';
import { DataKeyCache, seal } from '../../../src/envelope';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';

/**
 * KMS's request quotas, opt-in and scaled. Every assertion is on the emulator's ManualClock, never on wall time:
 * with scale 0.0001, eu-west-1's symmetric quota of 100,000/s is 10/s, and CreateKey's 5/s one request per 2,000 s.
 */
describe('request quotas (opt-in)', () => {
  const SCALE = 0.0001;
  let t: TestEmulator;
  afterEach(() => t.emulator.stop());

  const throttled = async (p: Promise<unknown>) => {
    const error = await errorOf(p);
    expect(error).toMatchObject({ name: 'ThrottlingException', message: THROTTLING_MESSAGE, $metadata: { httpStatusCode: 400 } });
  };

  test('cryptographic operations share one quota per account and Region; time refills it', async () => {
    // GIVEN a symmetric key in eu-west-1 (10 cryptographic requests a second at this scale)
    t = await startTestEmulator({ quotas: { scale: SCALE } });
    const keyId = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    // WHEN 6 Encrypts and 4 GenerateDataKeys use the second
    const { CiphertextBlob } = await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    for (let i = 0; i < 5; i++) await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    for (let i = 0; i < 4; i++) await t.kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    // THEN the 11th, of any cryptographic operation, is throttled, as KMS answers it
    await throttled(t.kms.send(new DecryptCommand({ CiphertextBlob })));
    await throttled(t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') })));
    // AND management quotas are separate (DescribeKey still answers)
    await t.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    // WHEN a tenth of a second passes: one more request; a second: ten
    t.clock.advance(100);
    await t.kms.send(new DecryptCommand({ CiphertextBlob }));
    await throttled(t.kms.send(new DecryptCommand({ CiphertextBlob })));
    t.clock.advance(1000);
    for (let i = 0; i < 10; i++) await t.kms.send(new DecryptCommand({ CiphertextBlob }));
    await throttled(t.kms.send(new DecryptCommand({ CiphertextBlob })));

    // AND the audit trail counts the calls per key and operation, the throttled ones too
    const counts = t.emulator.auditCounts().filter(c => c.keyArn.endsWith(keyId));
    expect(counts).toEqual(expect.arrayContaining([
      expect.objectContaining({ operation: 'Encrypt', calls: 7, throttled: 1 }),
      expect.objectContaining({ operation: 'GenerateDataKey', calls: 4, throttled: 0 }),
      expect.objectContaining({ operation: 'Decrypt', calls: 14, throttled: 3 }),
    ]));
  });

  test('each key type, Region and management operation has its own quota', async () => {
    t = await startTestEmulator({ quotas: { scale: SCALE } });
    const symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    // CreateKey: 5/s scaled is one request per 2,000 s
    await throttled(t.kms.send(new CreateKeyCommand({})));
    t.clock.advance(2000 * 1000);
    const rsa = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    // exhaust the symmetric quota
    for (let i = 0; i < 10; i++) await t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x') }));
    await throttled(t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x') })));
    // the RSA quota (1,000/s scaled: one request) is its own
    await t.kms.send(new SignCommand({ KeyId: rsa, Message: bytes('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    await throttled(t.kms.send(new SignCommand({ KeyId: rsa, Message: bytes('m'), SigningAlgorithm: 'RSASSA_PSS_SHA_256' })));
    // another Region has its own buckets (us-east-2: 20,000/s scaled is 2)
    const ohio = t.client('us-east-2');
    const there = (await ohio.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await ohio.send(new EncryptCommand({ KeyId: there, Plaintext: bytes('x') }));
    await ohio.send(new EncryptCommand({ KeyId: there, Plaintext: bytes('x') }));
    await throttled(ohio.send(new EncryptCommand({ KeyId: there, Plaintext: bytes('x') })));
  });

  test('a cross-account request counts against the caller\'s account, not the key owner\'s', async () => {
    const A = { arn: 'arn:aws:iam::111111111111:root', accessKeyId: 'AKIAROOTA', secretAccessKey: 'root-a-secret' };
    const B = { arn: 'arn:aws:iam::222222222222:root', accessKeyId: 'AKIAROOTB', secretAccessKey: 'root-b-secret' };
    t = await startTestEmulator({ quotas: { scale: SCALE }, config: { principals: [A, B] } });
    const [a, b]: KMSClient[] = [A, B].map(p => kmsClientFor(t.emulator, { region: 'eu-west-1', ...p }));
    try {
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: A.arn }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: B.arn }, Action: 'kms:Encrypt', Resource: '*' },
        ],
      });
      const key = (await a.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.Arn!;
      for (let i = 0; i < 10; i++) await b.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') }));
      await throttled(b.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') })));
      // the owner's own quota is untouched
      for (let i = 0; i < 10; i++) await a.send(new EncryptCommand({ KeyId: key, Plaintext: bytes('x') }));
    } finally {
      [a, b].forEach(c => c.destroy());
    }
  });

  test('a data-key cache keeps a burst of seals under the quota, and the audit trail counts the difference', async () => {
    // GIVEN eu-west-1's symmetric quota scaled to 10 requests a second, and a burst of 50 seals in one instant
    t = await startTestEmulator({ quotas: { scale: SCALE } });
    const keyId = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const sealAll = (cache?: DataKeyCache) => Promise.allSettled(Array.from({ length: 50 }, async (_, i) =>
      seal(bytes(`message ${i}`), { keyIds: [keyId], kms: t.kms, encryptionContext: { purpose: 'burst' }, cache })));

    // WHEN sealing without a cache: one GenerateDataKey each, throttled past the tenth
    const uncached = await sealAll();
    const rejected = uncached.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(40);
    expect(rejected.map(r => `${r.reason?.name} ${r.reason?.message} ${r.reason?.cause?.name ?? ''}`).join('\n')).toMatch(/Throttling/);

    // WHEN sealing with a data-key cache, a second later: one GenerateDataKey for all 50
    t.clock.advance(1000);
    const cache = new DataKeyCache({ now: () => t.clock.now() });
    const first = await seal(bytes('warm'), { keyIds: [keyId], kms: t.kms, encryptionContext: { purpose: 'burst' }, cache });
    expect(first.length).toBeGreaterThan(0);
    const cached = await sealAll(cache);
    expect(cached.filter(r => r.status === 'rejected')).toHaveLength(0);

    // THEN the trail shows it: 50 + 1 GenerateDataKey calls, 40 throttled, all before the cache
    expect(t.emulator.auditCounts().find(c => c.keyArn.endsWith(keyId) && c.operation === 'GenerateDataKey'))
      .toMatchObject({ calls: 51, throttled: 40 });
  });

  test('off by default; the documented defaults', async () => {
    t = await startTestEmulator();
    const keyId = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    for (let i = 0; i < 30; i++) await t.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: bytes('x') }));
    expect([symmetricQuota('us-east-1'), symmetricQuota('eu-west-2'), symmetricQuota('sa-east-1')]).toEqual([100_000, 20_000, 10_000]);
    expect(MANAGEMENT_QUOTAS).toMatchObject({ CreateKey: 5, DescribeKey: 2000, GetParametersForImport: 1, CreateGrant: 50 });
  });

  test('a scale that is not a positive number is refused', async () => {
    await expect(startEmulator({ quotas: { scale: 0 } })).rejects.toThrow('quotas.scale must be a positive number. Received: 0');
    t = await startTestEmulator(); // (for afterEach)
  });
});
