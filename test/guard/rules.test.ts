import { DEFAULT_CONFIG, guardConfig } from '../../src/guard/config';
import { runGuard } from '../../src/guard/engine';
import { GuardTemplate } from '../../src/guard/template-source';

const ACCOUNT = '111122223333';
const FOREIGN = '444455556666';
const ROOT = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };

/** A key that passes every rule, with its properties and policy statements overridable. */
function key(props: Record<string, unknown> = {}, statements: unknown[] = [ROOT], extra: Record<string, unknown> = {}) {
  return {
    Type: 'AWS::KMS::Key',
    DeletionPolicy: 'Retain',
    UpdateReplacePolicy: 'Retain',
    Properties: { EnableKeyRotation: true, KeyPolicy: { Version: '2012-10-17', Statement: statements }, ...props },
    ...extra,
  };
}

function check(resources: Record<string, unknown>, options: { config?: unknown; account?: string | null; template?: Record<string, unknown> } = {}) {
  const source: GuardTemplate = {
    stackName: 'S',
    file: 'S.template.json',
    template: { Resources: resources, ...options.template } as GuardTemplate['template'],
    account: options.account === null ? undefined : options.account ?? ACCOUNT,
    region: 'eu-west-1',
  };
  const report = runGuard([source], options.config ? guardConfig(options.config) : DEFAULT_CONFIG);
  return report;
}
const rulesOf = (resources: Record<string, unknown>, options?: Parameters<typeof check>[1]) =>
  check(resources, options).findings.map(f => `${f.rule} ${f.logicalId}`);
const statement = (s: Record<string, unknown>) => ({ Effect: 'Allow', Resource: '*', ...s });

describe('keys that are right pass', () => {
  test('a CfnKey with no KeyPolicy gets the default policy: no finding', () => {
    expect(rulesOf({ Key: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } } })).toEqual([]);
  });

  test('a root statement written with Fn::Sub, Fn::Join or the literal account is read as the account root', () => {
    const join = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    expect(rulesOf({
      Sub: key(),
      Join: key({}, [{ ...ROOT, Principal: { AWS: join } }]),
      Literal: key({}, [{ ...ROOT, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }]),
      Bare: key({}, [{ ...ROOT, Principal: { AWS: ACCOUNT } }]),
    })).toEqual([]);
  });

  test('Fn::If is evaluated with the template\'s Conditions', () => {
    const template = { Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } } };
    const open = statement({ Principal: '*', Action: 'kms:Decrypt' });
    expect(rulesOf({ Key: key({}, [ROOT, { 'Fn::If': ['IsProd', { Ref: 'AWS::NoValue' }, open] }]) }, { template })).toEqual([]);
    expect(rulesOf({ Key: key({}, [ROOT, { 'Fn::If': ['IsProd', open, { Ref: 'AWS::NoValue' }] }]) }, { template })).toEqual(['GK4 Key']);
  });

  test('a resource whose Condition is false is not created, so not judged', () => {
    const template = { Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } } };
    expect(rulesOf({ Key: { ...key({ EnableKeyRotation: false }), Condition: 'Never' } }, { template })).toEqual([]);
  });

  test('keys with imported material (Origin EXTERNAL) are not asked to rotate', () => {
    expect(rulesOf({ Key: key({ EnableKeyRotation: undefined, Origin: 'EXTERNAL' }) })).toEqual([]);
  });
});

