import { App, Aspects, CfnResource, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GuardedKey, KeyGuard } from '../../src';
import * as engine from '../../src/guard/engine';
import { KeyPolicyModel } from '../../src/policy/key-policy-model';
import * as kmsActions from '../../src/policy/kms-actions';
import { expandActionPattern, KMS_ACTIONS } from '../../src/policy/kms-actions';
import * as glob from '../../src/private/glob';

/**
 * What synthesis costs per key, counted rather than timed (bench/synth.bench.ts times it): the work the guard and
 * the key policy do for one key must not be repeated for every key of the app.
 */
describe('work per key at synthesis', () => {
  afterEach(() => jest.restoreAllMocks());

  test('an action pattern is matched against the catalogue once, however many statements repeat it', () => {
    // GIVEN a pattern no other test expanded yet, and the glob matcher watched
    const match = jest.spyOn(glob, 'globMatch');
    const pattern = 'kms:Re?ncrypt*';
    // WHEN it is expanded as often as a 500-key app repeats it
    const expansions = Array.from({ length: 500 }, () => expandActionPattern(pattern));
    // THEN the catalogue was matched once, and every expansion is the same, shared and frozen
    expect(match).toHaveBeenCalledTimes(KMS_ACTIONS.length);
    expect(expansions[0]).toEqual(['kms:ReEncryptFrom', 'kms:ReEncryptTo']);
    expect(new Set(expansions).size).toBe(1);
    expect(Object.isFrozen(expansions[0])).toBe(true);
    expect(Object.isFrozen(KMS_ACTIONS)).toBe(true);
  });

  test('the guard expands a statement\'s action list once, however many keys repeat it', () => {
    // GIVEN 200 keys whose policies repeat two action lists no other test used, and the expansion watched
    const expand = jest.spyOn(kmsActions, 'expandActionPattern');
    const statement = (Sid: string, Action: string[]) => ({ Sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/r' }, Action, Resource: '*' });
    const Resources = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`Key${i}`, {
      Type: 'AWS::KMS::Key',
      Properties: { KeyPolicy: { Statement: [statement('Use', ['kms:Decrypt', 'kms:Encrypt', 'kms:ListGrants']), statement('Manage', ['kms:Describe*', 'kms:Put*', 'kms:ListGrants'])] } },
    }]));
    // WHEN every rule runs over them
    const report = engine.runGuard([{ stackName: 'S', file: 'S.json', template: { Resources } }]);
    // THEN each list was expanded once (3 patterns each), and the rules still saw every key's statements
    expect(expand).toHaveBeenCalledTimes(6);
    expect(report.findings.filter(f => f.rule === 'GK2')).toHaveLength(200);
  });

  test('a key policy is rendered once per synthesis (the size validation and the template share it)', () => {
    // GIVEN
    const render = jest.spyOn(KeyPolicyModel.prototype as unknown as { renderFresh(): unknown }, 'renderFresh');
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    for (let i = 0; i < 5; i++) new GuardedKey(stack, `Key${i}`, { users: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')] });
    // WHEN
    app.synth();
    // THEN
    expect(render).toHaveBeenCalledTimes(5);
  });

  test('the size validation resolves the key policy\'s tokens only, never the whole document', () => {
    // GIVEN keys whose policies hold tokens (the root's ARN), and every resolution watched
    const resolve = jest.spyOn(Stack.prototype, 'resolve');
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    for (let i = 0; i < 5; i++) new GuardedKey(stack, `Key${i}`, { users: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')] });
    // WHEN
    app.synth();
    // THEN no policy document was handed to the resolver whole (the template's rendering resolves it as a token)
    const documents = resolve.mock.calls.filter(([value]) => value !== null && typeof value === 'object' && 'Statement' in (value as object));
    expect(documents).toEqual([]);
    expect(resolve.mock.calls.length).toBeGreaterThan(0);
  });

  test('a principal with a literal ARN is compared without the resolver (its identity is asked on every member check)', () => {
    // GIVEN every resolution watched
    const resolve = jest.spyOn(Stack.prototype, 'resolve');
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    // WHEN keys are built with literal admins and users, and granted to more
    for (let i = 0; i < 5; i++) {
      const key = new GuardedKey(stack, `Key${i}`, { admins: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/admin')], users: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app')] });
      key.grantDecrypt(new iam.ArnPrincipal('arn:aws:iam::111122223333:role/reader'));
      expect(key.rolesOf(new iam.ArnPrincipal('arn:aws:iam::111122223333:role/app'))).toEqual(['user']);
    }
    // THEN no principal's JSON went through the resolver
    expect(resolve.mock.calls.filter(([value]) => value !== null && typeof value === 'object' && 'AWS' in (value as object))).toEqual([]);
  });

  test('the key policies of an app share one account-root principal (one token, not one per key)', () => {
    // GIVEN keys in two stacks of different accounts
    const app = new App();
    const stacks = ['111122223333', '444455556666'].map(account => new Stack(app, `S${account}`, { env: { account, region: 'eu-west-1' } }));
    const keys = stacks.flatMap(stack => [0, 1].map(i => new GuardedKey(stack, `Key${i}`)));
    // WHEN their policies are rendered
    const rootTokens = keys.map(key => JSON.stringify(key._model.render().toJSON().Statement[0].Principal));
    // THEN one token in all of them, which each stack resolves to its own account's root
    expect(new Set(rootTokens).size).toBe(1);
    expect(JSON.stringify(stacks[0].resolve(keys[0]._model.render().toJSON()))).toContain('111122223333:root');
    expect(JSON.stringify(stacks[1].resolve(keys[2]._model.render().toJSON()))).toContain('444455556666:root');
  });

  test('the shared rendering is the model as it is now: a member added since is in the next rendering', () => {
    // GIVEN a key whose policy was rendered (as the size validation does)
    const app = new App();
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    const key = new GuardedKey(stack, 'Key');
    const model = (key as unknown as { _model: KeyPolicyModel })._model;
    const first = model.render();
    expect(model.render()).toBe(first);
    // WHEN a user is granted
    key.grantEncryptDecrypt(new iam.ArnPrincipal('arn:aws:iam::111122223333:role/late'));
    // THEN the next rendering is a new document with the user
    const next = model.render();
    expect(next).not.toBe(first);
    expect(JSON.stringify(stack.resolve(first.toJSON()))).not.toContain('role/late');
    expect(JSON.stringify(stack.resolve(next.toJSON()))).toContain('role/late');
  });

  test('the KeyGuard renders only what its rules read: a resource of another type is not resolved by it', () => {
    // GIVEN two apps with a guarded key and a resource the rules never read, one of them guarded
    const resolutions = (guarded: boolean) => {
      const app = new App();
      const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
      if (guarded) Aspects.of(app).add(new KeyGuard());
      new GuardedKey(stack, 'Key');
      const resolve = jest.fn(() => 'x');
      new CfnResource(stack, 'Other', { type: 'Custom::Other', properties: { Name: { resolve } } });
      // WHEN each is synthesized
      const annotations = Annotations.fromStack(stack);
      expect(annotations.findWarning('*', Match.stringLikeRegexp('GK'))).toEqual([]);
      expect(annotations.findError('*', Match.anyValue())).toEqual([]);
      return resolve.mock.calls.length;
    };
    // THEN the guard added no resolution of it (it used to render every element of the stack)
    expect(resolutions(true)).toBe(resolutions(false));
  });

  test('the KeyGuard reviews each stack once, on the template synthesis writes, and annotates it once however often it is synthesized', () => {
    // GIVEN two stacks of keys, the guard, and the engine watched
    const run = jest.spyOn(engine, 'runGuard');
    const app = new App();
    Aspects.of(app).add(new KeyGuard({ requiredTags: ['team'] }));
    const stacks = ['One', 'Two'].map(name => new Stack(app, name, { env: { account: '111122223333', region: 'eu-west-1' } }));
    stacks.forEach(stack => new GuardedKey(stack, 'Key'));
    // WHEN the app is synthesized twice
    app.synth();
    app.synth({ force: true });
    // THEN one review per stack, and GK15 (no team tag) once on each key
    expect(run).toHaveBeenCalledTimes(2);
    for (const stack of stacks) expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('GK15'))).toHaveLength(1);
  });

  test('the KeyGuard adds no resolution when it finds nothing (no logical ID resolved, no walk of the constructs to annotate)', () => {
    // GIVEN two apps of compliant keys, one guarded, and every resolution counted
    const resolutions = (guarded: boolean) => {
      const resolve = jest.spyOn(Stack.prototype, 'resolve');
      const app = new App();
      if (guarded) Aspects.of(app).add(new KeyGuard());
      const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
      for (let i = 0; i < 5; i++) new GuardedKey(stack, `Key${i}`, { admins: [new iam.ArnPrincipal('arn:aws:iam::111122223333:role/admin')] });
      // WHEN each is synthesized
      const assembly = app.synth();
      expect(assembly.getStackArtifact(stack.artifactId).messages).toEqual([]);
      const count = resolve.mock.calls.length;
      resolve.mockRestore();
      return count;
    };
    // THEN the same number of resolutions
    expect(resolutions(true)).toBe(resolutions(false));
  });

  test('the KeyGuard sees what aspects after it changed: a tag added by a later Tags aspect satisfies GK15', () => {
    // GIVEN the guard requiring a tag that a Tags aspect, added after the guard, puts on every key
    const app = new App();
    Aspects.of(app).add(new KeyGuard({ requiredTags: ['team'] }));
    const stack = new Stack(app, 'Stack', { env: { account: '111122223333', region: 'eu-west-1' } });
    new GuardedKey(stack, 'Key');
    Tags.of(app).add('team', 'payments');
    // WHEN
    const annotations = Annotations.fromStack(stack);
    // THEN
    expect(annotations.findError('*', Match.anyValue())).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('GK15'))).toEqual([]);
  });
});
