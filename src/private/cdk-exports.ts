import type * as Cdk from 'aws-cdk-lib';
import type * as Iam from 'aws-cdk-lib/aws-iam';

/**
 * aws-cdk-lib's exports, read once. Its index modules hand out every export through a getter that calls `require()`
 * again (`get: () => require("./lib").PolicyStatement`): about half a microsecond per `iam.PolicyStatement` or
 * `Token.isUnresolved` written in our code, and the policy model asks for them per key and per principal at every
 * synthesis (a tenth of a 500-key synthesis went to those getters). Read on first use, not on import: the guard's
 * CLI imports the size check's module and must not load aws-cdk-lib's IAM module for it. Types still come from
 * aws-cdk-lib itself.
 * @module
 */

/** The core classes the per-key code uses. */
export function cdkCore(): CoreClasses {
  if (!core) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cdk = require('aws-cdk-lib') as typeof Cdk;
    core = { Aws: cdk.Aws, CfnResource: cdk.CfnResource, Stack: cdk.Stack, Token: cdk.Token, Tokenization: cdk.Tokenization };
  }
  return core;
}

/** The IAM classes the policy model builds statements and principals with. */
export function iamClasses(): IamClasses {
  if (!iam) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const lib = require('aws-cdk-lib/aws-iam') as typeof Iam;
    iam = {
      AccountPrincipal: lib.AccountPrincipal,
      AccountRootPrincipal: lib.AccountRootPrincipal,
      AnyPrincipal: lib.AnyPrincipal,
      ArnPrincipal: lib.ArnPrincipal,
      Effect: lib.Effect,
      PolicyDocument: lib.PolicyDocument,
      PolicyStatement: lib.PolicyStatement,
    };
  }
  return iam;
}

interface CoreClasses {
  readonly Aws: typeof Cdk.Aws;
  readonly CfnResource: typeof Cdk.CfnResource;
  readonly Stack: typeof Cdk.Stack;
  readonly Token: typeof Cdk.Token;
  readonly Tokenization: typeof Cdk.Tokenization;
}

interface IamClasses {
  readonly AccountPrincipal: typeof Iam.AccountPrincipal;
  readonly AccountRootPrincipal: typeof Iam.AccountRootPrincipal;
  readonly AnyPrincipal: typeof Iam.AnyPrincipal;
  readonly ArnPrincipal: typeof Iam.ArnPrincipal;
  readonly Effect: typeof Iam.Effect;
  readonly PolicyDocument: typeof Iam.PolicyDocument;
  readonly PolicyStatement: typeof Iam.PolicyStatement;
}

let core: CoreClasses | undefined;
let iam: IamClasses | undefined;
