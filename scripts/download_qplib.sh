#!/usr/bin/env bash
# Downloads the QPLIB instance sets aocbench benchmarks on — QBL (96: website classes QBL and
# CBL) and QBN (23 QUBOs) — from https://qplib.zib.de into TARGET_DIR/qbl and TARGET_DIR/qbn.
#
# Usage: scripts/download_qplib.sh [--only qbl|qbn] [TARGET_DIR]
#   TARGET_DIR  default: qplib/ at the repository root (one of the places aocbench looks)
#   --only SET  download one set only
# Environment:
#   QPLIB_BASE_URL  default https://qplib.zib.de/qplib (each instance is BASE/QPLIB_XXXX.qplib)
#   QPLIB_CATALOG   instance list to use; default ../shared/qplib/catalog.csv beside the
#                   repository when present, else the list embedded below
#
# QPLIB is CC-BY 4.0 (Furini et al., Math. Prog. Comp. 11 (2019) 237-265). The files are
# never committed (.gitignore excludes *.qplib). Files already present and valid are kept.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base_url="${QPLIB_BASE_URL:-https://qplib.zib.de/qplib}"
catalog="${QPLIB_CATALOG:-$repo_root/../shared/qplib/catalog.csv}"
target="$repo_root/qplib"
only=""

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

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

# Embedded list (from shared/qplib/catalog.csv): website QBL + CBL, then QBN.
EMBEDDED_QBL="0067 0633 0752 2315 2357 2359 2492 2512 2733 2880 2957 3307 3347 3361 3380 3402
3413 3584 3587 3614 3703 3709 3714 3750 3751 3752 3757 3762 3772 3775 3803 3815 3834 3841 3860
3865 3883 3913 3923 3931 3980 5935 5944 5962 5971 5980 6324 6487 6597 6647 6757 6764 6799 6941
7127 7139 7144 7149 7154 7159 7164 10040 10041 10042 10043 10044 10045 10046 10047 10048 10049
10050 10051 10052 10053 10054 10055 10056 10057 10058 10059 10060 10061 10062 10063 10064 10065
10066 10067 10068 10069 10070 10071 10072 10073 10074"
EMBEDDED_QBN="3506 3565 3642 3650 3693 3705 3706 3738 3745 3822 3832 3838 3850 3852 3877 5721
5725 5755 5875 5881 5882 5909 5922"

# Prints "set name" lines: from the catalog (columns 1 and 2, name and website class, come
# before any quoted field) or from the embedded list.
instance_list() {
    if [[ -f "$catalog" ]]; then
        echo "instance list: $catalog" >&2
        tail -n +2 "$catalog" | cut -d, -f1,2 | while IFS=, read -r name class; do
            case "$class" in
                QBL|CBL) echo "qbl $name" ;;
                QBN) echo "qbn $name" ;;
                *) echo "warning: skipping $name of class $class" >&2 ;;
            esac
        done
    else
        echo "instance list: embedded (no catalog at $catalog)" >&2
        for n in $EMBEDDED_QBL; do echo "qbl QPLIB_$n"; done
        for n in $EMBEDDED_QBN; do echo "qbn QPLIB_$n"; done
    fi
}

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

# The catalog lets the test suite check every file's counts.
if [[ -f "$catalog" && ! -f "$target/catalog.csv" ]]; then
    cp "$catalog" "$target/catalog.csv"
fi

echo "$((total - ${#failed[@]})) of $total instances in $target"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "error: ${#failed[@]} downloads failed: ${failed[*]}" >&2
    echo "Check the network, then run the script again (finished files are kept), or fetch them" >&2
    echo "by hand from $base_url/<name>.qplib into $target/qbl or $target/qbn." >&2
    exit 1
fi