describe('what cannot be evaluated is reported as such (GK0), never guessed', () => {
  test('a condition on a parameter nobody gave', () => {
    const template = { Parameters: { Env: { Type: 'String' } }, Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } } };
    const report = check({ Key: key({ EnableKeyRotation: { 'Fn::If': ['IsProd', true, false] } }) }, { template });
    expect(report.findings.map(f => [f.rule, f.severity])).toEqual([['GK0', 'warning']]);
    expect(report.findings[0].message).toContain('IsProd');
    // GIVEN the parameter's value in guard.json THEN the condition is decided
    expect(rulesOf({ Key: key({ EnableKeyRotation: { 'Fn::If': ['IsProd', true, false] } }) }, { template, config: { parameters: { Env: 'dev' } } }))
      .toEqual(['GK1 Key']);
  });

  test('an import from another stack in a principal', () => {
    const report = check({ Key: key({}, [ROOT, statement({ Principal: { AWS: { 'Fn::ImportValue': 'OtherRole' } }, Action: 'kms:Decrypt' })]) });
    expect(report.findings.map(f => f.rule)).toEqual(['GK0']);
    expect(report.findings[0].message).toContain("Fn::ImportValue \"OtherRole\" is another stack's export");
  });

  test('a key policy that is chosen by an undecidable condition is not taken for one without a root statement', () => {
    const template = { Parameters: { Env: { Type: 'String' } }, Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } } };
    const whole = key({ KeyPolicy: { 'Fn::If': ['IsProd', { Statement: [ROOT] }, { Statement: [ROOT] }] } });
    const oneStatement = key({}, [{ 'Fn::If': ['IsProd', ROOT, ROOT] }]);
    expect(rulesOf({ Whole: whole, One: oneStatement }, { template })).toEqual(['GK0 Whole', 'GK0 One']);
  });

  test('a key policy written as a JSON string is read', () => {
    const open = statement({ Principal: '*', Action: 'kms:Decrypt' });
    // (a string holds no intrinsics: the account is literal)
    const root = { ...ROOT, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } };
    expect(rulesOf({ Key: key({ KeyPolicy: JSON.stringify({ Statement: [root, open] }) }) })).toEqual(['GK4 Key']);
  });

  test('a literal root account when the stack\'s account is unknown', () => {
    const literal = [{ ...ROOT, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }];
    const report = check({ Key: key({}, literal) }, { account: null });
    expect(report.findings.map(f => f.message.slice(0, 18))).toEqual(['[GK2 undecided] th', '[GK9 undecided] st', '[GK11 undecided] s']);
    expect(report.findings.every(f => f.rule === 'GK0' && f.severity === 'warning')).toBe(true);
  });
});

