import { constants, createPublicKey, publicEncrypt, randomBytes } from 'crypto';
import {
  DecryptCommand, DescribeKeyCommand, EncryptCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSClient,
} from '@aws-sdk/client-kms';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ImportedKey } from '../../src';
import { startEmulator } from '../../src/emulator';
import { runGuard } from '../../src/guard/engine';
import { deployLocally } from '../../src/local';

let stack: Stack;
let admin: iam.Role;
let importer: iam.Role;
let app: iam.Role;

beforeEach(() => {
  stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Admin' });
  importer = new iam.Role(stack, 'Importer', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'Importer' });
  app = new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal(), roleName: 'App' });
});

function statements(): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}
const bySid = (sid: string) => statements().find(s => s.Sid === sid);
const IMPORT = ['kms:DeleteImportedKeyMaterial', 'kms:DescribeKey', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'];

describe('ImportedKey', () => {
  test('a symmetric key with Origin EXTERNAL and no automatic rotation (KMS cannot rotate imported material)', () => {
    new ImportedKey(stack, 'Key');
    Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
      Origin: 'EXTERNAL', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', EnableKeyRotation: false, RotationPeriodInDays: Match.absent(),
    });
    expect(bySid('AllowKeyMaterialImport')).toBeUndefined();
    // the guard's rotation rule knows imported keys cannot rotate automatically
    const rotationFindings = (properties: Record<string, unknown>) => runGuard([{
      stackName: 'S', file: 'S.template.json', template: { Resources: { K: { Type: 'AWS::KMS::Key', Properties: properties } } },
    }]).findings.filter(f => f.rule === 'GK1');
    expect(rotationFindings({ Origin: 'EXTERNAL', EnableKeyRotation: false })).toEqual([]);
    expect(rotationFindings({ EnableKeyRotation: false })).toHaveLength(1);
  });

  test('importers alone hold the import actions; admins and users hold none of them', () => {
    new ImportedKey(stack, 'Key', { admins: [admin], importers: [importer], users: [app] });
    expect(bySid('AllowKeyMaterialImport')).toEqual(expect.objectContaining({
      Effect: 'Allow', Action: IMPORT, Principal: { AWS: stack.resolve(importer.roleArn) },
    }));
    const others = statements().filter(s => !['AllowKeyMaterialImport', 'EnableRootAccessAndIAMPolicies'].includes(s.Sid));
    expect(JSON.stringify(others)).not.toMatch(/ImportKeyMaterial|GetParametersForImport|DeleteImportedKeyMaterial/);
  });

  test.each<[string, (p: iam.IPrincipal) => object]>([
    ['admins', p => ({ admins: [p] })],
    ['users', p => ({ users: [p] })],
    ['encryptors', p => ({ encryptors: [p] })],
    ['decryptors', p => ({ decryptors: [p] })],
  ])('an importer that is also in %s is refused, naming both props', (prop, props) => {
    expect(() => new ImportedKey(stack, 'Key', { importers: [importer], ...props(importer) }))
      .toThrow(`Stack/Key: 'importers' must not include a principal that is also in '${prop}' (who brings the material neither manages nor uses the key). Received:`);
  });

  test('strict mode denies import to everyone but the importers and the account root', () => {
    new ImportedKey(stack, 'Key', { importers: [importer], strict: true, deployers: [admin] });
    expect(bySid('DenyKeyMaterialImportToUnlistedPrincipals')).toEqual(expect.objectContaining({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['kms:DeleteImportedKeyMaterial', 'kms:GetParametersForImport', 'kms:ImportKeyMaterial'],
      Condition: { StringNotLike: { 'aws:PrincipalArn': [expect.objectContaining({ 'Fn::Join': expect.anything() }), stack.resolve(importer.roleArn)] } },
    }));
    expect(() => new ImportedKey(stack, 'Key2', { importers: [new iam.ServicePrincipal('lambda.amazonaws.com')], strict: true, deployers: [admin] }))
      .toThrow("'importers' must be IAM principals (role, user, ARN or account) in strict mode. Received:");
    expect(() => new ImportedKey(stack, 'Key3', { importers: [new iam.AnyPrincipal()] })).toThrow("'importers' must name principals, not '*'");
  });

  test('deployed into the emulator: the importer imports, the app then uses it; the admin and the app cannot import', async () => {
    // GIVEN the key deployed locally (PendingImport)
    new ImportedKey(stack, 'Key', { admins: [admin], importers: [importer], users: [app] });
    const emulator = await startEmulator();
    const deployment = await deployLocally(Template.fromStack(stack).toJSON(), { emulator, stackName: 'Stack', account: '111122223333', region: 'eu-west-1' });
    const clients: KMSClient[] = [];
    const as = (name: string) => {
      const c = deployment.clientFor(deployment.principals.find(p => p.arn.endsWith(`:role/${name}`))!);
      clients.push(c);
      return c;
    };
    try {
      const keyId = deployment.keys[0].arn;
      expect((await as('Importer').send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport' });
      const parameters = { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256' as const, WrappingKeySpec: 'RSA_2048' as const };

      // THEN the admin and the app may not import
      for (const who of ['Admin', 'App']) {
        await expect(as(who).send(new GetParametersForImportCommand(parameters))).rejects.toMatchObject({ name: 'AccessDeniedException' });
      }
      // WHEN the importer wraps material with node:crypto and imports it
      const { ImportToken, PublicKey } = await as('Importer').send(new GetParametersForImportCommand(parameters));
      const wrapped = publicEncrypt({
        key: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256',
      }, randomBytes(32));
      await as('Importer').send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }));

      // THEN the app uses the key, the importer cannot
      const { CiphertextBlob } = await as('App').send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('byok') }));
      expect(Buffer.from((await as('App').send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString()).toBe('byok');
      await expect(as('Importer').send(new DecryptCommand({ CiphertextBlob }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      clients.forEach(c => c.destroy());
      deployment.close();
      await emulator.stop();
    }
  });
});
