#!/usr/bin/env bash
# package:java — jsii-pacmak's Java package, compiled against the aws-cdk-lib this library is built with.
#
# Why not plain `jsii-pacmak --target java`: the pom it generates asks for aws-cdk-lib in a version range
# ([floor,3.0.0)), and Maven compiles against the newest 2.x it finds. Newer aws-cdk-lib versions add members to
# interfaces this library implements (IKey gained getKeyRef() returning their KeyReference), so javac refuses
# GuardedReplicaKey although the same class works at run time with every version in the range. So the pom asks
# for the floor instead, as a plain (soft) Maven version: a user's own aws-cdk-lib dependency still wins over it,
# exactly as Go's minimum-version go.mod requirement lets a newer awscdk win.
set -euo pipefail
cd "$(dirname "$0")/.."

floor=$(node -p 'require("./package.json").devDependencies["aws-cdk-lib"]')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

jsii-pacmak -v --target java --code-only -o "$work"
pom="$work/java/pom.xml"
range="<version>\[${floor//./\\.},3\.0\.0)</version>"
grep -q "$range" "$pom" || { echo "package-java: no aws-cdk-lib range [${floor},3.0.0) in the generated pom" >&2; exit 1; }
sed -i "s|${range}|<version>${floor}</version>|" "$pom"

rm -rf dist/java && mkdir -p dist/java
out="$(pwd)/dist/java"
# The same Maven invocation jsii-pacmak makes: deploy into dist/java as a Maven repository layout.
(cd "$work/java" && MAVEN_OPTS="${MAVEN_OPTS:-} -XX:+TieredCompilation -XX:TieredStopAtLevel=1" \
  mvn --batch-mode --quiet deploy "-DaltDeploymentRepository=local::default::file://${out}")
find dist/java -name '*.jar' | sort
