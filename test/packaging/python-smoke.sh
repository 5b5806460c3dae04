#!/usr/bin/env bash
# Python smoke test: a fresh venv, the built wheel (dist/python, from `npx projen package-all`), pytest. The access
# tests (test_emulator_access.py) reach the emulator through the compiled CLI (lib/cli/main.js) and boto3.
set -euo pipefail
cd "$(dirname "$0")/../.."
wheel=$(ls dist/python/*.whl)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel" pytest boto3
GUARDED_KEYS_CLI="node $(pwd)/lib/cli/main.js" "$tmp/venv/bin/pytest" -q -p no:cacheprovider test/packaging/python
