import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { GuardedKey } from '../../src';

/** `viaServices` names real KMS integrations, follows the partition, and composes with aws-cdk-lib's own narrowing. */
let app: App;
let stack: Stack;
let reader: iam.Role;

beforeEach(() => {
  app = new App();
  stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
  reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
});

function keyStatements(s: Stack = stack): Array<Record<string, any>> {
  const [key] = Object.values(Template.fromStack(s).findResources('AWS::KMS::Key'));
  return key.Properties.KeyPolicy.Statement;
}

describe('the catalogue of KMS integrations', () => {
  test('logs is refused: CloudWatch Logs calls KMS as its own service principal', () => {
    expect(() => new GuardedKey(stack, 'Key', { viaServices: ['logs'] }))
      .toThrow("'viaServices' cannot name 'logs': CloudWatch Logs calls KMS as its service principal logs.<region>.amazonaws.com");
  });

  test('a name that is no KMS integration is refused with the list', () => {
    expect(() => new GuardedKey(stack, 'Key', { viaServices: ['s4'] }))
      .toThrow(/'viaServices' entries must name an AWS service that calls KMS through kms:ViaService \(acm, .*\)\. Received: 's4'/);
  });

  test.each([
    ['ebs', 'ec2.eu-west-1.amazonaws.com'],
    ['efs', 'elasticfilesystem.eu-west-1.amazonaws.com'],
    ['aurora', 'rds.eu-west-1.amazonaws.com'],
    ['secretsmanager', 'secretsmanager.eu-west-1.amazonaws.com'],
  ])('%s renders as %s', (service, endpoint) => {
    new GuardedKey(stack, 'Key', { users: [reader], viaServices: [service] });
    expect(keyStatements().find(s => s.Sid === 'AllowKeyUse')!.Condition.StringEquals['kms:ViaService']).toEqual([endpoint]);
  });

  test('the China partition gets its own domain', () => {
    const china = new Stack(app, 'China', { env: { account: '111122223333', region: 'cn-north-1' } });
    const role = new iam.Role(china, 'R', { assumedBy: new iam.AccountRootPrincipal() });
    new GuardedKey(china, 'Key', { users: [role], viaServices: ['s3'] });
    expect(keyStatements(china).find(s => s.Sid === 'AllowKeyUse')!.Condition.StringEquals['kms:ViaService']).toEqual(['s3.cn-north-1.amazonaws.com.cn']);
  });
});

describe('viaServices intersects with the narrowing of other constructs', () => {
  test('secret.grantRead keeps Secrets Manager when the key allows it among others', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3', 'secretsmanager'] });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key }).grantRead(reader);
    const granted = keyStatements().filter(s => JSON.stringify(s.Principal).includes('Reader') && [s.Action].flat().includes('kms:Decrypt'));
    expect(granted.map(s => s.Condition.StringEquals['kms:ViaService'])).toEqual([['secretsmanager.eu-west-1.amazonaws.com']]);
  });

  test('a secret on a key used only via S3 fails synth naming both services', () => {
    const key = new GuardedKey(stack, 'Key', { viaServices: ['s3'] });
    expect(() => new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key })).toThrow(
      'the key allows use only via ["s3.eu-west-1.amazonaws.com"] (\'viaServices\'), and a grant to arn:${AWS::Partition}:iam::111122223333:root allows it only via "secretsmanager.eu-west-1.amazonaws.com": no request can meet both',
    );
  });

  test('in strict mode a secret does not exempt its whole account from the denies; its readers are exempted', () => {
    const key = new GuardedKey(stack, 'Key', { strict: true, viaServices: ['secretsmanager'] });
    new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key }).grantRead(reader);
    const exempted = JSON.stringify(keyStatements().find(s => s.Sid === 'DenyDecryptToUnlistedPrincipals')!.Condition.ArnNotLike['aws:PrincipalArn']);
    expect(exempted).toContain('Reader');
    expect(exempted).not.toContain(':iam::111122223333:*');
  });
});
