import { randomBytes } from 'crypto';
import { seal } from '../../src/envelope';
import { encodeWrappedKeys, u16 } from '../../src/envelope/format';
import { KmsLike } from '../../src/envelope/kms';

// The format's length fields are u16. A value over 65,535 written through a DataView wraps around silently, which
// would make an envelope nobody can open: a seal that "succeeded" and lost the value. These prove it is refused.

const ARN = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-1111-1111-1111-111111111111';

/** A KMS stand-in whose GenerateDataKey answers with the given key id and blob length. */
function kmsAnswering(keyId: string, blobLength: number): { kms: KmsLike; dataKeys: Uint8Array[] } {
  const dataKeys: Uint8Array[] = [];
  const send = async () => {
    const plaintext = new Uint8Array(randomBytes(32));
    dataKeys.push(plaintext);
    return { Plaintext: plaintext, CiphertextBlob: new Uint8Array(blobLength), KeyId: keyId };
  };
  return { kms: { send: send as unknown as KmsLike['send'] }, dataKeys };
}

test('u16 refuses a value it cannot hold instead of wrapping it around', () => {
  expect(Array.from(u16(0xffff))).toEqual([0xff, 0xff]);
  expect(() => u16(0x10000)).toThrow(RangeError);
});

test.each([
  ['a wrapped key blob', ARN, 0x10000, /wrappedKeys\[0\]\.ciphertext: at most 65535 bytes, got 65536/],
  ['a key id', `${ARN}${'x'.repeat(0x10000)}`, 200, /wrappedKeys\[0\]\.keyId: at most 65535 bytes/],
])('seal refuses %s too long for its length field, and wipes the data key', async (_what, keyId, blobLength, message) => {
  const { kms, dataKeys } = kmsAnswering(keyId, blobLength);
  await expect(seal(new Uint8Array(10), { kms, keyIds: [ARN] })).rejects.toThrow(message);
  expect(dataKeys).toHaveLength(1);
  expect(dataKeys[0].every(b => b === 0)).toBe(true);
});

test('the largest lengths the fields hold are written exactly', () => {
  const bytes = encodeWrappedKeys([{ keyId: ARN, ciphertext: new Uint8Array(0xffff) }]);
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const idLength = view.getUint16(2);
  expect(idLength).toBe(ARN.length);
  expect(view.getUint16(4 + idLength)).toBe(0xffff);
  expect(bytes.length).toBe(2 + 2 + ARN.length + 2 + 0xffff);
});
