import { Unresolved } from '../evaluate';
import { GuardRule, keyHit, RuleHit } from '../rule';

/** GK15: keys carry the tags the organization requires (configured with `requiredTags`). */
export const REQUIRED_TAGS: GuardRule = {
  id: 'GK15',
  title: 'Keys carry the tags listed in requiredTags',
  defaultSeverity: 'error',
  why: 'Tags attribute a key to an owner and a cost centre, and ABAC policies (aws:ResourceTag) rely on them.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/tagging-keys.html',
  check: (stack, config) => config.requiredTags.length === 0 ? [] : stack.keys.flatMap((key): RuleHit[] => {
    const tags = Array.isArray(key.properties.Tags) ? key.properties.Tags as Array<{ Key?: unknown }> : [];
    const missing = config.requiredTags.filter(t => !tags.some(tag => tag?.Key === t));
    // A tag list (or a tag) known only at deploy time may hold the missing tags: GK0 reports it, this rule passes over.
    if (key.properties.Tags instanceof Unresolved || tags.some(tag => tag instanceof Unresolved || tag?.Key instanceof Unresolved)) return [];
    return missing.length ? [keyHit(key, `the key lacks the required tag(s) ${missing.join(', ')}`, `/Resources/${key.logicalId}/Properties`)] : [];
  }),
};

/** GK16: keys live in the allowed regions (configured with `allowedRegions`). */
export const ALLOWED_REGIONS: GuardRule = {
  id: 'GK16',
  title: 'Keys (and replicas) are created only in allowedRegions',
  defaultSeverity: 'error',
  why: 'Data residency: a key, or a replica of it, in another region lets data be encrypted and decrypted there.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/multi-region-keys-overview.html',
  check: (stack, config) => {
    if (config.allowedRegions.length === 0 || stack.keys.length === 0) return [];
    const region = stack.source.region;
    return stack.keys.flatMap((key): RuleHit[] => {
      if (region === undefined) return [{ ...keyHit(key, "the stack's region is not known before deployment (give a cloud assembly with its environment)"), undecided: true }];
      return config.allowedRegions.includes(region) ? [] : [keyHit(key, `the key is in ${region}, outside the allowed regions ${config.allowedRegions.join(', ')}`)];
    });
  },
};
