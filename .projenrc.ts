import { awscdk, javascript } from 'projen';
import { UpdateSnapshot } from 'projen/lib/javascript';

/**
 * The single source of truth for package.json, tsconfig, jest and the tasks.
 * Never hand-edit a generated file: change this one and run `npx projen`.
 */
const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-guarded-keys',
  description: 'AWS KMS keys that are safe by construction: guarded-key CDK constructs, an envelope-encryption core and a local KMS emulator that enforces key policies.',
  author: 'cdk-guarded-keys team',
  authorAddress: 'team@cdk-guarded-keys.dev',
  repositoryUrl: 'https://github.com/cdk-guarded-keys/cdk-guarded-keys.git',
  license: 'Apache-2.0',
  keywords: ['cdk', 'awscdk', 'kms', 'encryption', 'key-policy', 'envelope-encryption'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  minNodeVersion: '20.0.0',

  cdkVersion: '2.189.1',
  constructsVersion: '10.4.2',
  jsiiVersion: '~6.0.0',

  // jsii targets: JavaScript (always), Python, Java and Go. `npx projen package-all` builds all four into dist/.
  // .NET is left out: no .NET SDK installs from the package registries this project builds with (see README).
  publishToPypi: {
    distName: 'cdk-guarded-keys',
    module: 'cdk_guarded_keys',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkguardedkeys',
    mavenGroupId: 'io.github.cdk-guarded-keys',
    mavenArtifactId: 'cdk-guarded-keys',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-guarded-keys/cdk-guarded-keys-go',
    packageName: 'cdkguardedkeys',
  },

  // The envelope core, the emulator and the CLI are TypeScript-only (not jsii API),
  // and jsii refuses a non-jsii runtime dependency unless it is bundled.
  // @noble/* stay on their last CommonJS lines (ciphers/hashes/curves 1.x, post-quantum 0.4): the next lines are
  // ESM-only and this package compiles to CommonJS (Node 20 cannot require() ESM).
  bundledDeps: [
    '@aws-sdk/client-kms',
    '@noble/ciphers@^1.3.0',
    '@noble/curves@^1.9.7',
    '@noble/hashes@^1.8.0',
    '@noble/post-quantum@~0.4.1',
    // RSASSA-PSS verification over a caller's digest (Verify, MessageType DIGEST): OpenSSL's Node API has none.
    'node-forge@^1.4.3',
    '@smithy/signature-v4',
    '@smithy/protocol-http',
    '@smithy/hash-node',
    'commander@^14',
    'cli-progress',
  ],
  devDeps: [
    '@types/cli-progress',
    '@types/node-forge',
    'esbuild',
    'aws-cdk@^2',
    '@aws-crypto/client-node',
    'fast-check',
    // External validators of the example apps' templates (validators/, `npx projen validators`). cdk-nag 2.37 is
    // the last line whose aws-cdk-lib peer range takes this project's floor (2.189); 3.x wants 2.257.
    'cdk-nag@~2.37.55',
    // cfn-guard and AWS's Control Tower proactive-control Guard rules, as an npm package (for the comparison).
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
  ],

  bin: {
    'guarded-keys': 'lib/cli/main.js',
  },

  // CI must never rewrite a snapshot silently: `projen test` runs jest with --ci;
  // `npx projen test:update` is the deliberate way to accept a changed snapshot.
  jestOptions: {
    // jest 30 and eslint-import-resolver-typescript 3.8+ pull unrs-resolver, whose platform bindings the
    // registry here does not all serve: the lockfile then misses them and `npm ci` fails on a clean clone.
    jestVersion: '^29',
    updateSnapshot: UpdateSnapshot.NEVER,
    jestConfig: {
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      // The emulator and envelope tests start servers; give each file its own time budget.
      testTimeout: 60_000,
      coverageReporters: ['text-summary', 'lcov'],
    },
  },

  // One dev tsconfig for tests, example apps and benchmarks (jest, eslint and ts-node share it).
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    include: ['src/**/*.ts', 'test/**/*.ts', 'integ/**/*.ts', 'bench/**/*.ts', 'validators/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts'],
    compilerOptions: {},
    exclude: ['lib', 'dist', '**/cdk.out', 'bench/.venv', '.venv-validators'],
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'integ', 'bench', 'validators'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  // No GitHub workflows here: CI is .ci/run on a clean clone.
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  gitignore: ['/.compat', '/.venv-clients', '/.node22', '/.node24', '/cdk.out', '/integ/cdk.out', '/bench/.venv', '/bench/results', '/.venv-validators', '/validators/out', '*.tgz'],
  npmIgnoreOptions: { ignorePatterns: ['/bench', '/integ', '/validators', '/.ci', '/.compat', '/.venv-clients', '/.venv-validators', '/.node22', '/.node24', '/projenrc'] },
});

