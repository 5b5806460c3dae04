// npm smoke test, run by test/packaging/js-smoke.sh in a fresh project that installed the built tarball:
// the same app as the Python, Java and Go smoke tests, from an ES module, plus the TypeScript-only entry points.
import assert from 'node:assert/strict';
import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { GuardedKey, GuardedReplicaKey, KeyGuard, MultiRegionKey } from 'cdk-guarded-keys';
import { startEmulator, kmsClientFor } from 'cdk-guarded-keys/lib/emulator';
import { seal, open } from 'cdk-guarded-keys/lib/envelope';
import { deployLocally } from 'cdk-guarded-keys/lib/local';

const env = (region) => ({ env: { account: '111122223333', region }, crossRegionReferences: true });
const app = new App();
const primary = new Stack(app, 'Primary', env('eu-west-1'));
const replica = new Stack(app, 'Replica', env('us-east-1'));
const admin = new iam.Role(primary, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-admin' });
const user = new iam.Role(primary, 'User', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-user' });
new GuardedKey(primary, 'Data', { admins: [admin], users: [user], viaServices: ['s3'], aliases: ['data/customers'] });
const global = new MultiRegionKey(primary, 'Global', { admins: [admin], users: [user] });
new GuardedReplicaKey(replica, 'GlobalReplica', { primary: global, aliases: ['global'] });
Aspects.of(app).add(new KeyGuard());

const template = Template.fromStack(primary);
template.resourceCountIs('AWS::KMS::Key', 2);
template.hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, EnableKeyRotation: true });
template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/data/customers' });
Template.fromStack(replica).resourceCountIs('AWS::KMS::ReplicaKey', 1);
Annotations.fromStack(primary).hasNoError('*', Match.anyValue());

// the TypeScript-only entry points, from ESM: the emulator serves a real KMS client, the envelope round-trips
assert.equal(typeof deployLocally, 'function');
const emulator = await startEmulator();
try {
  const kms = kmsClientFor(emulator);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const sealed = await seal(new TextEncoder().encode('hello'), { keyIds: [KeyMetadata.Arn], encryptionContext: { tenant: 'acme' }, kms });
  const { plaintext } = await open(sealed, { kms });
  assert.equal(new TextDecoder().decode(plaintext), 'hello');
} finally {
  await emulator.stop();
}
console.log('js smoke: ok');
