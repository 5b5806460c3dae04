import { GuardRule } from './rule';
import { FULL_ACCESS, IAM_ALL_KEYS } from './rules/broad-access';
import { GRANTS_FOR_AWS_RESOURCES } from './rules/grants';
import { RSA_KEY_SIZE } from './rules/key-spec';
import { DELETION_WINDOW, RETAIN_ON_DELETE } from './rules/lifecycle';
import { ALLOWED_REGIONS, REQUIRED_TAGS } from './rules/organization';
import { APPROVED_PATTERN } from './rules/patterns';
import { POLICY_SIZE } from './rules/policy-size';
import { ALLOW_NOT_PRINCIPAL, WILDCARD_PRINCIPAL } from './rules/principal-scope';
import { ROOT_STATEMENT } from './rules/root-statement';
import { ROTATION_ON, ROTATION_POSSIBLE } from './rules/rotation';
import { SEPARATION_OF_DUTIES } from './rules/separation';
import { SERVICE_SOURCE } from './rules/service-principals';

/**
 * GK0 is not a check of its own: it carries what another rule could not decide before deployment (an import from
 * another stack, a condition on a parameter), so that an unknown is reported and never taken as a pass or a fail.
 */
export const UNDECIDED: GuardRule = {
  id: 'GK0',
  title: 'Everything the rules read can be evaluated before deployment',
  defaultSeverity: 'warning',
  why: 'A value known only at deploy time (Fn::ImportValue, a condition on a parameter) cannot be judged; the guard says so instead of guessing. Give parameter values in guard.json, or a cloud assembly with its environment.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html',
  check: stack => stack.unresolved.map(u => ({ logicalId: u.logicalId, path: u.path, pointer: u.pointer, message: `${u.pointer} cannot be evaluated: ${u.reason}` })),
};

/** The rule catalogue, in the order findings are reported. */
export const GUARD_RULES: readonly GuardRule[] = [
  UNDECIDED,
  ROTATION_ON, ROOT_STATEMENT, SEPARATION_OF_DUTIES, WILDCARD_PRINCIPAL, DELETION_WINDOW, RSA_KEY_SIZE,
  ROTATION_POSSIBLE, ALLOW_NOT_PRINCIPAL, FULL_ACCESS, SERVICE_SOURCE, GRANTS_FOR_AWS_RESOURCES, RETAIN_ON_DELETE,
  POLICY_SIZE, IAM_ALL_KEYS, REQUIRED_TAGS, ALLOWED_REGIONS, APPROVED_PATTERN,
];

/** A rule by id. */
export const ruleById = (id: string): GuardRule | undefined => GUARD_RULES.find(r => r.id === id);
