import fc from 'fast-check';
import { evaluateAuthorization } from '../../../src/emulator/authz';
import { DecisionCache } from '../../../src/emulator/authz/decision-cache';
import { evaluateWithLookup } from '../../../src/emulator/authz/evaluate';
import { AuthorizationRequest, CallerIdentity, ConditionValue, GrantRecord, PolicyDocumentJson, PolicyStatementJson } from '../../../src/emulator/authz/types';
import { ManualClock } from '../../../src/emulator/clock';
import { EmulatorCore } from '../../../src/emulator/core';
import { IdentityRegistry } from '../../../src/emulator/identity';
import { KeyRecord } from '../../../src/emulator/state';
import { Store } from '../../../src/emulator/store';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

const caller = (arn = `arn:aws:iam::${ACCOUNT}:user/alice`, identityPolicies: PolicyDocumentJson[] = []): CallerIdentity =>
  ({ arn, accountId: ACCOUNT, identityPolicies: identityPolicies.map((document, i) => ({ name: `p${i}`, document })), tags: {} });

const policyOf = (...statements: PolicyStatementJson[]): PolicyDocumentJson => ({ Version: '2012-10-17', Statement: statements });
const trustAccount: PolicyStatementJson = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };

function requestOf(
  who: CallerIdentity, policy: PolicyDocumentJson, context: Record<string, ConditionValue>, extra: Partial<AuthorizationRequest> = {},
): AuthorizationRequest {
  return {
    action: 'kms:Encrypt',
    operation: 'Encrypt',
    caller: who,
    key: { arn: KEY_ARN, accountId: ACCOUNT, region: 'eu-west-1', policy },
    resourceArn: KEY_ARN,
    grants: [],
    conditionContext: context,
    ...extra,
  };
}

/** What a decision says, without object identity. */
const outcome = (d: { allowed: boolean; reason: string; deciding?: unknown }) => ({ allowed: d.allowed, reason: d.reason, deciding: d.deciding });

