#!/usr/bin/env bash
# The heuristic peers' row weight rules measured against each other: sa and tabu under
# `--ref-penalty adaptive` and under `--ref-penalty dimod-default`, the two runs side by side
# (one process each, one thread each, so both see the same load), on the smoke set and every QBL
# instance with an equality row. AOC-DT runs under a token work budget: its rows are not part of
# the measurement.
#
#   scripts/penalty_rule_study.sh [SECONDS]
#
#   SECONDS  the peers' time limit per instance (default 10)
#
# Runs go to $PEERS_OUT/penalty-<rule>-<SECONDS>s (PEERS_OUT defaults to results/peers); the
# summary of each is printed and written beside them as penalty-rules-<SECONDS>s.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
out=${PEERS_OUT:-results/peers}

source scripts/private_aocbench.sh
mkdir -p "$out"
info="$out/qbl-instances.csv"
"$aocbench" info --set qbl --format csv > "$info"
# The smoke instances and the QBL instances with an equality row (column equality_rows).
mapfile -t instances < <( (ls qplib/smoke | sed 's/\.qplib$//'; awk -F, 'NR > 1 && $11 > 0 { print $1 }' "$info") | sort -u)
echo "penalty_rule_study.sh: ${#instances[@]} instances, sa and tabu at ${seconds} s, both rules side by side" >&2

start=$(date +%s)
pids=()
for rule in adaptive dimod-default; do
    dir="$out/penalty-$rule-${seconds}s"
    rm -rf "$dir"
    "$aocbench" bench "${instances[@]}" --work 1000 --seed 1 --threads 1 --engine cpu \
        --reference sa,tabu --ref-time-limit "$seconds" --ref-penalty "$rule" --out "$dir" > "$dir.log" 2>&1 &
    pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
bash scripts/archive_results.sh "$out"/penalty-{adaptive,dimod-default}-"${seconds}s"
echo "penalty_rule_study.sh: took $(( $(date +%s) - start )) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

for rule in adaptive dimod-default; do
    echo "### --ref-penalty $rule"
    echo
    python3 scripts/peers_summary.py --solvers=sa,tabu "$info" "$out/penalty-$rule-${seconds}s"
    echo
done | tee "$out/penalty-rules-${seconds}s.md"
