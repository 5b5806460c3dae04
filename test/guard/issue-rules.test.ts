import fc from 'fast-check';
import { DEFAULT_CONFIG, guardConfig } from '../../src/guard/config';
import { runGuard } from '../../src/guard/engine';
import { evaluate } from '../../src/guard/evaluate';
import { PATTERN_METADATA } from '../../src/guard/pattern-marker';
import { GuardTemplate } from '../../src/guard/template-source';

/**
 * Issue 15's rule list and intrinsics clause, line by line: for each rule a template it catches and one it passes,
 * for the cases the first tests left open (IAM-only separation, NotResource, replicas, conditions known only at
 * deploy time...). rules.test.ts has the rest.
 */
const ACCOUNT = '111122223333';
const FOREIGN = '444455556666';
const ROOT = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
const ROLE = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
const KEY_ARN = { 'Fn::GetAtt': ['Key', 'Arn'] };

const allow = (s: Record<string, unknown>) => ({ Effect: 'Allow', Resource: '*', ...s });
const key = (statements: unknown[] = [ROOT], props: Record<string, unknown> = {}) =>
  ({ Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true, KeyPolicy: { Statement: statements }, ...props } });
const replica = (statements: unknown[] = [ROOT], props: Record<string, unknown> = {}) =>
  ({ Type: 'AWS::KMS::ReplicaKey', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { PrimaryKeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/mrk-1`, KeyPolicy: { Statement: statements }, ...props } });
const iamPolicy = (statements: unknown[], type = 'AWS::IAM::Policy', holders: Record<string, unknown> = { Roles: [{ Ref: 'Role' }] }) =>
  ({ Type: type, Properties: { PolicyName: 'P', ...holders, PolicyDocument: { Statement: statements } } });
const role = (arn = 'Role') => ({ AWS: { 'Fn::GetAtt': [arn, 'Arn'] } });

interface Options { config?: unknown; template?: Record<string, unknown>; account?: string }
function findings(resources: Record<string, unknown>, options: Options = {}) {
  const source: GuardTemplate = {
    stackName: 'S',
    file: 'S.json',
    template: { Resources: resources, ...options.template } as GuardTemplate['template'],
    account: options.account ?? ACCOUNT,
    region: 'eu-west-1',
  };
  return runGuard([source], options.config ? guardConfig(options.config) : DEFAULT_CONFIG).findings;
}
/** `GK4 Key`, and for GK0 the rule it stands for: `GK0 Key [GK4 undecided]`. */
const rulesOf = (resources: Record<string, unknown>, options?: Options) => findings(resources, options)
  .map(f => `${f.rule} ${f.logicalId}${f.rule === 'GK0' ? ` ${/^\[GK\d+ undecided\]/.exec(f.message)?.[0] ?? f.pointer}` : ''}`);

const PARAMETER_CONDITION = { Parameters: { Env: { Type: 'String' } }, Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } } };

type Case = [string, Record<string, unknown>, string[], Options?];

describe('management and use by one principal (GK3), across statements and across key and IAM policies', () => {
  test.each<Case>([
    ['admin and use in two key-policy statements', { Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Disable*' }), allow({ Principal: role(), Action: 'kms:Decrypt' })]), Role: ROLE }, ['GK3 Key']],
    ['admin and use in IAM policies only', { Key: key(), Role: ROLE, P: iamPolicy([allow({ Action: 'kms:PutKeyPolicy', Resource: KEY_ARN }), allow({ Action: 'kms:Decrypt', Resource: KEY_ARN })]) }, ['GK3 Key']],
    ['admin in a managed policy attached by ManagedPolicyArns, use in the key policy', {
      Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Decrypt' })]),
      Role: { ...ROLE, Properties: { ...ROLE.Properties, ManagedPolicyArns: [{ Ref: 'M' }] } },
      M: iamPolicy([allow({ Action: ['kms:ScheduleKeyDeletion'], Resource: KEY_ARN })], 'AWS::IAM::ManagedPolicy', {}),
    }, ['GK3 Key']],
    ['an IAM Resource built around Ref: Key', {
      Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Encrypt' })]),
      Role: ROLE,
      P: iamPolicy([allow({ Action: 'kms:Create*', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:', ACCOUNT, ':key/', { Ref: 'Key' }]] } }), allow({ Action: 'kms:Decrypt', Resource: KEY_ARN, Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } })]),
    }, ['GK3 Key', 'GK11 P']],
    ['admin and use to Principal * narrowed to the organization', { Key: key([ROOT, allow({ Principal: '*', Action: ['kms:Disable*', 'kms:Decrypt'], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } })]) }, ['GK3 Key']],
    ['admin on every key but another one (NotResource), use in the key policy', {
      Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Decrypt' })]),
      Role: ROLE,
      P: iamPolicy([{ Effect: 'Allow', Action: 'kms:Disable*', NotResource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/other` }]),
    }, ['GK3 Key']],
  ])('bad: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });

  test.each<Case>([
    ['an admin role and a user role', { Key: key([ROOT, allow({ Principal: role('Ops'), Action: 'kms:Disable*' }), allow({ Principal: role(), Action: 'kms:Decrypt' })]), Role: ROLE, Ops: ROLE }, []],
    ['admin on another key of the template', { Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Decrypt' })]), Other: key(), Role: ROLE, P: iamPolicy([allow({ Action: 'kms:Disable*', Resource: { 'Fn::GetAtt': ['Other', 'Arn'] } })]) }, []],
    ['admin on every key but this one (NotResource)', { Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Decrypt' })]), Role: ROLE, P: iamPolicy([{ Effect: 'Allow', Action: 'kms:Disable*', NotResource: KEY_ARN }]) }, []],
    ['a Deny of use to the admin', { Key: key([ROOT, allow({ Principal: role(), Action: 'kms:Disable*' }), { ...allow({ Principal: role(), Action: 'kms:Decrypt' }), Effect: 'Deny' }]), Role: ROLE }, []],
  ])('good: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });
});

describe('kms:* for a non-root principal or a foreign account (GK9)', () => {
  test.each<Case>([
    ['a foreign root through Fn::Sub variables', { Key: key([ROOT, allow({ Principal: { AWS: { 'Fn::Sub': ['arn:${AWS::Partition}:iam::${Partner}:root', { Partner: FOREIGN }] } }, Action: 'kms:*' })]) }, ['GK9 Key', 'GK11 Key']],
    ['a foreign account written bare', { Key: key([ROOT, allow({ Principal: { AWS: FOREIGN }, Action: 'kms:*' })]) }, ['GK9 Key', 'GK11 Key']],
    ['a foreign root from the Mappings', { Key: key([ROOT, allow({ Principal: { AWS: { 'Fn::Sub': ['arn:aws:iam::${A}:root', { A: { 'Fn::FindInMap': ['Accounts', 'partner', 'id'] } }] } }, Action: '*' })]) }, ['GK9 Key', 'GK11 Key'], { template: { Mappings: { Accounts: { partner: { id: FOREIGN } } } } }],
    ['Principal * with kms:*, even narrowed to the account', { Key: key([ROOT, allow({ Principal: '*', Action: 'kms:*', Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } })]) }, ['GK3 Key', 'GK9 Key', 'GK11 Key']],
    ['a role with kms:* through NotAction of another service', { Key: key([ROOT, allow({ Principal: role(), NotAction: 's3:*' })]), Role: ROLE }, ['GK3 Key', 'GK9 Key', 'GK11 Key']],
  ])('bad: %s', (...[, resources, expected, options]: Case) => {
    expect(rulesOf(resources, options)).toEqual(expected);
  });

  test('good: the own root by its literal account, and a foreign root with decrypt only', () => {
    expect(rulesOf({ Key: key([{ ...ROOT, Principal: { AWS: ACCOUNT } }, allow({ Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: 'kms:Decrypt' })]) })).toEqual([]);
  });
});

describe('Principal * and conditions that do or do not narrow (GK4)', () => {
  test.each<Case>([
    ['* inside a list of principals', { Key: key([ROOT, allow({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/a`, '*'] }, Action: 'kms:Decrypt' })]) }, ['GK4 Key']],
    ['kms:ViaService and aws:SecureTransport together', { Key: key([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' }, Bool: { 'aws:SecureTransport': 'true' } } })]) }, ['GK4 Key']],
    ['a ForAllValues caller account (true of an empty set)', { Key: key([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalAccount': ACCOUNT } } })]) }, ['GK4 Key']],
  ])('bad: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });

  test('good: the narrowing condition chosen by Fn::If with the template\'s Conditions', () => {
    const template = { Conditions: { InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } } };
    const condition = { 'Fn::If': ['InEu', { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } }, { Bool: { 'aws:SecureTransport': 'true' } }] };
    expect(rulesOf({ Key: key([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: condition })]) }, { template })).toEqual([]);
  });

  test.each<Case>([
    ['an organization ID imported from another stack', { Key: key([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: { StringEquals: { 'aws:PrincipalOrgID': { 'Fn::ImportValue': 'OrgId' } } } })]) }, []],
    ['a whole condition chosen on a parameter nobody gave', { Key: key([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: { 'Fn::If': ['IsProd', { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } }, { StringEquals: { 'aws:PrincipalOrgID': 'o-2' } }] } })]) }, [], { template: PARAMETER_CONDITION }],
  ])('a condition known only at deploy time is undecided (GK0), never a GK4 error: %s', (...[, resources, , options]: Case) => {
    const found = findings(resources, options);
    expect(found.map(f => [f.rule, f.severity])).toEqual([['GK0', 'warning'], ['GK0', 'warning']]);
    expect(found[1].message).toMatch(/^\[GK4 undecided\] .* \(its condition cannot be evaluated before deployment\)$/);
  });
});

describe('Allow with NotPrincipal (GK8)', () => {
  test('bad: an Allow; good: a Deny with NotPrincipal (the documented use)', () => {
    const statement = { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: 'kms:Decrypt', Resource: '*' };
    expect(rulesOf({ Key: key([ROOT, statement]) })).toEqual(['GK8 Key']);
    expect(rulesOf({ Key: key([ROOT, { ...statement, Effect: 'Deny' }]) })).toEqual([]);
  });
});

describe('service principals without aws:SourceArn / aws:SourceAccount (GK10)', () => {
  const service = (name: string, Condition?: unknown) => allow({ Principal: { Service: name }, Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*'], Condition });
  test.each<Case>([
    ['an IfExists source account (a request without it passes)', { Key: key([ROOT, service('sns.amazonaws.com', { StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } })]) }, ['GK10 Key']],
    ['a source ARN of any account', { Key: key([ROOT, service('events.amazonaws.com', { ArnLike: { 'aws:SourceArn': 'arn:aws:events:eu-west-1:*:rule/*' } })]) }, ['GK10 Key']],
    ['a service list with one principal named by Fn::Join', { Key: key([ROOT, service({ 'Fn::Join': ['.', ['logs', { Ref: 'AWS::Region' }, 'amazonaws.com']] } as unknown as string)]) }, ['GK10 Key']],
  ])('bad: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });

  test.each<Case>([
    ['CloudWatch Logs tied by its encryption-context ARN', { Key: key([ROOT, service('logs.eu-west-1.amazonaws.com', { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:*` } })]) }, []],
    ['a source ARN in this account', { Key: key([ROOT, service('sns.amazonaws.com', { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': 'arn:aws:sns:${AWS::Region}:${AWS::AccountId}:alerts' } } })]) }, []],
  ])('good: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });
});

describe('rotation (GK1) and rotation on keys that cannot rotate (GK7)', () => {
  test.each<Case>([
    ['imported material', { Key: key([ROOT], { Origin: 'EXTERNAL' }) }, ['GK7 Key']],
    ['an asymmetric key chosen by Fn::If', { Key: key([ROOT], { KeySpec: { 'Fn::If': ['InEu', 'RSA_4096', 'RSA_3072'] }, KeyUsage: 'SIGN_VERIFY' }) }, ['GK7 Key'], { template: { Conditions: { InEu: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] } } } }],
    ['a rotation period written as a string', { Key: key([ROOT], { RotationPeriodInDays: '730' }) }, ['GK1 Key']],
  ])('bad: %s', (...[, resources, expected, options]: Case) => {
    expect(rulesOf(resources, options)).toEqual(expected);
  });

  test('good: a symmetric key rotating every 90 days; an HMAC key that does not rotate', () => {
    expect(rulesOf({ Key: key([ROOT], { RotationPeriodInDays: 90 }), Mac: key([ROOT], { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', EnableKeyRotation: false }) })).toEqual([]);
  });
});

describe('IAM and managed policies allowing decryption on all keys (GK14), and CreateGrant in IAM (GK11)', () => {
  test.each<Case>([
    ['NotResource: every key but one', { Role: ROLE, P: iamPolicy([{ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/one` }]) }, ['GK14 P']],
    ['an action in lower case', { Role: ROLE, P: iamPolicy([allow({ Action: 'KMS:decrypt' })]) }, ['GK14 P']],
    ['every key of one region', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:ReEncryptFrom', Resource: `arn:aws:kms:eu-west-1:${ACCOUNT}:*` })]) }, ['GK14 P']],
    ['a managed policy attached to nobody yet', { M: iamPolicy([allow({ Action: 'kms:*' })], 'AWS::IAM::ManagedPolicy', {}) }, ['GK11 M', 'GK14 M']],
    ['a user\'s and a group\'s inline policies', {
      U: { Type: 'AWS::IAM::User', Properties: { Policies: [{ PolicyName: 'u', PolicyDocument: { Statement: [allow({ Action: 'kms:Decrypt' })] } }] } },
      G: { Type: 'AWS::IAM::Group', Properties: { Policies: [{ PolicyName: 'g', PolicyDocument: { Statement: allow({ Action: 'kms:Decrypt*' }) } }] } },
    }, ['GK14 U', 'GK14 G']],
    ['decryption on every alias (alias/* names every key)', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:Decrypt', Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/*' } } })]) }, ['GK14 P']],
    ['CreateGrant on every key of the account', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:CreateGrant', Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` })]) }, ['GK11 P']],
  ])('bad: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });

  test.each<Case>([
    ['NotResource: *', { Role: ROLE, P: iamPolicy([{ Effect: 'Allow', Action: 'kms:Decrypt', NotResource: '*' }]) }, []],
    ['decryption on aliases of one team', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:Decrypt', Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/team-a/*' } } })]) }, []],
    ['CreateGrant for AWS resources only', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } })]) }, []],
    ['describe and list on all keys', { Role: ROLE, P: iamPolicy([allow({ Action: ['kms:Describe*', 'kms:List*'] })]) }, []],
  ])('good: %s', (_, resources, expected) => {
    expect(rulesOf(resources)).toEqual(expected);
  });
});

