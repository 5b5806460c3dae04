import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DataKey, GeneratedSecret, GuardedKey, SealedValue } from '../../src';
import { RunningEmulator, startEmulator } from '../../src/emulator';
import { open, seal } from '../../src/envelope';
import { CfnTemplate, deployLocally, LocalDeployment } from '../../src/local';
import { ensureHandlerBundle } from '../support/handler-bundle';

const ACCOUNT = '111122223333';
const PARTNER = '222233334444';
const REGION = 'eu-west-1';
const CONTEXT = { app: 'billing' };
const SECRET = 'a-secret-sealed-in-one-account-and-kept-in-another';

/**
 * The values stack in ACCOUNT: the keys it owns, and the three values under `target` (its own LocalKey, or a key
 * of PARTNER given by ARN, as an app would import it).
 */
function valuesTemplate(options: { envelope?: string; target?: string } = {}): CfnTemplate {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'Values', { env: { account: ACCOUNT, region: REGION } });
  const keyAdmin = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  const sealer = new iam.Role(stack, 'Sealer', { assumedBy: new iam.AccountRootPrincipal() });
  const appRole = new iam.Role(stack, 'AppRole', { roleName: 'App', assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const sealingKey = new GuardedKey(stack, 'SealingKey', { admins: [keyAdmin] });
  sealingKey.grantEncrypt(sealer);
  const localKey = new GuardedKey(stack, 'LocalKey', { admins: [keyAdmin] });
  if (options.envelope) {
    const target = options.target ? kms.Key.fromKeyArn(stack, 'PartnerKey', options.target) : localKey;
    const previousTargetKeys = options.target ? [localKey] : [];
    const values = [
      new SealedValue(stack, 'DatabasePassword', { envelope: options.envelope, targetKey: target, sealingKey, encryptionContext: CONTEXT }),
      new GeneratedSecret(stack, 'SessionSecret', { targetKey: target, encryptionContext: CONTEXT, previousTargetKeys }),
      new DataKey(stack, 'RecordsKey', { targetKey: target, encryptionContext: CONTEXT, previousTargetKeys }),
    ];
    values.forEach(v => v.grantOpen(appRole));
  }
  return app.synth().getStackByName('Values').template;
}

/**
 * PARTNER's stack: two keys whose policies differ in one statement only. Both trust PARTNER's root and let
 * ACCOUNT's application role decrypt the values; only GrantingKey lets the values handler's role of ACCOUNT
 * rewrap into it (`kms:ReEncryptTo`, with the values' encryption context).
 */
function partnerTemplate(handlerRoleArn: string): CfnTemplate {
  const statements = (grantHandler: boolean) => [
    { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: 'kms:*', Resource: '*' },
    {
      Sid: 'OpenValues',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:app': 'billing' } },
    },
    ...(grantHandler ? [{
      Sid: 'RewrapValues',
      Effect: 'Allow',
      Principal: { AWS: handlerRoleArn },
      Action: 'kms:ReEncryptTo',
      Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:app': 'billing' } },
    }] : []),
  ];
  const key = (grantHandler: boolean) => ({ Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Version: '2012-10-17', Statement: statements(grantHandler) } } });
  return { Resources: { GrantingKey: key(true), SilentKey: key(false) } };
}

/**
 * A value whose target key is in another account: the handler (ACCOUNT's role) rewraps into PARTNER's key with one
 * cross-account ReEncrypt, allowed by its own IAM policy (the constructs' grants on an imported key) and by the
 * key policy there; without that key policy statement KMS refuses, and the deployment fails naming it.
 */
