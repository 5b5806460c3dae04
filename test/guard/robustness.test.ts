import fc from 'fast-check';
import { guardConfig } from '../../src/guard/config';
import { runGuard } from '../../src/guard/engine';
import { evaluate, Unresolved, unresolvedIn } from '../../src/guard/evaluate';
import { GuardTemplate } from '../../src/guard/template-source';

/** JSON values in which intrinsic function names appear, well-formed or not, as a hand-written template may have them. */
const INTRINSICS = ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::If', 'Fn::Select', 'Fn::Split', 'Fn::FindInMap', 'Fn::Equals',
  'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition', 'Fn::ImportValue', 'Fn::Base64', 'Fn::GetAZs', 'Fn::Cidr'];
const { value: templateValue } = fc.letrec(tie => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.constantFrom('*', 'kms:*', 'Allow', 'AWS::AccountId', 'AWS::NoValue', 'IsProd', '${AWS::Region}', 'arn:aws:iam::111122223333:root'),
      fc.integer(), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.record({ name: fc.constantFrom(...INTRINSICS), arg: tie('value') }).map(({ name, arg }) => ({ [name]: arg })),
    fc.dictionary(fc.constantFrom('Statement', 'Effect', 'Principal', 'AWS', 'Service', 'Action', 'NotAction', 'Resource', 'Condition', 'NotPrincipal', 'Sid'), tie('value'), { maxKeys: 5 }),
  ),
}));

describe('malformed templates never crash the guard', () => {
  // (through JSON, as templates arrive: plain objects only)
  const json = templateValue.map(v => JSON.parse(JSON.stringify(v ?? null)) as unknown);

  test('evaluation returns a value or an Unresolved for any input', () => {
    fc.assert(fc.property(json, value => {
      const scope = { template: { Conditions: { IsProd: value as object, Loop: { Condition: 'Loop' } } } };
      expect(() => evaluate(value, scope)).not.toThrow();
    }), { numRuns: 500 });
  });

  test('every rule runs on keys and IAM policies with arbitrary properties', () => {
    fc.assert(fc.property(json, json, (keyProperties, policyDocument) => {
      const template: GuardTemplate = {
        stackName: 'S',
        file: 'S.json',
        template: {
          Conditions: { IsProd: { 'Fn::Equals': ['a', 'a'] } },
          Resources: {
            Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: keyProperties } as Record<string, unknown> },
            Other: { Type: 'AWS::KMS::Key', Properties: (typeof keyProperties === 'object' && keyProperties !== null ? keyProperties : {}) as Record<string, unknown> },
            Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: policyDocument, Roles: keyProperties } as Record<string, unknown> },
          },
        },
      };
      // and no rule needed the safety net (an internal failure would be a GK0 'could not read' finding)
      expect(runGuard([template]).findings.filter(f => f.message.includes('could not read this template'))).toEqual([]);
    }), { numRuns: Number(process.env.GUARD_FUZZ_RUNS ?? 1000) });
  });

  test('the guard only reads its template: every rule runs on a deep-frozen one and finds the same (the KeyGuard hands it the template synthesis writes, uncopied)', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
        Object.values(value).forEach(deepFreeze);
        Object.freeze(value);
      }
      return value;
    };
    fc.assert(fc.property(json, json, (keyProperties, policyDocument) => {
      const template = (): GuardTemplate => ({
        stackName: 'S',
        file: 'S.json',
        template: {
          Parameters: { Env: { Type: 'String', Default: 'prod' } },
          Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
          Mappings: { M: { A: { B: keyProperties } } },
          Resources: {
            Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: keyProperties, Tags: [{ Key: 'team', Value: 'x' }] } as Record<string, unknown> },
            Other: { Type: 'AWS::KMS::Key', Condition: 'IsProd', Properties: (typeof keyProperties === 'object' && keyProperties !== null ? keyProperties : {}) as Record<string, unknown> },
            Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyDocument: policyDocument, Roles: [{ Ref: 'Role' }] } as Record<string, unknown> },
            Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: policyDocument }], ManagedPolicyArns: [{ Ref: 'Managed' }] } as Record<string, unknown> },
            Managed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: keyProperties } as Record<string, unknown> },
          },
        },
      });
      const config = guardConfig({ requiredTags: ['team'], allowedRegions: ['eu-west-1'], approvedPatterns: ['p'] });
      const frozen = runGuard([deepFreeze(template())], config);
      expect(frozen.findings.filter(f => f.message.includes('could not read this template'))).toEqual([]);
      expect(frozen).toEqual(runGuard([template()], config));
    }), { numRuns: 300 });
  });

  test('a KeyPolicy of Ref AWS::NoValue is no policy: GK13 passes over it (it failed reading it, found by the property above)', () => {
    const template: GuardTemplate = {
      stackName: 'S',
      file: 'S.json',
      template: { Resources: { Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Ref: 'AWS::NoValue' } } } } },
    };
    const report = runGuard([template]);
    expect(report.findings.filter(f => f.message.includes('could not read this template'))).toEqual([]);
    expect(report.findings.filter(f => f.rule === 'GK13')).toEqual([]);
  });

  test.each([
    [{ 'Fn::Sub': ['${AWS::Region}', ''] }, 'a malformed Fn::Sub (its variables are not an object)'],
    [{ 'Fn::Sub': ['${toString}', {}] }, '${toString}'],
  ])('Fn::Sub with odd variables: %j', (value, expected) => {
    const result = evaluate(value, { template: {} });
    expect(result instanceof Unresolved ? result.reason : result).toBe(expected);
  });

  test('a condition that refers to itself is unresolved, not a stack overflow', () => {
    expect(evaluate({ 'Fn::If': ['Loop', 1, 2] }, { template: { Conditions: { Loop: { Condition: 'Loop' } } } })).toBeInstanceOf(Unresolved);
  });

  test('Fn::Join of literal strings is their join, for any strings and separator', () => {
    fc.assert(fc.property(fc.string(), fc.array(fc.string().filter(s => !s.includes('${')), { maxLength: 6 }), (separator, parts) => {
      expect(evaluate({ 'Fn::Join': [separator, parts] }, { template: {} })).toBe(parts.join(separator));
    }));
  });
});

