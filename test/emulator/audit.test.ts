import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, ReEncryptCommand,
} from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { errorOf } from './support';
import { AuditEvent, kmsClientFor, ManualClock, RunningEmulator, startEmulator } from '../../src/emulator';
import { httpDeploymentTarget } from '../../src/local/http-target';

const ACCOUNT = '111111111111';
const ROOT = { arn: `arn:aws:iam::${ACCOUNT}:root`, accessKeyId: 'AKIAROOT', secretAccessKey: 'root-secret' };
const APP = { arn: `arn:aws:iam::${ACCOUNT}:role/App`, accessKeyId: 'AKIAAPP', secretAccessKey: 'app-secret-1' };
const OTHER = {
  arn: `arn:aws:iam::${ACCOUNT}:role/Other`,
  accessKeyId: 'AKIAOTHER',
  secretAccessKey: 'other-secret',
  identityPolicies: [{ name: 'unused-kms', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'kms:Sign', Resource: '*' }] } }],
};

/** Root administers; App may encrypt and decrypt (statement 'AppUse'); Other is in no statement. */
function policy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT.arn }, Action: 'kms:*', Resource: '*' },
      { Sid: 'AppUse', Effect: 'Allow', Principal: { AWS: APP.arn }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' },
      { Sid: 'NeverUsed', Effect: 'Allow', Principal: { AWS: APP.arn }, Action: 'kms:DescribeKey', Resource: '*' },
    ],
  });
}

