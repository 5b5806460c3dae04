/**
 * The floor under any KMS emulator written on node's HTTP server: what a request costs with no KMS work at all. It
 * reads the body, parses its JSON (every KMS server must) and answers a constant of an emulator's size: no
 * signature, no key, no policy, no cryptography. bench/emulator.bench.ts drives it like the emulators, so its
 * requests per second and its p99 are the best a single-threaded node server scores under the same generator on the
 * same machine, in the same run. `node node-floor-server.js`; prints the endpoint on its first line.
 */
import { createServer } from 'http';
import { AddressInfo } from 'net';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
// A ciphertext blob of the emulator's size for the generator's 64 bytes of plaintext (the key id, IV, tag).
const BLOB = Buffer.alloc(129, 7).toString('base64');
const ANSWERS: Record<string, string> = {
  'TrentService.CreateKey': JSON.stringify({
    KeyMetadata: {
      AWSAccountId: '111122223333',
      KeyId: KEY_ID,
      Arn: ARN,
      CreationDate: 1_700_000_000,
      Enabled: true,
      KeyState: 'Enabled',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      MultiRegion: false,
    },
  }),
  'TrentService.Encrypt': JSON.stringify({ CiphertextBlob: BLOB, KeyId: ARN, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
  'TrentService.ListKeys': JSON.stringify({ Keys: [], Truncated: false }),
};

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let answer: string | undefined;
    try {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      answer = ANSWERS[String(req.headers['x-amz-target'])];
    } catch {
      answer = undefined;
    }
    const body = answer ?? JSON.stringify({ __type: 'UnsupportedOperationException', message: 'not in the floor server' });
    // The emulator's headers (node adds the date and keep-alive ones to both).
    res.writeHead(answer ? 200 : 400, {
      'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(body), 'x-amzn-requestid': '35c3525c-8456-41a6-8752-a92120bbd521',
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000; // as the emulator's
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
