import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment, measureAccessMatrix } from '../../src/local';
import { keyAccessMatrices } from '../../src/policy/access-matrix';
import '../../src/local/jest';

/**
 * The example data platform, synthesized and deployed into the emulator: its access matrix asserted principal by
 * principal through the real SDK. An "Intruder" role with an IAM policy granting kms:* on everything shows what
 * strict mode adds.
 */
describe('integ: data platform deployed into the emulator', () => {
  let emulator: RunningEmulator;
  let deployment: LocalDeployment;
  let template: Record<string, any>;
  const tenant = { encryptionContext: { tenant: 'acme' } };

  beforeAll(async () => {
    const app = buildDataPlatformApp(new App({ context: { 'aws:cdk:enable-path-metadata': true } }));
    const stack = app.node.findChild('DataPlatform') as Stack;
    const intruder = new iam.Role(stack, 'Intruder', { assumedBy: new iam.AccountRootPrincipal() });
    intruder.addToPolicy(new iam.PolicyStatement({ actions: ['kms:*'], resources: ['*'] }));
    template = app.synth().getStackByName('DataPlatform').template;
    emulator = await startEmulator();
    deployment = await deployLocally(template, { emulator, account: '111122223333', region: 'eu-west-1', stackName: 'DataPlatform' });
  });
  afterAll(async () => {
    deployment.close();
    await emulator.stop();
  });

  test('every key, alias and role is deployed; the bucket is listed as unmodeled', () => {
    expect(deployment.keys.map(k => k.path)).toEqual(['CustomerDataKey', 'IngestKey']);
    expect(deployment.aliases.map(a => a.aliasName).sort()).toEqual(['alias/data/customers', 'alias/data/ingest']);
    expect(deployment.principals.map(p => p.path).sort()).toEqual(['AnalyticsRole', 'AppRole', 'IngestRole', 'Intruder', 'KeyAdmins']);
    expect(deployment.unmodeled.map(u => u.type)).toEqual(expect.arrayContaining(['AWS::S3::Bucket', 'AWS::S3::BucketPolicy']));
  });

  describe('CustomerDataKey: S3 only, tenant context required', () => {
    test('the app encrypts and decrypts through S3 with a tenant', async () => {
      await expect(deployment).toAllow('AppRole', 'kms:Encrypt', 'alias/data/customers', { viaService: 's3', ...tenant });
      await expect(deployment).toAllow('AppRole', 'kms:Decrypt', 'alias/data/customers', { viaService: 's3', ...tenant });
    });

    test('the app is denied outside S3, in another region\'s S3, or without a tenant', async () => {
      await expect(deployment).toDeny('AppRole', 'kms:Decrypt', 'alias/data/customers', tenant);
      await expect(deployment).toDeny('AppRole', 'kms:Decrypt', 'alias/data/customers', { viaService: 's3.us-east-1.amazonaws.com', ...tenant });
      await expect(deployment).toDeny('AppRole', 'kms:Decrypt', 'alias/data/customers', { viaService: 's3' });
    });

    test('admins manage and never use', async () => {
      await expect(deployment).toAllow('KeyAdmins', 'kms:UpdateKeyDescription', 'CustomerDataKey');
      await expect(deployment).toDeny('KeyAdmins', 'kms:Decrypt', 'CustomerDataKey', { viaService: 's3', ...tenant });
      await expect(deployment).toDeny('KeyAdmins', 'kms:CreateGrant', 'CustomerDataKey');
    });

    test('bucket.grantRead lets analytics decrypt through S3, not encrypt', async () => {
      await expect(deployment).toAllow('AnalyticsRole', 'kms:Decrypt', 'CustomerDataKey', { viaService: 's3', ...tenant });
      await expect(deployment).toDeny('AnalyticsRole', 'kms:Encrypt', 'CustomerDataKey', { viaService: 's3', ...tenant });
    });

    test('without strict mode, an IAM policy granting kms:* reaches the key (the account-root statement trusts IAM)', async () => {
      await expect(deployment).toAllow('Intruder', 'kms:Decrypt', 'CustomerDataKey', tenant);
    });
  });

  describe('IngestKey: strict', () => {
    test('the ingest role only encrypts, the app only decrypts', async () => {
      await expect(deployment).toAllow('IngestRole', 'kms:Encrypt', 'IngestKey');
      await expect(deployment).toDeny('IngestRole', 'kms:Decrypt', 'IngestKey');
      await expect(deployment).toAllow('AppRole', 'kms:Decrypt', 'IngestKey');
      await expect(deployment).toDeny('AppRole', 'kms:Encrypt', 'IngestKey');
    });

    test('an IAM policy granting kms:* cannot reach past the strict denies', async () => {
      await expect(deployment).toDeny('Intruder', 'kms:Encrypt', 'IngestKey');
      await expect(deployment).toDeny('Intruder', 'kms:Decrypt', 'IngestKey');
      await expect(deployment).toDeny('Intruder', 'kms:UpdateKeyDescription', 'IngestKey');
      const last = deployment.decisions().at(-1)!;
      expect(last.reason).toBe("explicitly denied by the key policy statement 'DenyManagementToUnlistedPrincipals'");
    });
  });

  test('the access matrix measured by real requests agrees with the one read from the policies', async () => {
    const [customer, ingest] = keyAccessMatrices(template, 'DataPlatform');
    for (const matrix of [customer, ingest]) {
      const { cells } = await measureAccessMatrix(deployment, matrix, 'DataPlatform');
      expect(cells.filter(c => c.expected !== c.measured)).toEqual([]);
      expect(cells.length).toBe(5 * 5); // five roles, five capabilities
    }
    // AND the measurement shows what strict mode changes for an IAM kms:* policy
    const intruderDecrypts = async (matrix: typeof customer) =>
      (await measureAccessMatrix(deployment, matrix, 'DataPlatform')).cells.find(c => c.principal === 'Intruder' && c.capability === 'decrypt')!.measured;
    expect(await intruderDecrypts(customer)).toBe(true);
    expect(await intruderDecrypts(ingest)).toBe(false);
  });
});
