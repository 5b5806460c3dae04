import { Aws, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { validationError } from '../private/errors';

/**
 * The deployment role of the stack that holds `scope`: the DefaultStackSynthesizer's CloudFormation execution role.
 * With `region`, the role is named for that region (a literal), so that a policy in another region's stack can
 * name it (the primary's policy names its replicas' roles).
 */
export function defaultDeployers(scope: Construct, region?: string): iam.IPrincipal[] {
  const synthesizer = Stack.of(scope).synthesizer;
  if (synthesizer instanceof DefaultStackSynthesizer) {
    // The synthesizer leaves CloudFormation placeholders in the ARN for its own Fn::Sub; a policy needs tokens.
    const arn = synthesizer.cloudFormationExecutionRoleArn
      .replace(/\$\{AWS::Partition\}/g, Aws.PARTITION)
      .replace(/\$\{AWS::AccountId\}/g, Aws.ACCOUNT_ID)
      .replace(/\$\{AWS::Region\}/g, region ?? Aws.REGION);
    return [new iam.ArnPrincipal(arn)];
  }
  throw validationError(scope, "strict mode needs 'deployers' (the role CloudFormation deploys with) when the stack does not use the DefaultStackSynthesizer");
}
