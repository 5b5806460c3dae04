#!/usr/bin/env bash
# Installs the non-JS clients the emulator is tested with, reproducibly, for CI and a fresh machine:
#   - .venv-clients/ at the repository root, with pinned boto3, the AWS CLI (v1, from PyPI) and pyca/cryptography
#     (the independent checks of key-kinds-boto3.test.ts: ML-DSA, prehashed ECDSA, RSA-PSS, AES key wrap);
#   - the Go SDK v2 modules of test/clients/go (versions pinned by its go.mod and go.sum), in Go's module cache.
# Tests use .venv-clients/bin/python and .venv-clients/bin/aws when they exist (test/clients/support.ts).
# Usage: test/clients/setup.sh   (needs python3 >= 3.9 with venv, and Go >= 1.24 for the Go part)
set -euo pipefail

BOTO3_VERSION=1.43.11
AWSCLI_VERSION=1.45.11
CRYPTOGRAPHY_VERSION=48.0.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$root/.venv-clients"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "boto3==$BOTO3_VERSION" "awscli==$AWSCLI_VERSION" "cryptography==$CRYPTOGRAPHY_VERSION"
"$venv/bin/python" -c 'import boto3, cryptography; print("boto3", boto3.__version__, "cryptography", cryptography.__version__)'
"$venv/bin/aws" --version

if command -v go >/dev/null 2>&1; then
  (cd "$root/test/clients/go" && go mod download && go build -o /dev/null .)
  echo "go SDK v2 modules ready ($(go version))"
else
  echo "go not found: the Go SDK test will be skipped" >&2
fi