// The TypeScript-only entry points (emulator, local deployment and its jest matchers, envelope) as an `exports`
// map, so they resolve from ESM (which never guesses `/index.js` or `.js`) as from CommonJS, each with its types.
// `./lib/*` keeps every deep import that worked before the map working; `./.jsii` is what jsii tooling reads.
const entry = (path: string) => ({ types: `./lib/${path}.d.ts`, default: `./lib/${path}.js` });
project.package.addField('exports', {
  '.': entry('index'),
  './emulator': entry('emulator/index'),
  './local': entry('local/index'),
  './local/jest': entry('local/jest'),
  './local/snapshot-serializer': entry('local/snapshot-serializer'),
  './envelope': entry('envelope/index'),
  './lib/emulator': entry('emulator/index'),
  './lib/local': entry('local/index'),
  './lib/local/jest': entry('local/jest'),
  './lib/local/snapshot-serializer': entry('local/snapshot-serializer'),
  './lib/envelope': entry('envelope/index'),
  './lib/*.js': { types: './lib/*.d.ts', default: './lib/*.js' },
  './lib/*': entry('*'),
  './package.json': './package.json',
  './.jsii': './.jsii',
});

// Java and Go packaging need one step more than jsii-pacmak's defaults; each script says why.
project.tasks.tryFind('package:java')!.reset('bash projenrc/package-java.sh');
project.tasks.tryFind('package:go')!.reset('bash projenrc/package-go.sh');

// 3.7 is the last eslint-import-resolver-typescript without unrs-resolver (see jestVersion above).
project.deps.removeDependency('eslint-import-resolver-typescript');
project.addDevDeps('eslint-import-resolver-typescript@3.7.0');

// The construct tests again against the newest aws-cdk-lib 2.x and constructs 10.x the peer range allows (the
// main run uses the range's floor, the devDependency). The newer copy goes into .compat/, never into
// node_modules, so the lockfile and the floor run stay as they are. JSII_DEPRECATED=fail makes any use of a
// deprecated aws-cdk-lib API fail the run, as it fails a user's synth who sets it.
const cdkLatest = project.addTask('test:cdk-latest', {
  description: 'Run the construct tests against the newest aws-cdk-lib 2.x (the peer range\'s ceiling)',
  env: { JSII_DEPRECATED: 'fail' },
  steps: [
    { exec: 'mkdir -p .compat && cd .compat && npm install --no-save --no-package-lock --no-audit --no-fund --prefix . aws-cdk-lib@^2 constructs@^10 && node -p \'"aws-cdk-lib " + require("./node_modules/aws-cdk-lib/package.json").version\'' },
    { exec: 'jest --ci --config test/compat/jest.cdk-latest.config.js' },
  ],
});
project.testTask.spawn(cdkLatest);

// The emulator is tested from boto3, the AWS CLI and the Go SDK v2 as well as the JS SDK: their pinned versions
// are installed (a venv in .venv-clients, Go modules in Go's cache) before the tests, so a fresh machine needs
// nothing installed by hand.
const setupClients = project.addTask('setup:clients', {
  description: 'Install the non-JS KMS clients the emulator is tested with (pinned boto3, AWS CLI, Go SDK v2)',
  exec: 'bash test/clients/setup.sh',
});
project.testTask.prependSpawn(setupClients);

// External validators (validators/README.md): cfn-lint, checkov and cdk-nag over the synthesized templates of every
// example app in integ/ and docs/integrations/, failing on any finding that validators/exceptions.json does not
// excuse with a reason. The Python tools go into a venv (.venv-validators) kept between runs, like setup:clients.
const setupValidators = project.addTask('setup:validators', {
  description: 'Install the pinned Python validators (cfn-lint, checkov) into .venv-validators',
  exec: 'bash validators/setup.sh',
});
project.testTask.prependSpawn(setupValidators);
const validators = project.addTask('validators', {
  description: 'Run cfn-lint, checkov and cdk-nag on the example apps; fail on a finding validators/exceptions.json does not excuse',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json validators/run.ts',
  receiveArgs: true,
});
project.testTask.spawn(validators);
project.addTask('compare:guards', {
  description: 'Measure which of guarded-keys check, cdk-nag, checkov and cfn-guard catch each seeded key defect (docs/guard-comparison.md)',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json validators/compare-guards.ts',
  receiveArgs: true,
});

// The custom-resource handler (src/custom-resource/handler) is bundled once, at build time, into the package:
// users' synths only point an asset at lib/custom-resource/handler/bundle (no Docker, no bundling there).
// The esbuild options live in src/custom-resource/handler/bundle-options.ts (read here compiled, from lib/, by
// projenrc/bundle-handler.js); the tests (test/support/handler-bundle.ts) and the bench build with them too.
const bundleHandler = project.addTask('bundle:handler', {
  description: 'Bundle the custom-resource handler with esbuild into lib/custom-resource/handler/bundle',
  exec: 'node projenrc/bundle-handler.js lib/custom-resource/handler/bundle/index.js',
});
project.postCompileTask.spawn(bundleHandler);

// Bench and demo are TypeScript scripts run with ts-node against the sources.
// The demo deploys the values app, whose custom resources run the handler bundle: it is built first, so
// `npm ci && npm run demo` works on a fresh clone without a full build.
project.addTask('demo', {
  description: 'Deploy the example apps in integ/ into an embedded emulator: access matrices, measured; deploy-time values opened',
  steps: [
    { spawn: bundleHandler.name },
    { exec: 'ts-node --project tsconfig.dev.json integ/demo.ts' },
  ],
});
project.addTask('bench', {
  description: 'Run the benchmarks in bench/ (each prints a ratio against a peer measured in the same run)',
  exec: 'ts-node --transpile-only --project tsconfig.dev.json bench/run.ts',
  receiveArgs: true,
});

project.synth();
