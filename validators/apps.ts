import { App } from 'aws-cdk-lib';
import { buildDataPlatformApp } from '../integ/integ.data-platform';
import { buildMultiRegionApp } from '../integ/integ.multi-region';
import { buildValuesApp, VALUES_ACCOUNT, VALUES_CONTEXT, VALUES_REGION } from '../integ/integ.values';
import { seal } from '../src/envelope';
import { integrationPages, pageExampleApp } from '../test/docs/integration-pages';
import { fakeKms } from '../test/envelope/fake-kms';
import { ensureHandlerBundle } from '../test/support/handler-bundle';

/**
 * The example apps the validators check: every app in integ/ and every docs/integrations page's example, built
 * as the integration tests build them, with path metadata on, so findings are named by construct path.
 * @module
 */

/** An example app, built fresh (not yet synthesized, so a validator's aspects can be added). */
export interface ExampleApp {
  /** `integ/data-platform`, `docs/integrations/s3`, ... */
  readonly name: string;
  build(): Promise<App>;
}

const withPathMetadata = () => new App({ context: { 'aws:cdk:enable-path-metadata': true } });

/** An envelope for the values app, sealed under a stand-in KMS: synth reads only its header. */
async function sampleEnvelope(): Promise<string> {
  const keyArn = `arn:aws:kms:${VALUES_REGION}:${VALUES_ACCOUNT}:key/00000000-0000-4000-8000-000000000000`;
  const sealed = await seal(Buffer.from('a value committed to the repository'), { keyIds: [keyArn], encryptionContext: VALUES_CONTEXT, kms: fakeKms().kms });
  return Buffer.from(sealed).toString('base64');
}

/** Every example app, integ/ first. */
export function exampleApps(): ExampleApp[] {
  return [
    { name: 'integ/data-platform', build: async () => buildDataPlatformApp(withPathMetadata()) },
    { name: 'integ/multi-region', build: async () => buildMultiRegionApp(withPathMetadata()) },
    {
      name: 'integ/values',
      build: async () => {
        // The custom resources' handler asset must exist where the constructs point (lib/, built by the build).
        ensureHandlerBundle();
        return buildValuesApp({ envelope: await sampleEnvelope() }, withPathMetadata());
      },
    },
    ...integrationPages().map(page => ({
      name: `docs/integrations/${page.replace(/\.md$/, '')}`,
      build: async () => pageExampleApp(page),
    })),
  ];
}
