import { App, Aws, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { resolveTokensIn } from '../../src/private/resolve-tokens';

/** A stack, and values with tokens of every kind a policy document can hold. */
function world() {
  const app = new App();
  const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  const tokens: unknown[] = [
    Aws.ACCOUNT_ID, Aws.PARTITION, role.roleArn, `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root`,
    Lazy.string({ produce: () => 'lazy' }), Lazy.number({ produce: () => 7 }), Lazy.any({ produce: () => ({ Nested: [Aws.REGION, 'x'] }) }),
    Lazy.any({ produce: () => undefined }), Lazy.list({ produce: () => ['a', Aws.ACCOUNT_ID] }), Fn.join('-', ['a', Aws.STACK_NAME]),
    new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['kms:Decrypt'], principals: [new iam.ArnPrincipal(role.roleArn)], resources: ['*'] })] }),
  ];
  return { stack, tokens };
}

/** JSON values with tokens in any place a value can be (strings, numbers, lists, objects, inside strings). */
function jsonWithTokens(tokens: unknown[]): fc.Arbitrary<unknown> {
  const token = fc.constantFrom(...tokens);
  const leaf = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), token,
    fc.tuple(fc.string(), fc.constantFrom(Aws.ACCOUNT_ID, Aws.REGION)).map(([s, t]) => `${s}${t}${s}`));
  return fc.letrec(tie => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('list'), tie('object')),
    list: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  })).value;
}

describe('resolveTokensIn', () => {
  test('gives the JSON the resolver gives for the whole value, on random values with tokens anywhere', () => {
    const { stack, tokens } = world();
    fc.assert(fc.property(jsonWithTokens(tokens), value => {
      expect(JSON.stringify(resolveTokensIn(stack, value))).toBe(JSON.stringify(stack.resolve(value)));
    }), { numRuns: 300 });
  });

  test('gives the JSON of a rendered key policy, and resolves its tokens only (never the whole document)', () => {
    // GIVEN a policy document as a guarded key renders it, and the resolver watched
    const { stack } = world();
    const document = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ sid: 'Root', principals: [new iam.AccountRootPrincipal()], actions: ['kms:*'], resources: ['*'] }),
        new iam.PolicyStatement({
          sid: 'Use',
          principals: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')],
          actions: ['kms:Decrypt', 'kms:Encrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${Aws.REGION}.amazonaws.com` } },
        }),
      ],
    });
    const expected = JSON.stringify(stack.resolve(document.toJSON()));
    const resolve = jest.spyOn(stack, 'resolve');
    // WHEN
    const json = JSON.stringify(resolveTokensIn(stack, document.toJSON()));
    // THEN the same JSON, from one resolution per token (the root's ARN and the condition's service), each a string
    expect(json).toBe(expected);
    expect(resolve.mock.calls.map(([v]) => typeof v)).toEqual(['string', 'string']);
    expect(resolve.mock.calls.every(([v]) => Token.isUnresolved(v))).toBe(true);
  });

  test('throws where the resolver throws (a list token in a string)', () => {
    const { stack } = world();
    const list = Token.asList(Lazy.list({ produce: () => ['a'] }));
    expect(() => resolveTokensIn(stack, { A: `x${list[0]}` })).toThrow(/list token/);
    expect(() => stack.resolve({ A: `x${list[0]}` })).toThrow(/list token/);
  });
});
