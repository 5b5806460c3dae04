import { evaluateAuthorization } from '../../../src/emulator/authz';
import { AuthorizationRequest, ConditionValue, PolicyStatementJson } from '../../../src/emulator/authz/types';

const ACCOUNT = '111122223333';
const APP = `arn:aws:iam::${ACCOUNT}:role/App`;
const KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

/** Does one key-policy statement (for the App role) allow kms:Decrypt in this request context? */
function allows(condition: PolicyStatementJson['Condition'], context: Record<string, ConditionValue>, extra: Partial<PolicyStatementJson> = {}): boolean {
  const request: AuthorizationRequest = {
    action: 'kms:Decrypt',
    operation: 'Decrypt',
    resourceArn: KEY,
    grants: [],
    caller: { arn: APP, accountId: ACCOUNT, identityPolicies: [], tags: {} },
    key: { arn: KEY, accountId: ACCOUNT, region: 'eu-west-1', policy: { Statement: [{ Effect: 'Allow', Principal: { AWS: APP }, Action: 'kms:Decrypt', Resource: '*', Condition: condition, ...extra }] } },
    conditionContext: context,
  };
  return evaluateAuthorization(request).allowed;
}

describe('condition operators', () => {
  test.each([
    ['StringEquals', 'a', 'a', true], ['StringEquals', 'a', 'A', false],
    ['StringNotEquals', 'a', 'b', true], ['StringNotEquals', 'a', 'a', false],
    ['StringEqualsIgnoreCase', 'Acme', 'aCME', true], ['StringNotEqualsIgnoreCase', 'Acme', 'aCME', false],
    ['StringLike', 'team-*', 'team-blue', true], ['StringLike', 'team-?', 'team-10', false], ['StringNotLike', 'team-*', 'other', true],
    ['NumericEquals', '10', '10', true], ['NumericNotEquals', '10', '11', true], ['NumericLessThan', '10', '9', true],
    ['NumericLessThanEquals', '10', '10', true], ['NumericGreaterThan', '10', '10', false], ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericEquals', '10', 'ten', false],
    ['DateLessThan', '2027-01-01T00:00:00Z', '2026-06-01T00:00:00Z', true], ['DateGreaterThan', '2027-01-01T00:00:00Z', '2026-06-01T00:00:00Z', false],
    ['DateEquals', '1767225600', '2026-01-01T00:00:00Z', true], ['DateNotEquals', '2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', true],
    ['DateLessThanEquals', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', true], ['DateGreaterThanEquals', '2026-01-02T00:00:00Z', '2026-01-01T00:00:00Z', false],
    ['Bool', 'true', true, true], ['Bool', 'false', true, false],
    ['BinaryEquals', 'QUJD', 'QUJD', true],
    ['IpAddress', '203.0.113.0/24', '203.0.113.7', true], ['IpAddress', '203.0.113.0/24', '198.51.100.1', false],
    ['NotIpAddress', '203.0.113.0/24', '198.51.100.1', true], ['IpAddress', '2001:db8::/32', '2001:db8:1::5', true],
    ['IpAddress', '2001:db8::/32', '2001:db9::5', false], ['IpAddress', '10.0.0.1', '10.0.0.1', true],
    ['ArnEquals', APP, APP, true], ['ArnLike', 'arn:aws:iam::*:role/App', APP, true], ['ArnLike', 'arn:aws:iam::*:role/Other*', APP, false],
    ['ArnNotEquals', APP, APP, false], ['ArnNotLike', 'arn:aws:iam::*:role/Other', APP, true],
  ] as Array<[string, string, ConditionValue, boolean]>)('%s %p against %p -> %p', (operator, policyValue, requestValue, expected) => {
    expect(allows({ [operator]: { 'test:key': policyValue } }, { 'test:key': requestValue })).toBe(expected);
  });

  test('several values of one key are ORed; several keys and operators are ANDed', () => {
    const condition = { StringEquals: { 'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'sqs.eu-west-1.amazonaws.com'], 'kms:CallerAccount': ACCOUNT } };
    expect(allows(condition, { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT })).toBe(true);
    expect(allows(condition, { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com', 'kms:CallerAccount': '444455556666' })).toBe(false);
    expect(allows({ ...condition, Bool: { 'aws:SecureTransport': 'true' } }, { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT, 'aws:SecureTransport': false })).toBe(false);
  });

  test('missing keys: positive operators fail, negated operators and IfExists pass, Null tests presence', () => {
    expect(allows({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, {})).toBe(false);
    expect(allows({ StringNotEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, {})).toBe(true);
    expect(allows({ StringEqualsIfExists: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, {})).toBe(true);
    expect(allows({ StringEqualsIfExists: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } }, { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' })).toBe(false);
    expect(allows({ Null: { 'kms:EncryptionContext:tenant': 'false' } }, { 'kms:EncryptionContext:tenant': 'a' })).toBe(true);
    expect(allows({ Null: { 'kms:EncryptionContext:tenant': 'false' } }, {})).toBe(false);
    expect(allows({ Null: { 'kms:ViaService': 'true' } }, {})).toBe(true);
  });

  test('ForAnyValue and ForAllValues on multi-valued keys, including missing and empty ones', () => {
    const keys = (v: string[] | undefined): Record<string, ConditionValue> => (v === undefined ? {} : { 'kms:EncryptionContextKeys': v });
    const allOf = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['tenant', 'purpose'] } };
    const anyOf = { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['tenant'] } };
    expect(allows(allOf, keys(['tenant']))).toBe(true);
    expect(allows(allOf, keys(['tenant', 'other']))).toBe(false);
    expect(allows(allOf, keys([]))).toBe(true); // vacuously true, as AWS warns
    expect(allows(allOf, keys(undefined))).toBe(true);
    expect(allows(anyOf, keys(['purpose', 'tenant']))).toBe(true);
    expect(allows(anyOf, keys(['purpose']))).toBe(false);
    expect(allows(anyOf, keys(undefined))).toBe(false);
  });

  test('condition key names are case-insensitive, including the encryption-context key; values are not', () => {
    expect(allows({ StringEquals: { 'KMS:ENCRYPTIONCONTEXT:Tenant': 'acme' } }, { 'kms:EncryptionContext:tenant': 'acme' })).toBe(true);
    expect(allows({ StringEquals: { 'kms:EncryptionContext:tenant': 'ACME' } }, { 'kms:EncryptionContext:tenant': 'acme' })).toBe(false);
    expect(allows({ 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'Tenant' } }, { 'kms:EncryptionContextKeys': ['tenant'] })).toBe(false);
  });

  test('policy variables resolve from the request; a missing one makes the element unmatchable unless it has a default', () => {
    expect(allows({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'aws:username': 'alice', 'kms:EncryptionContext:owner': 'alice' })).toBe(true);
    expect(allows({ StringEquals: { 'kms:EncryptionContext:owner': '${aws:username}' } }, { 'kms:EncryptionContext:owner': '' })).toBe(false);
    expect(allows({ StringEquals: { 'kms:EncryptionContext:team': "${aws:PrincipalTag/team, 'none'}" } }, { 'kms:EncryptionContext:team': 'none' })).toBe(true);
    expect(allows({ StringLike: { 'kms:EncryptionContext:path': 'literal-${*}' } }, { 'kms:EncryptionContext:path': 'literal-*' })).toBe(true);
    expect(allows({ StringLike: { 'kms:EncryptionContext:path': 'literal-${*}' } }, { 'kms:EncryptionContext:path': 'literal-x' })).toBe(false);
  });
});

describe('statement elements', () => {
  test('NotAction covers every other action; NotResource every other resource', () => {
    expect(allows(undefined, {}, { Action: undefined, NotAction: 'kms:Encrypt' })).toBe(true);
    expect(allows(undefined, {}, { Action: undefined, NotAction: 'kms:Decr*' })).toBe(false);
    expect(allows(undefined, {}, { Resource: undefined, NotResource: 'arn:aws:kms:*:*:key/other' })).toBe(true);
    expect(allows(undefined, {}, { Resource: undefined, NotResource: 'arn:aws:kms:eu-west-1:*:key/*' })).toBe(false);
  });

  test('action names match case-insensitively and with wildcards', () => {
    expect(allows(undefined, {}, { Action: 'KMS:decrypt' })).toBe(true);
    expect(allows(undefined, {}, { Action: 'kms:De*' })).toBe(true);
    expect(allows(undefined, {}, { Action: 'kms:Decrypt?' })).toBe(false);
  });

  test('NotPrincipal applies to everyone it does not name', () => {
    expect(allows(undefined, {}, { Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` } })).toBe(true);
    expect(allows(undefined, {}, { Principal: undefined, NotPrincipal: { AWS: APP } })).toBe(false);
  });

  test('a Service principal never matches an IAM caller; "*" matches everyone', () => {
    expect(allows(undefined, {}, { Principal: { Service: 's3.amazonaws.com' } })).toBe(false);
    expect(allows(undefined, {}, { Principal: '*' })).toBe(true);
    expect(allows(undefined, {}, { Principal: { AWS: '*' } })).toBe(true);
  });
});
