import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedKey } from '../../src';

/**
 * aws-cdk-lib's index modules hand out each export through a getter that calls `require()` again; the per-key code
 * reads the classes it needs once (src/private/cdk-exports.ts). Counted here: the reads of those getters per key.
 */
describe('reads of aws-cdk-lib index exports per key', () => {
  /** Counts every read of the index modules' export getters while `build` runs. */
  function countReads(build: () => void): number {
    let reads = 0;
    const restore: Array<() => void> = [];
    for (const index of [cdk as Record<string, unknown>, iam as Record<string, unknown>]) {
      for (const name of Object.keys(index)) {
        const descriptor = Object.getOwnPropertyDescriptor(index, name);
        if (!descriptor?.get || !descriptor.configurable) continue;
        const get = descriptor.get;
        Object.defineProperty(index, name, { ...descriptor, get: () => { reads++; return get(); } });
        restore.push(() => Object.defineProperty(index, name, descriptor));
      }
    }
    try {
      build();
    } finally {
      restore.forEach(r => r());
    }
    return reads;
  }

  /** Builds and synthesizes an app of `count` guarded keys with an admin and a user. */
  const app = (count: number) => () => {
    const root = new cdk.App();
    const stack = new cdk.Stack(root, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    for (let i = 0; i < count; i++) {
      new GuardedKey(stack, `Key${i}`, { admins: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/admin')], users: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')] });
    }
    root.synth();
  };

  test('the policy model, principal identity and size validation read none per principal: a key costs a bounded few', () => {
    // GIVEN the getters of aws-cdk-lib's and aws-iam's index modules counted (a first app loads what it needs)
    countReads(app(1));
    // WHEN apps of 10 and 20 keys are built and synthesized
    const perKey = (countReads(app(20)) - countReads(app(10))) / 10;
    // THEN each key reads at most a handful (the constructor's own imports; 57 before, 9 after)
    expect(perKey).toBeLessThanOrEqual(Number(process.env.MAX_READS ?? 15));
    // (and the counter counts: one read is one, where the installed aws-cdk-lib has such getters; newer ones have none)
    const getters = Object.getOwnPropertyDescriptor(iam, 'PolicyStatement')?.get !== undefined;
    expect(countReads(() => iam.PolicyStatement)).toBe(getters ? 1 : 0);
  });
});
