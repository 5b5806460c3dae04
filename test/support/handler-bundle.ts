import { mkdirSync, renameSync, writeFileSync } from 'fs';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { handlerBundleOptions } from '../../src/custom-resource/handler/bundle-options';
import { HANDLER_BUNDLE_DIR } from '../../src/custom-resource/handler-function';

let built = false;

/**
 * Builds the handler bundle where the constructs look for it, with the options of the `bundle:handler` task
 * (src/custom-resource/handler/bundle-options.ts), once per test process; written to a temporary name and
 * renamed, so parallel workers never read half a file.
 * @returns the bundle's path
 */
export function ensureHandlerBundle(): string {
  const file = path.join(HANDLER_BUNDLE_DIR, 'index.js');
  if (built) return file;
  const result = buildSync({ ...handlerBundleOptions(), write: false });
  mkdirSync(HANDLER_BUNDLE_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, result.outputFiles[0].contents);
  renameSync(temporary, file);
  built = true;
  return file;
}
