import { ACCOUNT, REGION, trustingPolicy } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { checkAccess, deployLocally, LocalDeployment, measureAccessMatrix } from '../../src/local';
import { keyAccessMatrices } from '../../src/policy/access-matrix';

/**
 * A role that may use a key only through some of a capability's actions (a deploy-time handler: GenerateDataKey and
 * ReEncryptTo on the new key, ReEncryptFrom on the old, never Encrypt or Decrypt) is measured as the policy model
 * reads it: a capability is measured by each of its actions, and a ReEncrypt against the key where the other half
 * of the pair is allowed.
 */
describe('measured matrix: capabilities granted through some of their actions', () => {
  const template = {
    Resources: {
      NewKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy() } },
      OldKey: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy() } },
      Handler: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'Handler' } },
      Other: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'Other' } },
      HandlerPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'handler',
          Roles: [{ Ref: 'Handler' }],
          PolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:ReEncryptTo'], Resource: { 'Fn::GetAtt': ['NewKey', 'Arn'] } },
              { Effect: 'Allow', Action: 'kms:ReEncryptFrom', Resource: { 'Fn::GetAtt': ['OldKey', 'Arn'] } },
            ],
          },
        },
      },
    },
  };
  let emulator: RunningEmulator;
  let deployment: LocalDeployment;
  beforeAll(async () => {
    emulator = await startEmulator();
    deployment = await deployLocally(template, { emulator, account: ACCOUNT, region: REGION, stackName: 'Values' });
  });
  afterAll(async () => {
    deployment.close();
    await emulator.stop();
  });

  const cell = async (key: string, principal: string, capability: string) => {
    const matrix = keyAccessMatrices(template, 'Values').find(m => m.logicalId === key)!;
    const measured = await measureAccessMatrix(deployment, matrix, 'Values');
    return measured.cells.find(c => c.principal === principal && c.capability === capability)!;
  };

  test('encrypt through GenerateDataKey and ReEncryptTo only: expected and measured', async () => {
    expect(await cell('NewKey', 'Handler', 'encrypt')).toMatchObject({ expected: true, measured: true });
    expect(await cell('NewKey', 'Handler', 'decrypt')).toMatchObject({ expected: false, measured: false });
    expect(await cell('NewKey', 'Other', 'encrypt')).toMatchObject({ expected: false, measured: false });
  });

  test('decrypt through ReEncryptFrom only: measured by a ReEncrypt to the key it may ReEncryptTo', async () => {
    expect(await cell('OldKey', 'Handler', 'decrypt')).toMatchObject({ expected: true, measured: true });
    expect(await cell('OldKey', 'Handler', 'encrypt')).toMatchObject({ expected: false, measured: false });
    expect(await cell('OldKey', 'Other', 'decrypt')).toMatchObject({ expected: false, measured: false });
  });

  test('checkAccess: a ReEncrypt check names its other key, which needs the other half of the pair', async () => {
    expect((await checkAccess(deployment, 'Handler', 'kms:ReEncryptFrom', 'OldKey', { counterpartKey: 'NewKey' })).allowed).toBe(true);
    expect((await checkAccess(deployment, 'Handler', 'kms:ReEncryptFrom', 'OldKey')).allowed).toBe(false);
    expect((await checkAccess(deployment, 'Handler', 'kms:ReEncryptTo', 'NewKey', { counterpartKey: 'OldKey' })).allowed).toBe(true);
    expect((await checkAccess(deployment, 'Handler', 'kms:ReEncryptTo', 'OldKey', { counterpartKey: 'NewKey' })).allowed).toBe(false);
  });
});
