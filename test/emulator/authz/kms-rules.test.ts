import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyWithoutPlaintextCommand, KMSClient, ListKeysCommand, PutKeyPolicyCommand, ReEncryptCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor, PolicyDocumentJson, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { evaluateAuthorization } from '../../../src/emulator/authz';
import { errorOf } from '../support';

const KEY_ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'eu-west-1';
const ROOT = `arn:aws:iam::${KEY_ACCOUNT}:root`;
const APP = `arn:aws:iam::${KEY_ACCOUNT}:role/App`;
const ADMIN = `arn:aws:iam::${KEY_ACCOUNT}:role/Admin`;
const PARTNER = `arn:aws:iam::${OTHER_ACCOUNT}:role/Partner`;

const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: Record<string, Record<string, unknown>>): PolicyDocumentJson =>
  ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, Condition } as never] });

describe('KMS authorization rules, through the real SDK', () => {
  let emulator: RunningEmulator;
  const clients: KMSClient[] = [];
  const principal = (arn: string, identityPolicies: PolicyDocumentJson[] = []): PrincipalConfig => {
    const id = `AKIA${Buffer.from(arn).toString('hex').slice(-12).toUpperCase()}`;
    return { arn, accessKeyId: id, secretAccessKey: `secret-${id}`, identityPolicies };
  };
  const as = (p: PrincipalConfig, viaService?: string) => {
    const c = kmsClientFor(emulator, { region: REGION, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey, viaService });
    clients.push(c);
    return c;
  };
  let root: PrincipalConfig;

  beforeEach(async () => {
    emulator = await startEmulator();
    root = principal(ROOT);
    emulator.addPrincipal(root);
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await emulator.stop();
  });

  async function keyWithPolicy(statements: unknown[]): Promise<string> {
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }, ...statements,
      ],
    });
    return (await as(root).send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!;
  }

  test('the key policy trusting the account lets IAM policies grant use; without an IAM policy the role is denied', async () => {
    const key = await keyWithPolicy([]);
    const withIam = principal(APP, [allow('kms:Encrypt', key)]);
    const withoutIam = principal(`arn:aws:iam::${KEY_ACCOUNT}:role/Other`);
    emulator.addPrincipal(withIam);
    emulator.addPrincipal(withoutIam);
    await as(withIam).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    const denied = await errorOf(as(withoutIam).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })));
    expect(denied.name).toBe('AccessDeniedException');
    expect(denied.message).toBe(`User: arn:aws:iam::${KEY_ACCOUNT}:role/Other is not authorized to perform: kms:Encrypt on resource: ${key} because no resource-based policy allows the kms:Encrypt action`);
    expect(emulator.decisions().at(-1)!.reason).toMatch(/the key policy trusts the account \(the key policy statement 'Root'\) but no identity policy/);
  });

  test('IAM policies do not count when the key policy does not trust the account', async () => {
    const Policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:*', Resource: '*' }] });
    const admin = principal(ADMIN);
    emulator.addPrincipal(admin);
    const key = (await as(root).send(new CreateKeyCommand({ Policy, BypassPolicyLockoutSafetyCheck: true }))).KeyMetadata!.Arn!;
    const app = principal(APP, [allow('kms:*')]);
    emulator.addPrincipal(app);
    expect((await errorOf(as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
    await as(admin).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
  });

  test('an explicit deny in the key policy wins over an allow', async () => {
    const key = await keyWithPolicy([{ Sid: 'NoDecrypt', Effect: 'Deny', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' }]);
    const app = principal(APP, [allow(['kms:Encrypt', 'kms:Decrypt'])]);
    emulator.addPrincipal(app);
    const { CiphertextBlob } = await as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    const err = await errorOf(as(app).send(new DecryptCommand({ CiphertextBlob })));
    expect(err.message).toMatch(/with an explicit deny in a resource-based policy$/);
    expect(emulator.decisions().at(-1)!.reason).toBe("explicitly denied by the key policy statement 'NoDecrypt'");
  });

  test('kms:ViaService admits the named service in the key region and refuses direct calls and other regions', async () => {
    const key = await keyWithPolicy([{
      Sid: 'ViaS3',
      Effect: 'Allow',
      Principal: { AWS: APP },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:ViaService': `s3.${REGION}.amazonaws.com` } },
    }]);
    const app = principal(APP);
    emulator.addPrincipal(app);
    await as(app, 's3').send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    expect((await errorOf(as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
    expect((await errorOf(as(app, 's3.us-east-1.amazonaws.com').send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
    expect(emulator.decisions().at(-1)!.reason).toMatch(/nearest: key-policy 'ViaS3': condition StringEquals kms:ViaService .* got "s3.us-east-1.amazonaws.com"/);
  });

  test('kms:EncryptionContext:<key> conditions require the context pair', async () => {
    const key = await keyWithPolicy([{
      Effect: 'Allow',
      Principal: { AWS: APP },
      Action: ['kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
    }]);
    const app = principal(APP);
    emulator.addPrincipal(app);
    await as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'acme' } }));
    expect((await errorOf(as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'other' } })))).name).toBe('AccessDeniedException');
    expect((await errorOf(as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
  });

  test('aws:SourceIp comes from the emulator-only header', async () => {
    const key = await keyWithPolicy([{
      Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Encrypt', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } },
    }]);
    const app = principal(APP);
    emulator.addPrincipal(app);
    const from = (sourceIp: string) => {
      const c = kmsClientFor(emulator, { region: REGION, accessKeyId: app.accessKeyId, secretAccessKey: app.secretAccessKey, sourceIp });
      clients.push(c);
      return c;
    };
    await from('203.0.113.7').send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    expect((await errorOf(from('198.51.100.1').send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
  });

  test('cross-account use needs both the key policy and the caller\'s IAM policy', async () => {
    const key = await keyWithPolicy([{
      Sid: 'Partner',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': OTHER_ACCOUNT } },
    }]);
    const partnerWithIam = principal(PARTNER, [allow('kms:Encrypt', `arn:aws:kms:${REGION}:${KEY_ACCOUNT}:key/*`)]);
    const partnerWithout = principal(`arn:aws:iam::${OTHER_ACCOUNT}:role/NoIam`);
    emulator.addPrincipal(partnerWithIam);
    emulator.addPrincipal(partnerWithout);
    await as(partnerWithIam).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
    expect((await errorOf(as(partnerWithout).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
    // AND a partner whose key policy side is missing is refused even with an IAM allow
    const stranger = principal('arn:aws:iam::999999999999:role/Stranger', [allow('kms:*')]);
    emulator.addPrincipal(stranger);
    expect((await errorOf(as(stranger).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
  });

  test('a grant allows its operations, within its constraints, and nothing else', async () => {
    const key = await keyWithPolicy([]);
    const worker = principal(APP);
    emulator.addPrincipal(worker);
    await as(root).send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: APP, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { Tenant: 'acme' } },
    }));
    await as(worker).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'acme', extra: '1' } }));
    expect((await errorOf(as(worker).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 'ACME' } })))).name).toBe('AccessDeniedException');
    expect((await errorOf(as(worker).send(new ScheduleKeyDeletionCommand({ KeyId: key })))).name).toBe('AccessDeniedException');
  });

  test('account-level actions follow identity policies; the account root is always allowed', async () => {
    const app = principal(APP);
    emulator.addPrincipal(app);
    await as(root).send(new ListKeysCommand({}));
    expect((await errorOf(as(app).send(new ListKeysCommand({})))).message).toMatch(/because no identity-based policy allows the kms:ListKeys action$/);
  });

  test('PutKeyPolicy takes effect for the next request', async () => {
    const key = await keyWithPolicy([]);
    const app = principal(APP);
    emulator.addPrincipal(app);
    expect((await errorOf(as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).name).toBe('AccessDeniedException');
    await as(root).send(new PutKeyPolicyCommand({
      KeyId: key,
      Policy: JSON.stringify({
        Statement: [
          { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Encrypt', Resource: '*' },
        ],
      }),
    }));
    await as(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }));
  });

  test('kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT where a request leaves it out, on every operation KMS sets it for', async () => {
    // A policy requiring the default algorithm must allow requests that do not name one, as in KMS ("works even when
    // the parameter doesn't appear in the request"); the emulator once left the key out of Decrypt, ReEncryptFrom and
    // the data-key operations, so this allow matched nothing there.
    const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair'];
    const key = await keyWithPolicy([{
      Sid: 'AppDefaultAlgorithmOnly',
      Effect: 'Allow',
      Principal: { AWS: APP },
      Action: actions,
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } },
    }]);
    const app = principal(APP);
    emulator.addPrincipal(app);
    const kms = as(app);
    const blob = (await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') }))).CiphertextBlob!;
    await kms.send(new DecryptCommand({ CiphertextBlob: blob }));
    await kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: key }));
    await kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' }));
    await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key, KeySpec: 'AES_256' }));
    await kms.send(new GenerateDataKeyPairCommand({ KeyId: key, KeyPairSpec: 'ECC_NIST_P256' }));
    const allowedBy = emulator.decisions().slice(-7).map(d => [d.action, d.allowed, d.reason.includes('AppDefaultAlgorithmOnly')]);
    expect(allowedBy).toEqual(['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext', 'kms:GenerateDataKeyPair'].map(a => [a, true, true]));

    // And a policy requiring another algorithm matches none of them.
    await as(root).send(new PutKeyPolicyCommand({
      KeyId: key,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: APP }, Action: actions, Resource: '*', Condition: { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } } },
        ],
      }),
    }));
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: blob })))).name).toBe('AccessDeniedException');
    expect((await errorOf(kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' })))).name).toBe('AccessDeniedException');
  });
});

