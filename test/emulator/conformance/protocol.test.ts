import { request } from 'http';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { kmsClientFor, startEmulator, RunningEmulator } from '../../../src/emulator';
import { errorOf } from '../support';

/** Raw HTTP against the emulator, with a well-formed (unverified without configured principals) Authorization header. */
function post(endpoint: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'authorization': `AWS4-HMAC-SHA256 Credential=AKIAX/20260101/eu-west-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
        'x-amz-date': '20260101T000000Z',
        ...headers,
      },
    }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('wire protocol and identity', () => {
  let emulator: RunningEmulator;
  afterEach(() => emulator.stop());

  test('unknown operations, malformed JSON and wrong types get KMS exception types, and the server stays up', async () => {
    emulator = await startEmulator();
    expect(await post(emulator.endpoint, '{}', { 'x-amz-target': 'TrentService.ConnectCustomKeyStore' }))
      .toEqual({ status: 400, json: { __type: 'UnsupportedOperationException', message: 'The emulator does not support the operation ConnectCustomKeyStore.' } });
    expect((await post(emulator.endpoint, '{oops', { 'x-amz-target': 'TrentService.ListKeys' })).json.__type).toBe('SerializationException');
    expect((await post(emulator.endpoint, '[]', { 'x-amz-target': 'TrentService.ListKeys' })).json.__type).toBe('SerializationException');
    expect((await post(emulator.endpoint, '{"KeyId": 5}', { 'x-amz-target': 'TrentService.DescribeKey' })).json.__type).toBe('SerializationException');
    expect((await post(emulator.endpoint, '{}', { 'x-amz-target': 'TrentService.DescribeKey' })).json).toEqual({
      __type: 'ValidationException', message: "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
    });
    const big = await post(emulator.endpoint, JSON.stringify({ Plaintext: 'A'.repeat(1024 * 1024 + 10) }), { 'x-amz-target': 'TrentService.Encrypt' });
    expect(big.json.__type).toBe('ValidationException');
    expect((await post(emulator.endpoint, '{}', { 'x-amz-target': 'TrentService.ListKeys' })).status).toBe(200);
  });

  test('a request without SigV4 is UnrecognizedClientException', async () => {
    emulator = await startEmulator();
    expect((await post(emulator.endpoint, '{}', { 'x-amz-target': 'TrentService.ListKeys', 'authorization': 'Bearer x' })).json.__type).toBe('UnrecognizedClientException');
  });

  test('with configured principals: an unknown access key is UnrecognizedClientException, a wrong secret InvalidSignatureException', async () => {
    const listKeys = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'kms:ListKeys', Resource: '*' }] };
    emulator = await startEmulator({
      config: { principals: [{ arn: 'arn:aws:iam::111122223333:role/App', accessKeyId: 'AKIAAPP', secretAccessKey: 'app-secret-1', identityPolicies: [listKeys] }] },
    });
    const ok = kmsClientFor(emulator, { accessKeyId: 'AKIAAPP', secretAccessKey: 'app-secret-1' });
    await ok.send(new ListKeysCommand({}));
    const unknown = kmsClientFor(emulator, { accessKeyId: 'AKIANOBODY', secretAccessKey: 'whatever-1' });
    expect((await errorOf(unknown.send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
    const wrong = kmsClientFor(emulator, { accessKeyId: 'AKIAAPP', secretAccessKey: 'not-the-secret' });
    expect((await errorOf(wrong.send(new ListKeysCommand({})))).name).toBe('InvalidSignatureException');
    [ok, unknown, wrong].forEach(c => c.destroy());
  });

  test('a configuration with a bad principal is refused at start, naming the field', async () => {
    await expect(startEmulator({ config: { principals: [{ arn: 'not-an-arn', accessKeyId: 'AKIAX', secretAccessKey: 'secret-123' }] } }))
      .rejects.toThrow('principals[0].arn must be an IAM ARN (root, role or user) or a service principal. Received: "not-an-arn"');
    emulator = await startEmulator();
  });

  test('accounts and regions are separate: keys listed are the caller\'s account and region only', async () => {
    emulator = await startEmulator({
      config: {
        principals: [
          { arn: 'arn:aws:iam::111111111111:root', accessKeyId: 'AKIAONE', secretAccessKey: 'secret-one' },
          { arn: 'arn:aws:iam::222222222222:root', accessKeyId: 'AKIATWO', secretAccessKey: 'secret-two' },
        ],
      },
    });
    const one = kmsClientFor(emulator, { accessKeyId: 'AKIAONE', secretAccessKey: 'secret-one', region: 'eu-west-1' });
    const two = kmsClientFor(emulator, { accessKeyId: 'AKIATWO', secretAccessKey: 'secret-two', region: 'eu-west-1' });
    const oneUs = kmsClientFor(emulator, { accessKeyId: 'AKIAONE', secretAccessKey: 'secret-one', region: 'us-east-1' });
    await one.send(new CreateKeyCommand({}));
    expect((await one.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    expect((await two.send(new ListKeysCommand({}))).Keys).toHaveLength(0);
    expect((await oneUs.send(new ListKeysCommand({}))).Keys).toHaveLength(0);
    [one, two, oneUs].forEach(c => c.destroy());
  });
});
