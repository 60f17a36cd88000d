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
# Extra `bench` options come from QUALITY_ARGS (e.g. QUALITY_ARGS=--no-multipliers for the
# penalty-only rule the method of multipliers is measured against).
#
# QUALITY_BIN names an aocbench binary to run instead of building one (variants of one build
# measured while the tree changes); the commit noted is then that of the tree, marked `+bin`.
#
# Each seed's run goes to $QUALITY_OUT/<label>-<SECONDS>s-seed<SEED> (QUALITY_OUT defaults to
# results/quality, the label QUALITY_LABEL to `run`); an existing folder is kept as it stands
# when its results.csv is complete, so a study interrupted between seeds picks up there.
# The summary is printed and written beside the runs as <label>-<SECONDS>s.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
seeds=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
out=${QUALITY_OUT:-results/quality}
label=${QUALITY_LABEL:-run}
read -ra extra <<< "${QUALITY_ARGS:-}"
selection=(--set qbl)
[[ $# -gt 0 ]] && selection=("$@")

[[ -n "${QUALITY_BIN:-}" ]] || cargo build --release --locked --quiet
# A private copy: a rebuild while the study runs must not change the solver between instances.
aocbench=$(mktemp --suffix=-aocbench)
trap 'rm -f "$aocbench"' EXIT
cp "${QUALITY_BIN:-target/release/aocbench}" "$aocbench"
chmod +x "$aocbench"
commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src shaders Cargo.toml Cargo.lock || echo '+changes')${QUALITY_BIN:++bin}
mkdir -p "$out"
# Instance sizes and row kinds, for the families (qumo_slacks, equality_rows).
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
        --engine cpu "${extra[@]}" --out "$dir"
    bash scripts/archive_results.sh "$dir"
    # The machine's load says how far a time-limited run's figures can be compared.
    echo "seed $seed: $(( $(date +%s) - start )) s wall; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" > "$dir/STUDY.txt"
done

{
    echo "Made with \`QUALITY_LABEL=$label QUALITY_ARGS='${QUALITY_ARGS:-}' scripts/quality.sh $seconds $seeds $*\`"
    echo "on $(date -u +%Y-%m-%d), commit $commit, $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))."
    for dir in "${dirs[@]}"; do echo "- $dir: $(cat "$dir/STUDY.txt" 2>/dev/null || echo 'kept from an earlier run')"; done
    echo
    python3 scripts/quality_summary.py --info "$info" "${dirs[@]}"
} | tee "$out/$label-${seconds}s.md"
