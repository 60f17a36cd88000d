#!/usr/bin/env bash
# The peers study: AOC-DT against SCIP and the heuristic peers on every QBL and QBN instance,
# one time limit, one seed, one thread per solver; each set split over two shard processes run
# side by side, then merged.
#
#   scripts/peers_study.sh [SECONDS] [SEED] [REFERENCES]
#
#   SECONDS     time limit per solver and instance (default 10)
#   SEED        (default 1)
#   REFERENCES  the --reference list (default scip,sa,tabu,dsb; dsb needs
#               `aocbench setup --reference dsb` first)
#
# Runs go to $PEERS_OUT/<set>-<SECONDS>s-seed<SEED> (PEERS_OUT defaults to results/peers); the
# per-family summary is printed and written beside them as peers-<SECONDS>s-seed<SEED>.md by
# scripts/peers_summary.py. Extra bench options come from PEERS_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
seed=${2:-1}
references=${3:-scip,sa,tabu,dsb}
out=${PEERS_OUT:-results/peers}
read -ra extra <<< "${PEERS_ARGS:-}"

source scripts/private_aocbench.sh
source scripts/bench_shards.sh
mkdir -p "$out"
# Row kinds, for the families (equality_rows).
"$aocbench" info --set qbl --format csv > "$out/qbl-instances.csv"

for set in qbl qbn; do
    bench_in_two_shards peers_study.sh "$out/$set-${seconds}s-seed$seed" "$set" "$set, ${seconds} s per solver, seed $seed, references $references" \
        --set "$set" --time-limit "$seconds" --seed "$seed" --threads 1 --engine cpu --reference "$references" "${extra[@]}"
done

python3 scripts/peers_summary.py "$out/qbl-instances.csv" "$out/qbl-${seconds}s-seed$seed" "$out/qbn-${seconds}s-seed$seed" \
    | tee "$out/peers-${seconds}s-seed$seed.md"
