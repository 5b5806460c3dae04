import { actionsFor, KeyKind, KeyRole, ROLES_OF_KIND } from '../../src/policy/key-policy-model';
import { expandActionPattern } from '../../src/policy/kms-actions';

/**
 * Every Allow the library writes for a role names its actions: no wildcard, which would also cover actions KMS adds
 * later (and which cdk-nag's AwsSolutions-IAM5 flags in IAM policies). Each named action is one KMS has.
 */
const cases = (Object.entries(ROLES_OF_KIND) as Array<[KeyKind, readonly KeyRole[]]>)
  .flatMap(([kind, roles]) => [...roles, 'admin' as KeyRole].map(role => [kind, role] as const));

describe('the actions of each role on each kind of key', () => {
  test.each(cases)('%s key, %s', (kind, role) => {
    for (const options of [{ kind }, { kind, allowAdminsToChangePolicy: true, multiRegion: true }]) {
      const actions = actionsFor(role, options);
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter(a => /[*?]/.test(a))).toEqual([]);
      expect(actions.filter(a => expandActionPattern(a).length !== 1)).toEqual([]);
    }
  });
});
