import {
  CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand, KMSClient, ListKeysCommand, PutKeyPolicyCommand, ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor, PrincipalConfig } from '../../../src/emulator';
import { errorOf, startTestEmulator, TestEmulator } from '../support';

const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
const LOCKOUT = 'The new key policy will not allow you to update the key policy in the future.';

const principal = (arn: string, id: string, actions: string[]): PrincipalConfig => ({
  arn,
  accessKeyId: id,
  secretAccessKey: `${id.toLowerCase()}-secret`,
  identityPolicies: actions.length ? [{ name: 'identity', document: { Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } }] : [],
});

const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const trustAccount = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

/**
 * KMS's key policy lockout safety check: CreateKey, PutKeyPolicy and ReplicateKey refuse a policy under which
 * the caller could not call PutKeyPolicy again, judged by the full evaluator (IAM behind an account-root
 * statement, explicit denies, conditions).
 */
describe('key policy lockout safety check', () => {
  let t: TestEmulator;
  const clients: KMSClient[] = [];
  const as = (p: PrincipalConfig, region = 'eu-west-1') => {
    const c = kmsClientFor(t.emulator, { region, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey });
    clients.push(c);
    return c;
  };
  const admin = principal(DEPLOYER, 'AKIADEPLOYER', ['*']);
  const createOnly = principal(`arn:aws:iam::${ACCOUNT}:role/CreateOnly`, 'AKIACREATEONLY', ['kms:CreateKey', 'kms:DescribeKey']);
  const bare = principal(`arn:aws:iam::${ACCOUNT}:role/Bare`, 'AKIABARE', []);

  beforeEach(async () => {
    t = await startTestEmulator({ config: { principals: [admin, createOnly, bare, principal(ROOT, 'AKIAROOT', [])] } });
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await t.emulator.stop();
  });

  describe('CreateKey', () => {
    test('a policy trusting the account passes when IAM allows the caller PutKeyPolicy', async () => {
      const { KeyMetadata } = await as(admin).send(new CreateKeyCommand({ Policy: policy(trustAccount) }));
      expect(KeyMetadata!.KeyState).toBe('Enabled');
    });

    test('a policy trusting the account fails when IAM does not allow the caller PutKeyPolicy, and no key is made', async () => {
      // GIVEN a caller whose IAM policy allows CreateKey but not PutKeyPolicy
      // WHEN it creates a key whose policy only trusts the account
      const error = await errorOf(as(createOnly).send(new CreateKeyCommand({ Policy: policy(trustAccount) })));
      // THEN KMS's exception and words
      expect(error).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT });
      // AND the decision log says why
      expect(t.emulator.decisions().at(-1)!.reason).toMatch(/^key policy lockout safety check: the key policy trusts the account .* but no identity policy of .*CreateOnly allows kms:PutKeyPolicy/);
      expect((await as(admin).send(new ListKeysCommand({}))).Keys).toEqual([]);
    });

    test('a statement naming the caller for PutKeyPolicy is enough without IAM; another principal is not', async () => {
      const naming = (arn: string) => policy(trustAccount, { Effect: 'Allow', Principal: { AWS: arn }, Action: 'kms:PutKeyPolicy', Resource: '*' });
      await as(createOnly).send(new CreateKeyCommand({ Policy: naming(createOnly.arn) }));
      expect((await errorOf(as(createOnly).send(new CreateKeyCommand({ Policy: naming(bare.arn) })))).message).toBe(LOCKOUT);
    });

    test('an explicit deny of PutKeyPolicy to unlisted principals locks out a caller whose IAM allows everything', async () => {
      const strict = policy(trustAccount, {
        Sid: 'DenyManagementToUnlistedPrincipals',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:PutKeyPolicy',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [ROOT, `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`] } },
      });
      expect(await errorOf(as(admin).send(new CreateKeyCommand({ Policy: strict })))).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT });
      // WHEN the check is bypassed THEN the key is made (and the caller is locked out, as KMS warns)
      const { KeyMetadata } = await as(admin).send(new CreateKeyCommand({ Policy: strict, BypassPolicyLockoutSafetyCheck: true }));
      expect((await errorOf(as(admin).send(new PutKeyPolicyCommand({ KeyId: KeyMetadata!.KeyId, Policy: policy(trustAccount) })))).name).toBe('AccessDeniedException');
    });

    test('a condition the caller cannot meet counts as no permission', async () => {
      const fromElsewhere = policy({ ...trustAccount, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } });
      expect((await errorOf(as(admin).send(new CreateKeyCommand({ Policy: fromElsewhere })))).message).toBe(LOCKOUT);
    });

    test('without a Policy the default policy is used and no check applies', async () => {
      const { KeyMetadata } = await as(createOnly).send(new CreateKeyCommand({}));
      expect(KeyMetadata!.KeyState).toBe('Enabled');
    });

    test('the account root passes with a policy naming the root, and is refused one that does not', async () => {
      const root = principal(ROOT, 'AKIAROOT', []);
      await as(root).send(new CreateKeyCommand({ Policy: policy(trustAccount) }));
      const other = policy({ Effect: 'Allow', Principal: { AWS: admin.arn }, Action: 'kms:*', Resource: '*' });
      expect((await errorOf(as(root).send(new CreateKeyCommand({ Policy: other })))).message).toBe(LOCKOUT);
    });
  });

  describe('PutKeyPolicy', () => {
    test('the new policy, not the current one, decides; the old policy stays when refused', async () => {
      const { KeyMetadata } = await as(admin).send(new CreateKeyCommand({ Policy: policy(trustAccount) }));
      const keyId = KeyMetadata!.KeyId!;
      const onlyBare = policy({ Effect: 'Allow', Principal: { AWS: bare.arn }, Action: 'kms:*', Resource: '*' });
      expect(await errorOf(as(admin).send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: onlyBare })))).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT });
      expect(JSON.parse((await as(admin).send(new GetKeyPolicyCommand({ KeyId: keyId }))).Policy!).Statement).toEqual([trustAccount]);
      await as(admin).send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: onlyBare, BypassPolicyLockoutSafetyCheck: true }));
      expect((await errorOf(as(admin).send(new DescribeKeyCommand({ KeyId: keyId })))).name).toBe('AccessDeniedException');
    });
  });

  describe('ReplicateKey', () => {
    test('a replica policy that locks the caller out is refused and no replica is made', async () => {
      const { KeyMetadata } = await as(admin).send(new CreateKeyCommand({ Policy: policy(trustAccount), MultiRegion: true }));
      const onlyBare = policy({ Effect: 'Allow', Principal: { AWS: bare.arn }, Action: 'kms:*', Resource: '*' });
      const refused = await errorOf(as(admin).send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: 'us-east-1', Policy: onlyBare })));
      expect(refused).toMatchObject({ name: 'MalformedPolicyDocumentException', message: LOCKOUT });
      expect((await as(admin, 'us-east-1').send(new ListKeysCommand({}))).Keys).toEqual([]);
      // AND the same replica with a policy that keeps the caller in is made
      const { ReplicaKeyMetadata } = await as(admin).send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: 'us-east-1', Policy: policy(trustAccount) }));
      expect(ReplicaKeyMetadata!.Arn).toBe(`arn:aws:kms:us-east-1:${ACCOUNT}:key/${KeyMetadata!.KeyId}`);
    });
  });
});
