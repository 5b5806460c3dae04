import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, EncryptCommand, GrantOperation, KMSClient, PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor, PolicyDocumentJson, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { errorOf } from '../support';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const allowAll: PolicyDocumentJson = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const rootStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const policy = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: [rootStatement, ...statements] });
const plaintext = Buffer.from('x');

describe('authorization defects of issue 9 (item 10), through the real SDK', () => {
  let emulator: RunningEmulator;
  const clients: KMSClient[] = [];
  let count = 0;
  const principal = (arn: string, identityPolicies: PolicyDocumentJson[] = []): PrincipalConfig => {
    const id = `AKIATEST${String(++count).padStart(4, '0')}`;
    const p = { arn, accessKeyId: id, secretAccessKey: `secret-${id}`, identityPolicies };
    emulator.addPrincipal(p);
    return p;
  };
  const as = (p: PrincipalConfig, region = REGION) => {
    const c = kmsClientFor(emulator, { region, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey });
    clients.push(c);
    return c;
  };
  let root: KMSClient;
  let rootConfig: PrincipalConfig;

  beforeEach(async () => {
    emulator = await startEmulator();
    rootConfig = principal(ROOT);
    root = as(rootConfig);
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await emulator.stop();
  });

  const createKey = async (Policy?: string, Tags?: Array<{ TagKey: string; TagValue: string }>) =>
    (await root.send(new CreateKeyCommand({ Policy, Tags }))).KeyMetadata!.Arn!;

  describe('aws:PrincipalArn of a role session', () => {
    test('is the role ARN, so a Deny on role/Untrusted reaches its sessions', async () => {
      // GIVEN a key policy that denies the role Untrusted by aws:PrincipalArn
      const key = await createKey(policy({
        Sid: 'NoUntrusted',
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:*',
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Untrusted` } },
      }));
      const untrusted = principal(`arn:aws:sts::${ACCOUNT}:assumed-role/Untrusted/session-1`, [allowAll]);
      const trusted = principal(`arn:aws:sts::${ACCOUNT}:assumed-role/Trusted/session-1`, [allowAll]);
      // WHEN a session of Untrusted encrypts THEN it is explicitly denied
      const denied = await errorOf(as(untrusted).send(new EncryptCommand({ KeyId: key, Plaintext: plaintext })));
      expect(denied.name).toBe('AccessDeniedException');
      expect(denied.message).toMatch(/with an explicit deny in a resource-based policy$/);
      expect(emulator.decisions().at(-1)!.request.conditionContext['aws:PrincipalArn']).toBe(`arn:aws:iam::${ACCOUNT}:role/Untrusted`);
      // AND a session of another role is not
      await as(trusted).send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    });
  });

  describe('policies are checked when written', () => {
    const partial = { Sid: 'Apps', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Ap*` }, Action: 'kms:Decrypt', Resource: '*' };

    test.each([
      ['a partial wildcard in Principal', partial],
      ['a partial wildcard in NotPrincipal', { Effect: 'Deny', NotPrincipal: { AWS: [ROOT, `arn:aws:iam::${ACCOUNT}:user/a?ice`] }, Action: 'kms:Decrypt', Resource: '*' }],
      ['an unknown principal type', { Effect: 'Allow', Principal: { IAM: ROOT }, Action: 'kms:Decrypt', Resource: '*' }],
      ['a principal that is not an ARN', { Effect: 'Allow', Principal: { AWS: 'App' }, Action: 'kms:Decrypt', Resource: '*' }],
    ])('%s is refused by PutKeyPolicy and CreateKey', async (_, statement) => {
      const key = await createKey();
      for (const send of [
        () => root.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy(statement) })),
        () => root.send(new CreateKeyCommand({ Policy: policy(statement) })),
      ]) {
        const error = await errorOf(send());
        expect(error.name).toBe('MalformedPolicyDocumentException');
        expect(error.message).toBe('Policy contains a statement with one or more invalid principals.');
      }
    });

    test.each([
      ['StringEqual'], ['StringEqualsIfExist'], ['ForAnyValues:StringLike'], ['NullIfExists'],
    ])('the unknown condition operator %s is refused by PutKeyPolicy and CreateKey', async operator => {
      const statement = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*', Condition: { [operator]: { 'kms:CallerAccount': ACCOUNT } } };
      const key = await createKey();
      for (const send of [
        () => root.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy(statement) })),
        () => root.send(new CreateKeyCommand({ Policy: policy(statement) })),
      ]) {
        const error = await errorOf(send());
        expect(error.name).toBe('MalformedPolicyDocumentException');
        expect(error.message).toBe(`Policy contains a statement with an invalid condition operator: ${operator}.`);
      }
    });

    test('every operator the evaluator knows, with its prefixes and IfExists, is accepted', async () => {
      const operators = ['StringEquals', 'StringNotEqualsIgnoreCase', 'StringLikeIfExists', 'ForAnyValue:StringLike', 'ForAllValues:StringEquals',
        'ArnLike', 'ArnNotEquals', 'NumericLessThanEquals', 'DateGreaterThan', 'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'Null'];
      const key = await createKey();
      await root.send(new PutKeyPolicyCommand({
        KeyId: key,
        Policy: policy(...operators.map(op => ({ Effect: 'Deny', Principal: '*', Action: 'kms:Sign', Resource: '*', Condition: { [op]: { 'aws:SourceIp': '203.0.113.0/24' } } }))),
      }));
      // AND principals IAM accepts are accepted: '*', an account id, service, role, user and session ARNs
      await root.send(new PutKeyPolicyCommand({
        KeyId: key,
        Policy: policy({
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: '*',
          Principal: { AWS: ['*', ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/path/App`, `arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:sts::${ACCOUNT}:assumed-role/App/s`], Service: 'logs.eu-west-1.amazonaws.com' },
        }),
      }));
    });
  });

  describe('grants create grants no wider than themselves', () => {
    const grant = (client: KMSClient, KeyId: string, GranteePrincipal: string, Operations: GrantOperation[], Constraints?: object) =>
      client.send(new CreateGrantCommand({ KeyId, GranteePrincipal, Operations, Constraints }));

    test('a grantee whose grant allows only CreateGrant cannot give itself Decrypt', async () => {
      const key = await createKey();
      const grantee = principal(`arn:aws:iam::${ACCOUNT}:role/Grantee`);
      await grant(root, key, grantee.arn, ['CreateGrant']);
      const denied = await errorOf(grant(as(grantee), key, grantee.arn, ['Decrypt', 'CreateGrant']));
      expect(denied.name).toBe('AccessDeniedException');
      // AND a grant within its own (CreateGrant alone) is allowed
      await grant(as(grantee), key, `arn:aws:iam::${ACCOUNT}:role/Other`, ['CreateGrant']);
    });

    test('a constrained grant cannot create an unconstrained or looser one, only an equally strict or stricter one', async () => {
      const key = await createKey();
      const grantee = principal(`arn:aws:iam::${ACCOUNT}:role/Tenant`);
      const other = `arn:aws:iam::${ACCOUNT}:role/Worker`;
      await grant(root, key, grantee.arn, ['Encrypt', 'CreateGrant'], { EncryptionContextSubset: { tenant: 'a' } });
      const client = as(grantee);
      for (const constraints of [undefined, { EncryptionContextSubset: { other: 'x' } }, { EncryptionContextEquals: { tenant: 'b' } }]) {
        expect((await errorOf(grant(client, key, other, ['Encrypt'], constraints))).name).toBe('AccessDeniedException');
      }
      await grant(client, key, other, ['Encrypt'], { EncryptionContextSubset: { tenant: 'a', stage: 'prod' } });
      await grant(client, key, other, ['Encrypt'], { EncryptionContextEquals: { Tenant: 'a' } });
    });

    test('an EncryptionContextEquals grant creates only grants with the same context', async () => {
      const key = await createKey();
      const grantee = principal(`arn:aws:iam::${ACCOUNT}:role/Exact`);
      const other = `arn:aws:iam::${ACCOUNT}:role/Worker`;
      await grant(root, key, grantee.arn, ['Encrypt', 'CreateGrant'], { EncryptionContextEquals: { tenant: 'a' } });
      const client = as(grantee);
      expect((await errorOf(grant(client, key, other, ['Encrypt'], { EncryptionContextSubset: { tenant: 'a' } }))).name).toBe('AccessDeniedException');
      expect((await errorOf(grant(client, key, other, ['Encrypt'], { EncryptionContextEquals: { tenant: 'a', extra: '1' } }))).name).toBe('AccessDeniedException');
      await grant(client, key, other, ['Encrypt'], { EncryptionContextEquals: { tenant: 'a' } });
    });

    test('a caller the key policy allows is not limited by its grants', async () => {
      const admin = principal(`arn:aws:iam::${ACCOUNT}:role/Admin`, [allowAll]);
      const key = await createKey();
      await grant(root, key, admin.arn, ['CreateGrant']);
      await grant(as(admin), key, admin.arn, ['Decrypt', 'Encrypt']);
    });
  });

  test('a Deny with NotPrincipal listing a user and the account root still denies the account\'s other users', async () => {
    // GIVEN IAM's documented pattern: Deny everyone but alice (and the account, which must be listed too)
    const alice = principal(`arn:aws:iam::${ACCOUNT}:user/alice`, [allowAll]);
    const bob = principal(`arn:aws:iam::${ACCOUNT}:user/bob`, [allowAll]);
    const key = await createKey(policy({
      Sid: 'OnlyAlice', Effect: 'Deny', NotPrincipal: { AWS: [alice.arn, ROOT] }, Action: 'kms:Encrypt', Resource: '*',
    }));
    // THEN alice and the root encrypt, bob is explicitly denied
    await as(alice).send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    await root.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    const denied = await errorOf(as(bob).send(new EncryptCommand({ KeyId: key, Plaintext: plaintext })));
    expect(denied.message).toBe(`User: ${bob.arn} is not authorized to perform: kms:Encrypt on resource: ${key} with an explicit deny in a resource-based policy`);
  });

  test('an alias ARN of another region does not resolve', async () => {
    const key = await createKey();
    await root.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key }));
    const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`;
    await root.send(new EncryptCommand({ KeyId: aliasArn, Plaintext: plaintext }));
    const rootElsewhere = as(rootConfig, 'us-east-1');
    const error = await errorOf(rootElsewhere.send(new EncryptCommand({ KeyId: aliasArn, Plaintext: plaintext })));
    expect(error.name).toBe('NotFoundException');
    expect(error.message).toBe(`Alias ${aliasArn} is not found.`);
  });

  test('aws:ResourceTag/<tag> comes from the key\'s tags, so a role allowed keys tagged team=blue uses those only', async () => {
    const blue = await createKey(undefined, [{ TagKey: 'team', TagValue: 'blue' }]);
    const red = await createKey(undefined, [{ TagKey: 'team', TagValue: 'red' }]);
    const untagged = await createKey();
    const role = principal(`arn:aws:iam::${ACCOUNT}:role/Blue`, [{
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }],
    }]);
    await as(role).send(new EncryptCommand({ KeyId: blue, Plaintext: plaintext }));
    expect((await errorOf(as(role).send(new EncryptCommand({ KeyId: red, Plaintext: plaintext })))).name).toBe('AccessDeniedException');
    expect((await errorOf(as(role).send(new EncryptCommand({ KeyId: untagged, Plaintext: plaintext })))).name).toBe('AccessDeniedException');
  });
});
