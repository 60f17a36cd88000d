#!/usr/bin/env bash
# The quality each non-ideality of the hardware model costs at equal work (README, "Hardware
# model"): the smoke set under --work 1000000 --seed 1 on the CPU engine, once ideal, once per
# aoc16 non-ideality alone, once with all of aoc16's and once with all of aoc48's, then the
# table (scripts/hardware_table.py). Usage: scripts/hardware_study.sh OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -eq 1 ]] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1
cargo build --release --locked
run() {
    local name=$1
    shift
    ./target/release/aocbench bench --set smoke --work 1000000 --seed 1 --reference none \
        --engine cpu --threads 2 --force --out "$out/$name" "$@"
}
run ideal --hardware ideal
for one in quantization noise offsets tanh all; do
    run "aoc16-$one" --hardware aoc16 --non-ideality "$one"
done
run aoc48-all --hardware aoc48
python3 scripts/hardware_table.py "$out"