describe('replica keys are checked like primaries', () => {
  const someRole = { AWS: `arn:aws:iam::${ACCOUNT}:role/app` };
  test.each<Case>([
    ['GK2', { R: replica([allow({ Principal: someRole, Action: 'kms:Decrypt' })]) }, ['GK2 R']],
    ['GK3', { R: replica([ROOT, allow({ Principal: someRole, Action: ['kms:Disable*', 'kms:Decrypt'] })]) }, ['GK3 R']],
    ['GK4', { R: replica([ROOT, allow({ Principal: '*', Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } })]) }, ['GK4 R']],
    ['GK5', { R: replica([ROOT], { PendingWindowInDays: 7 }) }, ['GK5 R']],
    ['GK8', { R: replica([ROOT, { Effect: 'Allow', NotPrincipal: someRole, Action: 'kms:Decrypt', Resource: '*' }]) }, ['GK8 R']],
    ['GK9', { R: replica([ROOT, allow({ Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: 'kms:*' })]) }, ['GK9 R', 'GK11 R']],
    ['GK10', { R: replica([ROOT, allow({ Principal: { Service: 'sns.amazonaws.com' }, Action: 'kms:Decrypt' })]) }, ['GK10 R']],
    ['GK11', { R: replica([ROOT, allow({ Principal: someRole, Action: 'kms:CreateGrant' })]) }, ['GK11 R']],
    ['GK12', { R: { ...replica(), DeletionPolicy: 'Delete' } }, ['GK12 R']],
    ['GK13', { R: replica([ROOT, allow({ Sid: 'x'.repeat(33_000), Principal: someRole, Action: 'kms:Decrypt' })]) }, ['GK13 R']],
    ['GK15', { R: replica() }, ['GK15 R'], { config: { requiredTags: ['owner'] } }],
    ['GK17', { R: replica() }, ['GK17 R'], { config: { approvedPatterns: ['pii'] } }],
  ])('%s', (...[, resources, expected, options]: Case) => {
    expect(rulesOf(resources, options)).toEqual(expected);
  });

  test('a replica that is right passes, and its IAM policies count as a primary\'s', () => {
    const good = { ...replica([ROOT], { Tags: [{ Key: 'owner', Value: 'data' }] }), Metadata: { [PATTERN_METADATA]: 'pii' } };
    expect(rulesOf({ R: good }, { config: { requiredTags: ['owner'], approvedPatterns: ['pii'] } })).toEqual([]);
    const admin = iamPolicy([allow({ Action: 'kms:Disable*', Resource: { 'Fn::GetAtt': ['R', 'Arn'] } })]);
    expect(rulesOf({ R: replica([ROOT, allow({ Principal: role(), Action: 'kms:Decrypt' })]), Role: ROLE, P: admin })).toEqual(['GK3 R']);
  });
});

