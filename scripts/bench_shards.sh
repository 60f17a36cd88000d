# Sourced by the study scripts (after scripts/private_aocbench.sh, which sets $aocbench): the
# step they share, one bench run as two shard processes side by side, then merged and archived.
#
#   bench_in_two_shards CALLER DIR WHAT ANNOUNCEMENT BENCH_ARGS...
#
#   CALLER        the study script's name, which starts its messages
#   DIR           the merged results folder; the shards write DIR.shard1 and DIR.shard2, their
#                 standard output and error going to DIR.shard1.log and DIR.shard2.log
#   WHAT          the run in the closing message ("qbl", "labs at 2 s")
#   ANNOUNCEMENT  the run in the opening message, before "-> DIR"
#   BENCH_ARGS    the arguments of `aocbench bench`, --shard and --resume left out
#
# A DIR holding results.json (or, archived, results.json.gz) is complete and kept: merge writes
# a folder only when no unit is missing, so an interrupted study picks up where it stopped, each
# shard resuming its own folder. A shard's exit status is left to merge, which refuses missing
# units and exits 1 on failed runs.
bench_in_two_shards() {
    local caller=$1 dir=$2 what=$3 announcement=$4
    shift 4
    if [[ -f "$dir/results.json" || -f "$dir/results.json.gz" ]]; then
        echo "$caller: $dir is complete; kept" >&2
        return 0
    fi
    echo "$caller: $announcement -> $dir" >&2
    local start shard pid
    start=$(date +%s)
    local pids=()
    for shard in 1 2; do
        "$aocbench" bench "$@" --shard "$shard/2" --resume "$dir.shard$shard" > "$dir.shard$shard.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
    rm -rf "$dir"
    "$aocbench" merge "$dir.shard1" "$dir.shard2" --out "$dir"
    bash scripts/archive_results.sh "$dir"
    echo "$caller: $what took $(( $(date +%s) - start )) s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
}
