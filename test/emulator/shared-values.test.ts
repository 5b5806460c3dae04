import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, GetKeyPolicyCommand, KeyMetadata,
  PutKeyPolicyCommand, TagResourceCommand,
} from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { startTestEmulator } from './support';
import { allowAll, AuthorizationDecision, AuthorizationRequest, evaluateAuthorization, kmsClientFor, startEmulator } from '../../src/emulator';
import { recordedParameters, RECORDED_PARAMETERS } from '../../src/emulator/audit/event';
import { parseAuthorization } from '../../src/emulator/sigv4';

/**
 * The hot path shares values between requests instead of making them per request (src/emulator/context.ts,
 * operations/shared.ts, policy-document.ts, sigv4.ts, audit/). What one request is given must never be changed by
 * another request, or by a custom authorizer, and must follow the state it describes.
 */
const Plaintext = Buffer.from('x');

/** Tries to change every part of a request an authorizer is given; returns what it could change. */
function tamper(request: AuthorizationRequest): string[] {
  const changed: string[] = [];
  const attempt = (what: string, change: () => void) => {
    try {
      change();
      changed.push(what);
    } catch {
      // frozen: refused in strict mode
    }
  };
  attempt('grants', () => (request.grants as unknown[]).push({ grantId: 'forged' }));
  if (request.key) attempt('key', () => { (request.key as { policy: unknown }).policy = { Statement: [] }; });
  if (request.encryptionContext) attempt('encryptionContext', () => { (request.encryptionContext as Record<string, string>).forged = 'yes'; });
  const aliases = request.conditionContext['kms:ResourceAliases'];
  if (Array.isArray(aliases)) attempt('aliases', () => aliases.push('alias/forged'));
  return changed;
}

