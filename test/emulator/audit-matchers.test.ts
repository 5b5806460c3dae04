import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally, LocalDeployment } from '../../src/local';
import '../../src/local/jest';
import { ACCOUNT, appTemplate, EXEC_ROLE, REGION } from '../local/support';

const APP = `arn:aws:iam::${ACCOUNT}:role/App`;

/** `deployment.auditTrail()` and the matchers over it: what did happen, as a test asserts it. */
describe('audit-trail matchers', () => {
  let emulator: RunningEmulator;
  let deployment: LocalDeployment;
  beforeEach(async () => {
    emulator = await startEmulator();
    deployment = await deployLocally(appTemplate(), { emulator, account: ACCOUNT, region: REGION, stackName: 'App' });
  });
  afterEach(async () => {
    deployment.close();
    await emulator.stop();
  });

  test('toHaveUsedKey: this role decrypted under this key (with this context)', async () => {
    // GIVEN the app role encrypts and decrypts under the key with a context
    const app = deployment.clientFor('App');
    const context = { tenant: 'a' };
    const { CiphertextBlob } = await app.send(new EncryptCommand({ KeyId: deployment.key('Key').arn, Plaintext: Buffer.from('x'), EncryptionContext: context }));
    await app.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));

    // THEN
    await expect(deployment).toHaveUsedKey('App', 'Decrypt', 'Key');
    await expect(deployment).toHaveUsedKey(APP, 'kms:Decrypt', 'alias/app/data', { encryptionContext: context });
    await expect(deployment).not.toHaveUsedKey('App', 'Decrypt', 'Key', { encryptionContext: { tenant: 'b' } });
    await expect(deployment).not.toHaveUsedKey('App', 'GenerateDataKey', 'Key');
    // the deployer never decrypted
    await expect(deployment).not.toHaveUsedKey(EXEC_ROLE, 'Decrypt', 'Key');
    // a failure message shows what the trail has
    await expect(expect(deployment).toHaveUsedKey('App', 'Decrypt', 'Key', { encryptionContext: { tenant: 'b' } }))
      .rejects.toThrow(/expected arn:aws:iam::111122223333:role\/App to have used Decrypt on .* \(with context \{"tenant":"b"\}\), but the trail has 1 request\(s\)/);
  });

  test('toHaveKeyUsedOnlyBy: nobody but the app used the key, until the deployer did', async () => {
    const app = deployment.clientFor('App');
    await app.send(new EncryptCommand({ KeyId: deployment.key('Key').arn, Plaintext: Buffer.from('x') }));
    await expect(deployment).toHaveKeyUsedOnlyBy('Key', ['App']);

    // WHEN the execution role (the deployer) encrypts too
    await deployment.deployerClientFor(ACCOUNT, REGION).send(new EncryptCommand({ KeyId: deployment.key('Key').arn, Plaintext: Buffer.from('y') }));
    // THEN the assertion fails and names it
    await expect(expect(deployment).toHaveKeyUsedOnlyBy('Key', ['App'])).rejects.toThrow(new RegExp(`but the trail has 1 request\\(s\\), the last:\\n.*${EXEC_ROLE} Encrypt`));
    await expect(deployment).toHaveKeyUsedOnlyBy('Key', ['App', EXEC_ROLE]);
  });

  test('deployment.unusedAccess(): the deployed key unused, then used; the app\'s IAM statement unused until it encrypts', async () => {
    const key = deployment.key('Key').arn;
    const appPolicy = (f: Awaited<ReturnType<LocalDeployment['unusedAccess']>>) => f.unusedStatements.filter(s => s.principalArn === APP);
    const before = await deployment.unusedAccess();
    expect(before.unusedKeys).toEqual([key]);
    expect(appPolicy(before)).toEqual([expect.objectContaining({ source: 'identity-policy', actions: ['kms:Encrypt', 'kms:Decrypt'] })]);
    await deployment.clientFor('App').send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    const after = await deployment.unusedAccess();
    expect(after.unusedKeys).toEqual([]);
    expect(appPolicy(after)).toEqual([]);
  });

  test('deployment.auditTrail() holds the deployment\'s own calls, as its execution role', async () => {
    const trail = await deployment.auditTrail();
    expect(trail.find(e => e.eventName === 'CreateKey')?.userIdentity.arn).toBe(EXEC_ROLE);
    expect(trail.find(e => e.eventName === 'CreateAlias')).toMatchObject({ requestParameters: { aliasName: 'alias/app/data' } });
  });
});
