import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { MacKey, RsaEncryptionKey, SigningKey } from '../../src';
import { snapshotTemplate } from '../support/snapshot';

let stack: Stack;
let admin: iam.Role;
let producer: iam.Role;
let consumer: iam.Role;

beforeEach(() => {
  stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.AccountRootPrincipal() });
  consumer = new iam.Role(stack, 'Consumer', { assumedBy: new iam.AccountRootPrincipal() });
});

function statements(): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}
const bySid = (sid: string) => statements().find(s => s.Sid === sid);

describe('SigningKey', () => {
  test('an ECC_NIST_P256 SIGN_VERIFY key without rotation by default', () => {
    new SigningKey(stack, 'Key');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', EnableKeyRotation: false, RotationPeriodInDays: Match.absent(),
    });
  });

  test('signers sign, verifiers only verify', () => {
    new SigningKey(stack, 'Key', { admins: [admin], signers: [producer], verifiers: [consumer], callerAccounts: ['111122223333'] });
    expect(bySid('AllowSign')).toEqual(expect.objectContaining({
      Action: 'kms:Sign', Condition: { StringEquals: { 'kms:CallerAccount': ['111122223333'] } },
    }));
    expect(bySid('AllowVerify')!.Action).toEqual(['kms:GetPublicKey', 'kms:Verify']);
    expect(JSON.stringify(statements().filter(s => s.Sid !== 'EnableRootAccessAndIAMPolicies' && s.Sid !== 'AllowSign')))
      .not.toContain('kms:Sign"');
  });

  test.each(['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1'])('accepts %s', (spec) => {
    new SigningKey(stack, 'Key', { keySpec: spec as kms.KeySpec });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { KeySpec: spec });
  });

  test.each(['SYMMETRIC_DEFAULT', 'HMAC_256'])('refuses %s naming the allowed specs', (spec) => {
    expect(() => new SigningKey(stack, 'Key', { keySpec: spec as kms.KeySpec }))
      .toThrow(`Stack/Key: 'keySpec' must be one of RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1 for a SigningKey. Received: ${spec}`);
  });

  test('grantSign writes kms:Sign on the grantee; grantEncrypt is refused', () => {
    const key = new SigningKey(stack, 'Key');
    key.grantSign(producer);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'kms:Sign' })]) },
    });
    expect(() => key.grantEncrypt(consumer)).toThrow("grantEncrypt is not available on a signing key: its use roles are 'signers', 'verifiers'");
  });

  test('an admin cannot be a signer', () => {
    expect(() => new SigningKey(stack, 'Key', { admins: [admin], signers: [admin] })).toThrow(/cannot also use the key \(signers\)/);
  });

  test('strict mode denies Sign to everyone but signers and root', () => {
    new SigningKey(stack, 'Key', { signers: [producer], verifiers: [consumer], strict: true });
    const deny = bySid('DenySignToUnlistedPrincipals')!;
    expect(deny.Action).toBe('kms:Sign');
    expect(deny.Condition.ArnNotLike['aws:PrincipalArn']).toHaveLength(2);
  });
});

describe('MacKey', () => {
  test('an HMAC_256 GENERATE_VERIFY_MAC key without rotation by default', () => {
    new MacKey(stack, 'Key', { generators: [producer], verifiers: [consumer] });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', EnableKeyRotation: false });
    expect(bySid('AllowGenerateMac')!.Action).toBe('kms:GenerateMac');
    expect(bySid('AllowVerifyMac')!.Action).toBe('kms:VerifyMac');
  });

  test('refuses a non-HMAC spec and encryption-context requirements', () => {
    expect(() => new MacKey(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048 }))
      .toThrow("'keySpec' must be one of HMAC_224, HMAC_256, HMAC_384, HMAC_512 for a MacKey. Received: RSA_2048");
    expect(() => new MacKey(stack, 'Other', { requiredEncryptionContext: { a: 'b' } } as any))
      .toThrow("'requiredEncryptionContext' is not supported by a MacKey: its operations carry no encryption context");
  });

  test('grantGenerateMac and grantVerifyMac map to the two roles', () => {
    const key = new MacKey(stack, 'Key');
    key.grantVerifyMac(consumer);
    expect(key.rolesOf(consumer)).toEqual(['macVerifier']);
    expect(() => key.grantSign(consumer)).toThrow('grantSign is not available on a hmac key');
  });
});

describe('RsaEncryptionKey', () => {
  test('RSA_3072 by default, encryptors can fetch the public key, decryptors only decrypt', () => {
    new RsaEncryptionKey(stack, 'Key', { encryptors: [producer], decryptors: [consumer] });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT', EnableKeyRotation: false });
    expect(bySid('AllowEncryptOnly')!.Action).toEqual(['kms:Encrypt', 'kms:GetPublicKey']);
    expect(bySid('AllowDecryptOnly')!.Action).toBe('kms:Decrypt');
  });

  test('RSA_2048 is refused unless explicitly allowed (CT.KMS.PR.2)', () => {
    expect(() => new RsaEncryptionKey(stack, 'Key', { keySpec: kms.KeySpec.RSA_2048 }))
      .toThrow("Stack/Key: 'keySpec' RSA_2048 is refused for encryption (CT.KMS.PR.2 expects at least 3072 bits)");
    new RsaEncryptionKey(stack, 'Allowed', { keySpec: kms.KeySpec.RSA_2048, allowRsa2048: true });
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { KeySpec: 'RSA_2048' });
  });

  test('ECC specs are refused for encryption', () => {
    expect(() => new RsaEncryptionKey(stack, 'Key', { keySpec: kms.KeySpec.ECC_NIST_P256 }))
      .toThrow("'keySpec' must be one of RSA_2048, RSA_3072, RSA_4096 for an RsaEncryptionKey. Received: ECC_NIST_P256");
  });
});

test('snapshot: one key of each asymmetric kind', () => {
  new SigningKey(stack, 'Signing', { admins: [admin], signers: [producer], verifiers: [consumer], aliases: ['sign/releases'] });
  new MacKey(stack, 'Mac', { admins: [admin], generators: [producer], verifiers: [consumer], keySpec: kms.KeySpec.HMAC_512 });
  new RsaEncryptionKey(stack, 'Rsa', { admins: [admin], encryptors: [producer], decryptors: [consumer], keySpec: kms.KeySpec.RSA_4096 });
  expect(snapshotTemplate(stack)).toMatchSnapshot();
});
