import { CreateKeyCommand, ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { contextWithin, createKey, eventOf, ResponseServer } from './support';
import { createHandler } from '../../src/custom-resource/handler';
import { open } from '../../src/envelope';
import { startTestEmulator, TestEmulator } from '../emulator/support';

/**
 * Keys in other regions, through the handler's own choice of client: the target key's region, read from its ARN
 * (a client in the function's region could not reach it), and a migration from a single-Region key to a
 * multi-Region key, whose replica then opens the value in its own region.
 */
const CONTEXT = { app: 'billing' };

let t: TestEmulator;
let responses: ResponseServer;
/** The region each KMS client the handler asked for was made in. */
const asked: Array<string | undefined> = [];
const handler = createHandler({
  kms: region => {
    asked.push(region);
    return t.client(region ?? 'eu-west-1');
  },
  log: () => undefined,
});

beforeAll(async () => {
  t = await startTestEmulator();
  responses = new ResponseServer();
  await responses.start();
});

afterAll(async () => {
  await responses.stop();
  await t.emulator.stop();
});

test('a target key in another region is reached with a client of that region', async () => {
  const key = await createKey(t.client('ap-southeast-2'), 'far away');
  asked.length = 0;
  const response = await handler(eventOf('Create', responses.url(), { Kind: 'DataKey', TargetKeyArn: key, EncryptionContext: CONTEXT }), contextWithin(30_000));
  expect(response.Status).toBe('SUCCESS');
  expect(asked).toEqual(['ap-southeast-2']);
  const opened = await open(Buffer.from(response.Data!.Envelope, 'base64'), { kms: t.client('ap-southeast-2'), expect: { keyIds: [key] } });
  expect(opened.plaintext.length).toBe(32);
});

test('a value moved from a single-Region key to a multi-Region key keeps its secret and opens with the replica elsewhere', async () => {
  // GIVEN a secret under a single-Region key, and a multi-Region key with a replica in us-east-1
  const single = await createKey(t.kms, 'single-Region');
  const primary = (await t.kms.send(new CreateKeyCommand({ MultiRegion: true, Description: 'multi-Region' }))).KeyMetadata!.Arn!;
  const replica = (await t.kms.send(new ReplicateKeyCommand({ KeyId: primary, ReplicaRegion: 'us-east-1' }))).ReplicaKeyMetadata!.Arn!;
  const props = (key: string) => ({ Kind: 'GeneratedSecret', TargetKeyArn: key, EncryptionContext: CONTEXT, Length: '40' });
  const created = await handler(eventOf('Create', responses.url(), props(single)), contextWithin(30_000));
  const secret = (await open(Buffer.from(created.Data!.Envelope, 'base64'), { kms: t.kms, expect: { keyIds: [single] } })).plaintext;
  // WHEN the target moves to the multi-Region primary
  const moved = await handler(eventOf('Update', responses.url(), props(primary), {
    PhysicalResourceId: created.PhysicalResourceId, OldResourceProperties: props(single),
  }), contextWithin(30_000));
  // THEN the same secret opens in us-east-1 with the replica (the envelope names the primary; open rewrites mrk- ARNs)
  expect(moved.Status).toBe('SUCCESS');
  const there = await open(Buffer.from(moved.Data!.Envelope, 'base64'), { kms: t.client('us-east-1'), expect: { keyIds: [primary, replica] } });
  expect(Buffer.from(there.plaintext).equals(Buffer.from(secret))).toBe(true);
  expect(there.keyId).toBe(replica);
});