describe('local deployment: values whose target key is in another account', () => {
  let emulator: RunningEmulator;
  const deployments: LocalDeployment[] = [];
  const deploy = async (template: CfnTemplate, account = ACCOUNT, stackName = 'Values') => {
    const d = await deployLocally(template as never, { emulator, account, region: REGION, stackName });
    deployments.push(d);
    return d;
  };
  const envelopeOf = (d: LocalDeployment, prefix: string) => {
    const resource = d.resources.find(r => r.logicalId.startsWith(prefix) && r.type.startsWith('Custom::GuardedKeys'))!;
    return Buffer.from(String(resource.attributes.Envelope), 'base64');
  };
  const openAs = async (d: LocalDeployment, role: string, prefix: string, keyArn: string) => open(envelopeOf(d, prefix), {
    kms: d.clientFor(role), expect: { keyIds: [keyArn], encryptionContext: CONTEXT },
  });

  let envelope: string;
  let local: LocalDeployment;
  let partner: LocalDeployment;
  let before: { secret: string; dataKey: Buffer };

  beforeAll(async () => {
    ensureHandlerBundle();
    emulator = await startEmulator();
    // GIVEN a value sealed in ACCOUNT, and the values first deployed under ACCOUNT's own key
    const keysOnly = await deploy(valuesTemplate());
    const sealed = await seal(Buffer.from(SECRET), { keyIds: [keysOnly.key('SealingKey').arn], encryptionContext: CONTEXT, kms: keysOnly.clientFor('Sealer') });
    envelope = Buffer.from(sealed).toString('base64');
    local = await deploy(valuesTemplate({ envelope }));
    before = {
      secret: Buffer.from((await openAs(local, 'AppRole', 'SessionSecret', local.key('LocalKey').arn)).plaintext).toString(),
      dataKey: Buffer.from((await openAs(local, 'AppRole', 'RecordsKey', local.key('LocalKey').arn)).plaintext),
    };
    // AND PARTNER's keys, one of them granting the handler's role (its ARN as the values stack deployed it)
    const handler = local.resources.find(r => r.type === 'AWS::Lambda::Function')!;
    partner = await deploy(partnerTemplate(String(handler.properties.Role)), PARTNER, 'Partner');
  }, 60_000);
  afterAll(async () => {
    deployments.forEach(d => d.close());
    await emulator.stop();
  });

  test('a key of the other account whose policy does not grant the handler\'s role refuses, and the deployment fails naming it', async () => {
    // GIVEN the values under LocalKey; SilentKey's policy is GrantingKey's without the statement for the handler's role
    const silentKey = partner.key('SilentKey').arn;
    // WHEN they move to SilentKey THEN KMS refuses the rewrap, and the deployment fails with the handler's reason
    const failure = await deploy(valuesTemplate({ envelope, target: silentKey })).then(() => undefined, (err: Error) => err);
    expect(failure?.message).toMatch(/access denied by KMS/);
    expect(failure?.message).toContain(silentKey);
    // AND the refusal was the key policy's: no statement of it matched the handler's role
    const refused = emulator.decisions().filter(x => x.resource === silentKey && !x.allowed);
    expect(refused.length).toBeGreaterThan(0);
    // AND the values stay where the last good deployment put them
    expect(Buffer.from((await openAs(local, 'AppRole', 'DatabasePassword', local.key('LocalKey').arn)).plaintext).toString()).toBe(SECRET);
  });

  test('a key migration into the other account rewraps every value: the same secret, the same data key, opened there', async () => {
    const partnerKey = partner.key('GrantingKey').arn;
    expect(partnerKey).toContain(`:${PARTNER}:key/`);
    // WHEN
    const d = await deploy(valuesTemplate({ envelope, target: partnerKey }));
    // THEN each envelope is now wrapped by PARTNER's key only, and opens for ACCOUNT's application role
    for (const value of ['DatabasePassword', 'SessionSecret', 'RecordsKey']) {
      const opened = await openAs(d, 'AppRole', value, partnerKey);
      expect(opened.keyId).toBe(partnerKey);
    }
    expect(Buffer.from((await openAs(d, 'AppRole', 'DatabasePassword', partnerKey)).plaintext).toString()).toBe(SECRET);
    expect(Buffer.from((await openAs(d, 'AppRole', 'SessionSecret', partnerKey)).plaintext).toString()).toBe(before.secret);
    expect(Buffer.from((await openAs(d, 'AppRole', 'RecordsKey', partnerKey)).plaintext).equals(before.dataKey)).toBe(true);
    // AND the old key of ACCOUNT no longer opens them (nothing wrapped by it is left)
    await expect(openAs(d, 'AppRole', 'SessionSecret', local.key('LocalKey').arn)).rejects.toThrow();
    // AND the rewrap into PARTNER's key was decided by its key policy's statement for the handler's role
    const rewraps = emulator.decisions().filter(x => x.resource === partnerKey && x.action === 'kms:ReEncryptTo');
    expect(rewraps.length).toBeGreaterThanOrEqual(3);
    expect(rewraps.every(x => x.allowed && x.reason.includes('RewrapValues'))).toBe(true);
  });
});
