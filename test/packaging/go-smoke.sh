#!/usr/bin/env bash
# Go smoke test: a fresh module (in a temp dir) that requires the jsii Go module and replaces it with
# dist/go/cdkguardedkeys (from `npx projen package-all`), then `go test`. aws-cdk-lib's awscli asset module is
# replaced with dist/go-deps/awscliv1, built from its npm package: the Go module proxy here refuses it
# (see projenrc/package-go.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
cdk=$(node -p 'require("./package.json").devDependencies["aws-cdk-lib"]')
constructs=$(node -p 'require("./package.json").devDependencies.constructs')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp test/packaging/go/smoke_test.go "$tmp/"
cat > "$tmp/go.mod" <<MOD
module smoke

go 1.25

require (
	github.com/aws/aws-cdk-go/awscdk/v2 v${cdk}
	github.com/aws/constructs-go/constructs/v10 v${constructs}
	github.com/cdk-guarded-keys/cdk-guarded-keys-go/cdkguardedkeys v0.0.0
)

replace github.com/cdk-guarded-keys/cdk-guarded-keys-go/cdkguardedkeys => ${root}/dist/go/cdkguardedkeys

replace github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 => ${root}/dist/go-deps/awscliv1
MOD
cd "$tmp"
go mod tidy
go test -count=1 -v ./...
