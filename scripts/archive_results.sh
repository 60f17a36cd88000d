#!/usr/bin/env bash
# Keeps finished results folders small in git: gzips each DIR's results.json into
# results.json.gz (gzip -n -9: no name or time stamp inside, so the same results.json always
# gives the same bytes). aocbench (compare, merge, bench --resume, export --qoblib) and the
# summary scripts read results.json.gz where it is the only one; a folder holding both is
# refused, so the plain file is removed. bench --resume turns the archive back into results.json.
# Usage: scripts/archive_results.sh DIR...
# A folder already archived is left as it is; a folder in use (a process holds its lock,
# .aocbench.lock) or without either file is an error.
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 DIR..." >&2; exit 2; }
for dir in "$@"; do
    json="$dir/results.json"
    if [[ -f "$json.gz" && ! -e "$json" ]]; then
        echo "archive_results.sh: $json.gz: already archived" >&2
        continue
    fi
    [[ -f "$json" ]] || { echo "archive_results.sh: $dir: no results.json (not a bench results folder?)" >&2; exit 1; }
    [[ ! -e "$json.gz" ]] || { echo "archive_results.sh: $json and $json.gz are both there: delete the one that is not current" >&2; exit 1; }
    # The lock file stays after a run; only a lock held now means a run is writing there.
    if [[ -e "$dir/.aocbench.lock" ]] && ! flock -n "$dir/.aocbench.lock" true; then
        echo "archive_results.sh: $dir is in use by a running aocbench: archive it once the run has ended" >&2
        exit 1
    fi
    gzip -n -9 "$json"
    echo "archive_results.sh: $json -> $json.gz" >&2
done
