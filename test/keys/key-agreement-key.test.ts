import { createPublicKey, diffieHellman, generateKeyPairSync } from 'crypto';
import { DeriveSharedSecretCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KeyAgreementKey } from '../../src';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { deployLocally } from '../../src/local';

let app: App;
let stack: Stack;
let admin: iam.Role;
let owner: iam.Role;
let peer: iam.Role;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  owner = new iam.Role(stack, 'Owner', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Owner' });
  peer = new iam.Role(stack, 'Peer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Peer' });
});

function statements(): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}
const bySid = (sid: string) => statements().find(s => s.Sid === sid)!;

describe('KeyAgreementKey', () => {
  test('an ECC_NIST_P256 KEY_AGREEMENT key without rotation by default', () => {
    new KeyAgreementKey(stack, 'Key');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT', EnableKeyRotation: false, RotationPeriodInDays: Match.absent(),
    });
  });

  test('derivers derive, public-key readers only read the public key', () => {
    new KeyAgreementKey(stack, 'Key', { keySpec: kms.KeySpec.ECC_NIST_P384, admins: [admin], derivers: [owner], publicKeyReaders: [peer] });
    expect(bySid('AllowDeriveSharedSecret').Action).toEqual(['kms:DeriveSharedSecret', 'kms:GetPublicKey']);
    expect(bySid('AllowGetPublicKey').Action).toBe('kms:GetPublicKey');
    expect(JSON.stringify(bySid('AllowKeyAdministration').Action)).not.toContain('DeriveSharedSecret');
  });

  test.each([kms.KeySpec.ECC_SECG_P256K1, kms.KeySpec.RSA_3072, kms.KeySpec.SYMMETRIC_DEFAULT])('refuses %s, which KMS cannot use for key agreement', (keySpec) => {
    expect(() => new KeyAgreementKey(stack, 'Key', { keySpec })).toThrow(/'keySpec'.*KeyAgreementKey/);
  });

  test('an admin cannot be a deriver, through props or grants', () => {
    const key = new KeyAgreementKey(stack, 'Key', { admins: [admin] });
    expect(() => key.grantDeriveSharedSecret(admin)).toThrow(/admin/);
    expect(() => key.grantSign(owner)).toThrow(/not available on a key-agreement key/);
  });

  test('grant(…, kms:DeriveSharedSecret) is the deriver role; strict mode denies it to everyone else', () => {
    const key = new KeyAgreementKey(stack, 'Key', { strict: true, deployers: [admin], admins: [admin], derivers: [owner] });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.AccountRootPrincipal() });
    key.grant(other, 'kms:DeriveSharedSecret');
    const deny = bySid('DenyDeriveSharedSecretToUnlistedPrincipals');
    expect(deny).toMatchObject({ Effect: 'Deny', Action: 'kms:DeriveSharedSecret' });
    const exempt = JSON.stringify(deny.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(exempt).toContain('Owner3BA7C727'); // the deriver
    expect(exempt).toContain('Other34654A52'); // the grantee registered through grant()
  });

  describe('deployed locally', () => {
    let emulator: RunningEmulator;
    beforeEach(async () => { emulator = await startEmulator(); });
    afterEach(() => emulator.stop());

    test('the deriver derives the secret the peer computes from the public key; the peer cannot derive', async () => {
      // GIVEN the key deployed with a deriver and a public-key reader
      new KeyAgreementKey(stack, 'Key', { derivers: [owner], publicKeyReaders: [peer] });
      const deployment = await deployLocally(app.synth().getStackByName('Stack').template, { emulator, account: '111122223333', region: 'eu-west-1', stackName: 'Stack' });
      try {
        const keyId = deployment.keys[0].arn;
        const as = (name: string) => deployment.clientFor(deployment.principals.find(p => p.logicalId.startsWith(name))!);
        const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
        const PublicKey = other.publicKey.export({ type: 'spki', format: 'der' });
        // WHEN the owner derives, and the peer reads the public key
        const derived = await as('Owner').send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }));
        const kmsPublic = await as('Peer').send(new GetPublicKeyCommand({ KeyId: keyId }));
        // THEN the secret is what the other side computes with the public key alone
        const theirs = diffieHellman({ privateKey: other.privateKey, publicKey: createPublicKey({ key: Buffer.from(kmsPublic.PublicKey!), format: 'der', type: 'spki' }) });
        expect(Buffer.from(derived.SharedSecret!).equals(theirs)).toBe(true);
        // AND the peer may not derive with the key
        await expect(as('Peer').send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey })))
          .rejects.toMatchObject({ name: 'AccessDeniedException' });
      } finally {
        deployment.close();
      }
    });
  });
});
