#!/usr/bin/env bash
# Downloads the QPLIB instance sets aocbench benchmarks on — QBL (96: website classes QBL and
# CBL) and QBN (23 QUBOs) — from https://qplib.zib.de into TARGET_DIR/qbl and TARGET_DIR/qbn.
#
# Usage: scripts/download_qplib.sh [--only qbl|qbn] [TARGET_DIR]
#   TARGET_DIR  default: qplib/ at the repository root (one of the places aocbench looks)
#   --only SET  download one set only
# Environment:
#   QPLIB_BASE_URL  default https://qplib.zib.de/qplib (each instance is BASE/QPLIB_XXXX.qplib)
#   QPLIB_CATALOG   instance list to use; default qplib/catalog.csv (ships with the project)
#
# QPLIB is CC-BY 4.0 (Furini et al., Math. Prog. Comp. 11 (2019) 237-265). The full sets are
# never committed (.gitignore excludes *.qplib except the smoke instances in qplib/smoke).
# Files already present and valid are kept. A TARGET_DIR other than qplib/ gets a copy of the
# catalog, so that aocbench finds the best-known objectives beside the instances.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base_url="${QPLIB_BASE_URL:-https://qplib.zib.de/qplib}"
catalog="${QPLIB_CATALOG:-$repo_root/qplib/catalog.csv}"
target="$repo_root/qplib"
only=""

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --only)
            [[ $# -ge 2 && ( "$2" == qbl || "$2" == qbn ) ]] || { echo "error: --only needs qbl or qbn" >&2; exit 2; }
            only="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) target="$1"; shift ;;
    esac
done

# Prints "set name" lines from the catalog (columns 1 and 2, name and website class, come
# before any quoted field).
instance_list() {
    echo "instance list: $catalog" >&2
    tail -n +2 "$catalog" | cut -d, -f1,2 | while IFS=, read -r name class; do
        case "$class" in
            QBL|CBL) echo "qbl $name" ;;
            QBN) echo "qbn $name" ;;
            *) echo "warning: skipping $name of class $class" >&2 ;;
        esac
    done
}

[[ -f "$catalog" ]] || { echo "error: no instance list: $catalog is missing" >&2; exit 1; }

# A real instance file starts with its own name (an error page does not).
is_instance() { [[ -s "$1" && "$(head -n 1 "$1" | tr -d '\r')" == "$2" ]]; }

download() {
    local set="$1" name="$2"
    local dest="$target/$set/$name.qplib" url="$base_url/$name.qplib"
    if is_instance "$dest" "$name"; then
        return 0
    fi
    mkdir -p "$target/$set"
    if ! curl --fail --silent --show-error --location --retry 3 --retry-delay 5 \
        --connect-timeout 30 --max-time 600 --output "$dest.part" "$url" </dev/null; then
        rm -f "$dest.part"
        echo "FAILED $name: could not download $url" >&2
        return 1
    fi
    if ! is_instance "$dest.part" "$name"; then
        rm -f "$dest.part"
        echo "FAILED $name: $url did not return a .qplib file for $name" >&2
        return 1
    fi
    mv "$dest.part" "$dest"
    echo "ok     $name"
}

mkdir -p "$target"
failed=()
total=0
while read -r set name; do
    [[ -z "$only" || "$set" == "$only" ]] || continue
    total=$((total + 1))
    download "$set" "$name" || failed+=("$name")
done < <(instance_list)

# The catalog gives aocbench the best-known objectives, and the test suite every file's counts.
if [[ ! -f "$target/catalog.csv" ]]; then
    cp "$catalog" "$target/catalog.csv"
fi

echo "$((total - ${#failed[@]})) of $total instances in $target"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "error: ${#failed[@]} downloads failed: ${failed[*]}" >&2
    echo "Check the network, then run the script again (finished files are kept), or fetch them" >&2
    echo "by hand from $base_url/<name>.qplib into $target/qbl or $target/qbn." >&2
    exit 1
fi
