import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedKeyProps, KeyPattern } from '../../src';

describe('KeyPattern', () => {
  let stack: Stack;
  let platform: iam.IRole;
  let app: iam.Role;
  const pii = () => new KeyPattern({
    name: 'pii',
    admins: [platform],
    viaServices: ['s3', 'dynamodb'],
    requiredEncryptionContext: { tenant: '*', classification: 'pii' },
    strict: true,
    maxRotationPeriod: Duration.days(180),
    tags: { 'data-class': 'pii' },
  });

  beforeEach(() => {
    stack = new Stack(new App(), 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    platform = iam.Role.fromRoleArn(stack, 'Platform', 'arn:aws:iam::111122223333:role/platform-keys');
    app = new iam.Role(stack, 'App', { assumedBy: new iam.AccountRootPrincipal() });
  });

  test('keys made from a pattern carry its admins, narrowing, strictness, rotation ceiling and tags', () => {
    pii().create(stack, 'Key', { users: [app], description: 'customers' });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::KMS::Key', {
      Description: '[pii] customers',
      RotationPeriodInDays: 180,
      Tags: [{ Key: 'data-class', Value: 'pii' }],
    });
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    const statements = key.Properties.KeyPolicy.Statement;
    expect(statements.find((s: any) => s.Sid === 'AllowKeyAdministration').Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:role/platform-keys' });
    expect(statements.find((s: any) => s.Sid === 'AllowKeyUse').Condition).toEqual({
      StringEquals: {
        'kms:ViaService': ['s3.eu-west-1.amazonaws.com', 'dynamodb.eu-west-1.amazonaws.com'],
        'kms:EncryptionContext:classification': 'pii',
      },
      StringLike: { 'kms:EncryptionContext:tenant': '*' },
    });
    expect(statements.map((s: any) => s.Sid)).toContain('DenyDecryptToUnlistedPrincipals');
  });

  test('an application may narrow: a subset of services, a pinned wildcard, a shorter rotation', () => {
    const props = pii().merge(stack, 'Key', { viaServices: ['s3'], requiredEncryptionContext: { tenant: 'acme' }, rotationPeriod: Duration.days(90) });
    expect(props.viaServices).toEqual(['s3']);
    expect(props.requiredEncryptionContext).toEqual({ tenant: 'acme', classification: 'pii' });
    expect(props.rotationPeriod!.toDays()).toBe(90);
  });

  test.each([
    [{ viaServices: ['s3', 'sqs'] }, "'viaServices' may only narrow pattern 'pii' (s3, dynamodb). Received: sqs"],
    [{ rotationPeriod: Duration.days(365) }, "'rotationPeriod' must be at most 180 days for keys of pattern 'pii'. Received: 365 days"],
    [{ strict: false }, "'strict' cannot be turned off for keys of pattern 'pii'"],
    [{ requiredEncryptionContext: { classification: 'public' } }, "'requiredEncryptionContext' cannot change 'classification' from 'pii'"],
    [{ tags: { 'data-class': 'public' } }, "'tags' cannot override 'data-class' for keys of pattern 'pii'"],
  ])('widening %p fails synth', (props, message) => {
    expect(() => pii().create(stack, 'Key', props)).toThrow(message);
  });

  test('the pattern name is validated', () => {
    expect(() => new KeyPattern({ name: 'PII keys' })).toThrow("KeyPattern 'name' must be 1 to 63 lowercase letters, digits or '-'. Received: 'PII keys'");
  });

  describe('a strict pattern cannot be widened by the application', () => {
    test.each([
      [{ deployers: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/anyone')] }, "'deployers' is locked by pattern 'pii'"],
      [{ allowAdminsToChangePolicy: true }, "'allowAdminsToChangePolicy' is locked by pattern 'pii'"],
      [{ allowGrantsForAwsResources: true }, "'allowGrantsForAwsResources' is locked by pattern 'pii'"],
      [{ multiRegion: true }, "'multiRegion' is locked by pattern 'pii'"],
      [{ removalPolicy: RemovalPolicy.DESTROY }, "'removalPolicy' is locked by pattern 'pii'"],
      [{ pendingWindow: Duration.days(7) }, "'pendingWindow' must be at least 30 days for keys of pattern 'pii'. Received: 7 days"],
      [{ users: [new iam.AnyPrincipal()] }, "'users' is locked by pattern 'pii': a wildcard principal (*) is not allowed"],
    ])('%j fails synth', (props, message) => {
      expect(() => pii().create(stack, 'Key', props as GuardedKeyProps)).toThrow(message);
    });

    test('a pattern can unlock a setting, and lists what stays locked', () => {
      const pattern = new KeyPattern({ name: 'shared', allowMultiRegion: true, minPendingWindow: Duration.days(14) });
      pattern.create(stack, 'Key', { multiRegion: true, pendingWindow: Duration.days(14) });
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', { MultiRegion: true, PendingWindowInDays: 14 });
      expect(pattern.lockedSettings).toEqual([
        'allowAdminsToChangePolicy', 'allowGrantsForAwsResources', 'removalPolicy', 'pendingWindow (minimum)',
        'wildcard principals in users, encryptors and decryptors',
      ]);
    });
  });
});
