#!/usr/bin/env bash
# The quality each non-ideality of the hardware model costs at equal work (docs/hardware.md,
# "Measured"): the smoke set under --work 1000000 --seed 1 on the CPU engine, once ideal, once on
# aoc16 without non-idealities, once per aoc16 non-ideality alone, once with all of aoc16's and
# once with all of aoc48's, then the table (scripts/hardware_table.py).
# Usage: scripts/hardware_study.sh OUT_DIR [ARGS...]; ARGS go to every aoc16/aoc48 run
# (results/hardware/bcd: none, block coordinate descent by default; results/hardware: what is
# now --decomposition none).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: $0 OUT_DIR [ARGS...]" >&2; exit 2; }
out=$1
shift
cargo build --release --locked
run() {
    local name=$1
    shift
    "${CARGO_TARGET_DIR:-target}"/release/aocbench bench --set smoke --work 1000000 --seed 1 --reference none \
        --engine cpu --threads 2 --force --out "$out/$name" "$@"
    bash scripts/archive_results.sh "$out/$name"
}
run ideal --hardware ideal
for one in none quantization noise offsets tanh all; do
    run "aoc16-$one" --hardware aoc16 --non-ideality "$one" "$@"
done
run aoc48-all --hardware aoc48 "$@"
python3 scripts/hardware_table.py "$out"
