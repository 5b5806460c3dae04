#!/usr/bin/env bash
# package:go — jsii-pacmak's Go module in dist/go/cdkguardedkeys, built (`go build`) as jsii-pacmak builds it.
#
# Why not plain `jsii-pacmak --target go`: the Go module proxy this project builds with refuses
# github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 ("not available"), which aws-cdk-go's jsii package
# imports, so no Go program using awscdk builds here from the proxy alone. jsii-pacmak builds that module from
# its npm package (@aws-cdk/asset-awscli-v1, a dependency of aws-cdk-lib) when asked to package both, and then
# builds ours with a local replace. The awscli module goes to dist/go-deps/, never dist/go/: everything under
# dist/go is a module this project publishes. The smoke test (test/packaging/go-smoke.sh) uses the same replace.
set -euo pipefail
cd "$(dirname "$0")/.."

work=dist/.go-build
rm -rf "$work" dist/go dist/go-deps
jsii-pacmak -v --target go -o "$work" . node_modules/@aws-cdk/asset-awscli-v1
mkdir -p dist/go dist/go-deps
mv "$work/go/cdkguardedkeys" dist/go/
mv "$work/go/awscliv1" dist/go-deps/
rm -rf "$work"
echo "dist/go/cdkguardedkeys: $(head -1 dist/go/cdkguardedkeys/go.mod)"
