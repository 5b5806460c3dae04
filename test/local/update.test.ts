import {
  DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { ACCOUNT, appTemplate, EXEC_ROLE, operationsSince, REGION, trustingPolicy } from './support';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { CfnTemplate, deployLocally, LocalDeployment, LocalDeploymentError, LocalDeploymentOptions } from '../../src/local';

/**
 * A second deployment into the same emulator is a CloudFormation update: unchanged resources are not touched,
 * changed properties go through their KMS operations, replacement properties make a new resource, removed
 * resources are deleted or retained as their policies say.
 */
describe('deployLocally: updates', () => {
  let emulator: RunningEmulator;
  const open: LocalDeployment[] = [];
  const deploy = async (template: CfnTemplate, options: Partial<LocalDeploymentOptions> = {}) => {
    const deployment = await deployLocally(template, { emulator, account: ACCOUNT, region: REGION, stackName: 'App', ...options });
    open.push(deployment);
    return deployment;
  };
  const describeKey = (d: LocalDeployment, keyId: string) => kms(d).send(new DescribeKeyCommand({ KeyId: keyId })).then(r => r.KeyMetadata!);
  const kms = (d: LocalDeployment): KMSClient => d.deployerClientFor(ACCOUNT, REGION);
  const aliasTarget = async (d: LocalDeployment, name: string) =>
    (await kms(d).send(new ListAliasesCommand({}))).Aliases!.find(a => a.AliasName === name)?.TargetKeyId;

  beforeEach(async () => { emulator = await startEmulator(); });
  afterEach(async () => {
    open.splice(0).forEach(d => d.close());
    await emulator.stop();
  });

  test('the deployment acts as the execution role, never as the account root', async () => {
    const deployment = await deploy(appTemplate({ key: { EnableKeyRotation: true } }));
    expect(deployment.stacks).toEqual([{ name: 'App', account: ACCOUNT, region: REGION, executionRoleArn: EXEC_ROLE }]);
    const callers = new Set(emulator.decisions().map(d => d.caller));
    expect([...callers]).toEqual([EXEC_ROLE]);
    expect(operationsSince(emulator, 0)).toEqual(['CreateKey', 'CreateKey', 'EnableKeyRotation', 'CreateAlias']);
  });

  test('the roleArn option and the qualifier choose the role', async () => {
    const other = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
    const withRole = await deploy(appTemplate(), { roleArn: other });
    expect(withRole.stacks[0].executionRoleArn).toBe(other);
    const withQualifier = await deploy(appTemplate(), { qualifier: 'custom1', stackName: 'Other', region: 'us-east-1' });
    expect(withQualifier.stacks[0].executionRoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/cdk-custom1-cfn-exec-role-${ACCOUNT}-us-east-1`);
    expect(new Set(emulator.decisions().map(d => d.caller))).toEqual(new Set([other, withQualifier.stacks[0].executionRoleArn]));
  });

  test('deploying the same template twice makes no KMS call and keeps every id and credential', async () => {
    // GIVEN a deployment and a client made from it
    const first = await deploy(appTemplate({ key: { EnableKeyRotation: true, Tags: [{ Key: 'team', Value: 'a' }] } }));
    const app = first.clientFor('App');
    const { CiphertextBlob } = await app.send(new EncryptCommand({ KeyId: 'alias/app/data', Plaintext: Buffer.from('x') }));
    const from = emulator.decisions().length;
    // WHEN the same template is deployed again
    const second = await deploy(appTemplate({ key: { EnableKeyRotation: true, Tags: [{ Key: 'team', Value: 'a' }] } }));
    // THEN nothing was asked of KMS, and the deployment describes the same resources
    expect(operationsSince(emulator, from)).toEqual([]);
    expect(second.keys).toEqual(first.keys);
    expect(second.principals).toEqual(first.principals);
    expect(second.aliases).toEqual(first.aliases);
    // AND the client made before still works
    await app.send(new DecryptCommand({ CiphertextBlob }));
  });

  test('a changed policy goes through PutKeyPolicy; rotation, description and state through their operations', async () => {
    const first = await deploy(appTemplate());
    const keyId = first.key('Key').keyId;
    const reader = { Sid: 'Reader', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:Decrypt', Resource: '*' };
    const from = emulator.decisions().length;
    const second = await deploy(appTemplate({
      key: { KeyPolicy: trustingPolicy(reader), EnableKeyRotation: true, RotationPeriodInDays: 180, Description: 'customer data', Enabled: false },
    }));
    expect(second.key('Key').keyId).toBe(keyId);
    expect(operationsSince(emulator, from)).toEqual(['PutKeyPolicy', 'PutKeyPolicy', 'UpdateKeyDescription', 'EnableKeyRotation', 'DisableKey']);
    expect(JSON.parse((await kms(second).send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy!).Statement).toContainEqual(reader);
    const rotation = await kms(second).send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    expect(rotation).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect(await describeKey(second, keyId)).toMatchObject({ Description: 'customer data', KeyState: 'Disabled' });

    // WHEN rotation is turned off, the key enabled and a tag added
    const at = emulator.decisions().length;
    await deploy(appTemplate({ key: { KeyPolicy: trustingPolicy(reader), Description: 'customer data', Tags: [{ Key: 'team', Value: 'a' }] } }));
    expect(operationsSince(emulator, at)).toEqual(['EnableKey', 'DisableKeyRotation', 'TagResource']);
    expect((await kms(second).send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: 'team', TagValue: 'a' }]);
  });

  test('a new TargetKeyId moves the alias with UpdateAlias', async () => {
    const extra = { Other: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy() } } };
    const first = await deploy(appTemplate({ extra }));
    const from = emulator.decisions().length;
    const second = await deploy(appTemplate({ extra, alias: { TargetKeyId: { Ref: 'Other' } } }));
    expect(operationsSince(emulator, from)).toEqual(['UpdateAlias', 'UpdateAlias']);
    expect(await aliasTarget(second, 'alias/app/data')).toBe(first.key('Other').keyId);
    expect(second.key('alias/app/data').logicalId).toBe('Other');
  });

  test('a removed key is scheduled for deletion with the template\'s window; its alias is deleted first', async () => {
    const first = await deploy(appTemplate({ key: { PendingWindowInDays: 7 } }));
    const keyId = first.key('Key').keyId;
    const from = emulator.decisions().length;
    const { Resources } = appTemplate();
    const second = await deploy({ Resources: { App: Resources!.App } });
    expect(operationsSince(emulator, from)).toEqual(['DeleteAlias', 'ScheduleKeyDeletion']);
    expect(second.keys).toEqual([]);
    const deleted = await describeKey(second, keyId);
    expect(deleted.KeyState).toBe('PendingDeletion');
    expect(deleted.DeletionDate!.getTime() - Date.now()).toBeGreaterThan(6 * 86_400_000);
    expect(deleted.DeletionDate!.getTime() - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
  });

  test('a removed key without a window waits 30 days; DeletionPolicy Retain keeps it', async () => {
    const first = await deploy(appTemplate({ extra: { Kept: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy() }, DeletionPolicy: 'Retain' } } }));
    const { Resources } = appTemplate();
    const second = await deploy({ Resources: { App: Resources!.App } });
    const gone = await describeKey(second, first.key('Key').keyId);
    expect(Math.round((gone.DeletionDate!.getTime() - Date.now()) / 86_400_000)).toBe(30);
    expect((await describeKey(second, first.key('Kept').keyId)).KeyState).toBe('Enabled');
  });

  test('a removed role loses its credentials', async () => {
    const first = await deploy(appTemplate());
    const app = first.clientFor('App');
    const { Resources } = appTemplate();
    await deploy({ Resources: { Key: Resources!.Key } });
    await expect(app.send(new EncryptCommand({ KeyId: first.key('Key').arn, Plaintext: Buffer.from('x') }))).rejects.toThrow('The security token included in the request is invalid.');
  });

  test('a new KeySpec replaces the key: a new key, the alias moved to it, the old one scheduled for deletion', async () => {
    const first = await deploy(appTemplate());
    const oldKey = first.key('Key').keyId;
    const from = emulator.decisions().length;
    const second = await deploy(appTemplate({ key: { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }, alias: { AliasName: 'alias/app/rsa' } }));
    const newKey = second.key('Key').keyId;
    expect(newKey).not.toBe(oldKey);
    // the alias name changed too: a new alias, then cleanup deletes the old alias and the old key
    // (CreateKey authorizes twice: the call, and the lockout check of its policy)
    expect(operationsSince(emulator, from)).toEqual(['CreateKey', 'CreateKey', 'CreateAlias', 'DeleteAlias', 'ScheduleKeyDeletion']);
    expect(await aliasTarget(second, 'alias/app/rsa')).toBe(newKey);
    expect(await aliasTarget(second, 'alias/app/data')).toBeUndefined();
    expect((await describeKey(second, oldKey)).KeyState).toBe('PendingDeletion');
    // AND the role's IAM policy follows the new key ARN
    expect(JSON.stringify(second.principal('App').identityPolicies)).toContain(second.key('Key').arn);
  });

  test('UpdateReplacePolicy Retain keeps the replaced key; a replaced key\'s alias is moved with UpdateAlias', async () => {
    const first = await deploy(appTemplate({ keyAttributes: { UpdateReplacePolicy: 'Retain' } }));
    const from = emulator.decisions().length;
    const second = await deploy(appTemplate({ key: { MultiRegion: true }, keyAttributes: { UpdateReplacePolicy: 'Retain' } }));
    expect(operationsSince(emulator, from)).toEqual(['CreateKey', 'CreateKey', 'UpdateAlias', 'UpdateAlias']);
    expect(second.key('Key').keyId).toMatch(/^mrk-/);
    expect((await describeKey(second, first.key('Key').keyId)).KeyState).toBe('Enabled');
  });

  describe('failures are reported as CloudFormation reports them', () => {
    test('a key policy that locks the execution role out fails CreateKey with KMS\'s lockout message', async () => {
      // GIVEN a policy that names only the app role (the execution role could never update it)
      const lockedOut = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:*', Resource: '*' }] };
      // WHEN it is deployed THEN the error names the resource, the status, the call, the reason and the caller
      await expect(deploy({ Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: lockedOut } } } })).rejects.toMatchObject({
        name: 'LocalDeploymentError',
        message: 'App/Key (AWS::KMS::Key) CREATE_FAILED: Resource handler returned message: '
          + '"The new key policy will not allow you to update the key policy in the future. '
          + `(Service: Kms, Operation: CreateKey, Error: MalformedPolicyDocumentException, Caller: ${EXEC_ROLE})"`,
        operation: 'CreateKey',
        code: 'MalformedPolicyDocumentException',
      });
    });

    test('an execution role whose IAM policy does not allow the call is refused, by name', async () => {
      const createOnly = [{ Statement: [{ Effect: 'Allow' as const, Action: 'kms:CreateKey', Resource: '*' }] }];
      const error = await deploy(appTemplate(), { executionRolePolicies: createOnly }).catch(e => e);
      expect(error.message).toMatch(/^App\/Key \(AWS::KMS::Key\) CREATE_FAILED: .*"The new key policy will not allow you to update the key policy in the future/);
      const noKms = [{ Statement: [{ Effect: 'Allow' as const, Action: 's3:*', Resource: '*' }] }];
      const denied = await deploy(appTemplate(), { executionRolePolicies: noKms, stackName: 'Denied' }).catch(e => e);
      expect(denied).toBeInstanceOf(LocalDeploymentError);
      expect(denied.message).toContain('App/Key'.replace('App', 'Denied'));
      expect(denied).toMatchObject({ operation: 'CreateKey', code: 'AccessDeniedException' });
      expect(denied.reason).toContain(`User: ${EXEC_ROLE} is not authorized to perform: kms:CreateKey`);
    });

    test('a failed first deployment rolls back: what it created is deleted, and the fixed app deploys afresh', async () => {
      const lockedOut = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:*', Resource: '*' }] };
      const template = (policy: object) => appTemplate({ extra: { Locked: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: policy } } } });
      const error = await deploy(template(lockedOut)).catch(e => e);
      expect(error).toMatchObject({ logicalId: 'Locked', stackStatus: 'ROLLBACK_COMPLETE' });
      // THEN the key created before the failure was scheduled for deletion, its alias deleted
      const ops = operationsSince(emulator, 0);
      expect(ops.slice(-2)).toEqual(['DeleteAlias', 'ScheduleKeyDeletion']);
      // AND the fixed app is a new stack: every resource created again
      const fixed = await deploy(template(trustingPolicy()));
      expect(fixed.keys.map(k => k.logicalId).sort()).toEqual(['Key', 'Locked']);
      expect((await describeKey(fixed, fixed.key('Key').keyId)).KeyState).toBe('Enabled');
    });

    test('a failed update rolls back: updated properties are set back, and redeploying the old app changes nothing', async () => {
      const first = await deploy(appTemplate());
      const lockedOut = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:*', Resource: '*' }] };
      const from = emulator.decisions().length;
      const error = await deploy(appTemplate({
        key: { Description: 'changed' }, extra: { Locked: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: lockedOut } } },
      })).catch(e => e);
      expect(error).toMatchObject({ logicalId: 'Locked', action: 'CREATE', stackStatus: 'UPDATE_ROLLBACK_COMPLETE' });
      expect(operationsSince(emulator, from)).toEqual(['UpdateKeyDescription', 'CreateKey', 'CreateKey', 'UpdateKeyDescription']);
      expect((await describeKey(first, first.key('Key').keyId)).Description).toBe('data');
      const at = emulator.decisions().length;
      await deploy(appTemplate());
      expect(operationsSince(emulator, at)).toEqual([]);
    });

    test('an update refused by the key policy fails with UPDATE_FAILED naming PutKeyPolicy', async () => {
      await deploy(appTemplate());
      const lockedOut = { Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: 'kms:*', Resource: '*' }] };
      await expect(deploy(appTemplate({ key: { KeyPolicy: lockedOut } }))).rejects.toMatchObject({
        message: expect.stringMatching(/^App\/Key \(AWS::KMS::Key\) UPDATE_FAILED: .*Operation: PutKeyPolicy, Error: MalformedPolicyDocumentException/),
      });
      // AND bypassing the check, as the template may, is honoured
      const bypassed = await deploy(appTemplate({ key: { KeyPolicy: lockedOut, BypassPolicyLockoutSafetyCheck: true } }));
      expect(bypassed.keys).toHaveLength(1);
    });
  });
});
