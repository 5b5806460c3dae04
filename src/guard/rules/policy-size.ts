import { MAX_KEY_POLICY_BYTES } from '../../policy/policy-size';
import { GuardKey } from '../model';
import { GuardRule, keyHit, RuleHit } from '../rule';

/** A policy this close to the limit fails at the next few principals: warn from 90 %. */
const NEAR_LIMIT = 0.9;

/**
 * How long a deploy-time value can be once CloudFormation fills it in: [shortest, longest plausible]. A role's
 * generated name is at most 64 characters, so its ARN at most about 110 (`arn:aws-us-gov:iam::<12>:role/<64>`).
 */
const PLACEHOLDER_LENGTHS: Array<[RegExp, number, number]> = [
  [/^AWS::AccountId$/, 12, 12],
  [/^AWS::Partition$/, 3, 10],
  [/^AWS::Region$/, 9, 14],
  [/^AWS::URLSuffix$/, 13, 16],
  [/\.Arn$/, 32, 110],
  [/./, 1, 64],
];

/**
 * The key policy's size once deployed, as a range: the evaluated policy with each deploy-time value (`${Role.Arn}`,
 * `${AWS::AccountId}`) at its shortest and longest plausible length. A `Fn::GetAtt` token is shorter than the role
 * ARN it becomes and a `Fn::Join` root ARN longer, so neither the template's text nor a guess measures it.
 */
function deployedSize(key: GuardKey): [number, number] {
  const policy = key.properties.KeyPolicy;
  // A policy given as a JSON string holds no intrinsics: it is sent as written.
  if (typeof policy === 'string') return [Buffer.byteLength(policy, 'utf8'), Buffer.byteLength(policy, 'utf8')];
  const text = JSON.stringify(policy);
  // One pass: each placeholder's own bytes are taken out of the text's and its plausible lengths put in.
  let [shortest, longest] = Array(2).fill(Buffer.byteLength(text, 'utf8')) as [number, number];
  for (const [placeholder, name] of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
    const [, min, max] = PLACEHOLDER_LENGTHS.find(([pattern]) => pattern.test(name))!;
    const own = Buffer.byteLength(placeholder, 'utf8');
    shortest += min - own;
    longest += max - own;
  }
  return [shortest, longest];
}

/** GK13: the key policy stays under KMS's 32 KB limit. */
export const POLICY_SIZE: GuardRule = {
  id: 'GK13',
  title: 'The key policy is under 32 KB (a warning from 90 %)',
  defaultSeverity: 'error',
  why: 'KMS rejects a key policy over 32 KB, so the deployment (or the next change) fails.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-document-size',
  // A KeyPolicy that evaluates to nothing (`Ref: AWS::NoValue`) is no policy: CloudFormation applies the default one.
  check: stack => stack.keys.filter(k => k.rawPolicy !== undefined && k.properties.KeyPolicy !== undefined).flatMap((key): RuleHit[] => {
    const pointer = `/Resources/${key.logicalId}/Properties/KeyPolicy`;
    // A policy that cannot be evaluated entirely is measured as written (GK0 reports what is missing).
    const [shortest, longest] = key.policyIncomplete
      ? Array(2).fill(Buffer.byteLength(typeof key.rawPolicy === 'string' ? key.rawPolicy : JSON.stringify(key.rawPolicy), 'utf8')) as [number, number]
      : deployedSize(key);
    const size = shortest === longest ? `${shortest} bytes` : `${shortest} to ${longest} bytes once deployed`;
    if (shortest > MAX_KEY_POLICY_BYTES) return [keyHit(key, `the key policy is about ${size}, over KMS's limit of ${MAX_KEY_POLICY_BYTES}`, pointer)];
    if (longest > MAX_KEY_POLICY_BYTES * NEAR_LIMIT) {
      const how = longest > MAX_KEY_POLICY_BYTES ? 'which may be over' : 'within 10 % of';
      return [{ ...keyHit(key, `the key policy is about ${size}, ${how} KMS's limit of ${MAX_KEY_POLICY_BYTES}`, pointer), severity: 'warning' }];
    }
    return [];
  }),
};
