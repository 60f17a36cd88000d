#!/usr/bin/env bash
# Makes the example outputs that README.md and docs/metrics.md quote, so that they can be made
# again after a change instead of going stale:
#
#   results/examples/solve.txt    aocbench solve QPLIB_0067 --time-limit 10 --polish (standard output)
#   results/smoke-example/        aocbench bench --set smoke --seed 1 (AOC-DT against SCIP, 10 s each)
#
# About 3 minutes on 2 cores, plus SCIP's venv on first use (needs Python 3 and PyPI). Times
# depend on the machine and its load: say which machine made them where you quote them.
# Optional: AOCBENCH (the binary; default: a release build of this checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z ${AOCBENCH:-} ]]; then
    cargo build --release --locked
    AOCBENCH=${CARGO_TARGET_DIR:-target}/release/aocbench
fi

mkdir -p results/examples
"$AOCBENCH" solve QPLIB_0067 --time-limit 10 --polish > results/examples/solve.txt
"$AOCBENCH" bench --set smoke --seed 1 --out results/smoke-example --force | tee results/examples/bench.txt
