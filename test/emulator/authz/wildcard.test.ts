import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { kmsClientFor, RunningEmulator, startEmulator } from '../../../src/emulator';
import { globMatch as policyGlobMatch } from '../../../src/emulator/authz/wildcard';
import { expandActionPattern } from '../../../src/policy/kms-actions';
import { ANY_ONE, ANY_RUN, globMatch, globTokens, GlobToken, matchGlobTokens } from '../../../src/private/glob';
import { errorOf } from '../support';

/** The backtracking regular expression the matcher replaced: the reference for what a match means. */
function referenceMatch(tokens: GlobToken[], value: string, ignoreCase: boolean): boolean {
  const source = tokens.map(t => (t === ANY_RUN ? '.*' : t === ANY_ONE ? '.' : t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'siu' : 'su').test(value);
}

// Small alphabets make matches (and near misses) frequent; the emoji checks that `?` is one character, not one code unit.
const alphabet = fc.constantFrom('a', 'b', 'B', '/', '.', '\n', '😀', 'é', 'É');
const text = fc.array(alphabet, { maxLength: 12 }).map(cs => cs.join(''));
const pattern = fc.array(fc.oneof(alphabet, fc.constant('*'), fc.constant('?')), { maxLength: 10 }).map(cs => cs.join(''));

describe('glob matching (IAM wildcards)', () => {
  test('agrees with the reference regular expression on small inputs, with and without case', () => {
    fc.assert(fc.property(pattern, text, fc.boolean(), (p, v, ignoreCase) => {
      expect(globMatch(p, v, ignoreCase)).toBe(referenceMatch(globTokens(p), v, ignoreCase));
    }), { numRuns: 3000 });
  });

  test('agrees on values built to match (a pattern with its wildcards filled in)', () => {
    const filled = fc.array(fc.tuple(fc.oneof(alphabet, fc.constant('*'), fc.constant('?')), text), { maxLength: 8 });
    fc.assert(fc.property(filled, parts => {
      const p = parts.map(([c]) => c).join('');
      const v = parts.map(([c, fill]) => (c === '*' ? fill : c === '?' ? (Array.from(fill)[0] ?? 'x') : c)).join('');
      expect(globMatch(p, v)).toBe(true);
      expect(referenceMatch(globTokens(p), v, false)).toBe(true);
    }), { numRuns: 1000 });
  });

  test('takes at most (n+1)(m+1) steps, whatever the input', () => {
    fc.assert(fc.property(pattern, fc.array(alphabet, { maxLength: 200 }).map(cs => cs.join('')), (p, v) => {
      const tokens = globTokens(p);
      expect(matchGlobTokens(tokens, v).steps).toBeLessThanOrEqual((Array.from(v).length + 1) * (tokens.length + 1));
    }), { numRuns: 500 });
  });

  test.each([
    ['*/*/*/*/*.csv', 'a/'.repeat(500)],
    ['*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(1000)],
    ['?*?*?*?*?*?*?*?*?*?*?*?*!', 'x'.repeat(5000)],
  ])('the pathological pattern %s stays within the step bound on a long value', (p, v) => {
    // GIVEN a pattern that makes a backtracking regex try every split of the value among its stars
    const tokens = globTokens(p);
    // WHEN matched THEN the work is bounded by the product of the lengths, not exponential in the stars
    const { matched, steps } = matchGlobTokens(tokens, v);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual((v.length + 1) * (tokens.length + 1));
  });

  test('policy escapes ${*} and ${?} are literal characters', () => {
    // substituteVariables marks the escapes; they must not act as wildcards
    expect(policyGlobMatch('a\u0000STAR\u0000', 'a*')).toBe(true);
    expect(policyGlobMatch('a\u0000STAR\u0000', 'ab')).toBe(false);
    expect(policyGlobMatch('a\u0000QMARK\u0000*', 'a?zz')).toBe(true);
    expect(policyGlobMatch('a\u0000QMARK\u0000', 'ab')).toBe(false);
  });

  test('the policy model expands action patterns with the same matcher (case-insensitive)', () => {
    expect(expandActionPattern('KMS:re?ncrypt*')).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(expandActionPattern('kms:*Grant*')).toEqual(expect.arrayContaining(['kms:CreateGrant', 'kms:ListRetirableGrants']));
  });
});

describe('a pathological condition through the real SDK', () => {
  let emulator: RunningEmulator;
  let kms: KMSClient;
  beforeAll(async () => {
    emulator = await startEmulator();
    kms = kmsClientFor(emulator, { region: 'eu-west-1' });
  });
  afterAll(async () => {
    kms.destroy();
    await emulator.stop();
  });

  test('StringLike */*/*/*/*.csv against a 1,000-character context value is answered, not hung', async () => {
    // GIVEN a key whose policy denies unless the context's path is like */*/*/*/*.csv (the 9-minute hang of issue 9)
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::000000000000:root' }, Action: 'kms:*', Resource: '*' },
        { Sid: 'CsvOnly', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringNotLike: { 'kms:EncryptionContext:path': '*/*/*/*/*.csv' } } },
      ],
    });
    const key = (await kms.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.KeyId!;
    // WHEN a caller sends a value that matches no split THEN the answer comes back (denied) at once
    const denied = await errorOf(kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { path: 'a/'.repeat(500) } })));
    expect(denied.name).toBe('AccessDeniedException');
    // AND a matching value is allowed
    await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { path: `${'a/'.repeat(500)}x.csv` } }));
  });
});
