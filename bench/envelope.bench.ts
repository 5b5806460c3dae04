/**
 * Envelope throughput, side by side in one run with the AWS Encryption SDK for JavaScript (@aws-crypto/client-node,
 * default committing suite, raw AES keyring so no KMS is involved) and raw node:crypto AES-256-GCM.
 *
 * For the uncached figures our seal uses an in-process KMS stand-in (AES-GCM wrapping, like the ESDK's raw keyring)
 * so both sides measure their format and cryptography, not a network hop. The cached and rewrap figures use the
 * emulator through the real SDK. Peak RSS of a streamed 1 GiB seal runs in a child process on the compiled library
 * (bench/stream-rss.js), so the figure is the library's, not ts-node's.
 */
import { execFileSync } from 'child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'crypto';
import { existsSync } from 'fs';
import { join } from 'path';
import {
  buildClient, CommitmentPolicy, getLocalCryptographicMaterialsCache, NodeCachingMaterialsManager, RawAesKeyringNode, RawAesWrappingSuiteIdentifier,
} from '@aws-crypto/client-node';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { kmsClientFor, startEmulator } from '../src/emulator';
import { DataKeyCache, open, rewrap, rewrapPreamble, seal } from '../src/envelope';
import { KmsLike } from '../src/envelope/kms';

const MiB = 1024 * 1024;
const BUDGET_MS = Number(process.env.BENCH_MS ?? 1500);

/** A local KMS stand-in: wraps data keys with AES-256-GCM under a fixed key, as a raw keyring would. */
function localKms(): KmsLike {
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

/** Runs `fn` repeatedly for the time budget (at least `min` times); returns operations per second. */
async function rate(fn: () => Promise<unknown> | unknown, min = 3): Promise<number> {
  await fn();
  const start = process.hrtime.bigint();
  let n = 0;
  while (n < min || Number(process.hrtime.bigint() - start) / 1e6 < BUDGET_MS) {
    await fn();
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

function rawGcm(plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

const table: string[][] = [];
const row = (...cells: string[]) => table.push(cells);
const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function throughput(): Promise<void> {
  const kms = localKms();
  const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const keyring = new RawAesKeyringNode({
    keyName: 'bench', keyNamespace: 'bench', unencryptedMasterKey: randomBytes(32), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  });
  row('measure', 'guarded-keys', 'AWS Encryption SDK', 'raw node:crypto GCM', 'vs ESDK', 'vs raw');
  for (const size of [1024, MiB, 64 * MiB]) {
    const plaintext = randomBytes(size);
    const ours = await rate(() => seal(plaintext, { keyIds: ['k'], kms }));
    const esdk = await rate(() => encrypt(keyring, plaintext));
    const raw = await rate(() => rawGcm(plaintext));
    const sealed = await seal(plaintext, { keyIds: ['k'], kms });
    const { result: esdkSealed } = await encrypt(keyring, plaintext);
    const oursOpen = await rate(() => open(sealed, { kms }));
    const esdkOpen = await rate(() => decrypt(keyring, esdkSealed));
    const unit = size === 1024 ? 'ops/s' : 'MiB/s';
    const scale = (ops: number) => (size === 1024 ? ops : ops * size / MiB);
    const label = size === 1024 ? '1 KiB' : `${size / MiB} MiB`;
    row(`seal ${label} (${unit})`, fmt(scale(ours)), fmt(scale(esdk)), fmt(scale(raw)), `${fmt(ours / esdk, 1)}x`, `${fmt(100 * ours / raw)}%`);
    row(`open ${label} (${unit})`, fmt(scale(oursOpen)), fmt(scale(esdkOpen)), '', `${fmt(oursOpen / esdkOpen, 1)}x`, '');
  }

  // Cached 1 KiB seals: ours through the emulator (KMS calls counted) vs the ESDK caching materials manager.
  const emulator = await startEmulator();
  const client = kmsClientFor(emulator, { region: 'eu-west-1' });
  try {
    const keyId = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    let kmsCalls = 0;
    const counted: KmsLike = { send: ((c: never) => { kmsCalls++; return client.send(c); }) as KmsLike['send'] };
    const cache = new DataKeyCache({ maxMessages: 10_000 });
    const oneKiB = randomBytes(1024);
    const N = 10_000;
    let start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await seal(oneKiB, { keyIds: [keyId], encryptionContext: { t: 'bench' }, kms: counted, cache });
    const oursCached = N / (Number(process.hrtime.bigint() - start) / 1e9);
    const cmm = new NodeCachingMaterialsManager({
      backingMaterials: keyring, cache: getLocalCryptographicMaterialsCache(100), maxAge: 60_000, maxMessagesEncrypted: N,
    });
    start = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await encrypt(cmm, oneKiB, { encryptionContext: { t: 'bench' } });
    const esdkCached = N / (Number(process.hrtime.bigint() - start) / 1e9);
    row(`10,000 cached 1 KiB seals (ops/s; our KMS calls: ${kmsCalls})`, fmt(oursCached), fmt(esdkCached), '', `${fmt(oursCached / esdkCached, 1)}x`, '');

    // Rewrap: one ReEncrypt whatever the payload.
    const target = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    for (const size of [1024, 64 * MiB]) {
      const envelope = await seal(randomBytes(size), { keyIds: [keyId], kms: client });
      const label = size === 1024 ? '1 KiB' : '64 MiB';
      const preambleOnly = await rate(() => rewrapPreamble(envelope, { toKeyId: target, kms: client }));
      const whole = await rate(() => rewrap(envelope, { toKeyId: target, kms: client }));
      row(`rewrap ${label}: new preamble only (ms each)`, fmt(1000 / preambleOnly, 2), 'n/a', '', '', '');
      row(`rewrap ${label}: whole new buffer (ms each)`, fmt(1000 / whole, 2), 'n/a', '', '', '');
    }
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

async function main(): Promise<void> {
  process.stdout.write(`envelope vs the AWS Encryption SDK and raw node:crypto (${BUDGET_MS} ms per figure)\n`);
  await throughput();
  const compiled = join(__dirname, '..', 'lib', 'envelope', 'index.js');
  if (existsSync(compiled)) {
    const memory = JSON.parse(execFileSync(process.execPath, [join(__dirname, 'stream-rss.js'), compiled], { encoding: 'utf8' }));
    row('streamed 1 GiB seal: peak RSS (MB)', fmt(memory.peakMb), '', '', '', '');
    row('  of which node before streaming (MB)', fmt(memory.baselineMb), '', '', '', '');
    row('  streamed seal speed (MiB/s)', fmt(memory.mibPerSecond), '', '', '', '');
  } else {
    row('streamed 1 GiB seal: run `npx projen compile` first (measured on the compiled library)', '', '', '', '', '');
  }
  const widths = table[0].map((_, i) => Math.max(...table.map(r => (r[i] ?? '').length)));
  process.stdout.write(`${table.map(r => r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd()).join('\n')}\n`);
}

main().catch(err => { process.stderr.write(`${err}\n`); process.exit(1); });
