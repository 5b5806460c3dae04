import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand,
  EnableKeyRotationCommand, GenerateDataKeyCommand, KMSClient, ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { startTestEmulator, TestEmulator } from './support';
import { kmsClientFor, ManualClock, PrincipalConfig, startEmulator } from '../../src/emulator';
import { signingKeyDerivations } from '../../src/emulator/sigv4';
import { KeyRecord, keySlot } from '../../src/emulator/state';
import * as storeModule from '../../src/emulator/store';

/**
 * The cost of a request must not grow with the number of keys. Proven structurally, never by time: the store's
 * tables are instrumented to count the records any request iterates (a walk over the keys, aliases or grants), and
 * the count per request must be the same with 1 key as with 10,000 (each with an alias, a grant, a rotation
 * schedule, some pending deletion). The old code walked every key twice per request (the lifecycle check) and
 * every key again for a Decrypt without KeyId.
 */

// Capture the store the emulator creates, to instrument its tables.
let lastStore: storeModule.Store | undefined;
jest.mock('../../src/emulator/store', () => {
  const actual = jest.requireActual('../../src/emulator/store');
  return {
    ...actual,
    Store: class extends actual.Store {
      constructor(...args: unknown[]) {
        super(...args);
        lastStore = this as unknown as storeModule.Store;
      }
    },
  };
});

let visited = 0;
/** Counts every record a walk over the map yields (whichever way the code iterates it). */
function countWalks(map: Map<string, unknown>): void {
  const wrap = <F extends (...a: any[]) => IterableIterator<unknown>>(f: F) => function (this: Map<string, unknown>, ...a: unknown[]) {
    const inner = f.apply(this, a);
    return (function* () {
      for (const x of inner) {
        visited++;
        yield x;
      }
    })();
  };
  const m = map as any;
  m.values = wrap(Map.prototype.values);
  m.keys = wrap(Map.prototype.keys);
  m.entries = wrap(Map.prototype.entries);
  m[Symbol.iterator] = wrap(Map.prototype.entries);
  m.forEach = function (cb: (v: unknown, k: string, mm: Map<string, unknown>) => void) {
    for (const [k, v] of Map.prototype.entries.call(this)) {
      visited++;
      cb(v, k, this);
    }
  };
}

const OTHER_ACCOUNT = '999988887777';

/** Adds `n` keys like `template` (each with an alias and a grant; every third pending deletion far ahead). */
function seed(store: storeModule.Store, template: KeyRecord, n: number, now: number): void {
  for (let i = 0; i < n; i++) {
    const keyId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    // Some keys in another account share nothing with the caller's; one in five is in another region.
    const region = i % 5 === 0 ? 'us-west-2' : template.region;
    const account = i % 7 === 0 ? OTHER_ACCOUNT : template.account;
    const arn = `arn:aws:kms:${region}:${account}:key/${keyId}`;
    const record: KeyRecord = {
      ...structuredClone(template),
      keyId,
      arn,
      region,
      account,
      rotation: { enabled: true, periodDays: 365, nextRotationDate: now + (200 + (i % 100)) * 86_400_000 },
      ...(i % 3 === 0 ? { state: 'PendingDeletion' as const, deletionDate: now + (10 + (i % 20)) * 86_400_000, pendingWindowInDays: 30 } : {}),
    };
    store.putKey(record);
    store.putAlias({ aliasName: `alias/seed-${i}`, account, region, targetKeyId: keyId, createdAt: now, lastUpdatedAt: now });
    store.putGrant({
      grantId: `seed-grant-${i}`,
      grantToken: `seed-token-${i}`,
      keyArn: arn,
      keyId,
      account,
      region,
      issuingAccount: account,
      granteePrincipal: `arn:aws:iam::${account}:role/seed`,
      operations: ['Decrypt'],
      createdAt: now,
    });
  }
  store.flush();
}

interface Setup {
  readonly test: TestEmulator;
  readonly keyId: string;
  readonly blob: Uint8Array;
}

async function setup(extraKeys: number): Promise<Setup> {
  const test = await startTestEmulator();
  const store = lastStore!;
  const { KeyMetadata } = await test.kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata!.KeyId!;
  await test.kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  await test.kms.send(new CreateAliasCommand({ AliasName: 'alias/hot', TargetKeyId: keyId }));
  await test.kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: 'arn:aws:iam::000000000000:role/app', Operations: ['Decrypt'] }));
  const template = store.keys.get(keySlot('000000000000', 'eu-west-1', keyId))!;
  seed(store, template, extraKeys, test.clock.now());
  const { CiphertextBlob } = await test.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));
  countWalks(store.keys);
  countWalks(store.aliases);
  countWalks(store.grants);
  return { test, keyId, blob: CiphertextBlob! };
}

