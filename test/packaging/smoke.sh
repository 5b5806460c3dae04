#!/usr/bin/env bash
# The packaging smoke tests, after `npx projen package-all` has filled dist/: each language's package installed
# in a fresh environment (npm tarball, Python venv, Maven project, Go module) synthesizes the same app and asserts
# on the templates. Each is bounded in time; all run even if one fails; the last line is the summary.
#   bash test/packaging/smoke.sh [js|python|java|go]...
set -uo pipefail
cd "$(dirname "$0")/../.."
langs=("$@")
[[ ${#langs[@]} -gt 0 ]] || langs=(js python java go)
passed=0 failed=0
for lang in "${langs[@]}"; do
  start=$SECONDS
  if timeout 900 bash "test/packaging/${lang}-smoke.sh"; then
    passed=$((passed + 1)); echo "smoke ${lang}: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1)); echo "smoke ${lang}: FAILED ($((SECONDS - start)) s)" >&2
  fi
done
echo "packaging smoke: ${passed} passed, ${failed} failed"
[[ $failed -eq 0 ]]
