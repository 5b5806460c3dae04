import * as cdk from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * aws-cdk-lib's exports, read once. Its index modules hand out every export through a getter that calls `require()`
 * again (`get: () => require("./lib").PolicyStatement`): about half a microsecond per `iam.PolicyStatement` or
 * `Token.isUnresolved` written in our code, and the policy model asks for them per key and per principal at every
 * synthesis (a tenth of a 500-key synthesis went to those getters). Types still come from aws-cdk-lib itself.
 * @module
 */

/** The core classes the per-key code uses. */
export const core = {
  Aws: cdk.Aws,
  CfnResource: cdk.CfnResource,
  Stack: cdk.Stack,
  Token: cdk.Token,
  Tokenization: cdk.Tokenization,
};

/** The IAM classes the policy model builds statements and principals with. */
export const iamClasses = {
  AccountPrincipal: iam.AccountPrincipal,
  AccountRootPrincipal: iam.AccountRootPrincipal,
  AnyPrincipal: iam.AnyPrincipal,
  ArnPrincipal: iam.ArnPrincipal,
  Effect: iam.Effect,
  PolicyDocument: iam.PolicyDocument,
  PolicyStatement: iam.PolicyStatement,
};
