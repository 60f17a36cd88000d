#!/usr/bin/env bash
# The regression gate's benchmark: the smoke set under the deterministic work budget.
#
#   scripts/bench_smoke.sh OUT_DIR
#
# .ci/run runs it into results/tmp/ci-smoke and compares that with results/baseline, which was
# made by this same script (`scripts/bench_smoke.sh results/baseline`). Everything that fixes a
# run's trajectory is pinned here — work budget, seed, engine (threads do not change results;
# they are pinned so wall times compare) — so the counters of the two runs are comparable;
# change any of it and the baseline must be made again.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }

# 10^7 replica-iterations per instance: about 12 s for the whole set on a 2-core VM. --force:
# OUT_DIR is this script's to replace.
cargo run --release --locked -- bench --set smoke --work 10000000 --seed 1 --reference none \
    --threads 2 --engine cpu --force --out "$1"