describe('unresolvedIn', () => {
  /** The straightforward definition: every Unresolved with its JSON path. */
  const reference = (value: unknown, path = ''): Array<{ path: string; reason: string }> => {
    if (value instanceof Unresolved) return [{ path: path || '/', reason: value.reason }];
    if (Array.isArray(value)) return value.flatMap((v, i) => reference(v, `${path}/${i}`));
    if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => reference(v, `${path}/${k}`));
    return [];
  };

  test('finds every unresolved value with its path, as the straightforward walk does, on evaluated random templates', () => {
    fc.assert(fc.property(templateValue, fc.constantFrom('', '/Resources/Key/Properties'), (value, base) => {
      const evaluated = evaluate(JSON.parse(JSON.stringify(value ?? null)), { template: {} });
      expect(unresolvedIn(evaluated, base)).toEqual(reference(evaluated, base));
    }), { numRuns: 500 });
  });
});

describe('evaluation copies only what it changes', () => {
  test('a value without intrinsics is returned as it is (nothing copied), at any depth', () => {
    const plain = fc.jsonValue().filter(v => !JSON.stringify(v ?? null).match(/"(Ref|Fn::[A-Za-z]+|Condition)"\s*:/));
    fc.assert(fc.property(plain, value => {
      expect(evaluate(value, { template: {} })).toBe(value);
    }), { numRuns: 300 });
  });

  test('a value with an intrinsic deep inside is copied along its path only, and the original is unchanged', () => {
    const statement = { Sid: 'Use', Action: ['kms:Decrypt'], Principal: { AWS: { 'Fn::Join': ['', ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, ':root']] } } };
    const policy = { Version: '2012-10-17', Statement: [statement, { Sid: 'Other', Action: 'kms:*' }] };
    const before = JSON.stringify(policy);
    const evaluated = evaluate(policy, { template: {}, account: '111122223333' }) as { Statement: [typeof statement, unknown] };
    expect(JSON.stringify(policy)).toBe(before);
    expect(evaluated).not.toBe(policy);
    expect(evaluated.Statement[0].Principal.AWS).toBe('arn:aws:iam::111122223333:root');
    expect(evaluated.Statement[0].Action).toBe(statement.Action);
    expect(evaluated.Statement[1]).toBe(policy.Statement[1]);
  });
});
