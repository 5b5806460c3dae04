#!/usr/bin/env bash
# Java smoke test: a Maven project (test/packaging/java) that takes the built package from dist/java (from
# `npx projen package-all`) as a file repository and runs its JUnit tests. Its target/ goes to a temp dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=$(node -p 'require("./package.json").version')
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r test/packaging/java/. "$tmp/"
# The package's own version is re-resolved from dist/java each run (it is rebuilt with the same version).
rm -rf "${HOME}/.m2/repository/io/github/cdk-guarded-keys"
(cd "$tmp" && mvn --batch-mode --no-transfer-progress test "-Dgk.repo=${root}/dist/java" "-Dgk.version=${version}")
