#!/usr/bin/env bash
# Installs the Python validators the example apps are checked with, reproducibly, for CI and a fresh machine:
# .venv-validators/ at the repository root with pinned cfn-lint and checkov (PyPI). The venv is kept between runs
# and pip is asked again only when a pin below changes (a stamp file records what is installed), so a warm run
# costs nothing. cdk-nag is an npm devDependency; cfn-guard and its rules come with @cdklabs/cdk-validator-cfnguard.
# Usage: validators/setup.sh   (needs python3 >= 3.9 with venv)
set -euo pipefail

CFN_LINT_VERSION=1.58.0
CHECKOV_VERSION=3.3.30

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-validators"
want="cfn-lint==$CFN_LINT_VERSION checkov==$CHECKOV_VERSION"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
  # shellcheck disable=SC2086 # $want is a list of requirement specifiers
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $want
  echo "$want" > "$venv/.installed"
fi
echo "validators ready: cfn-lint $("$venv/bin/cfn-lint" --version | awk '{print $2}'), checkov $("$venv/bin/checkov" --version)"
