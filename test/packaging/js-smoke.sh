#!/usr/bin/env bash
# npm smoke test: a fresh project installs the built tarball (dist/js, from `npx projen package-all`) with its
# peer dependencies (and the KMS client the test creates a key with), runs test/packaging/js/smoke.mjs (ESM) and the installed CLI's --version.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
tarball=$(ls "$root"/dist/js/cdk-guarded-keys@*.tgz)
cdk=$(node -p 'require("./package.json").devDependencies["aws-cdk-lib"]')
constructs=$(node -p 'require("./package.json").devDependencies.constructs')
kms=$(node -p 'require("./package.json").dependencies["@aws-sdk/client-kms"]')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp test/packaging/js/smoke.mjs "$tmp/"
cd "$tmp"
echo '{ "name": "smoke", "private": true }' > package.json
npm install --no-audit --no-fund --loglevel=error "$tarball" "aws-cdk-lib@${cdk}" "constructs@${constructs}" "@aws-sdk/client-kms@${kms}"
node smoke.mjs
npx --no-install guarded-keys --version
