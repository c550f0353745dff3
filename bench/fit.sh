#!/usr/bin/env bash
# Fit benchmark: the full model (27 determinants, 2632 fit rows).
#  1. whole process: `jeugdhulp-wijk fit --out FILE` (read CSV, validate, impute,
#     fit, write JSON), median wall time of repeated runs;
#  2. in process: the fit alone (impute + REML), median of repeated runs.
# lme4 needs about 0.1 s in-process for the same fit (shared/reference: lmer_seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-41}
cargo build --release --quiet --bin jeugdhulp-wijk
BIN=$PWD/target/release/jeugdhulp-wijk
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
python3 - "$BIN" "$OUT/model.json" "$RUNS" <<'PY'
import statistics, subprocess, sys, time
bin_, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
subprocess.run([bin_, "fit", "--out", out], check=True, capture_output=True)  # warm the page cache
times = []
for _ in range(runs):
    t = time.perf_counter()
    subprocess.run([bin_, "fit", "--out", out], check=True, capture_output=True)
    times.append(time.perf_counter() - t)
med = statistics.median(times)
print(f"fit as a whole process: median {med*1e3:.1f} ms, min {min(times)*1e3:.1f} ms, max {max(times)*1e3:.1f} ms over {runs} runs"
      f" ({0.1/med:.0f}x faster than lme4's ~0.1 s in-process)")
PY
"$BIN" bench --runs "$RUNS"
