import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand,
  GetKeyPolicyCommand, GetKeyRotationStatusCommand, ListAliasesCommand, ListKeyRotationsCommand, ListResourceTagsCommand, PutKeyPolicyCommand,
  ReEncryptCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor } from '../../../src/emulator';
import { bytes, errorOf, startTestEmulator, TestEmulator } from '../support';

const MATERIAL_ID = /^[0-9a-f]{64}$/;

/** Responses with every field AWS returns (issue 12, item 4). */
describe('responses as KMS shapes them', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());

  test('KeyMetadata.CurrentKeyMaterialId names the material that encrypts, and follows rotations', async () => {
    const { KeyMetadata } = await t.kms.send(new CreateKeyCommand({}));
    expect(KeyMetadata!.CurrentKeyMaterialId).toMatch(MATERIAL_ID);
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId }));
    const after = (await t.kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    expect(after).toMatch(MATERIAL_ID);
    expect(after).not.toBe(KeyMetadata!.CurrentKeyMaterialId);
    const { Rotations } = await t.kms.send(new ListKeyRotationsCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(Rotations).toEqual([{ KeyId: KeyMetadata!.KeyId, KeyMaterialId: after, KeyMaterialState: 'CURRENT', RotationDate: expect.any(Date), RotationType: 'ON_DEMAND' }]);
    const all = (await t.kms.send(new ListKeyRotationsCommand({ KeyId: KeyMetadata!.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    expect(all.map(r => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType])).toEqual([
      [KeyMetadata!.CurrentKeyMaterialId, 'NON_CURRENT', undefined], [after, 'CURRENT', 'ON_DEMAND'],
    ]);
  });

  test('the Date header is the emulator\'s clock (SDKs correct clock skew from it)', async () => {
    t.clock.advanceDays(3);
    const res = await fetch(`${t.emulator.endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.ListKeys',
        'authorization': `AWS4-HMAC-SHA256 Credential=AKIAX/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
      },
      body: '{}',
    });
    expect(res.headers.get('date')).toBe(new Date(t.clock.now()).toUTCString());
  });

  test('the data operations name the key material they used (KeyMaterialId, Source/DestinationKeyMaterialId)', async () => {
    const { KeyMetadata } = await t.kms.send(new CreateKeyCommand({}));
    const first = KeyMetadata!.CurrentKeyMaterialId;
    const dataKey = await t.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
    expect(dataKey.KeyMaterialId).toBe(first);
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: KeyMetadata!.KeyId }));
    const second = (await t.kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    // WHEN old ciphertext is decrypted after a rotation THEN the old material is named
    expect((await t.kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).KeyMaterialId).toBe(first);
    const moved = await t.kms.send(new ReEncryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, DestinationKeyId: KeyMetadata!.KeyId }));
    expect([moved.SourceKeyMaterialId, moved.DestinationKeyMaterialId]).toEqual([first, second]);
  });

  test('asymmetric and HMAC keys have no CurrentKeyMaterialId (they do not rotate)', async () => {
    const signing = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const mac = (await t.kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    expect(signing).not.toHaveProperty('CurrentKeyMaterialId');
    expect(mac).not.toHaveProperty('CurrentKeyMaterialId');
  });

  test('an on-demand rotation leaves NextRotationDate alone and, once complete, shows no OnDemandRotationStartDate', async () => {
    const keyId = (await t.kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await t.kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
    const before = await t.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    t.clock.advanceDays(10);
    await t.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await t.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(after.NextRotationDate).toEqual(before.NextRotationDate);
    expect(after).not.toHaveProperty('OnDemandRotationStartDate');
    expect(after).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
  });

  test('a replica is answered Creating, with an empty description of its own and no ReplicaTags; then it is Enabled', async () => {
    const primary = (await t.kms.send(new CreateKeyCommand({ MultiRegion: true, Description: 'primary' }))).KeyMetadata!;
    const replicated = await t.kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'us-east-1', Tags: [{ TagKey: 'team', TagValue: 'a' }] }));
    expect(replicated.ReplicaKeyMetadata).toMatchObject({ KeyState: 'Creating', Enabled: false, Description: '', MultiRegion: true });
    expect(replicated.ReplicaKeyMetadata).not.toHaveProperty('CurrentKeyMaterialId');
    expect(replicated).not.toHaveProperty('ReplicaTags');
    const us = t.client('us-east-1');
    const described = (await us.send(new DescribeKeyCommand({ KeyId: primary.KeyId }))).KeyMetadata!;
    expect(described).toMatchObject({ KeyState: 'Enabled', Enabled: true, Description: '', CurrentKeyMaterialId: primary.CurrentKeyMaterialId });
    expect((await us.send(new ListResourceTagsCommand({ KeyId: primary.KeyId }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'a' }]);
  });
});

