// The `bundle:handler` task (after compile): bundles the custom-resource handler with the options of
// src/custom-resource/handler/bundle-options.ts (compiled into lib/), into the path given.
// Usage: node projenrc/bundle-handler.js lib/custom-resource/handler/bundle/index.js
const { buildSync } = require('esbuild');
const { handlerBundleOptions } = require('../lib/custom-resource/handler/bundle-options');

buildSync(handlerBundleOptions(process.argv[2]));
