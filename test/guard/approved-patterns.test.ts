import { App, Aspects, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GuardedKey, GuardedKeysValidationPlugin, GuardedReplicaKey, KeyGuard, KeyPattern, MultiRegionKey } from '../../src';
import { guardConfig } from '../../src/guard/config';
import { runGuard } from '../../src/guard/engine';
import { PATTERN_METADATA } from '../../src/guard/pattern-marker';
import { GuardTemplate } from '../../src/guard/template-source';

const ENV = { account: '111122223333', region: 'eu-west-1' };

describe('approved key patterns (GK17)', () => {
  let app: App;
  let stack: Stack;
  const pii = new KeyPattern({ name: 'pii', viaServices: ['s3'], allowMultiRegion: true });
  const scratch = new KeyPattern({ name: 'scratch' });
  beforeEach(() => {
    app = new App();
    stack = new Stack(app, 'Stack', { env: ENV });
  });
  const gk17 = () => Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('GK17')).map(e => `${e.id}: ${e.entry.data}`);

  test('a key made from a pattern carries the pattern\'s name in its metadata, and so does its replica', () => {
    // GIVEN a multi-Region primary made from a pattern, and a replica of it in another region
    const primary = new MultiRegionKey(stack, 'Primary');
    const fromPattern = pii.create(stack, 'Pii', { multiRegion: true });
    const replicaStack = new Stack(app, 'Replica', { env: { ...ENV, region: 'eu-central-1' }, crossRegionReferences: true });
    new GuardedReplicaKey(replicaStack, 'PiiReplica', { primary: fromPattern });
    new GuardedReplicaKey(replicaStack, 'PlainReplica', { primary });
    // THEN
    const keys = Template.fromStack(stack).findResources('AWS::KMS::Key');
    expect(Object.values(keys).map(k => k.Metadata?.[PATTERN_METADATA])).toEqual([undefined, 'pii']);
    const replicas = Template.fromStack(replicaStack).findResources('AWS::KMS::ReplicaKey');
    expect(Object.values(replicas).map(k => k.Metadata?.[PATTERN_METADATA])).toEqual(['pii', undefined]);
  });

  test('with approvedPatterns, keys of other patterns, guarded keys without one, plain kms.Keys and CfnKeys fail', () => {
    // GIVEN
    Aspects.of(app).add(new KeyGuard({ approvedPatterns: ['pii'] }));
    pii.create(stack, 'Approved');
    scratch.create(stack, 'Unapproved');
    new GuardedKey(stack, 'NoPattern');
    new kms.Key(stack, 'Plain', { enableKeyRotation: true });
    new kms.CfnKey(stack, 'Raw', { enableKeyRotation: true });
    // THEN (as a set: aws-cdk-lib releases order annotations differently)
    const notMade = "the key was not made from a KeyPattern (a CfnKey written by hand, a plain kms.Key or another library's key): make it with an approved pattern (pii)";
    expect(gk17().sort()).toEqual([
      `/Stack/NoPattern/Resource: [GK17] ${notMade}`,
      `/Stack/Plain/Resource: [GK17] ${notMade}`,
      `/Stack/Raw: [GK17] ${notMade}`,
      "/Stack/Unapproved/Resource: [GK17] the key was made from pattern 'scratch', which is not approved (approved: pii)",
    ]);
  });

  test('without approvedPatterns the rule is silent', () => {
    Aspects.of(app).add(new KeyGuard());
    new kms.Key(stack, 'Plain', { enableKeyRotation: true });
    scratch.create(stack, 'Scratch');
    expect(gk17()).toEqual([]);
  });

  test('on templates: a replica is judged by its own marker; a hand-written one has none', () => {
    const key = (type: string, metadata?: Record<string, unknown>) => ({ Type: type, DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Metadata: metadata, Properties: { EnableKeyRotation: true, PrimaryKeyArn: type.endsWith('ReplicaKey') ? 'arn:aws:kms:us-east-1:111122223333:key/mrk-1' : undefined } });
    const template: GuardTemplate = {
      stackName: 'S',
      file: 'S.json',
      account: ENV.account,
      template: {
        Resources: {
          Good: key('AWS::KMS::Key', { [PATTERN_METADATA]: 'pii' }),
          GoodReplica: key('AWS::KMS::ReplicaKey', { [PATTERN_METADATA]: 'pii' }),
          HandReplica: key('AWS::KMS::ReplicaKey'),
          NotAString: key('AWS::KMS::Key', { [PATTERN_METADATA]: { name: 'pii' } }),
        },
      },
    };
    const findings = runGuard([template], guardConfig({ approvedPatterns: ['pii', 'logs'] })).findings;
    expect(findings.map(f => `${f.rule} ${f.logicalId} ${f.message.split(' (')[0]}`)).toEqual([
      'GK17 HandReplica the replica was not made from a KeyPattern',
      'GK17 NotAString the key was not made from a KeyPattern',
    ]);
  });

  test('a suppression with a reason silences GK17 on one key', () => {
    const template: GuardTemplate = { stackName: 'S', file: 'S.json', account: ENV.account, template: { Resources: { Legacy: { Type: 'AWS::KMS::Key', DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { EnableKeyRotation: true } } } } };
    const report = runGuard([template], guardConfig({ approvedPatterns: ['pii'], suppressions: [{ resource: 'Legacy', rule: 'GK17', reason: 'made before the patterns existed' }] }));
    expect(report.findings).toEqual([]);
    expect(report.suppressed.map(s => [s.rule, s.reason])).toEqual([['GK17', 'made before the patterns existed']]);
  });

  test.each([
    [{ approvedPatterns: 'pii' }, "'approvedPatterns' must be a list of strings"],
    [{ approvedPatterns: ['pii', 'PII Keys'] }, "'approvedPatterns[1]' must be a KeyPattern name (1 to 63 lowercase letters, digits or '-'). Received: \"PII Keys\""],
  ])('guard.json %j is refused, naming the field', (config, message) => {
    expect(() => guardConfig(config)).toThrow(message);
  });

  test('the aspect and the plugin check approvedPatterns where they are created', () => {
    expect(() => new KeyGuard({ approvedPatterns: ['Bad Name'] })).toThrow("KeyGuard:\n  'approvedPatterns[0]' must be a KeyPattern name");
    expect(() => new GuardedKeysValidationPlugin({ approvedPatterns: [''] })).toThrow("GuardedKeysValidationPlugin:\n  'approvedPatterns[0]' must be a KeyPattern name");
    // and the aspect's other options name themselves too
    expect(() => new KeyGuard({ skipRules: ['GK5', 'GK-ROTATION'] })).toThrow("KeyGuard: 'skipRules' names unknown rule(s) GK-ROTATION (known: GK0, GK1,");
    expect(() => new KeyGuard({ severities: { GK99: 'off' } })).toThrow("KeyGuard:\n  'severities.GK99' names an unknown rule \"GK99\"");
  });

  test('the plugin reports GK17 from its props', () => {
    // GIVEN the plugin's validate() on a synthesized template of a plain key
    new kms.Key(stack, 'Plain', { enableKeyRotation: true, admins: [new iam.AccountRootPrincipal()] });
    const assembly = app.synth();
    const plugin = new GuardedKeysValidationPlugin({ approvedPatterns: ['pii'] });
    // WHEN
    const report = plugin.validate({ templatePaths: [assembly.getStackByName('Stack').templateFullPath] });
    // THEN
    expect(report.success).toBe(false);
    expect(report.violations.map(v => v.ruleName)).toEqual(['GK17']);
  });
});
