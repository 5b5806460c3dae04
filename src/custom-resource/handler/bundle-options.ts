/**
 * The esbuild options of the handler bundle, in one place: the `bundle:handler` task (projenrc/bundle-handler.js,
 * after compile, reads them from lib/), the tests (test/support/handler-bundle.ts) and the bench
 * (bench/custom-resource.bench.ts) all build with these. Not part of the bundle, and not jsii API.
 *
 * What each choice buys, measured by the bench (docs/custom-resource.md, "The bundle"):
 * - `mainFields: ['module', 'main']`: the SDK's ES modules instead of its CommonJS builds, which esbuild can
 *   tree-shake (one `dist-cjs/index.js` per package cannot be: every protocol, codec and error class stays); the
 *   handler keeps only the SDK's command classes and signer (./lambda-kms.ts says why not its client);
 * - `@aws-sdk/client-kms` aliased to kms-command-classes.mjs, which takes each command class the handler and the
 *   envelope build from its own ES module: the envelope requires its commands at the first KMS call (so that a
 *   process which never calls KMS never loads the SDK), and a module reached by `require` is bundled with
 *   everything its imports reach (esbuild cannot tree-shake it), which was the SDK's whole client and default
 *   credential chain again (121 modules, checked by test/custom-resource/lambda-client.test.ts);
 * - minified, no legal comments, node22 (the function's runtime).
 * @module
 */
import { join } from 'path';

/** The subset of esbuild's `BuildOptions` used here (esbuild is a build-time dependency only). */
export interface HandlerBundleOptions {
  readonly entryPoints: string[];
  readonly bundle: true;
  readonly platform: 'node';
  readonly target: string;
  readonly format: 'cjs';
  readonly minify: boolean;
  readonly legalComments: 'none';
  readonly mainFields: string[];
  readonly alias: Record<string, string>;
  readonly logLevel: 'error';
  readonly outfile?: string;
}

/** The repository root, from src/custom-resource/handler (tests, bench) or lib/custom-resource/handler (the task). */
const ROOT = join(__dirname, '..', '..', '..');
const SOURCES = join(ROOT, 'src', 'custom-resource', 'handler');

/**
 * The options, always over the TypeScript sources (the bundle is built in the repository, at build time).
 * @param outfile where to write; omit it to pass `write: false` or an outfile of your own
 */
export function handlerBundleOptions(outfile?: string): HandlerBundleOptions {
  return {
    entryPoints: [join(SOURCES, 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    mainFields: ['module', 'main'],
    alias: { '@aws-sdk/client-kms': join(SOURCES, 'kms-command-classes.mjs') },
    logLevel: 'error',
    ...(outfile ? { outfile } : {}),
  };
}

