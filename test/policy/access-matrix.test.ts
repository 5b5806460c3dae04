import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../../integ/integ.data-platform';
import { buildMultiRegionApp } from '../../integ/integ.multi-region';
import { AccessRow, keyAccessMatrices, KeyAccessMatrix, renderAccessMatrix } from '../../src/policy/access-matrix';
import { capabilitiesOf, expandActionPattern } from '../../src/policy/kms-actions';

describe('action patterns', () => {
  test('wildcards expand case-insensitively to KMS actions', () => {
    expect(expandActionPattern('kms:ReEncrypt*')).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(expandActionPattern('KMS:generatedatakey*')).toHaveLength(4);
    expect(expandActionPattern('kms:Create*')).toContain('kms:CreateGrant');
    expect(expandActionPattern('s3:GetObject')).toEqual([]);
  });

  test('NotAction withholds what it names', () => {
    const caps = capabilitiesOf(['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:DeriveSharedSecret'], true);
    expect(caps.has('decrypt')).toBe(false);
    expect(caps.has('encrypt')).toBe(true);
  });
});

describe('the example app', () => {
  let matrices: KeyAccessMatrix[];
  const rowsOf = (key: string, principal: string): AccessRow[] =>
    matrices.find(m => m.logicalId === key)!.rows.filter(r => r.principal === principal);

  beforeAll(() => {
    const assembly = buildDataPlatformApp(new App({ context: { 'aws:cdk:enable-path-metadata': true } })).synth();
    const stack = assembly.getStackByName('DataPlatform');
    matrices = keyAccessMatrices(stack.template, stack.stackName);
  });

  test('lists both keys with their aliases', () => {
    expect(matrices.map(m => [m.logicalId, m.aliases])).toEqual([
      ['CustomerDataKey', ['alias/data/customers']],
      ['IngestKey', ['alias/data/ingest']],
    ]);
  });

  test('the account root holds everything on every key', () => {
    for (const key of ['CustomerDataKey', 'IngestKey']) {
      expect(rowsOf(key, 'account 111122223333 (root + its IAM policies)')[0].capabilities)
        .toEqual(['administer', 'encrypt', 'decrypt', 'grant', 'describe']);
    }
  });

  test('admins administer and never encrypt or decrypt', () => {
    const admin = rowsOf('CustomerDataKey', 'KeyAdmins');
    expect(admin.flatMap(r => r.capabilities)).toEqual(['administer', 'describe']);
  });

  test('the app uses the customer key only via S3 with a tenant context', () => {
    const [use] = rowsOf('CustomerDataKey', 'AppRole').filter(r => r.capabilities.includes('decrypt'));
    expect(use).toEqual({
      principal: 'AppRole',
      effect: 'Allow',
      capabilities: ['encrypt', 'decrypt'],
      conditions: ['via s3.eu-west-1.amazonaws.com', 'context tenant present'],
      narrowing: { viaServices: ['s3.eu-west-1.amazonaws.com'], callerAccounts: [], encryptionContext: { tenant: '*' }, exceptPrincipals: [], other: false },
      source: 'key policy (AllowKeyUse)',
    });
  });

  test('bucket.grantRead shows as an IAM-policy decrypt with the same narrowing', () => {
    const [read] = rowsOf('CustomerDataKey', 'AnalyticsRole').filter(r => r.capabilities.includes('decrypt'));
    expect(read.capabilities).toEqual(['decrypt']);
    expect(read.conditions).toEqual(['via s3.eu-west-1.amazonaws.com', 'context tenant present']);
    expect(read.source).toMatch(/^IAM policy AnalyticsRoleDefaultPolicy/);
  });

  test('the strict ingest key denies encrypt to all but the ingest role, root and (through services only) the deployment role', () => {
    const denies = rowsOf('IngestKey', 'everyone');
    const deployer = 'role cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1';
    const notService = 'BoolIfExists aws:PrincipalIsAWSService false';
    expect(denies.map(d => [d.capabilities, d.conditions])).toEqual([
      [['encrypt'], [`unless principal is root of this account or IngestRole or ${deployer}`, notService]],
      [['decrypt'], ['unless principal is root of this account or AppRole', notService]],
      [['grant'], [`unless principal is root of this account or IngestRole or AppRole or ${deployer}`, notService]],
      [['administer'], [`unless principal is root of this account or KeyAdmins or ${deployer}`, notService]],
      [['encrypt'], ['ArnLike aws:PrincipalArn arn:${AWS::Partition}:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1', 'Null kms:ViaService true']],
      [['grant'], ['ArnLike aws:PrincipalArn arn:${AWS::Partition}:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1', 'BoolIfExists kms:GrantIsForAWSResource false']],
    ]);
    // the same exceptions as data, for programs
    expect(denies[1].narrowing).toEqual({ viaServices: [], callerAccounts: [], encryptionContext: {}, exceptPrincipals: ['root of this account', 'AppRole'], other: true });
    expect(rowsOf('IngestKey', 'IngestRole').flatMap(r => r.capabilities)).toEqual(['encrypt', 'describe']);
  });

  test('renders a table with one line per row', () => {
    const text = renderAccessMatrix(matrices[0]);
    const lines = text.split('\n');
    expect(lines[0]).toBe('DataPlatform/CustomerDataKey (alias/data/customers) — SYMMETRIC_DEFAULT ENCRYPT_DECRYPT');
    expect(lines[1].split(/\s{2,}/)).toEqual(['principal', 'effect', 'administer', 'encrypt', 'decrypt', 'grant', 'describe', 'conditions', 'source']);
    expect(lines).toHaveLength(3 + matrices[0].rows.length);
  });
});