describe('values shared between requests', () => {
  test('an authorizer cannot change what the next request is given (grants, key, encryption context, aliases, algorithm)', async () => {
    const seen: Array<{ action: string; grants: number; policy: string; context: string; aliases: unknown; algorithm: unknown }> = [];
    const changed = new Set<string>();
    const { emulator, kms } = await startTestEmulator({
      authorizer: request => {
        if (request.action === 'kms:Encrypt' || request.action === 'kms:Decrypt') {
          seen.push({
            action: request.action,
            grants: request.grants.length,
            policy: JSON.stringify(request.key?.policy),
            context: JSON.stringify(request.encryptionContext),
            aliases: request.conditionContext['kms:ResourceAliases'],
            algorithm: request.conditionContext['kms:EncryptionAlgorithm'],
          });
          tamper(request).forEach(c => changed.add(c));
        }
        return allowAll(request);
      },
    });
    try {
      const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      for (let i = 0; i < 3; i++) {
        for (const key of [a, b]) {
          const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext }));
          await kms.send(new DecryptCommand({ CiphertextBlob }));
        }
      }
      expect([...changed]).toEqual([]);
      const policy = JSON.stringify(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: a.KeyId, PolicyName: 'default' }))).Policy!));
      expect(seen).toHaveLength(12);
      for (const s of seen) {
        expect(s).toEqual({ action: s.action, grants: 0, policy, context: '{}', aliases: [], algorithm: 'SYMMETRIC_DEFAULT' });
      }
    } finally {
      await emulator.stop();
    }
  });

  test('the key an authorizer is given follows PutKeyPolicy, aliases and grants of that key only', async () => {
    const given = new Map<string, AuthorizationRequest[]>();
    const { emulator, kms } = await startTestEmulator({
      authorizer: request => {
        if (request.action === 'kms:Encrypt') given.set(request.resourceArn, [...given.get(request.resourceArn) ?? [], request]);
        return allowAll(request);
      },
    });
    try {
      const a = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const b = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const encrypt = (keyId: string) => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext }));
      await encrypt(a.KeyId!);
      await encrypt(b.KeyId!);
      const changedPolicy = { Version: '2012-10-17', Statement: [{ Sid: 'Changed', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' }] };
      await kms.send(new PutKeyPolicyCommand({ KeyId: a.KeyId, PolicyName: 'default', Policy: JSON.stringify(changedPolicy) }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/shared-values', TargetKeyId: a.KeyId }));
      await kms.send(new CreateGrantCommand({ KeyId: a.KeyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/G', Operations: ['Encrypt'] }));
      await kms.send(new TagResourceCommand({ KeyId: a.KeyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] }));
      await encrypt(a.KeyId!);
      await encrypt(b.KeyId!);

      const [aBefore, aAfter] = given.get(a.Arn!)!;
      const [bBefore, bAfter] = given.get(b.Arn!)!;
      expect(aBefore.key!.policy).not.toEqual(changedPolicy);
      expect(aAfter.key!.policy).toEqual(changedPolicy);
      expect(aAfter.grants.map(g => g.granteePrincipal)).toEqual(['arn:aws:iam::000000000000:role/G']);
      expect(aAfter.conditionContext['kms:ResourceAliases']).toEqual(['alias/shared-values']);
      expect(aAfter.conditionContext['aws:ResourceTag/team']).toBe('blue');
      // the earlier request is logged as it was
      expect(aBefore.grants).toEqual([]);
      expect(aBefore.conditionContext['kms:ResourceAliases']).toEqual([]);
      expect(aBefore.conditionContext['aws:ResourceTag/team']).toBeUndefined();
      // and the other key saw none of it
      expect(bAfter.key!.policy).toEqual(bBefore.key!.policy);
      expect(bAfter.key!.policy).not.toEqual(changedPolicy);
      expect(bAfter.grants).toEqual([]);
      expect(bAfter.conditionContext['kms:ResourceAliases']).toEqual([]);
      expect(bAfter.conditionContext['aws:ResourceTag/team']).toBeUndefined();
    } finally {
      await emulator.stop();
    }
  });

  test('keys share their account\'s default policy text; a changed policy is the changed key\'s alone; accounts differ', async () => {
    const principals = [
      { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIASHAREDONE', secretAccessKey: 'one-secret' },
      { arn: 'arn:aws:iam::444455556666:root', accessKeyId: 'AKIASHAREDTWO', secretAccessKey: 'two-secret' },
    ];
    const emulator = await startEmulator({ config: { principals } });
    const [one, two] = principals.map(p => kmsClientFor(emulator, { region: 'eu-west-1', ...p }));
    try {
      const policyOf = async (client: typeof one, keyId: string) =>
        (await client.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy!;
      const [a, b] = [await one.send(new CreateKeyCommand({})), await one.send(new CreateKeyCommand({}))].map(r => r.KeyMetadata!.KeyId!);
      const c = (await two.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const defaultOne = await policyOf(one, a);
      expect(await policyOf(one, b)).toBe(defaultOne);
      expect(JSON.parse(defaultOne).Statement[0].Principal.AWS).toBe('arn:aws:iam::111122223333:root');
      expect(JSON.parse(await policyOf(two, c)).Statement[0].Principal.AWS).toBe('arn:aws:iam::444455556666:root');

      const changed = JSON.parse(defaultOne);
      changed.Statement[0].Sid = 'Changed';
      await one.send(new PutKeyPolicyCommand({ KeyId: a, PolicyName: 'default', Policy: JSON.stringify(changed) }));
      expect(JSON.parse(await policyOf(one, a)).Statement[0].Sid).toBe('Changed');
      expect(await policyOf(one, b)).toBe(defaultOne);
      expect(await policyOf(one, (await one.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!)).toBe(defaultOne);
    } finally {
      [one, two].forEach(c => c.destroy());
      await emulator.stop();
    }
  });

  test('the same deciding statements count for every key and caller they decide (unused-access findings)', async () => {
    // An authorizer that answers every request with one decision object: its deciding statements are one array,
    // whatever the key or caller, so the trail must not take "counted for one key" for "counted for all".
    const deciding = [{ source: 'key-policy' as const, statementIndex: 0, sid: 'Enable IAM User Permissions', effect: 'Allow' as const, matched: true, detail: 'constant' }];
    const decision: AuthorizationDecision = { allowed: true, reason: 'allowed by a constant', trace: deciding, deciding };
    const { emulator, kms } = await startTestEmulator({ authorizer: () => decision });
    try {
      const keys: KeyMetadata[] = [];
      for (let i = 0; i < 3; i++) keys.push((await kms.send(new CreateKeyCommand({}))).KeyMetadata!);
      expect(emulator.unusedAccess().unusedStatements.filter(s => keys.some(k => k.Arn === s.keyArn))).toHaveLength(3);
      for (const key of keys) await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext }));
      expect(emulator.unusedAccess().unusedStatements.filter(s => keys.some(k => k.Arn === s.keyArn))).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });

  test('a repeated request counts once per key in the call counts (a key is named when resolved and when authorized)', async () => {
    const { emulator, kms } = await startTestEmulator({ authorizer: evaluateAuthorization });
    try {
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      for (let i = 0; i < 4; i++) await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext }));
      expect(emulator.auditCounts()).toEqual([
        { keyArn: key.Arn, operation: 'CreateKey', calls: 1, errors: 0, throttled: 0 },
        { keyArn: key.Arn, operation: 'Encrypt', calls: 4, errors: 0, throttled: 0 },
      ]);
    } finally {
      await emulator.stop();
    }
  });

  test('requests a cached decision allowed share one authorization record in the audit trail, frozen', async () => {
    // Each object a request leaves in the in-memory trail is copied by a young-generation collection and promoted:
    // a cached decision's record is made once per decision, action and resource, not once per request.
    const { emulator, kms } = await startTestEmulator({ authorizer: evaluateAuthorization });
    try {
      const [a, b] = [(await kms.send(new CreateKeyCommand({}))).KeyMetadata!, (await kms.send(new CreateKeyCommand({}))).KeyMetadata!];
      for (let i = 0; i < 5; i++) for (const key of [a, b]) await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext }));
      const encrypts = emulator.auditTrail({ eventName: 'Encrypt' });
      expect(encrypts).toHaveLength(10);
      const records = new Set(encrypts.map(e => e.authorizations[0]));
      expect(records.size).toBe(2); // one per key (another resource), not one per request
      for (const [key, record] of [[a, encrypts[0].authorizations[0]], [b, encrypts[1].authorizations[0]]] as const) {
        expect(record).toEqual({ action: 'kms:Encrypt', resource: key.Arn, allowed: true, reason: expect.any(String), decidingStatements: expect.any(Array) });
        expect(Object.isFrozen(record)).toBe(true);
      }
      // Another action on the same key under its own decision: its own record.
      const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: a.KeyId, Plaintext }));
      await kms.send(new DecryptCommand({ CiphertextBlob }));
      expect(emulator.auditTrail({ eventName: 'Decrypt' })[0].authorizations).toEqual([expect.objectContaining({ action: 'kms:Decrypt', resource: a.Arn })]);
    } finally {
      await emulator.stop();
    }
  });

  test('the decision log keeps what a decision was made from; the entry users read is made once, when read', async () => {
    const { emulator, kms } = await startTestEmulator({ authorizer: evaluateAuthorization });
    try {
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const before = emulator.clock.now();
      await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext }));
      const [first] = emulator.decisions().slice(-1);
      expect(first).toEqual({
        time: expect.any(String),
        operation: 'Encrypt',
        action: 'kms:Encrypt',
        caller: expect.stringMatching(/^arn:aws:iam::/),
        resource: key.Arn,
        allowed: true,
        reason: first.decision.reason,
        decision: first.decision,
        request: first.request,
      });
      expect(first.request.action).toBe('kms:Encrypt');
      expect(Date.parse(first.time)).toBeGreaterThanOrEqual(before - 1000);
      // A plain value, not a getter (a getter's closure was made and kept per request), and the same entry on every read.
      expect(Object.getOwnPropertyDescriptor(first, 'time')).toEqual(expect.objectContaining({ value: first.time }));
      expect(emulator.decisions().slice(-1)[0]).toBe(first);
    } finally {
      await emulator.stop();
    }
  });

  test('recorded parameters are those of the allowlist, renamed, as the straightforward copy makes them', () => {
    const straightforward = (input: Record<string, unknown>) => {
      const out: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(input)) {
        if (RECORDED_PARAMETERS.has(name)) out[name.charAt(0).toLowerCase() + name.slice(1)] = value;
      }
      return Object.keys(out).length ? out : null;
    };
    const names = fc.oneof(fc.constantFrom(...RECORDED_PARAMETERS, 'Plaintext', 'CiphertextBlob', 'GrantTokens', '__proto__', 'constructor'), fc.string());
    fc.assert(fc.property(fc.dictionary(names, fc.jsonValue()), input => {
      const parsed = JSON.parse(JSON.stringify(input)) as Record<string, unknown>; // as a request body is parsed
      expect(recordedParameters(parsed)).toEqual(straightforward(parsed));
    }), { numRuns: 300 });
  });

  test('SignedHeaders lists are shared per text and frozen', () => {
    const header = (signed: string) => `AWS4-HMAC-SHA256 Credential=AKIAX/20260101/eu-west-1/kms/aws4_request, SignedHeaders=${signed}, Signature=${'0'.repeat(64)}`;
    const first = parseAuthorization(header('host;x-amz-date;x-amz-target'));
    const second = parseAuthorization(header('host;x-amz-date;x-amz-target'));
    expect(second.signedHeaders).toEqual(['host', 'x-amz-date', 'x-amz-target']);
    expect(Object.isFrozen(first.signedHeaders)).toBe(true);
    expect(() => (first.signedHeaders as string[]).push('content-type')).toThrow(TypeError);
    expect(parseAuthorization(header('content-type;host;x-amz-date;x-amz-target')).signedHeaders).toEqual(['content-type', 'host', 'x-amz-date', 'x-amz-target']);
  });
});
