import { DecryptCommand, GenerateDataKeyCommand } from '@aws-sdk/client-kms';
import { open, seal } from '../../src/envelope';
import { callKms, KmsOperation, KmsOperations } from '../../src/envelope/kms';
import { runSourceScript } from '../support/fresh-process';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/plain-operations';

/** A KMS of the plain-operations shape: the data key "wrapped" as itself, reversed (a stand-in, not crypto). */
function plainKms(): KmsOperations & { calls: Array<[KmsOperation, Record<string, unknown>]> } {
  const calls: Array<[KmsOperation, Record<string, unknown>]> = [];
  return {
    calls,
    kmsOperation: async (operation, input) => {
      calls.push([operation, input as Record<string, unknown>]);
      if (operation === 'GenerateDataKey') {
        const key = new Uint8Array(32).map((_, i) => i + 1);
        return { Plaintext: key, CiphertextBlob: key.slice().reverse(), KeyId: KEY_ARN } as never;
      }
      const blob = (input as { CiphertextBlob: Uint8Array }).CiphertextBlob;
      return { Plaintext: blob.slice().reverse(), KeyId: KEY_ARN } as never;
    },
  };
}

/**
 * The envelope's second KMS shape (src/envelope/kms.ts): an object without `send` is called by operation name with
 * plain inputs; anything with `send` is called with the SDK's command objects, as before.
 */
describe('KmsOperations', () => {
  test('seal and open call it by operation name with the plain inputs', async () => {
    const kms = plainKms();
    const sealed = await seal(new TextEncoder().encode('by name'), { keyIds: [KEY_ARN], encryptionContext: { a: 'b' }, kms });
    const opened = await open(sealed, { kms });
    expect(new TextDecoder().decode(opened.plaintext)).toBe('by name');
    expect(kms.calls.map(([operation]) => operation)).toEqual(['GenerateDataKey', 'Decrypt']);
    expect(kms.calls[0][1]).toEqual({ KeyId: KEY_ARN, KeySpec: 'AES_256', EncryptionContext: { a: 'b' } });
    expect(kms.calls[1][1]).toMatchObject({ KeyId: KEY_ARN, EncryptionContext: { a: 'b' } });
  });

  test('an object with send gets the SDK command objects, even one that also answers kmsOperation', async () => {
    // GIVEN a deep-proxy style mock: every property is a function
    const sent: unknown[] = [];
    const named: unknown[] = [];
    const mock = new Proxy({}, {
      get: (_target, property) => property === 'send'
        ? async (command: unknown) => { sent.push(command); return { KeyId: KEY_ARN }; }
        : property === 'then' ? undefined : (...args: unknown[]) => named.push(args),
    }) as KmsOperations;
    // WHEN
    await callKms(mock, 'Decrypt', { CiphertextBlob: new Uint8Array(3), KeyId: KEY_ARN });
    await callKms(mock, 'GenerateDataKey', { KeyId: KEY_ARN, KeySpec: 'AES_256' });
    // THEN
    expect(named).toEqual([]);
    expect(sent[0]).toBeInstanceOf(DecryptCommand);
    expect(sent[1]).toBeInstanceOf(GenerateDataKeyCommand);
    expect((sent[1] as GenerateDataKeyCommand).input).toEqual({ KeyId: KEY_ARN, KeySpec: 'AES_256' });
  });

  test('a seal and open through it never load @aws-sdk/client-kms (a fresh process)', () => {
    const script = `
      const { seal, open } = require('./src/envelope');
      const key = new Uint8Array(32).fill(7);
      const kms = { kmsOperation: async (op, input) => op === 'GenerateDataKey'
        ? { Plaintext: key.slice(), CiphertextBlob: new Uint8Array(8), KeyId: '${KEY_ARN}' }
        : { Plaintext: key.slice(), KeyId: '${KEY_ARN}' } };
      seal(new Uint8Array(100), { keyIds: ['${KEY_ARN}'], kms }).then(bytes => open(bytes, { kms })).then(opened => {
        const sdk = Object.keys(require.cache).filter(m => m.includes('node_modules/@aws-sdk/') || m.includes('node_modules/@smithy/'));
        process.stdout.write(JSON.stringify({ length: opened.plaintext.length, sdk }));
      });`;
    const ran = runSourceScript(script);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ length: 100, sdk: [] });
  }, 30_000);
});
