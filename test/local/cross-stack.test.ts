import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { EncryptCommand } from '@aws-sdk/client-kms';
import { ACCOUNT, REGION, trustingPolicy } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { CfnTemplate, deployLocally, LocalDeployment } from '../../src/local';

const keys: CfnTemplate = {
  Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy() } } },
  Outputs: {
    KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } },
    ExportedKeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] }, Export: { Name: 'Keys-KeyArn' } },
  },
};

/** An app role whose IAM policy names the key through `reference`. */
const app = (reference: unknown): CfnTemplate => ({
  Resources: {
    App: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: 'App',
        Policies: [{ PolicyName: 'use', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: reference }] } }],
      },
    },
  },
});

/** Weak (`Fn::GetStackOutput`) and strong (`Fn::ImportValue`) references between stacks deployed separately. */
describe('deployLocally: cross-stack references', () => {
  let emulator: RunningEmulator;
  const open: LocalDeployment[] = [];
  const deploy = async (template: CfnTemplate, stackName: string, region = REGION) => {
    const d = await deployLocally(template, { emulator, account: ACCOUNT, region, stackName });
    open.push(d);
    return d;
  };
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    open.splice(0).forEach(d => d.close());
    await emulator.stop();
  });

  test('Fn::GetStackOutput reads an output of a stack deployed earlier, from the state the emulator keeps', async () => {
    const keyStack = await deploy(keys, 'Keys');
    const appStack = await deploy(app({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'KeyArn' } }), 'App');
    const arn = keyStack.key('Key').arn;
    expect(JSON.stringify(appStack.principal('App').identityPolicies)).toContain(arn);
    await appStack.clientFor('App').send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') }));
  });

  test('Fn::GetStackOutput with a Region reads that region\'s stack; a missing stack or output is named', async () => {
    await deploy(keys, 'Keys', 'us-east-1');
    const elsewhere = await deploy(app({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'KeyArn', Region: 'us-east-1' } }), 'App');
    expect(JSON.stringify(elsewhere.principal('App').identityPolicies)).toContain(':us-east-1:');
    await expect(deploy(app({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'KeyArn' } }), 'App2'))
      .rejects.toThrow(`App2: Fn::GetStackOutput: stack Keys is not deployed in ${ACCOUNT}/${REGION}`);
    await expect(deploy(app({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'Nope', Region: 'us-east-1' } }), 'App3'))
      .rejects.toThrow('App3: Fn::GetStackOutput: stack Keys has no output Nope');
  });

  test('Fn::GetStackOutput with a RoleArn reads the stack of that role\'s account', async () => {
    const partner = '222233334444';
    await deployLocally(keys, { emulator, account: partner, region: REGION, stackName: 'Keys' }).then(d => open.push(d));
    const roleArn = `arn:aws:iam::${partner}:role/cross-account-reader`;
    const d = await deploy(app({ 'Fn::GetStackOutput': { StackName: 'Keys', OutputName: 'KeyArn', RoleArn: roleArn } }), 'App');
    expect(JSON.stringify(d.principal('App').identityPolicies)).toContain(`:${partner}:key/`);
  });

  test('a cdk.out: Fn::ImportValue between its stacks, each deployed as the manifest\'s execution role', async () => {
    // GIVEN a cloud assembly: Keys in a fixed environment, App environment-agnostic, App depending on Keys
    const dir = mkdtempSync(join(tmpdir(), 'guarded-keys-cdkout-'));
    try {
      writeFileSync(join(dir, 'Keys.template.json'), JSON.stringify(keys));
      writeFileSync(join(dir, 'App.template.json'), JSON.stringify(app({ 'Fn::ImportValue': 'Keys-KeyArn' })));
      const role = (env: string) => `arn:\${AWS::Partition}:iam::${env}:role/cdk-custom-cfn-exec-role-${env}-\${AWS::Region}`;
      writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
        artifacts: {
          Keys: {
            type: 'aws:cloudformation:stack',
            environment: `aws://${ACCOUNT}/${REGION}`,
            properties: { templateFile: 'Keys.template.json', cloudFormationExecutionRoleArn: role(ACCOUNT) },
          },
          App: {
            type: 'aws:cloudformation:stack',
            environment: 'aws://unknown-account/unknown-region',
            properties: { templateFile: 'App.template.json', cloudFormationExecutionRoleArn: role('${AWS::AccountId}') },
            dependencies: ['Keys'],
          },
        },
      }));
      // WHEN
      const d = await deployLocally(dir, { emulator, account: ACCOUNT, region: REGION });
      open.push(d);
      // THEN
      expect(d.stacks.map(s => [s.name, s.executionRoleArn])).toEqual([
        ['Keys', `arn:aws:iam::${ACCOUNT}:role/cdk-custom-cfn-exec-role-${ACCOUNT}-${REGION}`],
        ['App', `arn:aws:iam::${ACCOUNT}:role/cdk-custom-cfn-exec-role-${ACCOUNT}-${REGION}`],
      ]);
      expect(JSON.stringify(d.principal('App').identityPolicies)).toContain(d.key('Key').arn);
      expect(new Set(emulator.decisions().map(x => x.caller))).toEqual(new Set([d.stacks[0].executionRoleArn]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
