import { ACCOUNT, trustingPolicy } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { CfnTemplate, deployLocally, LocalDeployment } from '../../src/local';

const PRIMARY_REGION = 'eu-west-1';
const REPLICA_REGION = 'us-east-1';
const execRole = (region: string) => `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${region}`;

/** A multi-Region primary whose policy denies kms:ReplicateKey to everyone but `replicators`. */
const primary = (replicators: string[]): CfnTemplate => ({
  Resources: {
    Key: {
      Type: 'AWS::KMS::Key',
      Properties: {
        MultiRegion: true,
        KeyPolicy: trustingPolicy({
          Sid: 'OnlyListedReplicators',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'kms:ReplicateKey',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': replicators } },
        }),
      },
    },
  },
  Outputs: { KeyArn: { Value: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
});

const replica: CfnTemplate = {
  Resources: {
    Replica: {
      Type: 'AWS::KMS::ReplicaKey',
      Properties: {
        PrimaryKeyArn: { 'Fn::GetStackOutput': { StackName: 'Primary', OutputName: 'KeyArn', Region: PRIMARY_REGION } },
        KeyPolicy: trustingPolicy(),
      },
    },
  },
};

/** ReplicateKey is called in the primary's region by the replica stack's execution role, as CloudFormation does. */
describe('deployLocally: replica keys', () => {
  let emulator: RunningEmulator;
  const open: LocalDeployment[] = [];
  const deploy = async (template: CfnTemplate, stackName: string, region: string) => {
    const d = await deployLocally(template, { emulator, account: ACCOUNT, region, stackName });
    open.push(d);
    return d;
  };
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    open.splice(0).forEach(d => d.close());
    await emulator.stop();
  });

  test('the replica region\'s execution role replicates the key', async () => {
    await deploy(primary([execRole(PRIMARY_REGION), execRole(REPLICA_REGION)]), 'Primary', PRIMARY_REGION);
    const d = await deploy(replica, 'Replica', REPLICA_REGION);
    expect(d.key('Replica')).toMatchObject({ region: REPLICA_REGION, replica: true });
    const replicate = emulator.decisions().find(x => x.operation === 'ReplicateKey' && x.action === 'kms:ReplicateKey')!;
    expect(replicate.caller).toBe(execRole(REPLICA_REGION));
    expect(replicate.resource).toMatch(new RegExp(`^arn:aws:kms:${PRIMARY_REGION}:`));
  });

  test('a primary policy that admits only its own region\'s execution role cannot be replicated', async () => {
    await deploy(primary([execRole(PRIMARY_REGION)]), 'Primary', PRIMARY_REGION);
    await expect(deploy(replica, 'Replica', REPLICA_REGION)).rejects.toMatchObject({
      message: expect.stringMatching(/^Replica\/Replica \(AWS::KMS::ReplicaKey\) CREATE_FAILED: Resource handler returned message: "User: .* is not authorized to perform: kms:ReplicateKey/),
      operation: 'ReplicateKey',
      code: 'AccessDeniedException',
      caller: execRole(REPLICA_REGION),
    });
  });

  test('an update of the replica\'s policy is a PutKeyPolicy in its region; removing it schedules its deletion', async () => {
    await deploy(primary([execRole(PRIMARY_REGION), execRole(REPLICA_REGION)]), 'Primary', PRIMARY_REGION);
    const first = await deploy(replica, 'Replica', REPLICA_REGION);
    const reader = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Reader` }, Action: 'kms:Decrypt', Resource: '*' };
    const original = replica.Resources!.Replica;
    const changed = { Resources: { Replica: { ...original, Properties: { ...original.Properties, KeyPolicy: trustingPolicy(reader) } } } };
    const from = emulator.decisions().length;
    await deploy(changed, 'Replica', REPLICA_REGION);
    const updates = emulator.decisions().slice(from);
    expect(updates.map(d => [d.operation, d.caller, d.resource])).toEqual([
      ['PutKeyPolicy', execRole(REPLICA_REGION), first.key('Replica').arn],
      ['PutKeyPolicy', execRole(REPLICA_REGION), first.key('Replica').arn],
    ]);
    const at = emulator.decisions().length;
    await deploy({ Resources: {} }, 'Replica', REPLICA_REGION);
    expect(emulator.decisions().slice(at).map(d => [d.operation, d.resource])).toEqual([['ScheduleKeyDeletion', first.key('Replica').arn]]);
  });
});