describe('decision cache', () => {
  test('a request repeated under policies without conditions is evaluated once', () => {
    // GIVEN a cache and a caller allowed by its identity policy under a key policy that trusts the account
    let generation = 0;
    const cache = new DecisionCache(() => generation);
    const alice = caller(undefined, [policyOf({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]);
    const policy = policyOf(trustAccount);
    // WHEN the same request comes three times, with different values of keys no statement reads
    for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
      expect(cache.decide(requestOf(alice, policy, { 'aws:SourceIp': ip }), evaluateWithLookup).allowed).toBe(true);
    }
    // THEN the evaluator ran once
    expect(cache.stats()).toEqual({ hits: 2, misses: 1 });
    // AND any write to the store (its generation) makes the next one evaluate again
    generation++;
    cache.decide(requestOf(alice, policy, {}), evaluateWithLookup);
    expect(cache.stats()).toEqual({ hits: 2, misses: 2 });
  });

  test('a cached Allow is not used for a request whose condition value differs', () => {
    // GIVEN a key policy that allows alice only with the encryption context dept=a
    const cache = new DecisionCache(() => 0);
    const alice = caller();
    const policy = policyOf(trustAccount, {
      Effect: 'Allow',
      Principal: { AWS: alice.arn },
      Action: 'kms:Encrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'a' } },
    });
    // WHEN she is allowed with dept=a (cached), THEN dept=b and no context are still denied, and dept=a allowed again
    expect(cache.decide(requestOf(alice, policy, { 'kms:EncryptionContext:dept': 'a' }), evaluateWithLookup).allowed).toBe(true);
    expect(cache.decide(requestOf(alice, policy, { 'kms:EncryptionContext:dept': 'b' }), evaluateWithLookup).allowed).toBe(false);
    expect(cache.decide(requestOf(alice, policy, {}), evaluateWithLookup).allowed).toBe(false);
    expect(cache.decide(requestOf(alice, policy, { 'KMS:ENCRYPTIONCONTEXT:DEPT': 'a' }), evaluateWithLookup).allowed).toBe(true);
    expect(cache.stats()).toEqual({ hits: 1, misses: 3 });
  });

  test('a changed key policy, identity policy or caller is another entry', () => {
    // GIVEN alice allowed through her identity policy
    const cache = new DecisionCache(() => 0);
    const allowAll = policyOf({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    const alice = caller(undefined, [allowAll]);
    expect(cache.decide(requestOf(alice, policyOf(trustAccount), {}), evaluateWithLookup).allowed).toBe(true);
    // WHEN the key policy no longer trusts the account THEN she is denied
    expect(cache.decide(requestOf(alice, policyOf({ ...trustAccount, Principal: { AWS: 'arn:aws:iam::999999999999:root' } }), {}), evaluateWithLookup).allowed).toBe(false);
    // WHEN her identity policies change (the registry makes a new identity object) THEN she is denied
    const sameKeyPolicy = policyOf(trustAccount);
    expect(cache.decide(requestOf(alice, sameKeyPolicy, {}), evaluateWithLookup).allowed).toBe(true);
    expect(cache.decide(requestOf(caller(alice.arn, []), sameKeyPolicy, {}), evaluateWithLookup).allowed).toBe(false);
  });

  test('keeps at most its bound of entries, the oldest going first', () => {
    // GIVEN a cache bounded to 2 (caller, action, operation, resource) combinations
    const cache = new DecisionCache(() => 0, 2);
    const alice = caller(undefined, [policyOf({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]);
    const policy = policyOf(trustAccount);
    const on = (n: number) => requestOf(alice, policy, {}, { resourceArn: `${KEY_ARN}${n}`, key: { arn: `${KEY_ARN}${n}`, accountId: ACCOUNT, region: 'eu-west-1', policy } });
    // WHEN three keys are used, then the first and the third again
    [1, 2, 3, 1, 3].forEach(n => expect(cache.decide(on(n), evaluateWithLookup).allowed).toBe(true));
    // THEN the first was evicted (evaluated again) and the third was still kept
    expect(cache.stats()).toEqual({ hits: 1, misses: 4 });
  });

  test('requests with grants are never served from the cache', () => {
    // GIVEN a grant to alice for Encrypt under the encryption context dept=a
    const cache = new DecisionCache(() => 0);
    const alice = caller();
    const grant: GrantRecord = {
      grantId: 'g1', keyArn: KEY_ARN, granteePrincipal: alice.arn, operations: ['Encrypt'], constraints: { encryptionContextEquals: { dept: 'a' } },
    };
    const policy = policyOf(trustAccount);
    // WHEN she encrypts with dept=a and then dept=b THEN each is decided by its own context
    expect(cache.decide(requestOf(alice, policy, {}, { grants: [grant], encryptionContext: { dept: 'a' } }), evaluateWithLookup).allowed).toBe(true);
    expect(cache.decide(requestOf(alice, policy, {}, { grants: [grant], encryptionContext: { dept: 'b' } }), evaluateWithLookup).allowed).toBe(false);
    expect(cache.stats().hits).toBe(0);
  });

  test('only the condition keys a decision read are ever computed', () => {
    // GIVEN a request whose context throws when read
    const cache = new DecisionCache(() => 0);
    const alice = caller(undefined, [policyOf({ Effect: 'Allow', Action: 'kms:*', Resource: '*' })]);
    const request = {
      ...requestOf(alice, policyOf(trustAccount), {}),
      get conditionContext(): Record<string, ConditionValue> {
        throw new Error('read');
      },
    };
    // WHEN policies without conditions decide it, first and from the cache THEN the context is never built
    expect(cache.decide(request, evaluateWithLookup).allowed).toBe(true);
    expect(cache.decide(request, evaluateWithLookup).allowed).toBe(true);
  });

  describe('gives what a fresh evaluation gives (property)', () => {
    // Statements over a handful of condition keys and values, so that requests often agree on some keys and not others.
    const KEYS = ['kms:EncryptionContext:dept', 'aws:SourceIp', 'kms:ViaService', 'aws:PrincipalTag/team', 'kms:ResourceAliases', 'aws:CurrentTime'];
    const VALUES = ['a', 'b', '10.0.0.1', 's3.eu-west-1.amazonaws.com', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z'];
    const condition = fc.record({
      operator: fc.constantFrom('StringEquals', 'StringNotEquals', 'StringLike', 'StringEqualsIfExists', 'Null', 'ForAnyValue:StringEquals',
        'ForAllValues:StringLike', 'IpAddress', 'DateLessThan', 'Bool'),
      key: fc.constantFrom(...KEYS),
      values: fc.array(fc.constantFrom(...VALUES, '*', 'a*', '10.0.0.0/8', 'true', '${aws:PrincipalTag/team}'), { minLength: 1, maxLength: 2 }),
    });
    const statement = fc.record({
      effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
      action: fc.constantFrom('kms:*', 'kms:Encrypt', 'kms:Decrypt', 'kms:Encr?pt'),
      resource: fc.constantFrom('*', KEY_ARN, 'arn:aws:kms:*:${aws:PrincipalAccount}:key/*', 'arn:aws:kms:*:999999999999:key/*'),
      principal: fc.constantFrom<PolicyStatementJson['Principal']>(
        { AWS: ROOT }, '*', { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }),
      conditions: fc.array(condition, { maxLength: 2 }),
    }).map(({ effect, action, resource, principal, conditions }): PolicyStatementJson => {
      const Condition: Record<string, Record<string, string[]>> = {};
      for (const c of conditions) Condition[c.operator] = { ...Condition[c.operator], [c.key]: c.operator === 'Null' ? ['true'] : c.values };
      return { Effect: effect, Action: action, Resource: resource, Principal: principal, ...(conditions.length ? { Condition } : {}) };
    });
    const context = fc.record({
      'kms:EncryptionContext:dept': fc.constantFrom('a', 'b'),
      'aws:SourceIp': fc.constantFrom('10.0.0.1', '192.168.0.1'),
      'kms:ViaService': fc.constantFrom('s3.eu-west-1.amazonaws.com', 'ec2.eu-west-1.amazonaws.com'),
      'aws:PrincipalTag/team': fc.constantFrom('a', 'b'),
      'kms:ResourceAliases': fc.constantFrom([], ['a'], ['a', 'b'], ['b']),
      'aws:CurrentTime': fc.constantFrom('2026-06-01T00:00:00Z', '2027-06-01T00:00:00Z'),
      'aws:PrincipalAccount': fc.constant(ACCOUNT),
    }, { requiredKeys: ['aws:PrincipalAccount'] }) as fc.Arbitrary<Record<string, ConditionValue>>;

    test('for any sequence of requests, policies and writes', () => {
      let hits = 0;
      fc.assert(fc.property(
        fc.array(fc.array(statement, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.array(statement, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 2 }),
        fc.array(context, { minLength: 1, maxLength: 3 }),
        fc.array(fc.record({
          policy: fc.nat(),
          identity: fc.nat(),
          who: fc.constantFrom('alice', 'bob'),
          action: fc.constantFrom('kms:Encrypt', 'kms:Decrypt'),
          context: fc.nat(),
          write: fc.integer({ min: 0, max: 5 }).map(n => n === 0),
        }), { minLength: 1, maxLength: 25 }),
        (keyPolicies, identityPolicySets, contexts, requests) => {
          let generation = 0;
          const cache = new DecisionCache(() => generation);
          const documents = keyPolicies.map(s => policyOf(...s));
          const callers = new Map<string, CallerIdentity>();
          for (const r of requests) {
            if (r.write) generation++;
            const identity = identityPolicySets[r.identity % identityPolicySets.length];
            const id = `${r.who}/${r.identity % identityPolicySets.length}`;
            if (!callers.has(id)) callers.set(id, caller(`arn:aws:iam::${ACCOUNT}:user/${r.who}`, [policyOf(...identity)]));
            const request = requestOf(callers.get(id)!, documents[r.policy % documents.length], contexts[r.context % contexts.length],
              { action: r.action, operation: r.action.slice(4) });
            expect(outcome(cache.decide(request, evaluateWithLookup))).toEqual(outcome(evaluateAuthorization(request)));
          }
          hits += cache.stats().hits;
        },
      ), { numRuns: 300 });
      // (and the cache was used: a property that never hit it would prove nothing)
      expect(hits).toBeGreaterThan(100);
    });
  });
});

describe('the store writes that fence a cached decision (EmulatorCore)', () => {
  const keyless = (who: CallerIdentity): AuthorizationRequest => ({
    action: 'kms:CreateKey', operation: 'CreateKey', caller: who, resourceArn: '*', grants: [], conditionContext: {},
  });
  const principal = { arn: `arn:aws:iam::${ACCOUNT}:role/App`, accessKeyId: 'AKIAFENCEAPP', secretAccessKey: 'fence-app-secret' };

  test('a decision without a key survives a write of a key (as CreateKey makes), and ends with a write of a principal', () => {
    const store = new Store();
    const core = new EmulatorCore(store, new ManualClock(), new IdentityRegistry({}), evaluateAuthorization, false);
    const alice = caller(undefined, [policyOf({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' })]);
    expect(core.decide(keyless(alice)).allowed).toBe(true);
    // a key written (as CreateKey writes one): the keyless decision is still served from the cache
    const key = { ...storedKey(), keyId: 'fence-key' };
    store.putKey(key);
    expect(core.decide(keyless(alice)).allowed).toBe(true);
    expect(core.decisionCache.stats()).toEqual({ hits: 1, misses: 1 });
    // a principal written: evaluated again
    store.putPrincipal(principal);
    expect(core.decide(keyless(alice)).allowed).toBe(true);
    expect(core.decisionCache.stats()).toEqual({ hits: 1, misses: 2 });
    // while a decision on a key still ends with any write
    const onKey = requestOf(alice, policyOf(trustAccount), {});
    core.decide(onKey);
    store.putKey({ ...key, description: 'changed' });
    core.decide(onKey);
    expect(core.decisionCache.stats()).toEqual({ hits: 1, misses: 4 });
  });
});

/** A minimal stored key (the fields the store's indexes read). */
function storedKey(): KeyRecord {
  return {
    keyId: 'k',
    account: ACCOUNT,
    region: 'eu-west-1',
    arn: KEY_ARN,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    description: '',
    state: 'Enabled',
    createdAt: 0,
    policy: '{}',
    tags: {},
    rotation: { enabled: false, periodDays: 365 },
    materials: [],
    multiRegion: false,
  } as KeyRecord;
}
