#!/usr/bin/env bash
# Fit benchmark: the full model (27 determinants, 2632 fit rows).
# `jeugdhulp-wijk bench` times
#  1. the whole process: it starts its own `fit --out FILE` (process start,
#     read and check the CSV, sha256, impute, REML fit, write the model, exit)
#     RUNS times and prints the median against lme4's 0.104 s in-process;
#  2. each part warm, in process: reading, checking, hashing, fitting, JSON;
#  3. the page's Worker calls natively (issue 10): extendRun for Haaglanden with two
#     columns of the example file, refitNational with all 27 determinants.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-41}
cargo build --release --quiet --bin jeugdhulp-wijk
target/release/jeugdhulp-wijk bench --runs "$RUNS"
