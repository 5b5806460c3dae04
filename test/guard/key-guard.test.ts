import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardedKey, KeyGuard, MacKey, SigningKey } from '../../src';

let app: App;
let stack: Stack;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
});

function errors(): string[] {
  return Annotations.fromStack(stack).findError('*', Match.anyValue()).map(e => `${e.id}: ${e.entry.data}`);
}

describe('KeyGuard', () => {
  test('guarded keys of every kind pass every rule', () => {
    Aspects.of(app).add(new KeyGuard());
    new GuardedKey(stack, 'Symmetric', { admins: [new iam.AccountPrincipal('111122223333')] });
    new SigningKey(stack, 'Signing');
    new MacKey(stack, 'Mac');
    expect(errors()).toEqual([]);
  });

  test('a plain kms.Key with rotation off fails GK1', () => {
    Aspects.of(app).add(new KeyGuard());
    new kms.Key(stack, 'Plain', { enableKeyRotation: false });
    expect(errors()).toEqual(['/Stack/Plain/Resource: [GK1] automatic rotation is off: set EnableKeyRotation: true']);
  });

  test('a policy without the root statement fails GK2; an admin with kms:* fails GK3; Principal * fails GK4', () => {
    Aspects.of(app).add(new KeyGuard());
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ sid: 'Ops', principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/ops')], actions: ['kms:*'], resources: ['*'] }),
        new iam.PolicyStatement({ sid: 'Open', principals: [new iam.AnyPrincipal()], actions: ['kms:Decrypt'], resources: ['*'] }),
      ],
    });
    new kms.CfnKey(stack, 'Raw', { keyPolicy: policy, enableKeyRotation: true });
    expect(errors()).toEqual([
      "/Stack/Raw: [GK2] the key policy has no statement allowing kms:* to this account's root: the key can be locked out and IAM policies give nothing on it",
      "/Stack/Raw: [GK3] role/ops both administers the key (statement 'Ops' of the key policy) and can encrypt/decrypt/sign/mac/grant (statement 'Ops' of the key policy): separate admins from users",
      "/Stack/Raw: [GK4] statement 'Open' of the key policy allows Principal \"*\" without a condition that narrows the caller (aws:PrincipalOrgID, aws:PrincipalAccount, kms:CallerAccount, aws:SourceAccount or aws:SourceArn)",
      "/Stack/Raw: [GK9] statement 'Ops' of the key policy allows kms:* to role/ops: give administrators the management actions only",
      "/Stack/Raw: [GK11] statement 'Ops' of the key policy allows kms:CreateGrant without kms:GrantIsForAWSResource: add Bool kms:GrantIsForAWSResource true",
      '/Stack/Raw: [GK12] DeletionPolicy is Delete (the default): set Retain (RemovalPolicy.RETAIN) so deleting the stack does not delete the key',
    ]);
  });

  test('aws-cdk-lib\'s default key admins (kms:Create* covers CreateGrant) fail GK3', () => {
    Aspects.of(app).add(new KeyGuard());
    new kms.Key(stack, 'WithAdmins', { enableKeyRotation: true, admins: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/ops')] });
    expect(errors()).toEqual([
      expect.stringMatching(/\[GK3\] role\/ops both administers the key \(statement #2 of the key policy\) and can grant/),
      expect.stringMatching(/\[GK11\] statement #2 of the key policy allows kms:CreateGrant/),
    ]);
  });

  test("aws-cdk-lib's admins statement for a same-account role goes to the role's IAM policy, where GK3 still finds it", () => {
    // GIVEN a role of the same stack as admin (aws-cdk-lib writes kms:Create*/kms:Put*... to the role's policy) that also decrypts
    Aspects.of(app).add(new KeyGuard());
    const role = new iam.Role(stack, 'Ops', { assumedBy: new iam.AccountRootPrincipal() });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true, admins: [role] });
    key.grantDecrypt(role);
    // THEN the key policy alone shows nothing, the IAM policy shows both duties
    // (the order of annotations differs between aws-cdk-lib versions)
    expect(errors()).toHaveLength(2);
    expect(errors()).toEqual(expect.arrayContaining([
      expect.stringMatching(/^\/Stack\/Ops\/DefaultPolicy\/Resource: \[GK11\] statement #1 of IAM policy OpsDefaultPolicy[A-F0-9]+ allows kms:CreateGrant without kms:GrantIsForAWSResource/),
      expect.stringMatching(/^\/Stack\/Key\/Resource: \[GK3\] Ops[A-F0-9]+ both administers the key \(statement #1 of IAM policy OpsDefaultPolicy[A-F0-9]+\) and can decrypt\/grant/),
    ]));
  });

  test('a short deletion window fails GK5, RSA_2048 encryption fails GK6', () => {
    Aspects.of(app).add(new KeyGuard());
    new kms.Key(stack, 'Short', { enableKeyRotation: true, pendingWindow: Duration.days(7) });
    new kms.Key(stack, 'Rsa', { keySpec: kms.KeySpec.RSA_2048, keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT });
    expect(errors()).toEqual([
      '/Stack/Short/Resource: [GK5] the deletion window is 7 days, under the minimum of 30',
      '/Stack/Rsa/Resource: [GK6] an RSA_2048 key is used for encryption: use RSA_3072 or RSA_4096',
    ]);
  });

  test('findings are error entries in the cloud assembly, which make `cdk synth` and `cdk deploy` fail', () => {
    Aspects.of(app).add(new KeyGuard());
    new kms.Key(stack, 'Plain');
    const messages = app.synth().getStackByName('Stack').messages;
    expect(messages.filter(m => m.level === 'error').map(m => m.entry.data)).toEqual([expect.stringContaining('[GK1]')]);
  });

  test('a NotAction statement is read as everything it does not name (NotAction kms:Decrypt still allows kms:ReEncryptFrom)', () => {
    // GIVEN a plain aws-cdk-lib key (a GuardedKey refuses this statement at addToResourcePolicy)
    Aspects.of(app).add(new KeyGuard());
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllButDecrypt', principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/ops')], notActions: ['kms:Decrypt'], resources: ['*'],
    }));
    expect(errors()).toContainEqual(expect.stringContaining("[GK3] role/ops both administers the key (statement 'AllButDecrypt' of the key policy) and can encrypt/decrypt/sign/mac/grant"));
  });

  test('rules can be suppressed on one key with a reason, or skipped everywhere', () => {
    Aspects.of(app).add(new KeyGuard({ skipRules: ['GK5'] }));
    const legacy = new kms.Key(stack, 'Legacy', { enableKeyRotation: false, pendingWindow: Duration.days(7) });
    KeyGuard.suppress(legacy, ['GK1'], 'imported material cannot rotate');
    expect(errors()).toEqual([]);
    expect(() => KeyGuard.suppress(legacy, ['GK1'], ' ')).toThrow('KeyGuard.suppress needs a reason for GK1 on Stack/Legacy');
  });

  test('warnOnly reports warnings instead of errors', () => {
    Aspects.of(app).add(new KeyGuard({ warnOnly: true }));
    new kms.Key(stack, 'Plain');
    expect(errors()).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('GK1'))).toHaveLength(1);
  });
});