describe('a key policy over or near 32 KB (GK13)', () => {
  test('a policy written as a JSON string is measured as written, not re-encoded (its quotes counted once)', () => {
    // GIVEN a 30,000-byte policy string with many quotes: re-encoded it would be over 32 KB
    const statements = [{ ...ROOT, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } }];
    for (let i = 0; JSON.stringify({ Statement: statements }).length < 30_000; i++) {
      statements.push({ Sid: `S${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/r${i}` }, Action: 'kms:Decrypt', Resource: '*' } as never);
    }
    const text = JSON.stringify({ Statement: statements });
    expect(JSON.stringify(text).length).toBeGreaterThan(32_768);
    // THEN near the limit (a warning), not over it
    expect(findings({ Key: key([], { KeyPolicy: text }) }).map(f => [f.rule, f.severity])).toEqual([['GK13', 'warning']]);
  });
});

describe('the key survives the stack and its own replacement (GK12)', () => {
  test('DeletionPolicy Retain without UpdateReplacePolicy Retain is a warning: a replacing change deletes the old key', () => {
    const found = findings({ Key: { ...key(), UpdateReplacePolicy: undefined }, Kept: key() });
    expect(found.map(f => [f.rule, f.severity, f.logicalId])).toEqual([['GK12', 'warning', 'Key']]);
    expect(found[0].message).toBe('UpdateReplacePolicy is Delete (the default): set Retain too (RemovalPolicy.RETAIN sets both), so a change that replaces the key does not delete the old one');
  });
});

