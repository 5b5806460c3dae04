// The construct tests again, against the newest aws-cdk-lib 2.x and constructs 10.x that the peer range allows,
// installed into .compat/ by the `test:cdk-latest` task (see .projenrc.ts). The floor of the range is what the
// main run uses (the devDependency). Every import of aws-cdk-lib or constructs, ours and aws-cdk-lib's own, is
// mapped to the newer copy, so the two never mix.
const base = require('../../package.json').jest;
const compat = '<rootDir>/.compat/node_modules';

module.exports = {
  ...base,
  rootDir: '../..',
  collectCoverage: false,
  moduleNameMapper: {
    '^aws-cdk-lib$': `${compat}/aws-cdk-lib`,
    '^aws-cdk-lib/(.*)$': `${compat}/aws-cdk-lib/$1`,
    '^constructs$': `${compat}/constructs`,
  },
  // Only the tests that build CDK apps: the envelope, emulator and CLI do not import aws-cdk-lib.
  testPathIgnorePatterns: ['/node_modules/', '/test/envelope/', '/test/emulator/', '/test/cli/'],
  reporters: ['default', ['jest-junit', { outputDirectory: 'test-reports', outputName: 'junit-cdk-latest.xml' }]],
};
