import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardedKey, GuardedKeyProps } from '../../src';
import { snapshotTemplate } from '../support/snapshot';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

let app: App;
let stack: Stack;
let admin: iam.Role;
let user: iam.Role;
let worker: iam.Role;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: ACCOUNT, region: REGION } });
  admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  user = new iam.Role(stack, 'User', { assumedBy: new iam.AccountRootPrincipal() });
  worker = new iam.Role(stack, 'Worker', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
});

function keyPolicyStatements(): Array<Record<string, any>> {
  const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
  const [only] = Object.values(keys);
  return only.Properties.KeyPolicy.Statement;
}

function statement(sid: string): Record<string, any> | undefined {
  return keyPolicyStatements().find(s => s.Sid === sid);
}

const ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:root`]] };

describe('defaults', () => {
  test('a symmetric key with rotation every 365 days, a 30-day deletion window, retained on removal', () => {
    // WHEN
    new GuardedKey(stack, 'Key');

    // THEN
    const template = Template.fromStack(stack);
    template.hasResource('AWS::KMS::Key', {
      Properties: {
        EnableKeyRotation: true,
        RotationPeriodInDays: 365,
        PendingWindowInDays: 30,
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      MultiRegion: Match.absent(),
    });
  });

  test('the policy holds exactly the account-root statement', () => {
    new GuardedKey(stack, 'Key');
    expect(keyPolicyStatements()).toEqual([{
      Sid: 'EnableRootAccessAndIAMPolicies',
      Effect: 'Allow',
      Principal: { AWS: ROOT },
      Action: 'kms:*',
      Resource: '*',
    }]);
  });

  test('the root statement stays when other statements are added', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin], users: [user] });
    key.addToResourcePolicy(new iam.PolicyStatement({ principals: [worker], actions: ['kms:DescribeKey'], resources: ['*'] }));
    expect(keyPolicyStatements()[0].Sid).toBe('EnableRootAccessAndIAMPolicies');
  });
});

describe('administrators and users', () => {
  test('admins manage without any cryptographic action, CreateGrant, PutKeyPolicy or wildcard', () => {
    new GuardedKey(stack, 'Key', { admins: [admin] });
    const admins = statement('AllowKeyAdministration')!;
    expect(admins.Principal).toEqual({ AWS: { 'Fn::GetAtt': ['AdminC75D2A91', 'Arn'] } });
    const actions: string[] = admins.Action;
    expect(actions).toEqual(expect.arrayContaining(['kms:DisableKey', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:CreateAlias']));
    for (const forbidden of ['kms:*', 'kms:Create*', 'kms:CreateGrant', 'kms:ReEncrypt*', 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:PutKeyPolicy', 'kms:Put*']) {
      expect(actions).not.toContain(forbidden);
    }
    expect(actions.some(a => a.endsWith('*'))).toBe(false);
  });

  test('allowAdminsToChangePolicy adds kms:PutKeyPolicy only', () => {
    new GuardedKey(stack, 'Key', { admins: [admin], allowAdminsToChangePolicy: true });
    expect(statement('AllowKeyAdministration')!.Action).toContain('kms:PutKeyPolicy');
  });

  test('users get use actions and DescribeKey, encryptors and decryptors one side each', () => {
    new GuardedKey(stack, 'Key', { users: [user], encryptors: [worker], decryptors: [admin] });
    expect(statement('AllowKeyUse')!.Action).toEqual([
      'kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo',
    ]);
    expect(statement('AllowEncryptOnly')!.Action).toEqual(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo']);
    expect(statement('AllowDecryptOnly')!.Action).toEqual(['kms:Decrypt', 'kms:ReEncryptFrom']);
    expect(statement('AllowKeyUsersToDescribeKey')!.Principal.AWS).toHaveLength(3);
  });

  test.each(['users', 'encryptors', 'decryptors'])('a principal in admins and %s fails synth', (list) => {
    const props: GuardedKeyProps = { admins: [admin], [list]: [admin] };
    expect(() => new GuardedKey(stack, 'Key', props)).toThrow(/cannot also use the key|cannot also be an admin/);
  });

  test('the same role imported twice is recognised as one principal', () => {
    const imported = iam.Role.fromRoleArn(stack, 'Imported', `arn:aws:iam::${ACCOUNT}:role/ops`);
    const again = iam.Role.fromRoleArn(stack, 'Again', `arn:aws:iam::${ACCOUNT}:role/ops`);
    expect(() => new GuardedKey(stack, 'Key', { admins: [imported], users: [again] }))
      .toThrow("Stack/Key: arn:aws:iam::111122223333:role/ops is in 'admins' and cannot also use the key (users): administrators manage and never use");
  });

  test('Principal * as a user needs a narrowing condition', () => {
    expect(() => new GuardedKey(stack, 'Key', { users: [new iam.AnyPrincipal()] }))
      .toThrow("Stack/Key: 'users' contains Principal '*' without a narrowing condition: set 'callerAccounts' or 'viaServices'");
    const other = new Stack(app, 'Other');
    new GuardedKey(other, 'Narrowed', { users: [new iam.AnyPrincipal()], callerAccounts: [ACCOUNT] });
    Template.fromStack(other).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowKeyUse', Principal: { AWS: '*' }, Condition: { StringEquals: { 'kms:CallerAccount': [ACCOUNT] } },
        })]),
      },
    });
  });
});

describe('narrowing', () => {
  test('viaServices render as kms:ViaService in the stack region', () => {
    new GuardedKey(stack, 'Key', { users: [user], viaServices: ['s3', 'secretsmanager'] });
    expect(statement('AllowKeyUse')!.Condition).toEqual({
      StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'] },
    });
  });

  test('an environment-agnostic stack renders the region as a token', () => {
    const agnostic = new Stack(app, 'Agnostic');
    const role = new iam.Role(agnostic, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    new GuardedKey(agnostic, 'Key', { users: [role], viaServices: ['s3'] });
    Template.fromStack(agnostic).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'AllowKeyUse',
          // The domain follows the partition (amazonaws.com.cn in China), so it is a token too.
          Condition: { StringEquals: { 'kms:ViaService': [{ 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] }] } },
        })]),
      },
    });
  });

  test('callerAccounts render as kms:CallerAccount on use and DescribeKey', () => {
    new GuardedKey(stack, 'Key', { users: [user], callerAccounts: [ACCOUNT, '444455556666'] });
    const expected = { StringEquals: { 'kms:CallerAccount': [ACCOUNT, '444455556666'] } };
    expect(statement('AllowKeyUse')!.Condition).toEqual(expected);
    expect(statement('AllowKeyUsersToDescribeKey')!.Condition).toEqual(expected);
  });

  test('requiredEncryptionContext: exact values with StringEquals, "*" as presence with StringLike; DescribeKey not narrowed by it', () => {
    new GuardedKey(stack, 'Key', { users: [user], requiredEncryptionContext: { tenant: '*', purpose: 'billing' } });
    expect(statement('AllowKeyUse')!.Condition).toEqual({
      StringLike: { 'kms:EncryptionContext:tenant': '*' },
      StringEquals: { 'kms:EncryptionContext:purpose': 'billing' },
    });
    expect(statement('AllowKeyUsersToDescribeKey')!.Condition).toBeUndefined();
  });

  test('allowGrantsForAwsResources gives users grants for AWS resources only (EBS calls KMS as ec2)', () => {
    new GuardedKey(stack, 'Key', { users: [user], allowGrantsForAwsResources: true, viaServices: ['ebs'] });
    expect(statement('AllowGrantsForAwsResourcesOnly')).toEqual(expect.objectContaining({
      Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
      Condition: {
        StringEquals: { 'kms:ViaService': ['ec2.eu-west-1.amazonaws.com'] },
        Bool: { 'kms:GrantIsForAWSResource': true },
      },
    }));
  });

  test('without allowGrantsForAwsResources nobody but root can create grants', () => {
    new GuardedKey(stack, 'Key', { users: [user] });
    const grantors = keyPolicyStatements().filter(s => [s.Action].flat().some((a: string) => a === 'kms:CreateGrant' || a === 'kms:*'));
    expect(grantors.map(s => s.Sid)).toEqual(['EnableRootAccessAndIAMPolicies']);
  });
});

describe('grant methods', () => {
  test('grantDecrypt writes a narrowed statement on the grantee policy, with DescribeKey apart', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3'], requiredEncryptionContext: { tenant: '*' } });
    key.grantDecrypt(worker);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: 'Worker11F36D0F' }],
      PolicyDocument: {
        Statement: [
          {
            Action: ['kms:Decrypt', 'kms:ReEncryptFrom'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
            Condition: {
              StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] },
              StringLike: { 'kms:EncryptionContext:tenant': '*' },
            },
          },
          {
            Action: 'kms:DescribeKey',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } },
          },
        ],
      },
    });
  });

  test('grantEncrypt gives no decrypt action', () => {
    const key = new GuardedKey(stack, 'Key');
    key.grantEncrypt(worker);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0];
    const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions).toEqual(['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo', 'kms:DescribeKey']);
  });

  test('grantAdmin gives management actions without CreateGrant', () => {
    const key = new GuardedKey(stack, 'Key');
    key.grantAdmin(admin);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0];
    const actions: string[] = policy.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat());
    expect(actions).toContain('kms:ScheduleKeyDeletion');
    expect(actions).not.toContain('kms:CreateGrant');
    expect(actions.some(a => a.startsWith('kms:Create') && a.endsWith('*'))).toBe(false);
  });

  test('granting use to an admin, or admin to a user, is refused', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin], users: [user] });
    expect(() => key.grantDecrypt(admin)).toThrow(/is in 'admins' and cannot also use the key \(grantDecrypt\)/);
    expect(() => key.grantEncrypt(admin)).toThrow(/\(grantEncrypt\)/);
    expect(() => key.grantEncryptDecrypt(admin)).toThrow(/\(grantEncryptDecrypt\)/);
    expect(() => key.grant(admin, 'kms:Decrypt')).toThrow(/\(grant\(kms:Decrypt\)\)/);
    expect(() => key.grantAdmin(user)).toThrow(/uses the key \('users'\) and cannot also be an admin \(grantAdmin\)/);
  });

  test('other constructs grant through the same narrowing (bucket.grantRead)', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3'] });
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: key });
    bucket.grantRead(worker);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'kms:Decrypt',
          Condition: { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com'] } },
        })]),
      },
    });
  });

  test('a service principal cannot hold a policy, so it is named in the key policy with the narrowing', () => {
    const key = new GuardedKey(stack, 'Key', { callerAccounts: [ACCOUNT] });
    key.grantEncrypt(new iam.ServicePrincipal('logs.amazonaws.com'));
    expect(keyPolicyStatements()).toEqual(expect.arrayContaining([expect.objectContaining({
      Principal: { Service: 'logs.amazonaws.com' },
      Action: ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptTo'],
      Condition: { StringEquals: { 'kms:CallerAccount': [ACCOUNT] } },
    })]));
  });
});

describe('strict mode', () => {
  test('denies use to everyone but root and listed users, and management to everyone but root, admins and the deployment role', () => {
    const key = new GuardedKey(stack, 'Key', { admins: [admin], users: [user], strict: true });
    key.grantDecrypt(worker);
    const exceptions = (sid: string) => statement(sid)!.Condition.ArnNotLike['aws:PrincipalArn'];
    const rootToken = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    const userArn = { 'Fn::GetAtt': ['User00B015A1', 'Arn'] };
    const workerArn = { 'Fn::GetAtt': ['Worker11F36D0F', 'Arn'] };
    expect(statement('DenyEncryptToUnlistedPrincipals')).toEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' } }));
    const deployer = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`]] };
    // The deployment role is exempted from the encrypt-side deny, and limited by its own deny to calls via services.
    expect(exceptions('DenyEncryptToUnlistedPrincipals')).toEqual([rootToken, userArn, deployer]);
    expect(exceptions('DenyDecryptToUnlistedPrincipals')).toEqual([rootToken, userArn, workerArn]);
    expect(exceptions('DenyManagementToUnlistedPrincipals')).toEqual([rootToken, { 'Fn::GetAtt': ['AdminC75D2A91', 'Arn'] }, deployer]);
    expect(statement('DenyManagementToUnlistedPrincipals')!.Action).not.toContain('kms:DescribeKey');
    // AWS services calling as themselves have no aws:PrincipalArn; they are let in only by statements naming them.
    expect(statement('DenyDecryptToUnlistedPrincipals')!.Condition.BoolIfExists).toEqual({ 'aws:PrincipalIsAWSService': 'false' });
  });

  test('the deployment role may make the calls services make while creating resources, and no others', () => {
    new GuardedKey(stack, 'Key', { users: [user], strict: true });
    const deployer = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`]] };
    expect(statement('DenyDeployersEncryptOutsideServices')).toEqual(expect.objectContaining({
      Effect: 'Deny',
      Action: ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncryptTo'],
      Condition: { ArnLike: { 'aws:PrincipalArn': [deployer] }, Null: { 'kms:ViaService': 'true' } },
    }));
    expect(statement('DenyDeployersGrantsNotForAwsResources')).toEqual(expect.objectContaining({
      Effect: 'Deny',
      Action: 'kms:CreateGrant',
      Condition: { ArnLike: { 'aws:PrincipalArn': [deployer] }, BoolIfExists: { 'kms:GrantIsForAWSResource': 'false' } },
    }));
  });

  test('an account principal is exempted as every identity of that account', () => {
    new GuardedKey(stack, 'Key', { users: [new iam.AccountPrincipal('444455556666')], strict: true, deployers: [admin] });
    expect(statement('DenyEncryptToUnlistedPrincipals')!.Condition.ArnNotLike['aws:PrincipalArn'][1])
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::444455556666:*']] });
  });

  test('refuses principals without an IAM ARN', () => {
    expect(() => new GuardedKey(stack, 'Key', { users: [new iam.ServicePrincipal('s3.amazonaws.com')], strict: true }))
      .toThrow("Stack/Key: strict mode needs IAM principals (roles, users, ARNs or accounts) in 'users'; Service:s3.amazonaws.com has no IAM ARN");
  });
});

describe('validation', () => {
  test.each([89, 2561, 0])('rotationPeriod of %d days fails synth naming the range', (days) => {
    expect(() => new GuardedKey(stack, 'Key', { rotationPeriod: Duration.days(days) }))
      .toThrow(`Stack/Key: 'rotationPeriod' must be a whole number of days between 90 and 2560. Received: ${days} days`);
  });

  test.each([90, 2560])('rotationPeriod of %d days is accepted', (days) => {
    new GuardedKey(stack, 'Key', { rotationPeriod: Duration.days(days) });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { RotationPeriodInDays: days });
  });

  test('a fractional rotation period is refused', () => {
    expect(() => new GuardedKey(stack, 'Key', { rotationPeriod: Duration.hours(100 * 24 + 1) }))
      .toThrow(/'rotationPeriod' must be a whole number of days between 90 and 2560\. Received: 100\.04/);
  });

  test.each([6, 31])('pendingWindow of %d days fails synth', (days) => {
    expect(() => new GuardedKey(stack, 'Key', { pendingWindow: Duration.days(days) }))
      .toThrow(`Stack/Key: 'pendingWindow' must be a whole number of days between 7 and 30. Received: ${days} days`);
  });

  test.each([7, 30])('pendingWindow of %d days is accepted', (days) => {
    new GuardedKey(stack, 'Key', { pendingWindow: Duration.days(days) });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { PendingWindowInDays: days });
  });

  test.each([
    ['alias/aws/s3', "must not start with 'alias/aws/'"],
    ['aws/custom', "must not start with 'alias/aws/'"],
    ['has space', "may contain only letters, digits, '/', '_' and '-'"],
    ['alias/', 'may contain only letters, digits'],
    ['x'.repeat(251), 'must be at most 256 characters'],
  ])('alias %p is refused', (alias, message) => {
    expect(() => new GuardedKey(stack, 'Key', { aliases: [alias] })).toThrow(message);
  });

  test('duplicate aliases are refused after normalization', () => {
    expect(() => new GuardedKey(stack, 'Key', { aliases: ['app', 'alias/app'] })).toThrow("'aliases' lists 'alias/app' twice");
  });

  test.each([
    [{ viaServices: [] }, "'viaServices' must list at least one service"],
    [{ viaServices: ['s3.eu-west-1.amazonaws.com'] }, "'viaServices' entries must be service names like 's3'"],
    [{ callerAccounts: ['12345'] }, "'callerAccounts' entries must be 12-digit account IDs. Received: '12345'"],
    [{ callerAccounts: [] }, "'callerAccounts' must list at least one account"],
    [{ requiredEncryptionContext: { 'aws:reserved': 'x' } }, "keys starting with 'aws' are reserved by AWS; only the keys services set may be named"],
    [{ requiredEncryptionContext: { tenant: '' } }, 'values must be non-empty strings'],
    [{ description: 'd'.repeat(8193) }, "'description' must be at most 8192 characters. Received: 8193"],
    [{ tags: { 'aws:cost': 'x' } }, "'tags' keys must be 1 to 128 characters and not start with 'aws:'"],
  ] as Array<[GuardedKeyProps, string]>)('%p fails synth', (props, message) => {
    expect(() => new GuardedKey(stack, 'Key', props)).toThrow(message);
  });

  test('a policy over 32 KB fails synth naming the largest statements', () => {
    const principals = Array.from({ length: 400 }, (_, i) => new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/application-role-number-${i}`));
    new GuardedKey(stack, 'Key', { users: principals });
    expect(() => app.synth()).toThrow(/the key policy is \d+ bytes, over KMS's limit of 32768\. Remove principals or statements; the largest statements are: AllowKeyUse \(\d+ bytes\)/);
  });

  test('addToResourcePolicy refuses Principal * without a condition', () => {
    const key = new GuardedKey(stack, 'Key');
    expect(() => key.addToResourcePolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] })))
      .toThrow('Stack/Key: a key policy statement allows Principal "*" without a condition');
  });
});