describe('evaluateAuthorization (pure)', () => {
  const base = {
    operation: 'Decrypt',
    action: 'kms:Decrypt',
    resourceArn: 'arn:aws:kms:eu-west-1:111122223333:key/k',
    grants: [],
    key: { arn: 'arn:aws:kms:eu-west-1:111122223333:key/k', accountId: KEY_ACCOUNT, region: REGION, policy: { Statement: [] as never[] } },
    conditionContext: {},
  };

  test('an assumed-role session matches its role in a key policy', () => {
    const decision = evaluateAuthorization({
      ...base,
      caller: { arn: `arn:aws:sts::${KEY_ACCOUNT}:assumed-role/App/session-1`, accountId: KEY_ACCOUNT, identityPolicies: [], tags: {} },
      key: { ...base.key, policy: { Statement: [{ Sid: 'App', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*' }] } },
    });
    expect(decision).toEqual(expect.objectContaining({ allowed: true, reason: "allowed by the key policy statement 'App'" }));
  });

  test('every statement considered is in the trace', () => {
    const decision = evaluateAuthorization({
      ...base,
      caller: { arn: APP, accountId: KEY_ACCOUNT, identityPolicies: [], tags: {} },
      key: {
        ...base.key,
        policy: {
          Statement: [
            { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
            { Sid: 'Other', Effect: 'Allow', Principal: { AWS: ADMIN }, Action: 'kms:Decrypt', Resource: '*' },
          ],
        },
      },
    });
    expect(decision.allowed).toBe(false);
    expect(decision.trace.map(t => [t.sid, t.matched])).toEqual([['Root', true], ['Other', false]]);
  });
});
