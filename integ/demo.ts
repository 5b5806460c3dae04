/**
 * `npm run demo`: synthesize the example apps in integ/ and print each key's access matrix, read from
 * the synthesized templates (key policies and the IAM policies that reference each key).
 */
import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from './integ.data-platform';
import { buildMultiRegionApp } from './integ.multi-region';
import { keyAccessMatrices, renderAccessMatrix } from '../src/policy/access-matrix';

// Path metadata (as the CDK CLI writes it) lets the matrix name constructs instead of logical IDs.
const newApp = () => new App({ context: { 'aws:cdk:enable-path-metadata': true } });

for (const build of [buildDataPlatformApp, buildMultiRegionApp]) {
  const assembly = build(newApp()).synth();
  for (const stack of assembly.stacks) {
    for (const matrix of keyAccessMatrices(stack.template, `${stack.stackName} (${stack.environment.region})`)) {
      process.stdout.write(`${renderAccessMatrix(matrix)}\n\n`);
    }
  }
}
