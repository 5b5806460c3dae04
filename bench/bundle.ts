/**
 * Bundles an entry point with esbuild into a temporary directory, so a benchmark can run the library as users run
 * it (compiled, one file) without `npx projen compile` and without ts-node in the measured process.
 * @module
 */
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildSync } from 'esbuild';

const OUT = join(tmpdir(), 'guarded-keys-bench-bundles');

/**
 * The path of a CommonJS bundle of `entry` (relative to the repository root). `external` packages stay out of the
 * bundle and load from node_modules when first required, as they do for the packaged library (lib/), whose
 * dependencies are bundled as packages, not inlined.
 */
export function bundle(entry: string, name: string, external: string[] = []): string {
  mkdirSync(OUT, { recursive: true });
  const outfile = join(OUT, `${name}.js`);
  buildSync({
    entryPoints: [join(__dirname, '..', entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    external: ['esbuild', ...external],
  });
  return outfile;
}
