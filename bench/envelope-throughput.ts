/**
 * The envelope's throughput contenders for one message size and direction, measured in a process of their own:
 * `node --expose-gc <bundle of this file> <bytes> <seal|open>` prints one JSON line, the samples of every contender
 * (bench/envelope.bench.ts runs it once per size and direction, and prints the tables).
 *
 * Why a process of its own, on a bundle: the bench's own process runs under ts-node, whose TypeScript compiler is
 * tens of MB of heap that every full collection walks, and holds the emulator and the SDK; messages of a MiB and
 * more make V8 collect by external memory, so each contender paid for a heap none of them has in use, and the one
 * with more garbage per message (ours: the KMS stand-in's buffers and the SDK-shaped objects) paid most. An
 * application that seals runs compiled code in its own heap: so do all contenders here, alike.
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'crypto';
import {
  AlgorithmSuiteIdentifier, buildClient, CommitmentPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { Contender, interleave, QUICK, REPS, Samples } from './stats';
import { DataKeyCache, open, seal } from '../src/envelope';
import { KmsLike } from '../src/envelope/kms';

export const MiB = 1024 * 1024;
export const FRAME = 64 * 1024;
export const BUDGET_MS = Number(process.env.BENCH_MS ?? (QUICK ? 150 : 1000));

/** A local KMS stand-in: wraps data keys with AES-256-GCM under a fixed key, as a raw keyring would. */
export function localKms(): KmsLike {
  const master = randomBytes(32);
  const wrap = (key: Uint8Array) => {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', master, iv);
    return Buffer.concat([iv, c.update(key), c.final(), c.getAuthTag()]);
  };
  const arn = 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000';
  return {
    send: (async (command: { constructor: { name: string }; input: any }) => {
      if (command.constructor.name === 'GenerateDataKeyCommand') {
        const key = randomBytes(32);
        return { Plaintext: new Uint8Array(key), CiphertextBlob: wrap(key), KeyId: arn };
      }
      const blob = Buffer.from(command.input.CiphertextBlob);
      const d = createDecipheriv('aes-256-gcm', master, blob.subarray(0, 12));
      d.setAuthTag(blob.subarray(blob.length - 16));
      return { Plaintext: new Uint8Array(Buffer.concat([d.update(blob.subarray(12, blob.length - 16)), d.final()])), KeyId: arn };
    }) as KmsLike['send'],
  };
}

/** The limit, framed: AES-256-GCM per 64 KiB frame (own IV, small AAD) into one preallocated buffer. */
class RawFramed {
  private readonly key = randomBytes(32);
  private readonly iv = Buffer.alloc(12);
  private readonly aad = Buffer.alloc(24);
  private readonly sealed: Buffer;
  private readonly out: Buffer;
  private readonly plain: Buffer;

  constructor(private readonly plaintext: Buffer) {
    const frames = Math.max(1, Math.ceil(plaintext.length / FRAME));
    this.sealed = Buffer.alloc(plaintext.length + frames * 16);
    this.out = this.sealed;
    this.plain = Buffer.alloc(plaintext.length);
    this.seal();
  }

  /** The same into a new output buffer each time, as any API returning the message must allocate one. */
  public sealFresh(): void {
    this.seal(Buffer.allocUnsafeSlow(this.sealed.length));
  }

  public openFresh(): void {
    this.open(Buffer.allocUnsafeSlow(this.plain.length));
  }

  public seal(out = this.out): void {
    let write = 0;
    for (let read = 0, seq = 1; read < this.plaintext.length || seq === 1; read += FRAME, seq++) {
      this.iv.writeUInt32BE(seq, 8);
      this.aad.writeUInt32BE(seq, 0);
      const c = createCipheriv('aes-256-gcm', this.key, this.iv);
      c.setAAD(this.aad);
      write += c.update(this.plaintext.subarray(read, read + FRAME)).copy(out, write);
      c.final();
      write += c.getAuthTag().copy(out, write);
    }
  }

  public open(plain = this.plain): void {
    let read = 0;
    let write = 0;
    for (let seq = 1; read < this.sealed.length; seq++) {
      const length = Math.min(FRAME, this.sealed.length - read - 16);
      this.iv.writeUInt32BE(seq, 8);
      this.aad.writeUInt32BE(seq, 0);
      const d = createDecipheriv('aes-256-gcm', this.key, this.iv);
      d.setAAD(this.aad);
      d.setAuthTag(this.sealed.subarray(read + length, read + length + 16));
      write += d.update(this.sealed.subarray(read, read + length)).copy(plain, write);
      d.final();
      read += length + 16;
    }
  }
}

/** The limit, one-shot: one GCM call over the whole plaintext, fixed key and IV. */
class RawOneShot {
  private readonly key = randomBytes(32);
  private readonly iv = randomBytes(12);
  private readonly sealed: Buffer;
  private readonly tag: Buffer;

  constructor(private readonly plaintext: Buffer) {
    const c = createCipheriv('aes-256-gcm', this.key, this.iv);
    this.sealed = c.update(plaintext);
    c.final();
    this.tag = c.getAuthTag();
  }

  public seal(): void {
    const c = createCipheriv('aes-256-gcm', this.key, this.iv);
    c.update(this.plaintext);
    c.final();
    c.getAuthTag();
  }

  public open(): void {
    const d = createDecipheriv('aes-256-gcm', this.key, this.iv);
    d.setAuthTag(this.tag);
    d.update(this.sealed);
    d.final();
  }
}

