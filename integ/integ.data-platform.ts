/**
 * The example app: a data platform whose keys show each guarded-key feature.
 *
 * - CustomerDataKey: admins and users separated, use only through S3 with a `tenant` encryption context;
 *   a bucket encrypted with it, read by an analytics role through `bucket.grantRead`.
 * - IngestKey: strict mode; the ingest role only encrypts, the app only decrypts, and no IAM policy can
 *   widen that.
 *
 * `npm run demo` synthesizes it and prints each key's access matrix; the integration tests deploy it
 * into the emulator.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { GuardedKey } from '../src';

export const EXAMPLE_ACCOUNT = '111122223333';
export const EXAMPLE_REGION = 'eu-west-1';

export function buildDataPlatformApp(app: App = new App()): App {
  const stack = new Stack(app, 'DataPlatform', { env: { account: EXAMPLE_ACCOUNT, region: EXAMPLE_REGION } });

  const keyAdmins = new iam.Role(stack, 'KeyAdmins', { assumedBy: new iam.AccountRootPrincipal() });
  const app_ = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const analytics = new iam.Role(stack, 'AnalyticsRole', { assumedBy: new iam.AccountRootPrincipal() });
  const ingest = new iam.Role(stack, 'IngestRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  const customerData = new GuardedKey(stack, 'CustomerDataKey', {
    description: 'Customer records in the data lake',
    aliases: ['data/customers'],
    admins: [keyAdmins],
    users: [app_],
    viaServices: ['s3'],
    requiredEncryptionContext: { tenant: '*' },
  });
  const bucket = new s3.Bucket(stack, 'CustomerBucket', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: customerData,
    enforceSSL: true,
  });
  bucket.grantRead(analytics);

  new GuardedKey(stack, 'IngestKey', {
    description: 'Events written by the ingest pipeline',
    aliases: ['data/ingest'],
    admins: [keyAdmins],
    encryptors: [ingest],
    decryptors: [app_],
    strict: true,
  });

  return app;
}

if (require.main === module) {
  buildDataPlatformApp().synth();
}
