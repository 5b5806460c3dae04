import { PolicyDocumentJson } from '../emulator/authz/types';

/** The CDK bootstrap qualifier of the default synthesizer. */
export const DEFAULT_QUALIFIER = 'hnb659fds';

/**
 * What `cdk bootstrap` attaches to the execution role by default (`--cloudformation-execution-policies`
 * defaults to AdministratorAccess): allow everything.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html
 */
export const ADMINISTRATOR_ACCESS: PolicyDocumentJson = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/**
 * The role CloudFormation acts as for one stack, in this order: the deployment's `roleArn` option (as
 * `cdk deploy --role-arn` passes one), the stack's `cloudFormationExecutionRoleArn` from the cloud assembly, or the
 * default synthesizer's bootstrap role `cdk-<qualifier>-cfn-exec-role-<account>-<region>`. Placeholders of
 * environment-agnostic stacks are resolved to the stack's environment.
 * @see https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html#bootstrapping-env-roles
 */
export function executionRoleArn(
  stack: { executionRoleArn?: string }, env: { account: string; region: string }, options: { roleArn?: string; qualifier?: string },
): string {
  const template = options.roleArn ?? stack.executionRoleArn
    ?? `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/cdk-${options.qualifier ?? DEFAULT_QUALIFIER}-cfn-exec-role-\${AWS::AccountId}-\${AWS::Region}`;
  const arn = template
    .replace(/\$\{AWS::AccountId\}/g, env.account)
    .replace(/\$\{AWS::Region\}/g, env.region)
    .replace(/\$\{AWS::Partition\}/g, 'aws');
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(arn)) {
    throw new Error(`the execution role of a stack must be an IAM role ARN. Received: ${arn}`);
  }
  return arn;
}