describe('the multi-Region example app', () => {
  const matrices = () => {
    const assembly = buildMultiRegionApp(new App({ context: { 'aws:cdk:enable-path-metadata': true } })).synth();
    return assembly.stacks.flatMap(s => keyAccessMatrices(s.template, s.stackName));
  };

  test('the replica names the primary stack\'s roles and its own region\'s S3 endpoint', () => {
    const replica = matrices().find(m => m.stack === 'KeysReplica')!;
    const use = replica.rows.find(r => r.capabilities.includes('decrypt') && r.principal !== 'account 111122223333 (root + its IAM policies)')!;
    expect(use).toEqual(expect.objectContaining({ principal: 'Service (KeysPrimary)', conditions: ['via s3.us-east-1.amazonaws.com'] }));
  });

  test('the partner account decrypts the primary as a decryptor of its account, with kms:CallerAccount (in every region)', () => {
    const primary = matrices().find(m => m.logicalId === 'DataKey')!;
    const partner = primary.rows.filter(r => r.principal === 'account 444455556666 (root + its IAM policies)');
    expect(partner.map(r => [r.capabilities, r.source])).toEqual([
      [['decrypt'], 'key policy (AllowDecryptOnlyFromAccount444455556666)'],
      [['describe'], 'key policy (AllowKeyUsersToDescribeKey)'],
    ]);
    expect(partner[0].conditions).toContain('caller account 444455556666');
  });

  test('the signing key separates signers from verifiers', () => {
    const signing = matrices().find(m => m.logicalId === 'ReleaseSigningKey')!;
    expect(signing.rows.filter(r => r.principal === 'Releaser').flatMap(r => r.capabilities)).toEqual(['sign', 'describe']);
    expect(signing.rows.filter(r => r.principal === 'Verifier').flatMap(r => r.capabilities)).toEqual(['verify', 'describe']);
  });
});

describe('which IAM statements reach a key of the template', () => {
  const template = (statement: Record<string, unknown>) => ({
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [] } } },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Policy: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', ...statement }] } } },
    },
  });
  test.each([
    ['Resource *', { Resource: '*' }, true],
    ['every key of the account', { Resource: 'arn:aws:kms:*:111122223333:key/*' }, true],
    ['the key by Fn::GetAtt', { Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }, true],
    ['an ARN built around Ref: Key', { Resource: { 'Fn::Sub': 'arn:aws:kms:eu-west-1:111122223333:key/${Key}' } }, true],
    ['NotResource naming another key', { NotResource: 'arn:aws:kms:eu-west-1:111122223333:key/other' }, true],
    ['a literal ARN of a key that exists elsewhere', { Resource: 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab' }, false],
    ['NotResource naming this key', { NotResource: { 'Fn::GetAtt': ['Key', 'Arn'] } }, false],
  ])('%s: %s', (_, statement, reaches) => {
    const [matrix] = keyAccessMatrices(template(statement), 'S');
    expect(matrix.rows.map(r => `${r.principal} ${r.capabilities.join('/')}`)).toEqual(reaches ? ['Role decrypt'] : []);
  });
});
