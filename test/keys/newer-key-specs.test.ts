import { CreateKeyCommand, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { NewerSigningKeySpec, SigningKey } from '../../src';
import { startEmulator } from '../../src/emulator';
import { deployLocally } from '../../src/local';
import { startTestEmulator } from '../emulator/support';

let stack: Stack;
beforeEach(() => {
  stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
});

const keyProperties = () => Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0].Properties;

describe('SigningKey with a spec newer than aws-cdk-lib 2.189 (ML-DSA, Ed25519)', () => {
  test.each(Object.values(NewerSigningKeySpec))('%s is written on the AWS::KMS::Key with SIGN_VERIFY and no rotation', (spec) => {
    // GIVEN a signer and a verifier
    const signer = new iam.Role(stack, 'Signer', { assumedBy: new iam.AccountRootPrincipal() });
    const verifier = new iam.Role(stack, 'Verifier', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN the key is made with the newer spec
    new SigningKey(stack, 'Key', { newerKeySpec: spec, signers: [signer], verifiers: [verifier] });
    // THEN the resource carries the spec itself, as a SIGN_VERIFY key, and the signing roles are the usual ones
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      KeySpec: spec, KeyUsage: 'SIGN_VERIFY', EnableKeyRotation: false, RotationPeriodInDays: Match.absent(),
    });
    const sids = keyProperties().KeyPolicy.Statement.map((s: { Sid?: string }) => s.Sid);
    expect(sids).toEqual(expect.arrayContaining(['AllowSign', 'AllowVerify']));
  });

  test('keySpec and newerKeySpec together are refused, naming both', () => {
    expect(() => new SigningKey(stack, 'Key', { keySpec: kms.KeySpec.RSA_3072, newerKeySpec: NewerSigningKeySpec.ML_DSA_87 }))
      .toThrow("'keySpec' and 'newerKeySpec' cannot both be set: choose one. Received: RSA_3072 and ML_DSA_87");
  });

  test('a value outside the enum (from an untyped language) is refused with the allowed values', () => {
    expect(() => new SigningKey(stack, 'Key', { newerKeySpec: 'ML_KEM_768' as NewerSigningKeySpec }))
      .toThrow("'newerKeySpec' must be one of ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519. Received: ML_KEM_768");
  });

  test('each spec and usage the construct renders is one KMS (the emulator) accepts and signs with', async () => {
    const t = await startTestEmulator();
    try {
      for (const spec of Object.values(NewerSigningKeySpec)) {
        const app = new Stack(new App(), `S${spec.replace(/_/g, '')}`);
        new SigningKey(app, 'Key', { newerKeySpec: spec });
        const { KeySpec, KeyUsage } = Object.values(Template.fromStack(app).findResources('AWS::KMS::Key'))[0].Properties;
        const key = (await t.kms.send(new CreateKeyCommand({ KeySpec, KeyUsage }))).KeyMetadata!;
        const SigningAlgorithm = key.SigningAlgorithms![0];
        const Message = Buffer.from('release');
        const { Signature } = await t.kms.send(new SignCommand({ KeyId: key.KeyId, Message, SigningAlgorithm }));
        expect((await t.kms.send(new VerifyCommand({ KeyId: key.KeyId, Message, Signature, SigningAlgorithm }))).SignatureValid).toBe(true);
      }
    } finally {
      await t.emulator.stop();
    }
  });

  test('deployed locally, the signer signs with ML-DSA-44 and the verifier verifies; the verifier cannot sign', async () => {
    // GIVEN a stack with an ML-DSA SigningKey, a signer and a verifier, deployed into the emulator
    const app = new App();
    const deployed = new Stack(app, 'Pq', { env: { account: '111122223333', region: 'eu-west-1' } });
    const signer = new iam.Role(deployed, 'Signer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Signer' });
    const verifier = new iam.Role(deployed, 'Verifier', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Verifier' });
    new SigningKey(deployed, 'Key', { newerKeySpec: NewerSigningKeySpec.ML_DSA_44, signers: [signer], verifiers: [verifier] });
    const emulator = await startEmulator();
    const deployment = await deployLocally(app.synth().getStackByName('Pq').template, { emulator, account: '111122223333', region: 'eu-west-1', stackName: 'Pq' });
    try {
      const KeyId = deployment.keys[0].arn;
      const as = (name: string) => deployment.clientFor(deployment.principals.find(p => p.logicalId.startsWith(name))!);
      const Message = Buffer.from('post-quantum release');
      // WHEN the signer signs and the verifier verifies
      const { Signature } = await as('Signer').send(new SignCommand({ KeyId, Message, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      const verified = await as('Verifier').send(new VerifyCommand({ KeyId, Message, Signature, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
      // THEN it verifies, and the verifier's own Sign is denied
      expect(verified.SignatureValid).toBe(true);
      await expect(as('Verifier').send(new SignCommand({ KeyId, Message, SigningAlgorithm: 'ML_DSA_SHAKE_256' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      deployment.close();
      await emulator.stop();
    }
  });
});
