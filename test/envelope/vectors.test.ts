import { readFileSync } from 'fs';
import { join } from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { generateVectors } from './vectors/generate';
import { createOpenStream, EnvelopeError, KmsLike, open } from '../../src/envelope';
import { concat } from '../../src/envelope/bytes';
import { localMultiRegionArn } from '../../src/envelope/kms';
import { sameKey } from '../../src/envelope/open';

/**
 * The committed vectors (test/envelope/vectors/v1.json) against both readers, buffered and streamed. Sealing them
 * byte for byte on both backends is in backends.test.ts.
 */
const file = JSON.parse(readFileSync(join(__dirname, 'vectors', 'v1.json'), 'utf8'));
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
/** test.each rows: [title, vector]. */
const rows = (list: Array<Record<string, any>>, title = 'name') => list.map(v => [v[title] as string, v] as [string, any]);

interface KmsEntry { keyArn: string; wrappedKey: string; dataKey?: string; error?: string }

/** A KMS answering Decrypt from a table of (key ARN, wrapped key) -> data key or error; records the KeyIds asked. */
function tableKms(entries: KmsEntry[]): { kms: KmsLike; decryptCalls: string[] } {
  const decryptCalls: string[] = [];
  const send = async (command: { constructor: { name: string }; input: { KeyId: string; CiphertextBlob: Uint8Array } }) => {
    if (command.constructor.name !== 'DecryptCommand') throw new Error(`unexpected ${command.constructor.name}`);
    decryptCalls.push(command.input.KeyId);
    const blob = Buffer.from(command.input.CiphertextBlob).toString('hex');
    const entry = entries.find(e => e.keyArn === command.input.KeyId && e.wrappedKey === blob);
    const error = entry ? entry.error : 'InvalidCiphertextException';
    if (error) throw Object.assign(new Error(error), { name: error });
    return { Plaintext: hex(entry!.dataKey!), KeyId: entry!.keyArn };
  };
  return { kms: { send: send as unknown as KmsLike['send'] }, decryptCalls };
}

const singleKeyKms = (v: KmsEntry) => tableKms([{ keyArn: v.keyArn, wrappedKey: v.wrappedKey, dataKey: v.dataKey }]).kms;

/** Opens through the streamed reader in 100-byte chunks. */
async function openStreamed(envelope: Uint8Array, kms: KmsLike): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const input = Readable.from((function* () {
    for (let i = 0; i < envelope.length; i += 100) yield Buffer.from(envelope.subarray(i, i + 100));
  })());
  await pipeline(input, createOpenStream({ kms }), async function* (stream) {
    for await (const part of stream) parts.push(part as Uint8Array);
  });
  return concat(parts);
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'opened', (e: unknown) => (e instanceof EnvelopeError ? e.code : String(e)));

test('the committed file is exactly what the generator writes', () => {
  expect(JSON.parse(JSON.stringify(generateVectors()))).toEqual(file);
});

describe.each(['vectors', 'openOnly'])('%s: both readers return the plaintext and the exact context', section => {
  test.each(rows(file[section]))('%s', async (_, v) => {
    const kms = singleKeyKms(v);
    const opened = await open(hex(v.envelope), { kms });
    expect(Buffer.from(opened.plaintext).toString('hex')).toBe(v.plaintext);
    expect(Object.entries(opened.encryptionContext).sort()).toEqual(Object.entries(v.context).sort());
    expect(opened.keyId).toBe(v.keyArn);
    expect(Buffer.from(await openStreamed(hex(v.envelope), kms)).toString('hex')).toBe(v.plaintext);
  });
});

describe('invalid: both readers refuse with the code given', () => {
  test.each(rows(file.invalid))('%s', async (_, v) => {
    const kms = singleKeyKms(v);
    expect(await codeOf(open(hex(v.envelope), { kms }))).toBe(v.error);
    expect(await codeOf(openStreamed(hex(v.envelope), kms))).toBe(v.error);
  });
});

describe('multiKey: which wrapped keys are tried, in which order, and what is reported', () => {
  test.each(rows(file.multiKey))('%s', async (_, v) => {
    const { kms, decryptCalls } = tableKms(v.kms);
    const expect_ = v.options.expectKeyIds ? { keyIds: v.options.expectKeyIds } : undefined;
    const result = await open(hex(v.envelope), { kms, expect: expect_ }).then(o => o, (e: EnvelopeError) => e);
    if (v.error) {
      expect((result as EnvelopeError).code).toBe(v.error);
    } else {
      expect((result as { keyId: string }).keyId).toBe(v.opensWith);
      expect(Buffer.from((result as { plaintext: Uint8Array }).plaintext).toString('hex')).toBe(v.plaintext);
    }
    expect(decryptCalls).toEqual(v.decryptCalls);
  });
});

test.each(rows(file.keyIdMatching, 'note'))('keyIdMatching: %s', (_, v) => {
  expect(sameKey(v.expected, v.wrapped)).toBe(v.matches);
});

test.each(rows(file.mrkRewrite, 'note'))('mrkRewrite: %s', async (_, v) => {
  expect(await localMultiRegionArn({ config: { region: v.clientRegion } }, v.wrapped)).toBe(v.decryptKeyId);
});