describe('a key policy measured as it will be deployed (GK13)', () => {
  /** A policy with `count` statements naming a role of the template each. */
  const rolesPolicy = (count: number, principal: (i: number) => unknown) => [ROOT, ...Array.from({ length: count }, (_, i) =>
    allow({ Sid: `U${i}`, Principal: { AWS: principal(i) }, Action: 'kms:Decrypt' }))];
  const measured = (statements: unknown[]) => findings({ Key: key(statements) }).map(f => `${f.rule} ${f.severity} ${f.message}`);

  test('Fn::GetAtt tokens shorter than the role ARNs they become: near (or over) the limit once deployed is a warning', () => {
    // GIVEN 200 roles by Fn::GetAtt: about 24 KB as written, up to about 40 KB once the ARNs are filled in
    const statements = rolesPolicy(200, i => ({ 'Fn::GetAtt': [`Role${i}`, 'Arn'] }));
    expect(JSON.stringify({ Statement: statements }).length).toBeLessThan(32_768 * 0.9);
    // THEN
    expect(measured(statements)).toEqual([expect.stringMatching(/^GK13 warning the key policy is about \d+ to \d+ bytes once deployed, which may be over KMS's limit of 32768$/)]);
  });

  test('the range is the written text with each placeholder at its shortest and longest (random policies, multibyte text)', () => {
    // The straightforward measure: the text without its placeholders, then each placeholder's plausible lengths.
    const lengths: Array<[RegExp, number, number]> = [[/^AWS::AccountId$/, 12, 12], [/^AWS::Partition$/, 3, 10], [/^AWS::Region$/, 9, 14],
      [/^AWS::URLSuffix$/, 13, 16], [/\.Arn$/, 32, 110], [/./, 1, 64]];
    const reference = (policy: unknown): [number, number] => {
      const text = JSON.stringify(policy);
      let [min, max] = Array(2).fill(Buffer.byteLength(text.replace(/\$\{[^}!][^}]*\}/g, ''), 'utf8')) as [number, number];
      for (const [, name] of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        const [, lo, hi] = lengths.find(([pattern]) => pattern.test(name))!;
        [min, max] = [min + lo, max + hi];
      }
      return [min, max];
    };
    const piece = fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('${AWS::AccountId}', '${Role.Arn}', '${ÄÖ}', '${!Literal}', '${Param}', '${', '}', 'é'));
    fc.assert(fc.property(fc.array(fc.array(piece, { maxLength: 8 }).map(p => p.join('')), { minLength: 1, maxLength: 6 }), sids => {
      // GIVEN a policy padded to within 10 % of the limit, so the finding states the range
      const statements = [ROOT, ...sids.map(sid => allow({ Sid: sid, Principal: role(), Action: 'kms:Decrypt' })), allow({ Sid: 'x'.repeat(30_000), Principal: role(), Action: 'kms:Decrypt' })];
      const evaluated = evaluate({ Statement: statements }, { template: {}, account: ACCOUNT, region: 'eu-west-1' });
      const [min, max] = reference(evaluated);
      // THEN the finding states the reference range
      const size = min === max ? `${min} bytes` : `${min} to ${max} bytes once deployed`;
      expect(findings({ Key: key(statements) }).filter(f => f.rule === 'GK13').map(f => f.message)).toEqual([expect.stringContaining(`about ${size}`)]);
    }), { numRuns: 100 });
  });

  test('Fn::Join root ARNs longer than the ARNs they become: over 32 KB as written, not once deployed', () => {
    // GIVEN 250 statements for the own root written with Fn::Join: over 32 KB as written, about 25 KB deployed
    const joinedRoot = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] };
    const statements = rolesPolicy(250, () => joinedRoot);
    expect(JSON.stringify({ Statement: statements }).length).toBeGreaterThan(32_768);
    // THEN at most a warning, never the error the template's text would give
    expect(measured(statements).filter(f => f.startsWith('GK13 error'))).toEqual([]);
  });
});

