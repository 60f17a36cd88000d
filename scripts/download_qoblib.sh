#!/usr/bin/env bash
# Downloads the QUBO classes of QOBLIB (the Quantum Optimization Benchmarking Library,
# https://github.com/ZIB-AOPT/QOBLIB) that aocbench reads — market split, LABS, maximum
# independent set — at a pinned commit into TARGET_DIR, with QOBLIB's own paths: each class's
# .qs files, its solutions/ and its recorded submissions/.
#
# Usage: scripts/download_qoblib.sh [--only marketsplit|labs|independentset] [--no-submissions] [TARGET_DIR]
#   TARGET_DIR        default: qoblib/ at the repository root (one of the places aocbench looks)
#   --only CLASS      download one class only
#   --no-submissions  leave out the recorded submissions (Abs2, Gurobi)
# Environment:
#   QOBLIB_REPO    default https://github.com/ZIB-AOPT/QOBLIB.git
#   QOBLIB_COMMIT  default de698d45d874ad72fe23c739b964f9d103e27669 (qoblib/catalog.csv is of it)
#
# A partial, sparse git clone: only the blobs of the chosen folders are fetched. QOBLIB's data is
# CC BY 4.0 (qoblib/README.md: credit QOBLIB and the submitters). The classes are never committed
# (.gitignore keeps only qoblib/README.md, catalog.csv and smoke/). Run again to update a download
# to the pinned commit; a TARGET_DIR other than qoblib/ gets a copy of the catalog, so that
# aocbench finds the best-known objectives beside the instances.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="${QOBLIB_REPO:-https://github.com/ZIB-AOPT/QOBLIB.git}"
commit="${QOBLIB_COMMIT:-de698d45d874ad72fe23c739b964f9d103e27669}"
target="$repo_root/qoblib"
classes=(marketsplit labs independentset)
submissions=yes

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
    case "$1" in
        --only)
            [[ $# -ge 2 && "$2" =~ ^(marketsplit|labs|independentset)$ ]] || { echo "error: --only needs marketsplit, labs or independentset" >&2; exit 2; }
            classes=("$2"); shift 2 ;;
        --no-submissions) submissions=no; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) target="$1"; shift ;;
    esac
done

command -v git >/dev/null || { echo "error: git is needed (a partial clone of QOBLIB)" >&2; exit 1; }

# QOBLIB's folder of each class's .qs files (the same paths aocbench looks in).
qs_folder() {
    case "$1" in
        marketsplit) echo 01-marketsplit/models/binary_unconstrained/qs_files ;;
        labs) echo 02-labs/models/quadratic_unconstrained/qs_files ;;
        independentset) echo 07-independentset/models/binary_unconstrained/qs_files ;;
    esac
}
paths=()
for class in "${classes[@]}"; do
    qs="$(qs_folder "$class")"
    top="${qs%%/*}"
    paths+=("/$top/README.md" "/$qs/" "/$top/solutions/")
    [[ "$submissions" == yes ]] && paths+=("/$top/submissions/")
done
paths+=("/LICENSE.data" "/README.md")

mkdir -p "$target"
# The checkout's files sit beside aocbench's own qoblib/ files (README.md, catalog.csv, smoke/),
# so the clone goes to a folder of its own and its files are copied over.
clone="$target/.qoblib-git"
if [[ ! -d "$clone/.git" ]]; then
    rm -rf "$clone"
    git clone --quiet --filter=blob:none --no-checkout "$repo" "$clone"
fi
git -C "$clone" sparse-checkout set --no-cone "${paths[@]}"
# The clone has every branch's history; a pinned commit on none of them is fetched by its id.
git -C "$clone" cat-file -e "$commit^{commit}" 2>/dev/null || git -C "$clone" fetch --quiet --filter=blob:none origin "$commit"
git -C "$clone" checkout --quiet --detach "$commit"

for path in "${paths[@]}"; do
    source="$clone$path"
    [[ -e "$source" ]] || { echo "error: $path is not in QOBLIB at $commit" >&2; exit 1; }
    destination="$target${path%/}"
    # QOBLIB's README.md and aocbench's qoblib/README.md share a name: QOBLIB's is kept as QOBLIB.md.
    [[ "$path" == /README.md ]] && destination="$target/QOBLIB.md"
    mkdir -p "$(dirname "$destination")"
    rm -rf "$destination"
    cp -R "$source" "$destination"
done

if [[ "$(cd "$target" && pwd)" != "$repo_root/qoblib" ]]; then
    cp "$repo_root/qoblib/catalog.csv" "$target/catalog.csv"
fi
for class in "${classes[@]}"; do
    echo "$class: $(find "$target/$(qs_folder "$class")" -name '*.qs*' | wc -l) .qs files"
done
echo "QOBLIB @ ${commit:0:7} in $target (use it with --qoblib-dir or AOCBENCH_QOBLIB_DIR when it is not ./qoblib)"
