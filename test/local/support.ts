import { RunningEmulator } from '../../src/emulator';
import { CfnTemplate } from '../../src/local';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
export const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

/** A key policy trusting the account (what CDK's kms.Key renders), plus optional statements. */
export function trustingPolicy(...statements: object[]): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' }, ...statements],
  };
}

/** A small app as a template: a key, an alias to it, a role allowed to use it by IAM. */
export interface AppOverrides {
  readonly key?: Record<string, unknown>;
  readonly keyAttributes?: Record<string, unknown>;
  readonly alias?: Record<string, unknown>;
  readonly extra?: Record<string, unknown>;
}

export function appTemplate(overrides: AppOverrides = {}): CfnTemplate {
  return {
    Resources: {
      Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: trustingPolicy(), Description: 'data', ...overrides.key }, ...overrides.keyAttributes },
      Alias: { Type: 'AWS::KMS::Alias', Properties: { AliasName: 'alias/app/data', TargetKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] }, ...overrides.alias } },
      App: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'App', AssumeRolePolicyDocument: {} } },
      AppPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'use',
          Roles: [{ Ref: 'App' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } }] },
        },
      },
      ...overrides.extra,
    },
  } as CfnTemplate;
}

/** The operations the emulator authorized since `from` (every KMS request authorizes at least once). */
export function operationsSince(emulator: RunningEmulator, from: number): string[] {
  return emulator.decisions().slice(from).map(d => d.operation);
}
