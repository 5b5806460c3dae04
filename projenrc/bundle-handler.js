// The `bundle:handler` task (after compile, and before `npm run demo`): bundles the custom-resource handler with
// the options of src/custom-resource/handler/bundle-options.ts into the path given. After compile those options
// are read from lib/; on a fresh clone that was never compiled (`npm ci && npm run demo`) from the source, through
// ts-node, so one definition serves both.
// Usage: node projenrc/bundle-handler.js lib/custom-resource/handler/bundle/index.js
const { existsSync } = require('fs');
const { join } = require('path');
const { buildSync } = require('esbuild');

function loadBundleOptions() {
  const compiled = join(__dirname, '..', 'lib', 'custom-resource', 'handler', 'bundle-options.js');
  if (existsSync(compiled)) return require(compiled);
  require('ts-node').register({ transpileOnly: true, project: join(__dirname, '..', 'tsconfig.dev.json') });
  return require('../src/custom-resource/handler/bundle-options');
}

buildSync(loadBundleOptions().handlerBundleOptions(process.argv[2]));