/**
 * The format's floor on node:crypto at 1 KiB: the per-message cryptography alone, as few native calls as the format
 * allows. HKDF-SHA512 for one 64-byte block (the message's key and its commitment) is two HMACs, then one-shot GCM
 * under the derived key: no header, no buffer of our own, no cache, no KMS. The 1 KiB goal (0.4x raw one-shot) is
 * judged against what this reaches.
 */
class FormatFloor {
  private readonly dataKey = randomBytes(32);
  private readonly messageId = randomBytes(32);
  private readonly info = Buffer.from('bench-floor-info\x01');
  private readonly iv = randomBytes(12);
  private readonly sealed: Buffer;
  private readonly tag: Buffer;

  constructor(private readonly plaintext: Buffer) {
    const c = createCipheriv('aes-256-gcm', this.derive().subarray(0, 32), this.iv);
    this.sealed = c.update(plaintext);
    c.final();
    this.tag = c.getAuthTag();
  }

  public seal(): void {
    const c = createCipheriv('aes-256-gcm', this.derive().subarray(0, 32), this.iv);
    c.update(this.plaintext);
    c.final();
    c.getAuthTag();
  }

  public open(): void {
    const d = createDecipheriv('aes-256-gcm', this.derive().subarray(0, 32), this.iv);
    d.setAuthTag(this.tag);
    d.update(this.sealed);
    d.final();
  }

  private derive(): Buffer {
    const prk = createHmac('sha512', this.messageId).update(this.dataKey).digest();
    return createHmac('sha512', prk).update(this.info).digest();
  }
}

/** The contenders of one size and direction, interleaved and repeated; samples per contender. */
export async function measure(size: number, direction: 'seal' | 'open'): Promise<Samples[]> {
  const kms = localKms();
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench', keyNamespace: 'bench', unencryptedMasterKey: randomBytes(32), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  const fair = { suiteId: AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY, frameLength: FRAME };
  const plaintext = randomBytes(size);
  const framed = new RawFramed(plaintext);
  const oneShot = new RawOneShot(plaintext);
  const sealed = await seal(plaintext, { keyIds: ['k'], kms });
  // Ours into buffers the caller reuses (the `output` option), touched once here as a reused buffer is: the
  // same footing as "raw framed", which writes into one preallocated buffer.
  const reusedSeal = new Uint8Array(sealed.length + 1024).fill(1);
  const reusedOpen = new Uint8Array(size).fill(1);
  const sealInto = (n: number) => reusedSeal.subarray(0, n);
  const openInto = (n: number) => reusedOpen.subarray(0, n);
  const esdkSealed = (await encrypt(keyring, plaintext, fair)).result;
  const esdkDefaultSealed = QUICK ? undefined : (await encrypt(keyring, plaintext)).result;
  const big = size >= 64 * MiB;
  const budget = big ? BUDGET_MS * 2 : BUDGET_MS;
  // At 64 MiB each sample's state (above all the allocator's: see `interleave`) moves the figures most: more rounds.
  const reps = big ? (QUICK ? 3 : REPS + 4) : REPS;
  // At 1 KiB, also ours with the data key cached: the per-message work alone (key derivation, commitment,
  // header, frame), without the KMS stand-in's GenerateDataKey/Decrypt.
  const cache = new DataKeyCache({ maxMessages: 1e9 });
  const floor = new FormatFloor(plaintext);
  const cached: Contender[] = size === 1024 ? [{
    name: 'ours-cached',
    run: () => (direction === 'seal' ? seal(plaintext, { keyIds: ['k'], kms, cache }) : open(sealed, { kms, cache })),
  }, {
    name: 'floor',
    run: () => (direction === 'seal' ? floor.seal() : floor.open()),
  }] : [];
  // Above 1 KiB, also ours into a reused buffer (at 1 KiB the allocation is not what the gap is made of).
  const into: Contender[] = size > 1024 ? [{
    name: 'ours-into',
    run: () => (direction === 'seal' ? seal(plaintext, { keyIds: ['k'], kms, output: sealInto }) : open(sealed, { kms, output: openInto })),
  }] : [];
  const contenders: Contender[] = direction === 'seal' ? [
    ...cached,
    ...into,
    { name: 'ours', run: () => seal(plaintext, { keyIds: ['k'], kms }) },
    { name: 'esdk', run: () => encrypt(keyring, plaintext, fair) },
    ...(QUICK ? [] : [{ name: 'esdk-default', run: () => encrypt(keyring, plaintext) }]),
    { name: 'framed', run: () => framed.seal() },
    { name: 'framed-fresh', run: () => framed.sealFresh() },
    { name: 'oneshot', run: () => oneShot.seal() },
  ] : [
    ...cached,
    ...into,
    { name: 'ours', run: () => open(sealed, { kms }) },
    { name: 'esdk', run: () => decrypt(keyring, esdkSealed) },
    ...(QUICK ? [] : [{ name: 'esdk-default', run: () => decrypt(keyring, esdkDefaultSealed!) }]),
    { name: 'framed', run: () => framed.open() },
    { name: 'framed-fresh', run: () => framed.openFresh() },
    { name: 'oneshot', run: () => oneShot.open() },
  ];
  return [...(await interleave(contenders, budget, reps, 2, { collectBetween: process.env.BENCH_COLLECT !== '0' })).values()];
}

if (require.main === module) {
  const [size, direction] = process.argv.slice(2);
  measure(Number(size), direction as 'seal' | 'open')
    .then(samples => process.stdout.write(`${JSON.stringify(samples)}\n`))
    .catch(err => { process.stderr.write(`${err?.stack ?? err}\n`); process.exit(1); });
}
