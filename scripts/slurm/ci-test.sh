#!/usr/bin/env bash
# CI: one bench split over a real Slurm job array, on a one-node cluster on this machine
# (scripts/slurm/local-cluster.sh; run as root or with sudo for the packages).
#
#   bash scripts/slurm/ci-test.sh
#
# 1. The smoke set under a small work budget (no reference) in one process, and as a 3-task
#    array through scripts/slurm/bench-array.sbatch; the merged results.csv must equal the
#    single run's apart from the wall-clock columns.
# 2. A second array with one task cancelled before it starts: merge must name that shard's
#    units and the shard; the task submitted again, the merge must complete and agree again.
# Every wait is bounded; on a timeout the queue, the task logs and the daemons' logs are shown.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Bring the cluster up around this script, once.
if [[ -z ${SLURM_CONF:-} ]]; then
    exec bash scripts/slurm/local-cluster.sh bash "$0" "$@"
fi

started=$SECONDS
say() { echo "slurm-ci: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

work=$(realpath -m results/tmp/slurm-ci)
rm -rf "$work"
mkdir -p "$work/logs"
cargo build --release --locked --quiet
# A copy the array tasks run, which no later build can change under them.
bin=$work/aocbench
cp "${CARGO_TARGET_DIR:-target}/release/aocbench" "$bin"

# 10^6 replica-iterations per instance: the whole smoke set in a few seconds.
options=(--set smoke --work 1000000 --seed 1 --reference none --engine cpu)

# Waits until job $1 has left the queue, for at most $2 seconds.
wait_for() {
    local job=$1 limit=$2 t0=$SECONDS
    while [[ -n $(squeue -h -j "$job" 2>/dev/null) ]]; do
        if ((SECONDS - t0 > limit)); then
            say "job $job still queued or running after $limit s:"
            squeue >&2 || true
            scontrol show job "$job" >&2 || true
            tail -n 20 "$work"/logs/* >&2 || true
            tail -n 40 "$(dirname "$SLURM_CONF")"/slurmctld.log "$(dirname "$SLURM_CONF")"/slurmd.log >&2 || true
            fail "timed out waiting for Slurm job $job"
        fi
        sleep 1
    done
}

# Submits the array script with the test's options; extra sbatch options first.
submit() {
    sbatch --parsable --cpus-per-task=1 --output="$work/logs/%A_%a.out" "$@" scripts/slurm/bench-array.sbatch "${options[@]}"
}

# results.csv of $1 and $2 with the wall-clock columns left out must be equal.
same_rows() {
    python3 - "$1/results.csv" "$2/results.csv" <<'EOF' || fail "$2/results.csv differs from $1/results.csv beyond the wall-clock columns"
import csv, sys
# Every column in seconds is read off the clock (time-to-target and -gap, TTS99, the primal
# integral over seconds and its horizon, wall time); the limit itself is equal anyway.
clock = lambda column: column.endswith("_s")
def rows(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in row.items() if not clock(k)} for row in csv.DictReader(f)]
a, b = rows(sys.argv[1]), rows(sys.argv[2])
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        print(f"row {i + 1}: " + ", ".join(f"{k}: {x[k]} vs {y[k]}" for k in x if x[k] != y.get(k)), file=sys.stderr)
        sys.exit(1)
if len(a) != len(b):
    print(f"{len(a)} rows vs {len(b)}", file=sys.stderr)
    sys.exit(1)
print(f"{len(a)} rows equal apart from the wall-clock columns", file=sys.stderr)
EOF
}

say "the smoke set in one process"
"$bin" bench "${options[@]}" --threads 1 --out "$work/single" >/dev/null

say "the smoke set as a 3-task array"
job=$(submit --array=1-3 --export=ALL,AOCBENCH="$bin",AOCBENCH_OUT="$work/array")
wait_for "$job" 120
"$bin" merge "$work"/array/shard-* --out "$work/merged" >/dev/null || { tail -n 20 "$work"/logs/* >&2; fail "merge of array $job"; }
same_rows "$work/single" "$work/merged"

say "a second array with task 2 cancelled before it starts"
job=$(submit --hold --array=1-3 --export=ALL,AOCBENCH="$bin",AOCBENCH_OUT="$work/array2")
scancel "${job}_2"
scontrol release "$job"
wait_for "$job" 120
if "$bin" merge "$work"/array2/shard-* --out "$work/merged2" 2>"$work/merge2.err" >/dev/null; then
    fail "merge succeeded with shard 2 cancelled"
fi
cat "$work/merge2.err" >&2
# The units of shard 2, as the plan in any shard's results.json deals them.
expected=$(python3 - "$work/array2/shard-1/results.json" <<'EOF'
import json, sys
units = json.load(open(sys.argv[1]))["metadata"]["plan"]["units"]
print("\n".join("%s #%d" % (u["instance"], u["repeat"]) for u in units if u["shard"] == 2))
EOF
)
[[ -n $expected ]] || fail "the plan gives shard 2 no units"
grep -q "shard 2/3: " "$work/merge2.err" || fail "merge did not name shard 2/3"
while read -r unit; do
    grep -qF "$unit" "$work/merge2.err" || fail "merge did not name the missing unit $unit"
done <<<"$expected"

say "shard 2 submitted again"
job=$(submit --array=2 --export=ALL,AOCBENCH="$bin",AOCBENCH_OUT="$work/array2",AOCBENCH_SHARD=2/3)
wait_for "$job" 120
"$bin" merge "$work"/array2/shard-* --out "$work/merged2" >/dev/null || { tail -n 20 "$work"/logs/* >&2; fail "merge after running shard 2 again"; }
same_rows "$work/single" "$work/merged2"

say "passed in $((SECONDS - started)) s"
