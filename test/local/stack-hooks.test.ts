import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ACCOUNT, appTemplate, EXEC_ROLE, REGION } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { CfnTemplate, readSource } from '../../src/local';
import { Deployer } from '../../src/local/deployer';
import { StackDeploymentEvent, StackHook } from '../../src/local/stack-hooks';

/** The per-stack hook seam (where services make their creation-time calls). */
describe('stack hooks', () => {
  let emulator: RunningEmulator;
  const deployers: Deployer[] = [];
  const deploy = async (template: CfnTemplate, hooks: StackHook[]) => {
    const deployer = new Deployer(emulator, { account: ACCOUNT, region: REGION, hooks });
    deployers.push(deployer);
    await deployer.deployStack(readSource(template, 'App')[0]);
  };
  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    deployers.splice(0).forEach(d => d.close());
    await emulator.stop();
  });

  test('a hook sees the stack\'s resources, what this deployment created, and a client as the execution role', async () => {
    const events: StackDeploymentEvent[] = [];
    const hook: StackHook = async event => {
      events.push(event);
      // the client acts as the execution role
      await event.kms().send(new DescribeKeyCommand({ KeyId: String(event.resources.Key.ref) }));
    };
    await deploy(appTemplate(), [hook]);
    await deploy(appTemplate(), [hook]);
    await deploy(appTemplate({ key: { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }, alias: { AliasName: 'alias/rsa' } }), [hook]);
    expect(events.map(e => [...e.created].sort())).toEqual([['Alias', 'App', 'AppPolicy', 'Key'], [], ['Alias', 'Key']]);
    expect(events[0]).toMatchObject({ stackName: 'App', account: ACCOUNT, region: REGION, executionRoleArn: EXEC_ROLE });
    expect(emulator.decisions().filter(d => d.operation === 'DescribeKey').map(d => d.caller)).toEqual([EXEC_ROLE, EXEC_ROLE, EXEC_ROLE]);
  });

  test('a hook that throws fails the stack, which rolls back', async () => {
    const error = await deploy(appTemplate(), [async () => { throw new Error('refused by the service'); }]).catch(e => e);
    expect(error.message).toBe('refused by the service');
    expect(emulator.decisions().map(d => d.operation).slice(-2)).toEqual(['DeleteAlias', 'ScheduleKeyDeletion']);
    expect(emulator.stackState(ACCOUNT, REGION, 'App')).toEqual({ resources: {}, outputs: {}, exports: {} });
  });
});