describe('aliases, description, tags, removal', () => {
  test('aliases get the alias/ prefix and point at the key', () => {
    new GuardedKey(stack, 'Key', { aliases: ['app/data', 'alias/app/backup'] });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::KMS::Alias', 2);
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/data', TargetKeyId: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/app/backup' });
  });

  test('description, tags and removal policy pass through', () => {
    new GuardedKey(stack, 'Key', { description: 'Customer data', tags: { team: 'payments' }, removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(stack).hasResource('AWS::KMS::Key', {
      Properties: { Description: 'Customer data', Tags: [{ Key: 'team', Value: 'payments' }] },
      DeletionPolicy: 'Delete',
    });
  });
});

describe('snapshots', () => {
  test('an application key: admins, users, S3 only, tenant context, alias', () => {
    const key = new GuardedKey(stack, 'Key', {
      description: 'Application data',
      aliases: ['app/data'],
      admins: [admin],
      users: [user],
      viaServices: ['s3'],
      requiredEncryptionContext: { tenant: '*' },
    });
    key.grantDecrypt(worker);
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });

  test('a strict key for a cross-account consumer', () => {
    new GuardedKey(stack, 'Key', {
      admins: [admin],
      users: [new iam.AccountPrincipal('444455556666')],
      callerAccounts: ['444455556666'],
      strict: true,
      rotationPeriod: Duration.days(90),
      pendingWindow: Duration.days(7),
    });
    expect(snapshotTemplate(stack)).toMatchSnapshot();
  });
});
