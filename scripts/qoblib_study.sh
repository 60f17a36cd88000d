#!/usr/bin/env bash
# The QOBLIB study: AOC-DT (and AOC-DT + polish) on every instance of QOBLIB's three QUBO classes
# here (market split, LABS, independent set), beside simulated annealing and tabu search on the
# same machine and the runs QOBLIB records (Abs2, Gurobi) on theirs, one seed, one thread per
# solver, each tier split over two shard processes run side by side, then merged.
#
#   scripts/qoblib_study.sh [SEED] [REFERENCES]
#
#   SEED        (default 1)
#   REFERENCES  the --reference list (default sa,tabu; `none` for AOC-DT alone)
#
# The time limit grows with the instance: 2 s up to 200 variables, 5 s up to 1,000, 10 s beyond
# (QOBLIB_TIERS="200:2 1000:5 inf:10" sets other tiers). Every solver of a tier gets its limit.
# Needs a QOBLIB checkout (scripts/download_qoblib.sh, or --qoblib-dir through QOBLIB_ARGS).
#
# Runs go to $QOBLIB_OUT/<class>-<SECONDS>s-seed<SEED> (QOBLIB_OUT defaults to results/qoblib);
# a merged folder that exists is kept, so an interrupted study picks up where it stopped. The
# per-class summary is printed and written beside them as qoblib-seed<SEED>.md by
# scripts/qoblib_summary.py. Extra bench options come from QOBLIB_ARGS.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=${1:-1}
references=${2:-sa,tabu}
out=${QOBLIB_OUT:-results/qoblib}
read -ra extra <<< "${QOBLIB_ARGS:-}"
read -ra tiers <<< "${QOBLIB_TIERS:-200:2 1000:5 inf:10}"

source scripts/private_aocbench.sh
source scripts/bench_shards.sh
mkdir -p "$out"

dirs=()
for class in marketsplit labs independentset; do
    # Instance sizes, for the tiers.
    "$aocbench" info --set "$class" --format csv "${extra[@]}" > "$out/$class-instances.csv"
    low=0
    for tier in "${tiers[@]}"; do
        high=${tier%%:*}
        seconds=${tier##*:}
        mapfile -t names < <(python3 - "$out/$class-instances.csv" "$low" "$high" <<'PY'
import csv, sys
low, high = float(sys.argv[2]), float(sys.argv[3])
for row in csv.DictReader(open(sys.argv[1], newline="")):
    if low < int(row["n_vars"]) <= high:
        print(row["name"])
PY
)
        low=$high
        (( ${#names[@]} > 0 )) || continue
        dir="$out/$class-${seconds}s-seed$seed"
        dirs+=("$dir")
        bench_in_two_shards qoblib_study.sh "$dir" "$class at ${seconds} s" "$class, ${#names[@]} instances, ${seconds} s per solver, seed $seed, references $references" \
            "${names[@]}" --time-limit "$seconds" --seed "$seed" --threads 1 --engine cpu --polish --reference "$references" "${extra[@]}"
    done
done

python3 scripts/qoblib_summary.py "${dirs[@]}" | tee "$out/qoblib-seed$seed.md"
