import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DeleteAliasCommand, EncryptCommand, KMSClient, PutKeyPolicyCommand, RevokeGrantCommand,
  TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { kmsClientFor, ManualClock, PolicyDocumentJson, PrincipalConfig, RunningEmulator, startEmulator } from '../../../src/emulator';
import { errorOf } from '../support';

/**
 * The decision cache (src/emulator/authz/decision-cache.ts) through the real SDK: an Allow it has kept must never
 * outlive a change to anything the decision depended on, including while other requests are in flight.
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const rootStatement = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const policy = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: [rootStatement, ...statements] });
const appMay = (Condition?: unknown) => ({ Sid: 'App', Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Encrypt', Resource: '*', Condition });
const allowAll: PolicyDocumentJson = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const Plaintext = Buffer.from('x');

describe('cached decisions and the changes that end them', () => {
  let emulator: RunningEmulator;
  let clock: ManualClock;
  const clients: KMSClient[] = [];
  const as = (p: PrincipalConfig) => {
    const c = kmsClientFor(emulator, { region: REGION, accessKeyId: p.accessKeyId, secretAccessKey: p.secretAccessKey });
    clients.push(c);
    return c;
  };
  const rootConfig: PrincipalConfig = { arn: ROOT, accessKeyId: 'AKIACACHEROOT', secretAccessKey: 'root-secret' };
  const appConfig = (identityPolicies: PolicyDocumentJson[] = []): PrincipalConfig =>
    ({ arn: APP, accessKeyId: 'AKIACACHEAPP', secretAccessKey: 'app-secret', identityPolicies });
  let root: KMSClient;
  let app: KMSClient;

  beforeEach(async () => {
    clock = new ManualClock();
    emulator = await startEmulator({ clock });
    emulator.addPrincipal(rootConfig);
    emulator.addPrincipal(appConfig());
    root = as(rootConfig);
    app = as(appConfig());
  });
  afterEach(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await emulator.stop();
  });

  const createKey = async (Policy: string) => (await root.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!;
  /** Encrypts twice (the second from the cache), then returns whether a third attempt is allowed after `change`. */
  async function allowedAfter(KeyId: string, change: () => Promise<unknown>, context?: Record<string, string>): Promise<boolean> {
    await app.send(new EncryptCommand({ KeyId, Plaintext, EncryptionContext: context }));
    await app.send(new EncryptCommand({ KeyId, Plaintext, EncryptionContext: context }));
    await change();
    const error = await app.send(new EncryptCommand({ KeyId, Plaintext, EncryptionContext: context })).then(() => undefined, (e: Error) => e);
    if (error && error.name !== 'AccessDeniedException') throw error;
    return error === undefined;
  }

  test('PutKeyPolicy ends a cached Allow', async () => {
    const key = await createKey(policy(appMay()));
    expect(await allowedAfter(key, () => root.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy() })))).toBe(false);
  });

  test('a changed identity policy ends a cached Allow', async () => {
    // GIVEN a key policy that trusts the account, and App allowed by its identity policy
    const key = await createKey(policy());
    emulator.addPrincipal(appConfig([allowAll]));
    // WHEN App's identity policies are replaced by none THEN it is denied
    expect(await allowedAfter(key, async () => emulator.addPrincipal(appConfig([])))).toBe(false);
  });

  test('a changed identity policy ends a cached CreateKey Allow, which CreateKey\'s own writes do not end', async () => {
    // GIVEN App allowed CreateKey by its identity policy, creating keys (each a write of the store)
    emulator.addPrincipal(appConfig([allowAll]));
    for (let i = 0; i < 3; i++) await app.send(new CreateKeyCommand({}));
    // WHEN its identity policies are replaced by none THEN the next CreateKey is denied
    emulator.addPrincipal(appConfig([]));
    expect((await errorOf(app.send(new CreateKeyCommand({})))).name).toBe('AccessDeniedException');
    // AND allowed again once the policy is back
    emulator.addPrincipal(appConfig([allowAll]));
    await expect(app.send(new CreateKeyCommand({}))).resolves.toBeDefined();
  });

  test('RevokeGrant ends a cached grant Allow', async () => {
    const key = await createKey(policy());
    const { GrantId } = await root.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: APP, Operations: ['Encrypt'] }));
    expect(await allowedAfter(key, () => root.send(new RevokeGrantCommand({ KeyId: key, GrantId })))).toBe(false);
  });

  test('UntagResource ends an Allow that a resource tag decided', async () => {
    const key = await createKey(policy(appMay({ StringEquals: { 'aws:ResourceTag/team': 'app' } })));
    await root.send(new TagResourceCommand({ KeyId: key, Tags: [{ TagKey: 'team', TagValue: 'app' }] }));
    expect(await allowedAfter(key, () => root.send(new UntagResourceCommand({ KeyId: key, TagKeys: ['team'] })))).toBe(false);
  });

  test('DeleteAlias ends an Allow that kms:ResourceAliases decided', async () => {
    const key = await createKey(policy(appMay({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } })));
    await root.send(new CreateAliasCommand({ AliasName: 'alias/app', TargetKeyId: key }));
    expect(await allowedAfter(key, () => root.send(new DeleteAliasCommand({ AliasName: 'alias/app' })))).toBe(false);
  });

  test('time ends an Allow that aws:CurrentTime decided', async () => {
    const key = await createKey(policy(appMay({ DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:30Z' } })));
    expect(await allowedAfter(key, async () => clock.advance(60_000))).toBe(false);
  });

  test('a cached Allow under one encryption context is not an Allow under another', async () => {
    const key = await createKey(policy(appMay({ StringEquals: { 'kms:EncryptionContext:dept': 'a' } })));
    await app.send(new EncryptCommand({ KeyId: key, Plaintext, EncryptionContext: { dept: 'a' } }));
    await app.send(new EncryptCommand({ KeyId: key, Plaintext, EncryptionContext: { dept: 'a' } }));
    expect((await errorOf(app.send(new EncryptCommand({ KeyId: key, Plaintext, EncryptionContext: { dept: 'b' } })))).name).toBe('AccessDeniedException');
  });

  test('setAuthorizer is obeyed at once', async () => {
    const key = await createKey(policy(appMay()));
    expect(await allowedAfter(key, async () => emulator.setAuthorizer(() => ({ allowed: false, reason: 'off', trace: [] })))).toBe(false);
  });

  test('under concurrent load, no request sent after PutKeyPolicy answered is allowed', async () => {
    // GIVEN App allowed by the key policy, and 8 clients encrypting in a loop (every Allow after the first cached)
    const key = await createKey(policy(appMay()));
    const loads = Array.from({ length: 8 }, () => as(appConfig()));
    let revokedAt: number | undefined;
    let stop = false;
    const outcomes: Array<{ sentAfterRevoke: boolean; allowed: boolean }> = [];
    const loop = async (client: KMSClient) => {
      while (!stop) {
        const sentAfterRevoke = revokedAt !== undefined;
        const allowed = await client.send(new EncryptCommand({ KeyId: key, Plaintext })).then(() => true, (e: Error) => {
          if (e.name !== 'AccessDeniedException') throw e;
          return false;
        });
        outcomes.push({ sentAfterRevoke, allowed });
      }
    };
    const running = loads.map(loop);
    // WHEN the policy stops allowing App while they run
    while (outcomes.length < 40) await new Promise(r => setTimeout(r, 5));
    await root.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy() }));
    revokedAt = outcomes.length;
    while (outcomes.filter(o => o.sentAfterRevoke).length < 40) await new Promise(r => setTimeout(r, 5));
    stop = true;
    await Promise.all(running);
    // THEN every request sent after the change was denied (and those before it were allowed)
    expect(outcomes.filter(o => o.sentAfterRevoke && o.allowed)).toEqual([]);
    expect(outcomes.slice(0, 40).every(o => o.allowed)).toBe(true);
  });
});
