/**
 * The example app of deploy-time values: one of each construct, opened at run time by AppRole only.
 *
 * - SealingKey: what `guarded-keys seal` used (the Sealer role encrypts with it); the committed envelope is
 *   rewrapped at deploy time to the target key by a SealedValue.
 * - TargetKey (strict mode) and NewTargetKey: the values live under one of them; moving `target` from one to the
 *   other is a key migration that rewraps each value instead of replacing it.
 * - A GeneratedSecret and a DataKey, under the same target, with the same encryption context.
 *
 * Built twice by the integration test and the demo: without `envelope` (the keys exist, so the value can be
 * sealed), then with it.
 */
import { App, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataKey, GeneratedSecret, GuardedKey, SealedValue } from '../src';

export const VALUES_ACCOUNT = '111122223333';
export const VALUES_REGION = 'eu-west-1';
export const VALUES_CONTEXT = { app: 'billing' };

export interface ValuesAppOptions {
  /** The sealed envelope (base64); without it, only the keys and roles are built. */
  readonly envelope?: string;
  /** Which key the values live under. @default 'TargetKey' */
  readonly target?: 'TargetKey' | 'NewTargetKey';
}

export function buildValuesApp(options: ValuesAppOptions = {}, app: App = new App()): App {
  const stack = new Stack(app, 'Values', { env: { account: VALUES_ACCOUNT, region: VALUES_REGION } });
  const keyAdmin = new iam.Role(stack, 'KeyAdmin', { assumedBy: new iam.AccountRootPrincipal() });
  const sealer = new iam.Role(stack, 'Sealer', { assumedBy: new iam.AccountRootPrincipal() });
  const appRole = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  new iam.Role(stack, 'OtherRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

  const sealingKey = new GuardedKey(stack, 'SealingKey', { admins: [keyAdmin], description: 'seals values committed to the repository' });
  sealingKey.grantEncrypt(sealer);
  const keys = {
    TargetKey: new GuardedKey(stack, 'TargetKey', { admins: [keyAdmin], strict: true, description: 'values at run time' }),
    NewTargetKey: new GuardedKey(stack, 'NewTargetKey', { admins: [keyAdmin], description: 'values at run time, after the migration' }),
  };
  new CfnOutput(stack, 'SealingKeyArn', { value: sealingKey.keyArn });
  if (!options.envelope) return app;

  const target = keys[options.target ?? 'TargetKey'];
  const previousTargetKeys = Object.values(keys).filter(k => k !== target);
  const values = [
    new SealedValue(stack, 'DatabasePassword', { envelope: options.envelope, targetKey: target, sealingKey, encryptionContext: VALUES_CONTEXT }),
    new GeneratedSecret(stack, 'SessionSecret', { targetKey: target, encryptionContext: VALUES_CONTEXT, previousTargetKeys }),
    new DataKey(stack, 'RecordsKey', { targetKey: target, encryptionContext: VALUES_CONTEXT, previousTargetKeys }),
  ];
  for (const value of values) {
    value.grantOpen(appRole);
    new CfnOutput(stack, `${value.node.id}Envelope`, { value: value.envelope });
  }
  return app;
}
