import { randomBytes } from 'crypto';
import { KmsLike } from '../../src/envelope/kms';

/**
 * An in-process stand-in for KMS with KMS's bindings, for tests that need thousands of calls: a wrapped key is a
 * random handle that decrypts only under the key ARN and the exact encryption context it was made with
 * (IncorrectKeyException / InvalidCiphertextException otherwise), like KMS. Each call yields to the event loop a
 * few times (seeded), so concurrent callers interleave as they do over a network.
 */
export interface FakeKms {
  readonly kms: KmsLike;
  readonly calls: Record<string, number>;
  /** Every data key plaintext handed out, by reference (to see whether the envelope wiped it). */
  readonly handedOut: Uint8Array[];
}

export interface FakeKmsOptions {
  /**
   * The kind of Uint8Array every Plaintext is handed out as: `Buffer.from` for a client that answers with Node
   * Buffers (aws-sdk-client-mock answers as the test wrote them; wrappers of other SDKs), a plain copy by default.
   */
  readonly plaintextAs?: (bytes: Uint8Array) => Uint8Array;
}

export function fakeKms(seed = 1, options: FakeKmsOptions = {}): FakeKms {
  const records = new Map<string, { arn: string; dataKey: Uint8Array; context: string }>();
  const calls: Record<string, number> = {};
  const handedOut: Uint8Array[] = [];
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const yieldAFewTimes = async () => {
    for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise(resolve => setImmediate(resolve));
  };
  const contextKey = (context: Record<string, string> | undefined) => JSON.stringify(Object.entries(context ?? {}).sort());
  const wrap = (arn: string, dataKey: Uint8Array, context: Record<string, string> | undefined) => {
    const handle = randomBytes(48);
    // new Uint8Array copies whatever it is given; `slice` on a Buffer would keep a view of the caller's memory.
    records.set(handle.toString('hex'), { arn, dataKey: new Uint8Array(dataKey), context: contextKey(context) });
    return new Uint8Array(handle);
  };
  const fail = (name: string) => Object.assign(new Error(name), { name });
  const hand = (dataKey: Uint8Array) => {
    const copy = (options.plaintextAs ?? (b => new Uint8Array(b)))(dataKey);
    handedOut.push(copy);
    return copy;
  };
  const send = async (command: { constructor: { name: string }; input: Record<string, any> }) => {
    const name = command.constructor.name.replace(/Command$/, '');
    calls[name] = (calls[name] ?? 0) + 1;
    await yieldAFewTimes();
    const input = command.input;
    if (!/^arn:aws:kms:[a-z0-9-]+:\d{12}:key\//.test(input.KeyId ?? 'arn:aws:kms:x:111122223333:key/x')) throw fail('NotFoundException');
    if (name === 'GenerateDataKey') {
      const dataKey = new Uint8Array(randomBytes(32));
      return { Plaintext: hand(dataKey), CiphertextBlob: wrap(input.KeyId, dataKey, input.EncryptionContext), KeyId: input.KeyId };
    }
    if (name === 'Encrypt') return { CiphertextBlob: wrap(input.KeyId, input.Plaintext, input.EncryptionContext), KeyId: input.KeyId };
    if (name === 'Decrypt') {
      const record = records.get(Buffer.from(input.CiphertextBlob).toString('hex'));
      if (!record) throw fail('InvalidCiphertextException');
      if (input.KeyId !== undefined && input.KeyId !== record.arn) throw fail('IncorrectKeyException');
      if (record.context !== contextKey(input.EncryptionContext)) throw fail('InvalidCiphertextException');
      return { Plaintext: hand(record.dataKey), KeyId: record.arn };
    }
    throw new Error(`fake KMS: ${name} is not modelled`);
  };
  return { kms: { send: send as unknown as KmsLike['send'] }, calls, handedOut };
}

export const FAKE_KEY_A = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-1111-1111-1111-111111111111';
export const FAKE_KEY_B = 'arn:aws:kms:eu-west-1:111122223333:key/22222222-2222-2222-2222-222222222222';
