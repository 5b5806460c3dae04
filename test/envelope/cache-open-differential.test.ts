import { GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import * as fc from 'fast-check';
import { envelopeFixture, EnvelopeFixture, text } from './support';
import { DataKeyCache, open, OpenExpectations } from '../../src/envelope';
import { concat } from '../../src/envelope/bytes';
import { encodeWrappedKeys, WrappedKey } from '../../src/envelope/format';
import { sealBody } from '../../src/envelope/frames';
import { KmsLike } from '../../src/envelope/kms';
import { prepareSeal } from '../../src/envelope/seal';

/**
 * A sender who may only GenerateDataKey under key A with `tenant=a` knows that data key and its wrapped bytes. It
 * can write any envelope around them: another key ARN as the label, another context in the header. KMS refuses
 * those (the ARN and the context are bound to the wrapped key), so an open without a cache does too; an open
 * with a cache must accept exactly the same envelopes and report the same key and context, whatever was opened
 * through the cache before.
 */
describe('a cached open accepts exactly what an uncached open accepts (differential, through the emulator)', () => {
  let f: EnvelopeFixture;
  let crafted: Array<{ name: string; envelope: Uint8Array; expect?: OpenExpectations }>;

  /** An envelope around a known data key and the wrapped keys given, with the header context given. */
  async function craft(dataKey: Uint8Array, wrapped: WrappedKey[], context: Record<string, string>, plaintext: Uint8Array): Promise<Uint8Array> {
    const kms: KmsLike = {
      send: (async () => ({ Plaintext: dataKey.slice(), CiphertextBlob: wrapped[0].ciphertext, KeyId: wrapped[0].keyId })) as KmsLike['send'],
    };
    const prepared = await prepareSeal({ keyIds: [wrapped[0].keyId], encryptionContext: context, kms, frameSize: 1024 }, plaintext.length);
    const body = sealBody(prepared.backend, prepared.encryptionKey, prepared.headerBytes, prepared.frameSize, plaintext);
    const header = prepared.preamble.subarray(0, prepared.headerBytes.length);
    return concat([header, encodeWrappedKeys(wrapped), body]);
  }

  beforeAll(async () => {
    f = await envelopeFixture();
    // What the sender is allowed: one data key under A for tenant=a (and, to mix, one under B for tenant=b).
    const underA = await f.kms.send(new GenerateDataKeyCommand({ KeyId: f.keyA, KeySpec: 'AES_256', EncryptionContext: { tenant: 'a' } }));
    const underB = await f.kms.send(new GenerateDataKeyCommand({ KeyId: f.keyB, KeySpec: 'AES_256', EncryptionContext: { tenant: 'b' } }));
    const blobA = underA.CiphertextBlob!;
    const blobB = underB.CiphertextBlob!;
    const otherRegionA = f.keyA.replace(':eu-west-1:', ':us-east-1:');
    const labels: Record<string, string> = {
      'A': f.keyA, 'B': f.keyB, 'A in us-east-1': otherRegionA, 'an unknown key': `${f.keyA.split('/')[0]}/00000000-0000-0000-0000-000000000000`,
    };
    const contexts: Array<Record<string, string>> = [{ tenant: 'a' }, { tenant: 'b' }, {}, { tenant: 'a', extra: '1' }];
    crafted = [];
    for (const [labelName, label] of Object.entries(labels)) {
      for (const context of contexts) {
        const name = `A's data key labelled ${labelName} with ${JSON.stringify(context)}`;
        crafted.push({ name, envelope: await craft(underA.Plaintext!, [{ keyId: label, ciphertext: blobA }], context, text(name)) });
      }
    }
    // Several wrapped keys: a forged label first, the genuine one second; and B's genuine key under A's data key.
    crafted.push({
      name: 'forged B label, then genuine A',
      envelope: await craft(underA.Plaintext!, [{ keyId: f.keyB, ciphertext: blobA }, { keyId: f.keyA, ciphertext: blobA }], { tenant: 'a' }, text('two')),
    });
    crafted.push({
      name: 'B\'s wrapped key around A\'s data key',
      envelope: await craft(underA.Plaintext!, [{ keyId: f.keyB, ciphertext: blobB }], { tenant: 'b' }, text('mixed')),
    });
    crafted.push({
      name: 'genuine B',
      envelope: await craft(underB.Plaintext!, [{ keyId: f.keyB, ciphertext: blobB }], { tenant: 'b' }, text('b')),
    });
    // The same envelopes opened with expectations that a forged label or context would satisfy.
    const expectations: OpenExpectations[] = [{ keyIds: [f.keyB], encryptionContext: { tenant: 'b' } }, { keyIds: [f.keyA] }];
    crafted = crafted.flatMap(c => [c, ...expectations.map(e => ({ ...c, name: `${c.name}, expecting ${JSON.stringify(e)}`, expect: e }))]);
  });
  afterAll(() => f.stop());

  /** What an open came to: the error's class, or what it reported. */
  async function outcome(envelope: Uint8Array, expect: OpenExpectations | undefined, cache?: DataKeyCache): Promise<string> {
    try {
      const opened = await open(envelope, { kms: f.kms, cache, expect });
      return JSON.stringify({ keyId: opened.keyId, context: opened.encryptionContext, plaintext: Buffer.from(opened.plaintext).toString('hex') });
    } catch (err) {
      return (err as Error).constructor.name;
    }
  }

  test('the reference: without a cache only the genuine envelopes open', async () => {
    const opened: string[] = [];
    for (const c of crafted) if (!(await outcome(c.envelope, c.expect)).endsWith('Error')) opened.push(c.name);
    expect(opened.length).toBeGreaterThanOrEqual(4);
    expect(opened.every(n => /labelled A with \{"tenant":"a"\}|genuine/.test(n))).toBe(true);
    expect(new Set(crafted.map(c => c.name)).size).toBe(crafted.length);
  });

  test('with a cache, in any order of opens (seeded, 15 orders), every outcome is the uncached one', async () => {
    const reference = new Map<string, string>();
    for (const c of crafted) reference.set(c.name, await outcome(c.envelope, c.expect));
    const indices = crafted.map((_, i) => i);
    await fc.assert(fc.asyncProperty(fc.shuffledSubarray(indices, { minLength: indices.length }), async shuffled => {
      const cache = new DataKeyCache();
      const order = shuffled.map(i => crafted[i]);
      // Twice through: the first pass fills the cache as it goes (genuine envelopes populate it), the second opens
      // everything against a warm cache.
      for (const c of [...order, ...order]) expect([c.name, await outcome(c.envelope, c.expect, cache)]).toEqual([c.name, reference.get(c.name)]);
    }), { numRuns: 15, seed: 99 });
  });
});