describe('intrinsics: evaluated, or reported as unevaluable (GK0), never guessed', () => {
  test('pseudo parameters of the stack\'s environment: a root ARN built from AWS::AccountId is the own root', () => {
    const joined = { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } };
    expect(rulesOf({ Key: key([{ ...ROOT, Principal: joined }]) })).toEqual([]);
    // and a literal foreign account is told from it because the account is known
    expect(rulesOf({ Key: key([{ ...ROOT, Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` } }]) })).toEqual(['GK2 Key', 'GK9 Key', 'GK11 Key']);
  });

  test('Fn::Select over Fn::Split is evaluated', () => {
    const principal = { AWS: { 'Fn::Select': [1, { 'Fn::Split': [',', `arn:aws:iam::${ACCOUNT}:role/a,*`] }] } };
    expect(rulesOf({ Key: key([ROOT, allow({ Principal: principal, Action: 'kms:Decrypt' })]) })).toEqual(['GK4 Key']);
  });

  test.each<Case>([
    ['a rotation period imported from another stack', { Key: key([ROOT], { RotationPeriodInDays: { 'Fn::ImportValue': 'Days' } }) }, ['GK0 Key /Resources/Key/Properties/RotationPeriodInDays']],
    ['a key spec on a parameter nobody gave, rotation on', { Key: key([ROOT], { KeySpec: { 'Fn::If': ['IsProd', 'RSA_4096', 'SYMMETRIC_DEFAULT'] } }) }, ['GK0 Key /Resources/Key/Properties/KeySpec'], { template: PARAMETER_CONDITION }],
    ['tags known only at deploy time, with required tags', { Key: key([ROOT], { Tags: { 'Fn::ImportValue': 'Tags' } }) }, ['GK0 Key /Resources/Key/Properties/Tags'], { config: { requiredTags: ['owner'] } }],
    ['a deletion window on a parameter nobody gave', { Key: key([ROOT], { PendingWindowInDays: { 'Fn::If': ['IsProd', 30, 7] } }) }, ['GK0 Key /Resources/Key/Properties/PendingWindowInDays'], { template: PARAMETER_CONDITION }],
    ['CreateGrant in IAM with a condition imported from another stack', { Role: ROLE, P: iamPolicy([allow({ Action: 'kms:CreateGrant', Condition: { Bool: { 'kms:GrantIsForAWSResource': { 'Fn::ImportValue': 'B' } } } })]) }, ['GK0 P /Resources/P/Properties/PolicyDocument/Statement/0/Condition/Bool/kms:GrantIsForAWSResource', 'GK0 P [GK11 undecided]']],
  ])('%s', (...[, resources, expected, options]: Case) => {
    expect(rulesOf(resources, options)).toEqual(expected);
  });

  test('given the parameter in guard.json, the same key is decided', () => {
    const resources = { Key: key([ROOT], { KeySpec: { 'Fn::If': ['IsProd', 'RSA_4096', 'SYMMETRIC_DEFAULT'] }, KeyUsage: 'SIGN_VERIFY' }) };
    expect(rulesOf(resources, { template: PARAMETER_CONDITION, config: { parameters: { Env: 'prod' } } })).toEqual(['GK7 Key']);
    expect(rulesOf(resources, { template: PARAMETER_CONDITION, config: { parameters: { Env: 'dev' } } })).toEqual([]);
  });
});

describe('guard.json names bad fields', () => {
  test.each([
    [{ severities: { GK1O: 'off' } }, "'severities.GK1O' names an unknown rule \"GK1O\" (known: GK0, GK1,"],
    [{ suppressions: [{ resource: 'Key', rules: ['GK1', 'GK99'], reason: 'r' }] }, "'suppressions[0]' names an unknown rule \"GK99\""],
    [{ parameters: { Env: 3 } }, "'parameters.Env' must be a string (CloudFormation parameter values are strings). Received: 3"],
  ])('%j is refused', (config, message) => {
    expect(() => guardConfig(config)).toThrow(message);
  });
});
