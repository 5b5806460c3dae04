import { MAX_KEY_POLICY_BYTES } from '../../policy/policy-size';
import { GuardRule, keyHit, RuleHit } from '../rule';

/** A policy this close to the limit fails at the next few principals: warn from 90 %. */
const NEAR_LIMIT = 0.9;

/** GK13: the key policy stays under KMS's 32 KB limit. */
export const POLICY_SIZE: GuardRule = {
  id: 'GK13',
  title: 'The key policy is under 32 KB (a warning from 90 %)',
  defaultSeverity: 'error',
  why: 'KMS rejects a key policy over 32 KB, so the deployment (or the next change) fails.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html#key-policy-document-size',
  check: stack => stack.keys.filter(k => k.rawPolicy !== undefined).flatMap((key): RuleHit[] => {
    // Measured as written in the template: tokens (`Fn::GetAtt`, `Ref`) are at least as long as most ARNs they become.
    // A policy written as a JSON string is measured as that string (re-encoding it would count its quotes twice).
    const text = typeof key.rawPolicy === 'string' ? key.rawPolicy : JSON.stringify(key.rawPolicy);
    const bytes = Buffer.byteLength(text, 'utf8');
    const pointer = `/Resources/${key.logicalId}/Properties/KeyPolicy`;
    if (bytes > MAX_KEY_POLICY_BYTES) return [keyHit(key, `the key policy is about ${bytes} bytes, over KMS's limit of ${MAX_KEY_POLICY_BYTES}`, pointer)];
    if (bytes > MAX_KEY_POLICY_BYTES * NEAR_LIMIT) {
      return [{ ...keyHit(key, `the key policy is about ${bytes} bytes, within 10 % of KMS's limit of ${MAX_KEY_POLICY_BYTES}`, pointer), severity: 'warning' }];
    }
    return [];
  }),
};
