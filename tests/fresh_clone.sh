#!/usr/bin/env bash
# The newcomer's path, on every change: clone HEAD into an empty temporary folder with
# nothing beside it, run ./build.sh build there, and check that its dist/ works (page
# loads under a project sub-path, a wijk gives a result). Committed work only: what is
# not in HEAD is not in the clone.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/jw-fresh-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
git clone --quiet --no-local "$ROOT" "$tmp/jeugdhulp-wijk"
cd "$tmp/jeugdhulp-wijk"
beside=$(find .. -mindepth 1 -maxdepth 1 ! -name jeugdhulp-wijk)
if [ -n "$beside" ]; then echo "fresh clone: $tmp holds more than the clone: $beside" >&2; exit 1; fi
echo "   clone of $(git rev-parse --short HEAD) in $tmp (no ../shared)"
start=$(date +%s)
# Nothing from this checkout's environment: default data/, dist/ and generated/.
env -u JEUGDHULP_DATA -u JEUGDHULP_DIST -u JEUGDHULP_MODEL_BIN -u JEUGDHULP_SITE_BIN \
  -u JEUGDHULP_VALUES_BIN -u CARGO_TARGET_DIR ./build.sh build
echo "   fresh-clone build: $(( $(date +%s) - start )) s"
env -u JEUGDHULP_DIST node --test tests/e2e/smoke.test.mjs