describe('key policies', () => {
  test('a key policy without the own root fails GK2; a foreign root does not count, and with kms:* fails GK9', () => {
    const foreign = { ...ROOT, Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` } };
    expect(rulesOf({ Key: key({}, [foreign]) })).toEqual(['GK2 Key', 'GK9 Key', 'GK11 Key']);
    expect(rulesOf({ Key: key({}, [ROOT, foreign]) })).toEqual(['GK9 Key', 'GK11 Key']);
  });

  test.each([
    ['no condition', undefined, true],
    ['kms:ViaService alone', { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, true],
    ['aws:SecureTransport', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['a negated caller account', { StringNotEquals: { 'kms:CallerAccount': ACCOUNT } }, true],
    ['an IfExists caller account', { StringEqualsIfExists: { 'kms:CallerAccount': ACCOUNT } }, true],
    ['a wildcard org id', { StringLike: { 'aws:PrincipalOrgID': '*' } }, true],
    ['aws:PrincipalOrgID', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }, false],
    ['aws:PrincipalAccount', { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } }, false],
    ['kms:CallerAccount with kms:ViaService', { StringEquals: { 'kms:CallerAccount': ACCOUNT, 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, false],
    ['aws:SourceAccount', { StringEquals: { 'aws:SourceAccount': ACCOUNT } }, false],
    ['aws:SourceArn', { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::bucket-${ACCOUNT}` } }, false],
    ['an aws:SourceArn of any bucket', { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::*' } }, true],
    ['an aws:SourceArn in any account', { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:eu-west-1:*:topic' } }, true],
    ['an aws:SourceArn in this account', { ArnLike: { 'aws:SourceArn': `arn:aws:sns:*:${ACCOUNT}:*` } }, false],
    ['a wildcard account', { StringLike: { 'kms:CallerAccount': '1111*' } }, true],
    ['an organization path', { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc123/r-ab12/*' } }, false],
  ])('Principal * with %s: GK4 %s', (_, condition, fails) => {
    const open = statement({ Principal: { AWS: '*' }, Action: ['kms:Decrypt'], Condition: condition });
    expect(rulesOf({ Key: key({}, [ROOT, open]) })).toEqual(fails ? ['GK4 Key'] : []);
  });

  test('Allow with NotPrincipal fails GK8', () => {
    const notPrincipal = { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: 'kms:Decrypt', Resource: '*' };
    expect(rulesOf({ Key: key({}, [ROOT, notPrincipal]) })).toEqual(['GK8 Key']);
  });

  test('a service principal needs aws:SourceArn or aws:SourceAccount (GK10)', () => {
    const sns = (Condition?: unknown) => statement({ Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition });
    expect(rulesOf({ Key: key({}, [ROOT, sns()]) })).toEqual(['GK10 Key']);
    expect(rulesOf({ Key: key({}, [ROOT, sns({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } })]) })).toEqual([]);
  });

  test('CreateGrant without kms:GrantIsForAWSResource fails GK11', () => {
    const role = { AWS: `arn:aws:iam::${ACCOUNT}:role/app` };
    expect(rulesOf({ Key: key({}, [ROOT, statement({ Principal: role, Action: 'kms:CreateGrant' })]) })).toEqual(['GK11 Key']);
    expect(rulesOf({ Key: key({}, [ROOT, statement({ Principal: role, Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } })]) })).toEqual([]);
  });

  test('a policy over 32 KB fails GK13; within 10 % of it is a warning', () => {
    const filler = (bytes: number) => statement({ Sid: 'x'.repeat(bytes), Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/app` }, Action: 'kms:Decrypt' });
    const over = check({ Key: key({}, [ROOT, filler(33_000)]) }).findings;
    expect(over.map(f => [f.rule, f.severity])).toEqual([['GK13', 'error']]);
    const near = check({ Key: key({}, [ROOT, filler(31_000)]) }).findings;
    expect(near.map(f => [f.rule, f.severity])).toEqual([['GK13', 'warning']]);
  });

  test('replica keys are checked like primaries (but rotate with their primary)', () => {
    const replica = { Type: 'AWS::KMS::ReplicaKey', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { PrimaryKeyArn: 'arn:aws:kms:us-east-1:1:key/mrk-1', KeyPolicy: { Statement: [ROOT, statement({ Principal: '*', Action: 'kms:Decrypt' })] } } };
    expect(rulesOf({ Replica: replica })).toEqual(['GK4 Replica']);
  });
});

describe('key properties', () => {
  test('rotation off, or a period over the maximum, fails GK1', () => {
    expect(rulesOf({ Off: key({ EnableKeyRotation: false }), Long: key({ RotationPeriodInDays: 730 }), Ok: key({ RotationPeriodInDays: 365 }) }))
      .toEqual(['GK1 Off', 'GK1 Long']);
    expect(rulesOf({ Long: key({ RotationPeriodInDays: 730 }) }, { config: { rotationMaxDays: 730 } })).toEqual([]);
  });

  test.each(['RSA_3072', 'ECC_NIST_P256', 'HMAC_256'])('EnableKeyRotation on %s fails GK7 (the deployment would fail)', keySpec => {
    const usage = keySpec.startsWith('HMAC') ? 'GENERATE_VERIFY_MAC' : 'SIGN_VERIFY';
    expect(rulesOf({ Key: key({ KeySpec: keySpec, KeyUsage: usage }) })).toEqual(['GK7 Key']);
    expect(rulesOf({ Key: key({ KeySpec: keySpec, KeyUsage: usage, EnableKeyRotation: false }) })).toEqual([]);
  });

  test('RSA_2048 for encryption fails GK6, for signing it does not', () => {
    expect(rulesOf({ Enc: key({ KeySpec: 'RSA_2048', EnableKeyRotation: false }), Sig: key({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', EnableKeyRotation: false }) }))
      .toEqual(['GK6 Enc']);
  });

  test.each([[7, true], [29, true], [30, false]])('a deletion window of %i days fails GK5: %s', (days, fails) => {
    expect(rulesOf({ Key: key({ PendingWindowInDays: days }) })).toEqual(fails ? ['GK5 Key'] : []);
  });

  test('the deletion-window minimum is configurable', () => {
    expect(rulesOf({ Key: key({ PendingWindowInDays: 14 }) }, { config: { deletionWindowMinDays: 14 } })).toEqual([]);
  });

  test('DeletionPolicy other than Retain fails GK12', () => {
    expect(rulesOf({ Del: key({}, [ROOT], { DeletionPolicy: 'Delete' }), None: key({}, [ROOT], { DeletionPolicy: undefined }), Keep: key({}, [ROOT], { DeletionPolicy: 'RetainExceptOnCreate' }) }))
      .toEqual(['GK12 Del', 'GK12 None']);
  });

  test('required tags (GK15) and allowed regions (GK16) apply when configured', () => {
    const tagged = key({ Tags: [{ Key: 'owner', Value: 'data' }] });
    expect(rulesOf({ Tagged: tagged, Bare: key() }, { config: { requiredTags: ['owner'] } })).toEqual(['GK15 Bare']);
    expect(rulesOf({ Key: key() }, { config: { allowedRegions: ['us-east-1'] } })).toEqual(['GK16 Key']);
    expect(rulesOf({ Key: key() }, { config: { allowedRegions: ['eu-west-1'] } })).toEqual([]);
  });
});

describe('IAM policies in the template', () => {
  const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
  const policy = (statements: unknown[], type = 'AWS::IAM::Policy') => ({
    Type: type, Properties: { PolicyName: 'P', Roles: [{ Ref: 'AppRole' }], PolicyDocument: { Statement: statements } },
  });

  test.each([
    ['kms:Decrypt on *', statement({ Action: 'kms:Decrypt' }), 'AWS::IAM::Policy', true],
    ['kms:* on * in a managed policy', statement({ Action: 'kms:*' }), 'AWS::IAM::ManagedPolicy', true],
    ['kms:ReEncrypt* on a key/* ARN', statement({ Action: 'kms:ReEncrypt*', Resource: 'arn:aws:kms:*:111122223333:key/*' }), 'AWS::IAM::Policy', true],
    ['kms:Encrypt on *', statement({ Action: 'kms:Encrypt' }), 'AWS::IAM::Policy', false],
    ['kms:Decrypt on one key', statement({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }), 'AWS::IAM::Policy', false],
    ['kms:Decrypt on * narrowed by tag', statement({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'aws:ResourceTag/team': 'data' } } }), 'AWS::IAM::Policy', false],
  ])('%s: GK14 %s', (_, s, type, fails) => {
    expect(rulesOf({ Key: key(), AppRole: role, Policy: policy([s], type as string) }).filter(r => r.startsWith('GK14'))).toEqual(fails ? ['GK14 Policy'] : []);
  });

  test('a role inline policy counts too', () => {
    const inline = { ...role, Properties: { ...role.Properties, Policies: [{ PolicyName: 'inline', PolicyDocument: { Statement: [statement({ Action: 'kms:Decrypt' })] } }] } };
    expect(rulesOf({ AppRole: inline })).toEqual(['GK14 AppRole']);
  });

  test("aws-cdk-lib's admin actions written to a role's IAM policy, plus use in the key policy, fail GK3", () => {
    const use = statement({ Principal: { AWS: { 'Fn::GetAtt': ['AppRole', 'Arn'] } }, Action: ['kms:Decrypt', 'kms:Encrypt'] });
    const admin = statement({ Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } });
    const findings = check({ Key: key({}, [ROOT, use]), AppRole: role, Policy: policy([admin]) }).findings;
    expect(findings.map(f => `${f.rule} ${f.logicalId}`)).toEqual(['GK3 Key', 'GK11 Policy']);
    expect(findings[0].message).toBe('AppRole both administers the key (statement #1 of IAM policy P) and can encrypt/decrypt/grant (statement #2 of the key policy, statement #1 of IAM policy P): separate admins from users');
  });

  test('IAM policies give nothing on a key whose policy does not trust the account', () => {
    const admin = statement({ Action: ['kms:PutKeyPolicy'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } });
    const use = statement({ Principal: { AWS: { 'Fn::GetAtt': ['AppRole', 'Arn'] } }, Action: 'kms:Decrypt' });
    const other = statement({ Sid: 'Other', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ops` }, Action: 'kms:PutKeyPolicy' });
    expect(rulesOf({ Key: key({}, [other, use]), AppRole: role, Policy: policy([admin]) })).toEqual(['GK2 Key']);
  });
});

describe('configuration and suppressions', () => {
  test('a suppression silences one rule on one resource and is listed with its reason', () => {
    const report = check({ Off: key({ EnableKeyRotation: false }), Other: key({ EnableKeyRotation: false }) }, {
      config: { suppressions: [{ resource: 'S/Off', rule: 'GK1', reason: 'imported from the legacy account' }] },
    });
    expect(report.findings.map(f => `${f.rule} ${f.logicalId}`)).toEqual(['GK1 Other']);
    expect(report.suppressed.map(s => [s.rule, s.logicalId, s.reason])).toEqual([['GK1', 'Off', 'imported from the legacy account']]);
  });

  test('severities can be changed or turned off', () => {
    const report = check({ Off: key({ EnableKeyRotation: false }, [ROOT], { DeletionPolicy: 'Delete' }) }, { config: { severities: { GK1: 'warning', GK12: 'off' } } });
    expect(report.findings.map(f => [f.rule, f.severity])).toEqual([['GK1', 'warning']]);
  });

  test.each([
    [{ suppressions: [{ resource: 'Key', rule: 'GK1' }] }, "'suppressions[0].reason' is required"],
    [{ suppressions: [{ resource: 'Key', rule: 'GK1', reason: '  ' }] }, "'suppressions[0].reason' is required"],
    [{ rotationMaxDays: 30 }, "'rotationMaxDays' must be a whole number of days from 90 to 2560. Received: 30"],
    [{ deletionWindowMinDays: 31 }, "'deletionWindowMinDays' must be a whole number of days from 7 to 30. Received: 31"],
    [{ severities: { GK1: 'fatal' } }, "'severities.GK1' must be one of error, warning, info, off"],
    [{ severity: {} }, "unknown field 'severity'"],
  ])('%j is refused', (config, message) => {
    expect(() => guardConfig(config)).toThrow(message);
  });
});
