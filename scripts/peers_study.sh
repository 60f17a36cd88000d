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
mkdir -p "$out"
# Row kinds, for the families (equality_rows).
"$aocbench" info --set qbl --format csv > "$out/qbl-instances.csv"

for set in qbl qbn; do
    dir="$out/$set-${seconds}s-seed$seed"
    # merge writes a folder only when no unit is missing (archived: results.json.gz).
    if [[ -f "$dir/results.json" || -f "$dir/results.json.gz" ]]; then
        echo "peers_study.sh: $dir is complete; kept" >&2
        continue
    fi
    echo "peers_study.sh: $set, ${seconds} s per solver, seed $seed, references $references -> $dir" >&2
    start=$(date +%s)
    pids=()
    for shard in 1 2; do
        "$aocbench" bench --set "$set" --time-limit "$seconds" --seed "$seed" --threads 1 --engine cpu \
            --reference "$references" --shard "$shard/2" --resume "$dir.shard$shard" "${extra[@]}" \
            > "$dir.shard$shard.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid"; done
    rm -rf "$dir"
    "$aocbench" merge "$dir.shard1" "$dir.shard2" --out "$dir"
    bash scripts/archive_results.sh "$dir"
    echo "peers_study.sh: $set took $(( $(date +%s) - start )) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done

python3 scripts/peers_summary.py "$out/qbl-instances.csv" "$out/qbl-${seconds}s-seed$seed" "$out/qbn-${seconds}s-seed$seed" \
    | tee "$out/peers-${seconds}s-seed$seed.md"
