import { ACCOUNT, EXEC_ROLE, REGION, ROOT, trustingPolicy } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { checkAccess, deployLocally, LocalDeployment } from '../../src/local';

const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const template = (...statements: object[]) => ({
  Resources: {
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy({ Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' }, ...statements) } },
    App: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'App' } },
  },
});

/** Probe values for access checks: made by the execution role, by the account root only where the key refuses the role. */
describe('access checks: who makes the probe values', () => {
  let emulator: RunningEmulator;
  let deployment: LocalDeployment | undefined;
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    deployment?.close();
    await emulator.stop();
  });

  test('the execution role makes the ciphertext a Decrypt check decrypts; no root is involved', async () => {
    deployment = await deployLocally(template(), { emulator, account: ACCOUNT, region: REGION, stackName: 'App' });
    expect((await checkAccess(deployment, 'App', 'kms:Decrypt', 'Key')).allowed).toBe(true);
    const encrypt = emulator.decisions().find(d => d.operation === 'Encrypt')!;
    expect(encrypt.caller).toBe(EXEC_ROLE);
    expect(emulator.decisions().some(d => d.caller === ROOT)).toBe(false);
  });

  test('where the key policy refuses the execution role, the account root makes it as a test harness', async () => {
    const denyRole = { Effect: 'Deny', Principal: { AWS: EXEC_ROLE }, Action: 'kms:Encrypt', Resource: '*' };
    deployment = await deployLocally(template(denyRole), { emulator, account: ACCOUNT, region: REGION, stackName: 'App' });
    expect((await checkAccess(deployment, 'App', 'kms:Decrypt', 'Key')).allowed).toBe(true);
    const encrypts = emulator.decisions().filter(d => d.operation === 'Encrypt').map(d => [d.caller, d.allowed]);
    expect(encrypts).toEqual([[EXEC_ROLE, false], [ROOT, true]]);
    // AND the check itself is the app's request, decided on its own
    expect(emulator.decisions().at(-1)).toMatchObject({ operation: 'Decrypt', caller: APP, allowed: true });
  });
});
