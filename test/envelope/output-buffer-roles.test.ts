import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { kmsClientFor, PolicyDocumentJson, PrincipalConfig, RunningEmulator, startEmulator } from '../../src/emulator';
import { KmsAccessError, open, seal } from '../../src/envelope';

/**
 * `output` as applications meet it: each side a role session with its own credentials, signing with SigV4, against
 * a key whose policy allows the sealer GenerateDataKey and the opener Decrypt only for one tenant's encryption
 * context (the key policy's kms:EncryptionContext condition, evaluated by the emulator as KMS evaluates it).
 */
const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const ROLE = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const SESSION = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/app`;
const ACME = { tenant: 'acme' };

describe('seal and open into reused buffers as application roles under a key policy', () => {
  let emulator: RunningEmulator;
  const clients: KMSClient[] = [];
  let keyArn: string;
  let sealer: KMSClient;
  let opener: KMSClient;
  let outsider: KMSClient;

  const as = (name: string, identityPolicies: PolicyDocumentJson[] = []): KMSClient => {
    const accessKeyId = `AKIAOUT${name.toUpperCase().padEnd(9, 'X').slice(0, 9)}`;
    const principal: PrincipalConfig = { arn: SESSION(name), accessKeyId, secretAccessKey: `secret-${name}`, identityPolicies };
    emulator.addPrincipal(principal);
    const client = kmsClientFor(emulator, { region: REGION, accessKeyId, secretAccessKey: principal.secretAccessKey });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    emulator = await startEmulator();
    // The admin creates the key: its own identity policy allows CreateKey, as a deployment role's would.
    const admin = as('Admin', [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] }]);
    const tenantOnly = { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } };
    const policy = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: ROLE('Admin') }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Seal', Effect: 'Allow', Principal: { AWS: ROLE('Sealer') }, Action: 'kms:GenerateDataKey', Resource: '*', Condition: tenantOnly },
        { Sid: 'Open', Effect: 'Allow', Principal: { AWS: ROLE('Opener') }, Action: 'kms:Decrypt', Resource: '*', Condition: tenantOnly },
      ],
    };
    keyArn = (await admin.send(new CreateKeyCommand({ Policy: JSON.stringify(policy) }))).KeyMetadata!.Arn!;
    sealer = as('Sealer');
    opener = as('Opener');
    outsider = as('Outsider');
  });
  afterAll(async () => {
    clients.splice(0).forEach(c => c.destroy());
    await emulator.stop();
  });

  test('the sealer seals and the opener opens, each into its own reused buffer; a context the policy does not allow calls no output', async () => {
    const sealBuffer = new Uint8Array(300 * 1024);
    const openBuffer = new Uint8Array(300 * 1024);
    const plaintext = new Uint8Array(200_000).map((_, i) => (i * 13) % 256);
    const envelope = await seal(plaintext, { keyIds: [keyArn], encryptionContext: ACME, kms: sealer, output: n => sealBuffer.subarray(0, n) });
    expect(envelope.buffer).toBe(sealBuffer.buffer);
    const opened = await open(envelope, { kms: opener, expect: { encryptionContext: ACME }, output: n => openBuffer.subarray(0, n) });
    expect(opened.plaintext.buffer).toBe(openBuffer.buffer);
    expect(Buffer.from(opened.plaintext).equals(Buffer.from(plaintext))).toBe(true);

    // Another tenant's context: the key policy's condition refuses GenerateDataKey, before any buffer is asked for.
    const output = jest.fn((n: number) => new Uint8Array(n));
    await expect(seal(plaintext, { keyIds: [keyArn], encryptionContext: { tenant: 'other' }, kms: sealer, output })).rejects.toBeInstanceOf(KmsAccessError);
    // The sealer may not decrypt, nor may a role the policy does not name: refused, the buffer never asked for.
    for (const kms of [sealer, outsider]) await expect(open(envelope, { kms, output })).rejects.toBeInstanceOf(KmsAccessError);
    expect(output).not.toHaveBeenCalled();
  });

  test('concurrent seals and opens, one buffer per message in flight, all round-trip', async () => {
    const messages = Array.from({ length: 24 }, (_unused, m) => new Uint8Array(1000 + m * 9_000).map((_, i) => (i + m) % 251));
    const sealBuffers = messages.map(p => new Uint8Array(p.length + 4096));
    const envelopes = await Promise.all(messages.map((p, m) =>
      seal(p, { keyIds: [keyArn], encryptionContext: ACME, kms: sealer, output: n => sealBuffers[m].subarray(0, n) })));
    const openBuffers = messages.map(p => new Uint8Array(p.length));
    const opened = await Promise.all(envelopes.map((e, m) => open(e, { kms: opener, output: n => openBuffers[m].subarray(0, n) })));
    opened.forEach((o, m) => {
      expect(o.plaintext.buffer).toBe(openBuffers[m].buffer);
      expect(Buffer.from(o.plaintext).equals(Buffer.from(messages[m]))).toBe(true);
    });
  });
});