/** Records walked by each of the hot operations, one request each. */
async function walksPerRequest({ test, keyId, blob }: Setup): Promise<Record<string, number>> {
  const kms: KMSClient = test.kms;
  const requests: Record<string, () => Promise<unknown>> = {
    'Encrypt by key id': () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })),
    'Encrypt by alias': () => kms.send(new EncryptCommand({ KeyId: 'alias/hot', Plaintext: Buffer.from('x') })),
    'Decrypt without KeyId': () => kms.send(new DecryptCommand({ CiphertextBlob: blob })),
    'Decrypt with KeyId': () => kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId })),
    'GenerateDataKey': () => kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' })),
    'ReEncrypt': () => kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: keyId })),
    'DescribeKey': () => kms.send(new DescribeKeyCommand({ KeyId: keyId })),
  };
  const walks: Record<string, number> = {};
  for (const [name, send] of Object.entries(requests)) {
    await send(); // warm
    visited = 0;
    await send();
    walks[name] = visited;
  }
  return walks;
}

describe('cost per request', () => {
  test('records walked per request are the same with 1 key and with 10,000 keys', async () => {
    // GIVEN one key, then the same key among 10,000 others
    const small = await setup(0);
    let few: Record<string, number>;
    try {
      few = await walksPerRequest(small);
    } finally {
      await small.test.emulator.stop();
    }
    const large = await setup(10_000);
    let many: Record<string, number>;
    try {
      many = await walksPerRequest(large);
    } finally {
      await large.test.emulator.stop();
    }
    // THEN no request walks more records with more keys (and none walks a table at all)
    expect(many).toEqual(few);
    expect(Object.values(many).every(n => n === 0)).toBe(true);
  }, 30_000);

  test('the lifecycle still deletes and rotates what came due among many keys', async () => {
    // GIVEN 3,000 seeded keys (1,000 pending deletion within 30 days, all rotating within 300 days)
    const { test } = await setup(3_000);
    const store = lastStore!;
    try {
      const pending = [...Map.prototype.values.call(store.keys)].filter((k: any) => k.state === 'PendingDeletion').length;
      expect(pending).toBe(1_000);
      // WHEN 31 days pass and one request is made
      test.clock.advanceDays(31);
      await test.kms.send(new DescribeKeyCommand({ KeyId: 'alias/hot' }));
      // THEN every key due for deletion is gone with its alias and grant, the others stay
      const keys = [...Map.prototype.values.call(store.keys)] as KeyRecord[];
      expect(keys.filter(k => k.state === 'PendingDeletion')).toEqual([]);
      expect(keys.length).toBe(2_001);
      expect(store.aliases.size).toBe(2_001);
      expect(store.grants.size).toBe(2_001);
      // WHEN 400 more days pass: every rotating key rotates once on the next request (the hot key too)
      test.clock.advanceDays(400);
      await test.kms.send(new DescribeKeyCommand({ KeyId: 'alias/hot' }));
      const after = [...Map.prototype.values.call(store.keys)] as KeyRecord[];
      expect(after.every(k => k.materials.length === 2)).toBe(true);
      // and the index holds one due time per key, not one per change
      expect(store.rotationsDue.size).toBeLessThanOrEqual(2 * 2_001 + 64);
    } finally {
      await test.emulator.stop();
    }
  }, 30_000);
});

describe('SigV4 signing keys', () => {
  test('are derived once per secret, date, region and service, not per request', async () => {
    // GIVEN an emulator with a configured principal (signatures verified)
    const principal: PrincipalConfig = { arn: 'arn:aws:iam::111122223333:root', accessKeyId: 'AKIACOSTSIGV4', secretAccessKey: 'cost-secret' };
    const clock = new ManualClock();
    const emulator = await startEmulator({ clock, config: { principals: [principal] } });
    const client = (region: string, secretAccessKey = principal.secretAccessKey) =>
      kmsClientFor(emulator, { region, accessKeyId: principal.accessKeyId, secretAccessKey });
    const eu = client('eu-west-1');
    const us = client('us-east-1');
    const wrong = client('eu-west-1', 'not-the-secret');
    try {
      const { KeyMetadata } = await eu.send(new CreateKeyCommand({}));
      const before = signingKeyDerivations();
      // WHEN 20 requests are signed with the same scope
      for (let i = 0; i < 20; i++) await eu.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      // THEN no key was derived again
      expect(signingKeyDerivations() - before).toBe(0);
      // WHEN another region signs, then the next day comes: one derivation each
      await us.send(new CreateKeyCommand({}));
      await us.send(new CreateKeyCommand({}));
      expect(signingKeyDerivations() - before).toBe(1);
      clock.advanceDays(1);
      await eu.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      expect(signingKeyDerivations() - before).toBe(2);
      // AND a wrong secret is still refused (its key is its own)
      await expect(wrong.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
      await expect(wrong.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    } finally {
      [eu, us, wrong].forEach(c => c.destroy());
      await emulator.stop();
    }
  });
});
