/**
 * The templates of the guard comparison: one baseline that every guarded-keys rule passes, and one variant per
 * known defect, each the baseline with that one defect seeded (the bad examples of docs/guard-rules.md).
 * @module
 */

const ACCOUNT = '111122223333';
const FOREIGN = '444455556666';
const ROOT = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' } }, Action: 'kms:*', Resource: '*' };
const APP_USE = {
  Sid: 'AppUse',
  Effect: 'Allow',
  Principal: { AWS: { 'Fn::GetAtt': ['AppRole', 'Arn'] } },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: '*',
  Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com', 'kms:CallerAccount': ACCOUNT } },
};
const keyArn = { 'Fn::GetAtt': ['Key', 'Arn'] };

type Template = { Resources: Record<string, any> };

/** A key that passes every rule, a role that uses it through an IAM policy on that key only. */
export function baseline(): Template {
  // A fresh copy each time: the seeds edit statements in place.
  return structuredClone({
    Resources: {
      Key: {
        Type: 'AWS::KMS::Key',
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
        Properties: { Description: 'data', EnableKeyRotation: true, PendingWindowInDays: 30, KeyPolicy: { Version: '2012-10-17', Statement: [ROOT, APP_USE] } },
      },
      AppRole: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } },
      },
      AppPolicy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'app',
          Roles: [{ Ref: 'AppRole' }],
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }] },
        },
      },
    },
  });
}

/** One seeded defect: what it is, the guarded-keys rule written for it, and the edit that seeds it. */
export interface Defect {
  readonly id: string;
  readonly description: string;
  /** The guarded-keys rule that targets it (docs/guard-rules.md). */
  readonly rule: string;
  seed(t: Template): void;
}

const key = (t: Template) => t.Resources.Key;
const statements = (t: Template) => key(t).Properties.KeyPolicy.Statement as any[];
const appPolicy = (t: Template) => t.Resources.AppPolicy.Properties.PolicyDocument.Statement as any[];

/** The defects, in the order of docs/guard-rules.md. */
export const DEFECTS: readonly Defect[] = [
  { id: 'no-rotation', rule: 'GK1', description: 'symmetric key without rotation', seed: t => { delete key(t).Properties.EnableKeyRotation; } },
  { id: 'long-rotation', rule: 'GK1', description: 'rotation period 730 days (over 365)', seed: t => { key(t).Properties.RotationPeriodInDays = 730; } },
  { id: 'no-root', rule: 'GK2', description: 'key policy without the account-root statement', seed: t => { statements(t).splice(0, 1); } },
  {
    id: 'admin-uses',
    rule: 'GK3',
    description: 'a role both manages (kms:Create*, kms:Put*) and uses the key, across IAM and key policy',
    seed: t => { appPolicy(t).push({ Effect: 'Allow', Action: ['kms:Create*', 'kms:Put*', 'kms:ScheduleKeyDeletion'], Resource: keyArn }); },
  },
  {
    id: 'star-viaservice',
    rule: 'GK4',
    description: 'Principal * narrowed by kms:ViaService alone',
    seed: t => { statements(t).push({ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } } }); },
  },
  {
    id: 'star-open',
    rule: 'GK4',
    description: 'Principal * with no condition',
    seed: t => { statements(t).push({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }); },
  },
  { id: 'short-window', rule: 'GK5', description: 'deletion window of 7 days', seed: t => { key(t).Properties.PendingWindowInDays = 7; } },
  {
    id: 'rsa-2048',
    rule: 'GK6',
    description: 'RSA_2048 key for encryption',
    seed: t => { Object.assign(key(t).Properties, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }); delete key(t).Properties.EnableKeyRotation; },
  },
  {
    id: 'hmac-rotation',
    rule: 'GK7',
    description: 'rotation asked of an HMAC key (fails the deployment)',
    seed: t => { Object.assign(key(t).Properties, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }); },
  },
  {
    id: 'not-principal',
    rule: 'GK8',
    description: 'Allow with NotPrincipal',
    seed: t => { statements(t).push({ Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: 'kms:Decrypt', Resource: '*' }); },
  },
  {
    id: 'foreign-kms-all',
    rule: 'GK9',
    description: 'kms:* for another account\'s root',
    seed: t => { statements(t).push({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${FOREIGN}:root` }, Action: 'kms:*', Resource: '*' }); },
  },
  {
    id: 'service-no-source',
    rule: 'GK10',
    description: 'service principal (SNS) without aws:SourceArn/aws:SourceAccount',
    seed: t => { statements(t).push({ Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' }); },
  },
  {
    id: 'grant-unbounded',
    rule: 'GK11',
    description: 'kms:CreateGrant without kms:GrantIsForAWSResource',
    seed: t => { statements(t)[1].Action = [...statements(t)[1].Action, 'kms:CreateGrant']; },
  },
  { id: 'deletion-delete', rule: 'GK12', description: 'DeletionPolicy Delete', seed: t => { key(t).DeletionPolicy = 'Delete'; key(t).UpdateReplacePolicy = 'Delete'; } },
  {
    id: 'policy-32k',
    rule: 'GK13',
    description: 'key policy over 32 KB (one statement per role for 300 roles)',
    seed: t => {
      for (let i = 0; i < 300; i++) {
        statements(t).push({ Sid: `Use${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/application-role-number-${i}` }, Action: 'kms:Decrypt', Resource: '*' });
      }
    },
  },
  { id: 'iam-decrypt-all', rule: 'GK14', description: 'IAM policy allowing kms:Decrypt on Resource *', seed: t => { appPolicy(t)[0].Resource = '*'; } },
  { id: 'iam-kms-all', rule: 'GK14', description: 'IAM policy allowing kms:* on Resource *', seed: t => { appPolicy(t)[0] = { Effect: 'Allow', Action: 'kms:*', Resource: '*' }; } },
];

/**
 * Keys that are right but unusual: a tool that reports a rule on one of these (and not on the baseline) reports a
 * false positive.
 */
export const CORRECT_KEYS: readonly Defect[] = [
  {
    id: 'hmac-no-rotation',
    rule: 'none',
    description: 'HMAC key without rotation (KMS cannot rotate it)',
    seed: t => { Object.assign(key(t).Properties, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }); delete key(t).Properties.EnableKeyRotation; },
  },
  {
    id: 'signing-no-rotation',
    rule: 'none',
    description: 'ECC signing key without rotation (KMS cannot rotate it)',
    seed: t => { Object.assign(key(t).Properties, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }); delete key(t).Properties.EnableKeyRotation; },
  },
  { id: 'default-policy', rule: 'none', description: 'no KeyPolicy (CloudFormation applies the default root policy)', seed: t => { delete key(t).Properties.KeyPolicy; } },
];

/** The baseline with one defect seeded. */
export function seeded(defect: Defect): Template {
  const t = baseline();
  defect.seed(t);
  return t;
}
