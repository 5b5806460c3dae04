/**
 * The multi-Region example: a primary key in eu-west-1 replicated to us-east-1 (each region's policy
 * names its own S3 endpoint), a release-signing key with signers and verifiers apart, and a reader in a
 * partner account that can decrypt only because both its own IAM policy and the key policy allow it.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedReplicaKey, MultiRegionKey, SigningKey } from '../src';

export const PRIMARY_REGION = 'eu-west-1';
export const REPLICA_REGION = 'us-east-1';
export const KEY_ACCOUNT = '111122223333';
export const PARTNER_ACCOUNT = '444455556666';

export function buildMultiRegionApp(app: App = new App()): App {
  const env = (region: string) => ({ account: KEY_ACCOUNT, region });
  const primaryStack = new Stack(app, 'KeysPrimary', { env: env(PRIMARY_REGION), crossRegionReferences: true });
  const replicaStack = new Stack(app, 'KeysReplica', { env: env(REPLICA_REGION), crossRegionReferences: true });
  const partnerStack = new Stack(app, 'Partner', { env: { account: PARTNER_ACCOUNT, region: PRIMARY_REGION } });

  const operators = new iam.Role(primaryStack, 'Operators', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'key-operators' });
  const service = new iam.Role(primaryStack, 'Service', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'data-service' });
  const releaser = new iam.Role(primaryStack, 'Releaser', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'releaser' });
  const verifier = new iam.Role(primaryStack, 'Verifier', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'verifier' });

  const primary = new MultiRegionKey(primaryStack, 'DataKey', {
    description: 'Application data, replicated for disaster recovery',
    aliases: ['app/data'],
    admins: [operators],
    users: [service],
    viaServices: ['s3'],
  });
  new GuardedReplicaKey(replicaStack, 'DataKeyReplica', { primary, aliases: ['app/data'] });

  const partnerReader = new iam.Role(partnerStack, 'PartnerReader', { assumedBy: new iam.AccountRootPrincipal() });
  primary.grantDecrypt(partnerReader);

  new SigningKey(primaryStack, 'ReleaseSigningKey', {
    aliases: ['release/signing'],
    admins: [operators],
    signers: [releaser],
    verifiers: [verifier],
  });
  return app;
}

if (require.main === module) {
  buildMultiRegionApp().synth();
}
