import { createCipheriv, createHash, createHmac, randomBytes } from 'crypto';
import { CreateKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { startTestEmulator } from './support';
import { decryptBlob, encryptBlob, parseBlob } from '../../src/emulator/crypto/symmetric';
import { parseAuthorization, signatureOf } from '../../src/emulator/sigv4';
import { KeyMaterial } from '../../src/emulator/state';
import { runSourceScript } from '../support/fresh-process';

/**
 * The emulator's per-request shortcuts (docs/performance.md) against the plain forms they replaced: the blob written
 * into one buffer with a pooled IV, SigV4's canonical request built without the whitespace pass where a value has
 * none, audit events made when first read.
 */
describe('emulator hot path', () => {
  const material: KeyMaterial = { id: randomBytes(16).toString('hex'), secret: randomBytes(32).toString('base64'), createdAt: 0 };
  const keyId = '1234abcd-12ab-34cd-56ef-1234567890ab';

  describe('the ciphertext blob', () => {
    test('is the layout the old writer produced: decrypting it by hand gives the plaintext', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (plaintext, context) => {
        const blob = encryptBlob(keyId, material, Buffer.from(plaintext), context);
        // GIVEN the fields at the documented offsets
        const n = blob[1];
        expect(blob[0]).toBe(1);
        expect(blob.subarray(2, 2 + n).toString('ascii')).toBe(keyId);
        expect(blob.subarray(2 + n, 18 + n).toString('hex')).toBe(material.id);
        const iv = blob.subarray(18 + n, 30 + n);
        // THEN an independent AES-GCM over the same IV and AAD gives the same tag and body
        const cipher = createCipheriv('aes-256-gcm', Buffer.from(material.secret, 'base64'), iv);
        const sorted = JSON.stringify(Object.keys(context).sort().map(k => [k, context[k]]));
        cipher.setAAD(Buffer.from(`guarded-keys-emulator/v1\0${keyId}\0${sorted}`, 'utf8'));
        const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
        expect(blob.subarray(30 + n, 46 + n)).toEqual(cipher.getAuthTag());
        expect(blob.subarray(46 + n)).toEqual(body);
        expect(decryptBlob(parseBlob(blob), [material], context)).toEqual(Buffer.from(plaintext));
      }), { numRuns: 200 });
    });

    test('IVs from the pool never repeat (over several refills)', () => {
      const ivs = new Set<string>();
      for (let i = 0; i < 3000; i++) {
        const blob = encryptBlob(keyId, material, Buffer.from('x'));
        ivs.add(blob.subarray(18 + blob[1], 30 + blob[1]).toString('hex'));
      }
      expect(ivs.size).toBe(3000);
    });
  });

  describe('SigV4', () => {
    /** The canonical form as SigV4 defines it, written plainly (the verifier skips the whitespace pass where it changes nothing). */
    function reference(headers: Record<string, string>, body: string, secret: string): string {
      const names = Object.keys(headers).sort();
      const canonical = ['POST', '/', '', ...names.map(n => `${n}:${headers[n].replace(/\s+/g, ' ').trim()}`), '', names.join(';'),
        createHash('sha256').update(body).digest('hex')].join('\n');
      const stringToSign = ['AWS4-HMAC-SHA256', '20260101T000000Z', '20260101/us-east-1/kms/aws4_request', createHash('sha256').update(canonical).digest('hex')].join('\n');
      let key: Buffer = createHmac('sha256', `AWS4${secret}`).update('20260101').digest();
      for (const part of ['us-east-1', 'kms', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
      return createHmac('sha256', key).update(stringToSign).digest('hex');
    }

    test('signs any header value as the plain canonical form does', () => {
      const value = fc.array(fc.constantFrom('a', 'B', ' ', '  ', '\t', '\u00a0', ',', '/', '1'), { maxLength: 12 }).map(parts => parts.join(''));
      fc.assert(fc.property(value, value, fc.string(), (target, extra, body) => {
        const headers = { 'host': '127.0.0.1:4599', 'x-amz-date': '20260101T000000Z', 'x-amz-target': target, 'x-extra': extra };
        const names = Object.keys(headers).sort().join(';');
        const credential = parseAuthorization(
          `AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/kms/aws4_request, SignedHeaders=${names}, Signature=${'0'.repeat(64)}`);
        expect(signatureOf({ method: 'POST', path: '/', headers, body }, credential, 'secret', '20260101T000000Z')).toBe(reference(headers, body, 'secret'));
      }), { numRuns: 300 });
    });
  });

  describe('audit events made on first read', () => {
    test('keep their id and time, and carry only allowlisted parameters', async () => {
      const { emulator, kms, clock } = await startTestEmulator();
      try {
        // GIVEN an Encrypt recorded, and the clock moved on before anything reads the trail
        const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
        const { KeyId } = await kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('secret words') }));
        const at = new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
        clock.advance(3_600_000);
        // WHEN it is read twice
        const [first] = emulator.auditTrail({ eventName: 'Encrypt' });
        const [again] = emulator.auditTrail({ eventName: 'Encrypt' });
        // THEN it is one event, timed when the request came, without the plaintext
        expect(again.eventID).toBe(first.eventID);
        expect(first.eventTime).toBe(at);
        expect(first.resources.map(r => r.ARN)).toEqual([KeyId]);
        expect(first.requestParameters).toEqual({ keyId: key });
        expect(JSON.stringify(first)).not.toContain(Buffer.from('secret words').toString('base64'));
      } finally {
        await emulator.stop();
      }
    });
  });

  test('starting the emulator loads no @noble module; the first signature over a digest does', () => {
    const script = `
      const { generateKeyPairSync } = require('crypto');
      require('./src/emulator/server').startEmulator().then(async emulator => {
        const before = Object.keys(require.cache).filter(k => k.includes('@noble')).length;
        const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        require('./src/emulator/crypto/ecdsa-digest').signEcdsaDigest('ECC_NIST_P256', privateKey, new Uint8Array(32));
        const after = Object.keys(require.cache).filter(k => k.includes('@noble')).length;
        await emulator.stop();
        process.stdout.write(JSON.stringify({ before, after }));
      });
    `;
    const result = runSourceScript(script);
    expect(result.stderr).toBe('');
    const { before, after } = JSON.parse(result.stdout);
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(0);
  }, 30_000);
});
