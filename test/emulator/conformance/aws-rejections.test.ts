import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand, GetKeyPolicyCommand,
  GetKeyRotationStatusCommand, KMSClient, ListGrantsCommand, ListKeyPoliciesCommand, ListKeyRotationsCommand, ListResourceTagsCommand,
  PutKeyPolicyCommand, ReEncryptCommand, ReplicateKeyCommand, RetireGrantCommand, RevokeGrantCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, SignCommand, TagResourceCommand, UntagResourceCommand, UpdateKeyDescriptionCommand, UpdatePrimaryRegionCommand,
  VerifyCommand, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';

/**
 * Requests AWS rejects are rejected, with AWS's exception type (issue 12, item 2). Messages asserted here are
 * KMS's own where they were recorded from AWS (docs/emulator.md lists each message and its source).
 */
describe('requests KMS rejects', () => {
  let t: TestEmulator;
  let keyId: string;
  beforeAll(async () => {
    t = await startTestEmulator();
    keyId = (await t.kms.send(new CreateKeyCommand({ MultiRegion: false }))).KeyMetadata!.KeyId!;
    await t.kms.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: keyId }));
  });
  afterAll(() => t.emulator.stop());

  type Send = (kms: KMSClient, id: string) => Promise<unknown>;
  const KEY_ID_ONLY: Array<[string, Send]> = [
    ['EnableKeyRotation', (k, id) => k.send(new EnableKeyRotationCommand({ KeyId: id }))],
    ['DisableKeyRotation', (k, id) => k.send(new DisableKeyRotationCommand({ KeyId: id }))],
    ['GetKeyRotationStatus', (k, id) => k.send(new GetKeyRotationStatusCommand({ KeyId: id }))],
    ['RotateKeyOnDemand', (k, id) => k.send(new RotateKeyOnDemandCommand({ KeyId: id }))],
    ['ListKeyRotations', (k, id) => k.send(new ListKeyRotationsCommand({ KeyId: id }))],
    ['TagResource', (k, id) => k.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'a', TagValue: 'b' }] }))],
    ['UntagResource', (k, id) => k.send(new UntagResourceCommand({ KeyId: id, TagKeys: ['a'] }))],
    ['ListResourceTags', (k, id) => k.send(new ListResourceTagsCommand({ KeyId: id }))],
    ['GetKeyPolicy', (k, id) => k.send(new GetKeyPolicyCommand({ KeyId: id }))],
    ['PutKeyPolicy', (k, id) => k.send(new PutKeyPolicyCommand({ KeyId: id, Policy: '{}' }))],
    ['ListKeyPolicies', (k, id) => k.send(new ListKeyPoliciesCommand({ KeyId: id }))],
    ['CreateGrant', (k, id) => k.send(new CreateGrantCommand({ KeyId: id, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Decrypt'] }))],
    ['ListGrants', (k, id) => k.send(new ListGrantsCommand({ KeyId: id }))],
    ['RevokeGrant', (k, id) => k.send(new RevokeGrantCommand({ KeyId: id, GrantId: 'g' }))],
    ['ScheduleKeyDeletion', (k, id) => k.send(new ScheduleKeyDeletionCommand({ KeyId: id }))],
    ['CancelKeyDeletion', (k, id) => k.send(new CancelKeyDeletionCommand({ KeyId: id }))],
    ['EnableKey', (k, id) => k.send(new EnableKeyCommand({ KeyId: id }))],
    ['DisableKey', (k, id) => k.send(new DisableKeyCommand({ KeyId: id }))],
    ['UpdateKeyDescription', (k, id) => k.send(new UpdateKeyDescriptionCommand({ KeyId: id, Description: 'd' }))],
    ['ReplicateKey', (k, id) => k.send(new ReplicateKeyCommand({ KeyId: id, ReplicaRegion: 'us-east-1' }))],
    ['UpdatePrimaryRegion', (k, id) => k.send(new UpdatePrimaryRegionCommand({ KeyId: id, PrimaryRegion: 'us-east-1' }))],
  ];

  describe('operations that take only a key id or key ARN refuse an alias', () => {
    test.each(KEY_ID_ONLY)('%s: NotFoundException "Invalid keyId alias/app", for the alias name and its ARN', async (_, send) => {
      // GIVEN an alias that exists WHEN an operation that takes no alias is given it THEN KMS's NotFoundException
      expect(await errorOf(send(t.kms, 'alias/app'))).toMatchObject({ name: 'NotFoundException', message: 'Invalid keyId alias/app' });
      const aliasArn = 'arn:aws:kms:eu-west-1:000000000000:alias/app';
      expect(await errorOf(send(t.kms, aliasArn))).toMatchObject({ name: 'NotFoundException', message: `Invalid keyId ${aliasArn}` });
    });

    test('the cryptographic operations and DescribeKey still take it', async () => {
      await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }));
      await t.kms.send(new EncryptCommand({ KeyId: 'arn:aws:kms:eu-west-1:000000000000:alias/app', Plaintext: bytes('x') }));
    });
  });

  test.each(['x', 'fake-key-id', 'mrk-fake-key-id', '134f2428cec14b25a1ae9048164dba47'])('a malformed key id %p is NotFoundException "Invalid keyId \'…\'"', async (bad) => {
    expect(await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: bad })))).toMatchObject({ name: 'NotFoundException', message: `Invalid keyId '${bad}'` });
    expect(await errorOf(t.kms.send(new EncryptCommand({ KeyId: bad, Plaintext: bytes('x') })))).toMatchObject({ name: 'NotFoundException', message: `Invalid keyId '${bad}'` });
  });

  test.each(['RSA_2048', 'ECC_NIST_P256', 'HMAC_256'] as const)('CreateKey with KeySpec %s and no KeyUsage is ValidationException', async (spec) => {
    expect(await errorOf(t.kms.send(new CreateKeyCommand({ KeySpec: spec })))).toMatchObject({
      name: 'ValidationException', message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    });
  });

  describe('tags', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    test.each([
      ['duplicate keys', [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }], 'Duplicate tag keys'],
      ['51 tags', tags(51), 'Too many tags'],
      ['an aws: prefix', [{ TagKey: 'aws:owner', TagValue: 'me' }], 'Tags beginning with aws: are reserved'],
      ['an AWS: prefix', [{ TagKey: 'AWS:owner', TagValue: 'me' }], 'Tags beginning with aws: are reserved'],
    ])('%s: TagException from CreateKey and TagResource, and nothing is tagged', async (_, list, message) => {
      expect(await errorOf(t.kms.send(new CreateKeyCommand({ Tags: list })))).toMatchObject({ name: 'TagException', message });
      expect(await errorOf(t.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: list })))).toMatchObject({ name: 'TagException', message });
      expect((await t.kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([]);
    });

    test('50 tags are fine, one more through TagResource is too many', async () => {
      const id = (await t.kms.send(new CreateKeyCommand({ Tags: tags(50) }))).KeyMetadata!.KeyId!;
      await t.kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'k0', TagValue: 'replaced' }] }));
      expect(await errorOf(t.kms.send(new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'k50', TagValue: 'v' }] }))))
        .toMatchObject({ name: 'TagException', message: 'Too many tags' });
    });

    test('lengths are validated with the value and the member path', async () => {
      const longKey = 'a'.repeat(129);
      expect((await errorOf(t.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: longKey, TagValue: '' }] })))).message).toBe(
        `1 validation error detected: Value '${longKey}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`);
      const longValue = 'v'.repeat(257);
      expect((await errorOf(t.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'ok', TagValue: 'x' }, { TagKey: 'b', TagValue: longValue }] })))).message).toBe(
        `1 validation error detected: Value '${longValue}' at 'tags.2.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256`);
    });
  });

  describe('grants', () => {
    test('CreateGrant allowing Sign or GenerateMac on a symmetric key is ValidationException; a signing key allows Sign', async () => {
      const err = await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Decrypt', 'Sign', 'GenerateMac'] })));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/\[Sign, GenerateMac\]/);
      expect((await t.kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([]);
      const signing = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
      await t.kms.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Sign', 'GetPublicKey'] }));
      expect((await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Encrypt'] })))).name)
        .toBe('ValidationException');
    });

    test('an unknown grant operation names the list and the enum', async () => {
      const err = await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/x', Operations: ['Decrypt', 'Destroy' as never] })));
      expect(err.message).toMatch(/^1 validation error detected: Value '\[Decrypt, Destroy\]' at 'operations' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[Decrypt, Encrypt, /);
    });
  });
});

describe('DryRun answers DryRunOperationException and changes nothing', () => {
  let t: TestEmulator;
  const DRY = { name: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.' };
  const grantee = 'arn:aws:iam::000000000000:role/worker';
  let symmetric: string;
  let signing: string;
  let mac: string;
  let ciphertext: Uint8Array;
  beforeAll(async () => {
    t = await startTestEmulator();
    symmetric = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    signing = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.KeyId!;
    mac = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!.KeyId!;
    ciphertext = (await t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x') }))).CiphertextBlob!;
  });
  afterAll(() => t.emulator.stop());

  const DRY_RUNS: Array<[string, () => Promise<unknown>]> = [
    ['Encrypt', () => t.kms.send(new EncryptCommand({ KeyId: symmetric, Plaintext: bytes('x'), DryRun: true }))],
    ['Decrypt', () => t.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext, DryRun: true }))],
    ['ReEncrypt', () => t.kms.send(new ReEncryptCommand({ CiphertextBlob: ciphertext, DestinationKeyId: symmetric, DryRun: true }))],
    ['GenerateDataKey', () => t.kms.send(new GenerateDataKeyCommand({ KeyId: symmetric, KeySpec: 'AES_256', DryRun: true }))],
    ['GenerateDataKeyWithoutPlaintext', () => t.kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: symmetric, NumberOfBytes: 16, DryRun: true }))],
    ['GenerateDataKeyPair', () => t.kms.send(new GenerateDataKeyPairCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256', DryRun: true }))],
    ['GenerateDataKeyPairWithoutPlaintext', () => t.kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: symmetric, KeyPairSpec: 'ECC_NIST_P256', DryRun: true }))],
    ['Sign', () => t.kms.send(new SignCommand({ KeyId: signing, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }))],
    ['Verify', () => t.kms.send(new VerifyCommand({ KeyId: signing, Message: bytes('m'), Signature: bytes('not a signature'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true }))],
    ['GenerateMac', () => t.kms.send(new GenerateMacCommand({ KeyId: mac, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256', DryRun: true }))],
    ['VerifyMac', () => t.kms.send(new VerifyMacCommand({ KeyId: mac, Message: bytes('m'), Mac: bytes('not a mac'), MacAlgorithm: 'HMAC_SHA_256', DryRun: true }))],
  ];

  test.each(DRY_RUNS)('%s', async (_, call) => {
    expect(await errorOf(call())).toMatchObject(DRY);
  });

  test('CreateGrant, RevokeGrant and RetireGrant with DryRun leave the grants as they were', async () => {
    expect(await errorOf(t.kms.send(new CreateGrantCommand({ KeyId: symmetric, GranteePrincipal: grantee, Operations: ['Decrypt'], DryRun: true })))).toMatchObject(DRY);
    expect((await t.kms.send(new ListGrantsCommand({ KeyId: symmetric }))).Grants).toEqual([]);
    const { GrantId, GrantToken } = await t.kms.send(new CreateGrantCommand({ KeyId: symmetric, GranteePrincipal: grantee, Operations: ['Decrypt'] }));
    expect(await errorOf(t.kms.send(new RevokeGrantCommand({ KeyId: symmetric, GrantId, DryRun: true })))).toMatchObject(DRY);
    expect(await errorOf(t.kms.send(new RetireGrantCommand({ GrantToken, DryRun: true })))).toMatchObject(DRY);
    expect((await t.kms.send(new ListGrantsCommand({ KeyId: symmetric }))).Grants!.map(g => g.GrantId)).toEqual([GrantId]);
  });

  test('a request that would fail still fails with its own error', async () => {
    const disabled = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await t.kms.send(new DisableKeyCommand({ KeyId: disabled }));
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: disabled, Plaintext: bytes('x'), DryRun: true })))).name).toBe('DisabledException');
    expect((await errorOf(t.kms.send(new SignCommand({ KeyId: symmetric, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })))).name)
      .toBe('InvalidKeyUsageException');
  });
});
