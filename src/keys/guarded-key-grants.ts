import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The shape of aws-cdk-lib's `KeyGrants` (`key.grants`, from aws-cdk-lib 2.2xx on), which guarded keys and
 * replicas answer with their own separated, narrowed grants.
 */
export interface GuardedKeyGrants {
  actions(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;
  admin(grantee: iam.IGrantable): iam.Grant;
  decrypt(grantee: iam.IGrantable): iam.Grant;
  encrypt(grantee: iam.IGrantable): iam.Grant;
  encryptDecrypt(grantee: iam.IGrantable): iam.Grant;
  sign(grantee: iam.IGrantable): iam.Grant;
  verify(grantee: iam.IGrantable): iam.Grant;
  signVerify(grantee: iam.IGrantable): iam.Grant;
  generateMac(grantee: iam.IGrantable): iam.Grant;
  verifyMac(grantee: iam.IGrantable): iam.Grant;
}
