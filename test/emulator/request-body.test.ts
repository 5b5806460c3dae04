import { request } from 'http';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { startTestEmulator, TestEmulator } from './support';
import { MAX_BODY_BYTES } from '../../src/emulator';

/**
 * The request body is read by a callback (src/emulator/server.ts `readBody`), not a promise: a body over the limit
 * is refused once, whether its size is declared or only found while reading, a body in many chunks is read whole,
 * and the emulator keeps serving afterwards.
 */
function post(endpoint: string, chunks: Buffer[], contentLength?: number): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/',
      headers: {
        'x-amz-target': 'TrentService.ListKeys',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-date': '20260101T000000Z',
        // open mode reads the credential but checks no signature
        'authorization': `AWS4-HMAC-SHA256 Credential=AKIABODY/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`,
        ...(contentLength === undefined ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(contentLength) }),
      },
    }, res => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
    });
    // the server may answer and close before the whole body is sent
    req.on('error', err => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || (err as NodeJS.ErrnoException).code === 'EPIPE' ? undefined : reject(err)));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request bodies', () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.emulator.stop());

  test('a declared size over the limit is refused before the body is read', async () => {
    const answer = await post(t.emulator.endpoint, [Buffer.from('{}')], MAX_BODY_BYTES + 1);
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toEqual({ __type: 'ValidationException', message: `Request body of ${MAX_BODY_BYTES + 1} bytes is larger than ${MAX_BODY_BYTES}.` });
  });

  test('an undeclared body over the limit ends the request (no answer but the refusal), and the emulator keeps serving', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const chunks = Array.from({ length: MAX_BODY_BYTES / chunk.length + 2 }, () => chunk);
    const answer = await post(t.emulator.endpoint, chunks).catch(() => undefined);
    if (answer && answer.status !== 0) expect(answer.status).toBe(400); // refused, or the connection destroyed first
    await expect(t.kms.send(new CreateKeyCommand({}))).resolves.toBeDefined();
  });

  test('a body in many small chunks is read whole', async () => {
    const text = `{"Limit": 1${' '.repeat(5000)}}`;
    const chunks = Array.from({ length: Math.ceil(text.length / 97) }, (_, i) => Buffer.from(text.slice(i * 97, (i + 1) * 97)));
    const answer = await post(t.emulator.endpoint, chunks);
    expect(answer.status).toBe(200); // a body read short would not parse (SerializationException)
    expect(Array.isArray(JSON.parse(answer.body).Keys)).toBe(true);
  });
});
