import { join } from 'path';
import { ExceptionsFileError, judge, parseExceptions, readExceptions } from '../../validators/exceptions-file';
import { Finding, ToolRun } from '../../validators/finding';

const valid = { tool: 'cdk-nag', rule: 'AwsSolutions-IAM5', resource: 'Stack/Role/DefaultPolicy/Resource', detail: 'Action::s3:*', reason: 'aws-cdk-lib bucket grants on one bucket' };
const problemsOf = (parsed: unknown) => {
  try {
    parseExceptions(parsed);
  } catch (err) {
    expect(err).toBeInstanceOf(ExceptionsFileError);
    return (err as ExceptionsFileError).problems;
  }
  throw new Error('accepted');
};

describe('the exceptions file is refused when it could hide a finding', () => {
  test('the committed file is valid', () => {
    expect(readExceptions(join(__dirname, '..', '..', 'validators', 'exceptions.json')).length).toBeGreaterThan(0);
  });

  test.each([
    ['a missing reason', { ...valid, reason: undefined }, /reason is required/],
    ['a one-word reason', { ...valid, reason: 'fine' }, /reason is required/],
    ['a blank reason', { ...valid, reason: ' '.repeat(40) }, /reason is required/],
    ['an unknown tool', { ...valid, tool: 'tfsec' }, /tool must be one of cfn-lint, checkov, cdk-nag/],
    ['a rule id the tool never prints', { ...valid, tool: 'checkov', rule: 'AwsSolutions-IAM5' }, /"AwsSolutions-IAM5" is not a checkov rule id/],
    ['a cfn-lint rule id misspelt', { ...valid, tool: 'cfn-lint', rule: 'E30041' }, /is not a cfn-lint rule id/],
    ['no resource', { ...valid, resource: '' }, /resource must be a construct path/],
    ['an unknown field (a typo of detail)', { ...valid, details: 'x' }, /unknown field "details"/],
  ])('%s', (_, entry, problem) => {
    expect(problemsOf({ exceptions: [entry] })).toEqual([expect.stringMatching(problem)]);
  });

  test('every problem is listed at once, and duplicates are refused', () => {
    const problems = problemsOf({ exceptions: [valid, valid, { ...valid, reason: '' }, 'x'], extra: 1 });
    expect(problems).toEqual([
      'unknown top-level field "extra"',
      expect.stringMatching(/^exceptions\[1\]: duplicate/),
      expect.stringMatching(/^exceptions\[2\]: reason is required/),
      'exceptions[3]: expected an object',
    ]);
  });

  test('not an object with an exceptions array', () => {
    expect(problemsOf([valid])).toEqual(['expected an object with an "exceptions" array']);
  });
});

describe('judging a run', () => {
  const finding = (over: Partial<Finding> = {}): Finding => ({
    tool: 'cdk-nag', rule: 'AwsSolutions-IAM5', resource: 'Stack/Role/DefaultPolicy/Resource', detail: 'Action::s3:GetObject*', message: 'm', app: 'a', ...over,
  });
  const run = (findings: Finding[], known = ['AwsSolutions-IAM5', 'AwsSolutions-IAM4']): ToolRun => ({ tool: 'cdk-nag', findings, knownRules: new Set(known) });
  const exceptions = parseExceptions({ exceptions: [valid] });

  test('a finding the exception matches (resource and detail wildcards) is excused', () => {
    const verdict = judge([run([finding()])], exceptions);
    expect(verdict.ok).toBe(true);
    expect(verdict.excused.map(e => e.exception)).toEqual(exceptions);
  });

  test.each([
    ['another detail', finding({ detail: 'Action::kms:Decrypt' })],
    ['another resource', finding({ resource: 'Stack/Other/DefaultPolicy/Resource' })],
    ['another rule', finding({ rule: 'AwsSolutions-IAM4' })],
  ])('a finding on %s fails the run, and the exception that excuses nothing fails it too', (_, f) => {
    const verdict = judge([run([f])], exceptions);
    expect(verdict.ok).toBe(false);
    expect(verdict.unexcused).toEqual([f]);
    expect(verdict.unused).toEqual(exceptions);
  });

  test('an exception for a rule the tool does not have fails the run', () => {
    const verdict = judge([run([finding()], ['AwsSolutions-IAM4'])], exceptions);
    expect(verdict.ok).toBe(false);
    expect(verdict.unknownRules).toEqual(exceptions);
  });

  test('exceptions of a tool that did not run are not judged', () => {
    const verdict = judge([{ tool: 'checkov', findings: [], knownRules: new Set() }], exceptions);
    expect(verdict).toEqual(expect.objectContaining({ ok: true, unused: [], unknownRules: [] }));
  });
});
