import { existsSync } from 'fs';
import { join } from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { judge, parseExceptions, readExceptions } from '../../validators/exceptions-file';
import { validate } from '../../validators/validate';

/**
 * The validators through the real tools (cfn-lint and checkov from .venv-validators, which the test task's
 * setup:validators step installs; cdk-nag from npm): an app seeded with one finding per tool fails against the
 * project's exceptions file, and passes once an exception with a reason excuses each finding.
 */
const venv = join(__dirname, '..', '..', '.venv-validators', 'bin');
const tools = existsSync(join(venv, 'cfn-lint')) && existsSync(join(venv, 'checkov'));
const maybe = tools ? test : test.skip;
if (!tools) console.warn(`${venv} has no cfn-lint/checkov: run validators/setup.sh`);

function seededApp(): App {
  const app = new App({ context: { 'aws:cdk:enable-path-metadata': true } });
  const stack = new Stack(app, 'Seeded', { env: { account: '111122223333', region: 'eu-west-1' } });
  // cfn-lint E3004: a key whose policy names the bucket that the key encrypts (a circular dependency)
  const key = new kms.CfnKey(stack, 'Key', { enableKeyRotation: true, keyPolicy: {} });
  const bucket = new s3.CfnBucket(stack, 'Bucket', {
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: key.attrArn } }] },
  });
  key.keyPolicy = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'kms:Decrypt', Resource: '*', Condition: { ArnEquals: { 'aws:SourceArn': bucket.attrArn } } }],
  };
  // checkov CKV_AWS_63/CKV_AWS_62 and cdk-nag AwsSolutions-IAM5: kms:* on every key
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }));
  return app;
}

describe('a seeded app fails the validators', () => {
  maybe('each tool reports its seeded finding, and none is excused by the project\'s exceptions', async () => {
    const exceptions = readExceptions(join(__dirname, '..', '..', 'validators', 'exceptions.json'));
    const { runs, verdict } = await validate([{ name: 'seeded', build: async () => seededApp() }], exceptions);
    const found = verdict.unexcused.map(f => `${f.tool} ${f.rule} ${f.resource}`);
    expect(verdict.ok).toBe(false);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^cfn-lint E3004 Seeded\/(Key|Bucket)$/),
      'checkov CKV_AWS_63 Seeded/Role/DefaultPolicy/Resource',
      'cdk-nag AwsSolutions-IAM5 Seeded/Role/DefaultPolicy/Resource',
    ]));
    // (every exception of the project's file is judged unused here: it excuses nothing in this app)
    expect(verdict.unused).toHaveLength(exceptions.length);

    // WHEN each finding gets an exception with a reason THEN the same run passes
    const excusing = parseExceptions({
      exceptions: [...new Set(verdict.unexcused.map(f => JSON.stringify({ tool: f.tool, rule: f.rule, resource: f.resource })))]
        .map(e => ({ ...JSON.parse(e), reason: 'seeded on purpose by this test' })),
    });
    expect(judge(runs, excusing).ok).toBe(true);
  }, 120_000);
});
