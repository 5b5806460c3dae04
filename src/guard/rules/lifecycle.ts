import { Unresolved } from '../evaluate';
import { GuardRule, keyHit, RuleHit } from '../rule';

/** Deletion policies that keep the key when the stack or the resource goes away. */
const RETAINING = new Set(['Retain', 'RetainExceptOnCreate']);

/** GK5: deletion waits at least the configured window. */
export const DELETION_WINDOW: GuardRule = {
  id: 'GK5',
  title: 'The deletion window is at least deletionWindowMinDays (default 30)',
  defaultSeverity: 'error',
  why: 'A key scheduled for deletion can be recovered only during its waiting period; after that, every ciphertext under it is lost.',
  source: 'https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html#deleting-keys-how-it-works',
  check: (stack, config) => stack.keys.flatMap((key): RuleHit[] => {
    const window = key.properties.PendingWindowInDays;
    const pointer = `/Resources/${key.logicalId}/Properties/PendingWindowInDays`;
    if (window instanceof Unresolved) return []; // GK0 reports the property
    const days = Number(window ?? 30);
    return days < config.deletionWindowMinDays
      ? [keyHit(key, `the deletion window is ${days} days, under the minimum of ${config.deletionWindowMinDays}`, pointer)] : [];
  }),
};

/** GK12: the key survives the stack's deletion and the resource's replacement. */
export const RETAIN_ON_DELETE: GuardRule = {
  id: 'GK12',
  title: 'Keys have DeletionPolicy Retain',
  defaultSeverity: 'error',
  why: 'Deleting a stack, or replacing the key resource, schedules the key for deletion, and data encrypted under it becomes unreadable when the window ends.',
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html',
  check: stack => stack.keys.flatMap((key): RuleHit[] => {
    if (!RETAINING.has(key.deletionPolicy ?? 'Delete')) {
      return [keyHit(key, `DeletionPolicy is ${key.deletionPolicy ?? 'Delete (the default)'}: set Retain (RemovalPolicy.RETAIN) so deleting the stack does not delete the key`)];
    }
    // A change that replaces the key (KeySpec, Origin, MultiRegion...) schedules the old one for deletion unless
    // UpdateReplacePolicy keeps it: a warning, since it takes a replacing change to matter.
    if (key.updateReplacePolicy !== 'Retain') {
      return [{ ...keyHit(key, `UpdateReplacePolicy is ${key.updateReplacePolicy ?? 'Delete (the default)'}: set Retain too (RemovalPolicy.RETAIN sets both), so a change that replaces the key does not delete the old one`), severity: 'warning' }];
    }
    return [];
  }),
};