/** AWS managed keys (issue 12, item 5). */
describe('AWS managed keys', () => {
  let t: TestEmulator;
  beforeEach(async () => { t = await startTestEmulator(); });
  afterEach(() => t.emulator.stop());
  const aliasesNamed = async (prefix: string) =>
    (await t.kms.send(new ListAliasesCommand({}))).Aliases!.filter(a => a.AliasName!.startsWith(prefix));

  test('a new account lists the predefined aliases, without a TargetKeyId until first use', async () => {
    const aws = await aliasesNamed('alias/aws/');
    expect(aws.map(a => a.AliasName)).toEqual(expect.arrayContaining([
      'alias/aws/s3', 'alias/aws/lambda', 'alias/aws/secretsmanager', 'alias/aws/ebs', 'alias/aws/rds', 'alias/aws/dynamodb', 'alias/aws/sqs', 'alias/aws/sns',
    ]));
    expect(aws.find(a => a.AliasName === 'alias/aws/s3')).toEqual({ AliasName: 'alias/aws/s3', AliasArn: 'arn:aws:kms:eu-west-1:000000000000:alias/aws/s3' });
  });

  test('DescribeKey through alias/aws/s3 creates the key: KeyManager AWS, rotating yearly, listed with its alias', async () => {
    const { KeyMetadata } = await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));
    expect(KeyMetadata).toMatchObject({
      KeyManager: 'AWS', KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', Description: expect.stringMatching(/^Default key that protects my S3/),
    });
    expect((await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.KeyId).toBe(KeyMetadata!.KeyId);
    expect((await aliasesNamed('alias/aws/s3'))[0]).toMatchObject({ TargetKeyId: KeyMetadata!.KeyId, CreationDate: expect.any(Date) });
    const rotation = await t.kms.send(new GetKeyRotationStatusCommand({ KeyId: KeyMetadata!.KeyId }));
    expect(rotation).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
    expect((await t.kms.send(new ListAliasesCommand({ KeyId: KeyMetadata!.KeyId }))).Aliases!.map(a => a.AliasName)).toEqual(['alias/aws/s3']);
  });

  test('its policy: use through the service by the account, read by the account, nothing else', async () => {
    const keyId = (await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/secretsmanager' }))).KeyMetadata!.KeyId!;
    const policy = JSON.parse((await t.kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy!);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: '*' },
      Condition: { StringEquals: { 'kms:CallerAccount': '000000000000', 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' } },
    });
    // WHEN the account calls directly THEN the policy does not allow it; through the service it does
    expect((await errorOf(t.kms.send(new EncryptCommand({ KeyId: 'alias/aws/secretsmanager', Plaintext: bytes('x') })))).name).toBe('AccessDeniedException');
    const viaSecretsManager = kmsClientFor(t.emulator, { region: 'eu-west-1', viaService: 'secretsmanager' });
    await viaSecretsManager.send(new EncryptCommand({ KeyId: 'alias/aws/secretsmanager', Plaintext: bytes('x') }));
    viaSecretsManager.destroy();
    for (const call of [
      t.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId })),
      t.kms.send(new DisableKeyCommand({ KeyId: keyId })),
      t.kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: JSON.stringify(policy) })),
    ]) expect((await errorOf(call)).name).toBe('AccessDeniedException');
  });

  test('GenerateDataKey through a service creates the key on first use too; another alias/aws/ name is not found', async () => {
    const viaS3 = kmsClientFor(t.emulator, { region: 'eu-west-1', viaService: 's3' });
    const { KeyId } = await viaS3.send(new GenerateDataKeyCommand({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }));
    viaS3.destroy();
    expect((await aliasesNamed('alias/aws/s3'))[0].TargetKeyId).toBe(KeyId!.split('/')[1]);
    expect((await errorOf(t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/nothing' })))).name).toBe('NotFoundException');
  });

  test('each region and account has its own', async () => {
    const eu = (await t.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/lambda' }))).KeyMetadata!;
    const us = (await t.client('us-east-1').send(new DescribeKeyCommand({ KeyId: 'alias/aws/lambda' }))).KeyMetadata!;
    expect(us.KeyId).not.toBe(eu.KeyId);
    expect(us.Arn).toMatch(/^arn:aws:kms:us-east-1:/);
  });
});
