#!/usr/bin/env bash
# The whole-set quality study: AOC-DT alone on every QBL instance (or the ones given), one run
# per seed, then the summary (feasible, best-known reached, by family, per-instance gap).
#
#   scripts/quality.sh [SECONDS] [SEEDS] [INSTANCES...]
#
#   SECONDS    time limit per instance (default 10)
#   SEEDS      comma-separated seeds (default 1)
#   INSTANCES  names or files (default: the 96 QBL instances, --set qbl)
#
# Each seed's run goes to $QUALITY_OUT/<label>-<SECONDS>s-seed<SEED> (QUALITY_OUT defaults to
# results/quality, the label QUALITY_LABEL to `run`); an existing folder is reused as it stands
# when it holds a complete results.csv, so a study interrupted between seeds picks up there.
# The summary is printed and written beside the runs as <label>-<SECONDS>s.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
seeds=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
out=${QUALITY_OUT:-results/quality}
label=${QUALITY_LABEL:-run}
selection=(--set qbl)
[[ $# -gt 0 ]] && selection=("$@")

cargo build --release --locked --quiet
aocbench=target/release/aocbench
mkdir -p "$out"
# Instance sizes and row kinds for the families (equality_rows, constraints).
info="$out/$label-instances.csv"
"$aocbench" info "${selection[@]}" --format csv > "$info"
expected=$(( $(wc -l < "$info") - 1 ))

dirs=()
IFS=',' read -ra seed_list <<< "$seeds"
for seed in "${seed_list[@]}"; do
    dir="$out/$label-${seconds}s-seed$seed"
    dirs+=("$dir")
    if [[ -f "$dir/results.csv" ]] && (( $(wc -l < "$dir/results.csv") - 1 >= expected )); then
        echo "quality.sh: $dir is complete; kept" >&2
        continue
    fi
    rm -rf "$dir"
    echo "quality.sh: seed $seed, ${seconds} s per instance, $expected instances -> $dir" >&2
    start=$(date +%s)
    "$aocbench" bench "${selection[@]}" --time-limit "$seconds" --seed "$seed" --reference none \
        --engine cpu --out "$dir"
    echo "quality.sh: seed $seed took $(( $(date +%s) - start )) s" >&2
done

python3 scripts/quality_summary.py --info "$info" "${dirs[@]}" | tee "$out/$label-${seconds}s.md"
