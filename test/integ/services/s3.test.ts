import * as s3 from 'aws-cdk-lib/aws-s3';
import { role, servicesFixture, stackIn } from './support';
import { GuardedKey } from '../../../src';

describe('S3 (SSE-KMS) through the emulator', () => {
  const { deploy } = servicesFixture();

  test('GuardedKey: bucket.grantRead reads, grantWrite writes, an unrelated role does neither', async () => {
    const deployment = await deploy(app => {
      const stack = stackIn(app, 'S3Plain');
      const key = new GuardedKey(stack, 'Key');
      const bucket = new s3.Bucket(stack, 'Bucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
      bucket.grantRead(role(stack, 'Reader'));
      bucket.grantWrite(role(stack, 'Writer'));
      role(stack, 'Other');
    });
    await expect(deployment).toAllowUse('Reader', 'Bucket', 'read');
    await expect(deployment).toDenyUse('Reader', 'Bucket', 'write');
    await expect(deployment).toAllowUse('Writer', 'Bucket', 'write');
    await expect(deployment).toDenyUse('Other', 'Bucket', 'read');
  });
});