describe('the audit trail', () => {
  let emulator: RunningEmulator;
  let dir: string;
  let root: KMSClient; let app: KMSClient; let other: KMSClient;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-audit-'));
    emulator = await startEmulator({ clock: new ManualClock(), config: { principals: [ROOT, APP, OTHER] }, auditLog: join(dir, 'audit.jsonl') });
    [root, app, other] = [ROOT, APP, OTHER].map(p => kmsClientFor(emulator, { region: 'eu-west-1', ...p }));
  });
  afterEach(async () => {
    [root, app, other].forEach(c => c.destroy());
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const keyOf = async () => (await root.send(new CreateKeyCommand({ Policy: policy(), BypassPolicyLockoutSafetyCheck: false }))).KeyMetadata!;

  test('records each request CloudTrail-shaped: who, what, the encryption context, the key, the deciding statement', async () => {
    // GIVEN a key App may use
    const key = await keyOf();
    // WHEN App encrypts and decrypts under a context
    const context = { tenant: 'a', purpose: 'test' };
    const { CiphertextBlob } = await app.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('secret words'), EncryptionContext: context }));
    await app.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));

    // THEN the trail has CreateKey, Encrypt and Decrypt, in order, with the fields CloudTrail has
    const trail = emulator.auditTrail();
    expect(trail.map(e => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt']);
    const decrypt = trail[2];
    expect(decrypt).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventTime: '2026-01-01T00:00:00Z',
      awsRegion: 'eu-west-1',
      userIdentity: { type: 'AssumedRole', arn: APP.arn, accountId: ACCOUNT, accessKeyId: APP.accessKeyId },
      requestParameters: { encryptionContext: context },
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: key.Arn }],
      readOnly: false,
    });
    expect(decrypt.errorCode).toBeUndefined();
    expect(decrypt.authorizations).toEqual([expect.objectContaining({
      action: 'kms:Decrypt',
      resource: key.Arn,
      allowed: true,
      decidingStatements: [expect.objectContaining({ source: 'key-policy', sid: 'AppUse', statementIndex: 1, effect: 'Allow' })],
    })]);
    // CreateKey names the key it created
    expect(trail[0].resources.map(r => r.ARN)).toEqual([key.Arn]);
    expect(trail[0].userIdentity.type).toBe('Root');
  });

  test('a denied request is recorded with errorCode and errorMessage as the caller saw them', async () => {
    const key = await keyOf();
    const error = await errorOf(other.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
    const denied = emulator.auditTrail({ failed: true });
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ eventName: 'Encrypt', errorCode: error.name, errorMessage: error.message, userIdentity: { arn: OTHER.arn } });
    expect(denied[0].authorizations[0]).toMatchObject({ allowed: false, decidingStatements: [] });
  });

  test('names the explicit Deny that decided, and the pair (account trust + identity policy) that allowed together', async () => {
    // GIVEN a key whose policy trusts the account and denies Other Encrypt; Other's identity policy allows kms:*
    const denyOther = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'TrustAccount', Effect: 'Allow', Principal: { AWS: ROOT.arn }, Action: 'kms:*', Resource: '*' },
        { Sid: 'NoEncryptForOther', Effect: 'Deny', Principal: { AWS: OTHER.arn }, Action: 'kms:Encrypt', Resource: '*' },
      ],
    });
    const key = (await root.send(new CreateKeyCommand({ Policy: denyOther }))).KeyMetadata!;
    emulator.addPrincipal({ ...OTHER, identityPolicies: [{ name: 'all-kms', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }] });
    // WHEN Other encrypts (denied) and generates a data key (allowed)
    await errorOf(other.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
    await other.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    // THEN
    const [encrypt, generate] = emulator.auditTrail({ principalArn: OTHER.arn });
    expect(encrypt.authorizations[0].decidingStatements).toEqual([{ source: 'key-policy', sid: 'NoEncryptForOther', statementIndex: 1, effect: 'Deny' }]);
    expect(generate.authorizations[0].decidingStatements).toEqual([
      { source: 'key-policy', sid: 'TrustAccount', statementIndex: 0, effect: 'Allow' },
      { source: 'identity-policy', policyName: 'all-kms', statementIndex: 0, effect: 'Allow' },
    ]);
  });

  test('a request that fails authentication is recorded with the access key it presented', async () => {
    const stranger = kmsClientFor(emulator, { region: 'eu-west-1', accessKeyId: 'AKIASTRANGER', secretAccessKey: 'whatever-secret' });
    await errorOf(stranger.send(new GenerateDataKeyCommand({ KeyId: 'alias/nothing', KeySpec: 'AES_256' })));
    stranger.destroy();
    expect(emulator.auditTrail()).toEqual([expect.objectContaining({
      eventName: 'GenerateDataKey', errorCode: 'UnrecognizedClientException', userIdentity: { type: 'Unknown', accessKeyId: 'AKIASTRANGER' },
    })]);
  });

  test('never records plaintext, data keys or ciphertext (any plaintext, any operation)', async () => {
    const key = await keyOf();
    const seen: string[] = [];
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async plaintext => {
      const { CiphertextBlob } = await app.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext }));
      const decrypted = await app.send(new DecryptCommand({ CiphertextBlob }));
      const dataKey = await app.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
      await root.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: key.KeyId }));
      seen.push(...[plaintext, CiphertextBlob!, decrypted.Plaintext!, dataKey.Plaintext!, dataKey.CiphertextBlob!].map(b => Buffer.from(b).toString('base64')));
    }), { numRuns: 15 });
    const log = readFileSync(join(dir, 'audit.jsonl'), 'utf8');
    for (const secret of seen) expect(log).not.toContain(secret);
    // and the file holds exactly the events in memory, one JSON line each
    expect(log.trim().split('\n').map(line => JSON.parse(line) as AuditEvent)).toEqual(emulator.auditTrail());
  });

  test('counts calls per key and operation', async () => {
    const key = await keyOf();
    for (let i = 0; i < 3; i++) await app.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    await errorOf(other.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })));
    expect(emulator.auditCounts()).toEqual([
      { keyArn: key.Arn, operation: 'CreateKey', calls: 1, errors: 0, throttled: 0 },
      { keyArn: key.Arn, operation: 'Encrypt', calls: 4, errors: 1, throttled: 0 },
    ]);
  });

  test('lists keys never used, and statements and grants that never allowed anything', async () => {
    // GIVEN two keys; App uses the first through 'AppUse'; a grant to Other is never used
    const used = await keyOf();
    const idle = await keyOf();
    await app.send(new EncryptCommand({ KeyId: used.KeyId, Plaintext: Buffer.from('x') }));
    const { GrantId } = await root.send(new CreateGrantCommand({ KeyId: used.KeyId, GranteePrincipal: OTHER.arn, Operations: ['Decrypt'] }));

    const findings = emulator.unusedAccess();
    expect(findings.unusedKeys).toEqual([idle.Arn]);
    const unusedOfUsed = findings.unusedStatements.filter(s => s.keyArn === used.Arn).map(s => s.sid);
    expect(unusedOfUsed).toEqual(['NeverUsed']); // Root decided CreateGrant; AppUse decided Encrypt
    expect(findings.unusedStatements.filter(s => s.keyArn === idle.Arn).map(s => s.sid)).toEqual(['Root', 'AppUse', 'NeverUsed']);
    expect(findings.unusedStatements).toContainEqual(expect.objectContaining({ source: 'identity-policy', principalArn: OTHER.arn, policyName: 'unused-kms', actions: ['kms:Sign'] }));
    expect(findings.unusedGrants.map(g => g.grantId)).toEqual([GrantId]);
  });

  test('the admin API serves the trail (admin credential only), page by page', async () => {
    // (the admin client signs with the system clock, so this emulator runs on it)
    const live = await startEmulator({ config: { principals: [ROOT] } });
    const client = kmsClientFor(live, { region: 'eu-west-1', ...ROOT });
    try {
      for (let i = 0; i < 1005; i++) await client.send(new CreateKeyCommand({}));
      const events = await httpDeploymentTarget(live.endpoint, live.admin).auditTrail!(); // two pages of 1000
      expect(events).toHaveLength(1005);
      expect(events).toEqual(live.auditTrail()); // admin calls are not KMS requests: not recorded
      await expect(httpDeploymentTarget(live.endpoint, ROOT).auditTrail!()).rejects.toThrow(/AccessDeniedException: GuardedKeys.GetAuditTrail needs the emulator's admin credential/);
    } finally {
      client.destroy();
      await live.stop();
    }
  });
});
