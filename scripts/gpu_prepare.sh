#!/usr/bin/env bash
# Gathers what scripts/gpu_check.sh needs on a GPU machine into one folder of this checkout,
# target/gpu-carry/ (ignored by git), for the remote runner's `carry`. That machine has no network
# and no Rust, may lack the Vulkan loader, and receives neither the instance folder nor target/ unless
# carried; the carry and the working tree travel together within 64 MiB, and this script keeps
# both together under 40 MiB (the tracked tree is about 22 MiB, mostly results/, whose finished
# folders keep results.json gzipped: scripts/archive_results.sh), hence gzipped binaries and only
# the instances the check runs:
#
#   bin/aocbench.gz    release build, stripped and gzipped (gpu_check.sh unpacks it)
#   bin/engine_gpu.gz  the release build of tests/engine_gpu.rs (CPU/GPU agreement), the same
#   lib/               Debian's Vulkan loader (libvulkan1) and EGL dispatch (libegl1, libglvnd0):
#                      gpu_check.sh puts them on LD_LIBRARY_PATH where the machine lacks its own
#   qplib/             the instances of scripts/gpu_plan.tsv's `instances` line and the smoke set
#                      (qbl/, gzipped) with catalog.csv
#   wheels/            simulated-bifurcation's pure-Python wheels and dimod's for CPython 3.12 and
#                      later (abi3), when pip could fetch them here (the machine's own PyTorch runs
#                      them; gpu_peers.sh checks the pins)
#   MANIFEST           commit, build date and host, sizes
#
#   scripts/gpu_prepare.sh                # run in the checkout the remote runner sends
#   scripts/gpu_prepare.sh --check-size   # only checks the carry and the tree against 40 MiB
#
# Honours CARGO_TARGET_DIR (the builds may live elsewhere; the carry folder is always here) and
# AOCBENCH_QPLIB_DIR (else qplib/, as aocbench looks).
set -euo pipefail
cd "$(dirname "$0")/.."

carry=target/gpu-carry
# What the carry and the working tree that travels with it may take together: the remote runner's
# 64 MiB less 24 MiB, a margin for what results/ may still gain in git.
limit_mib=40
# Debian packages holding the runtime libraries, and the sonames taken from them.
runtime_packages=(libvulkan1 libegl1 libglvnd0)
runtime_libraries=(libvulkan.so.1 libEGL.so.1 libGLdispatch.so.0)

say() { echo "gpu_prepare.sh: $*" >&2; }

# Checks the carry plus the working tree the remote runner sends (tracked files and untracked ones
# git does not ignore) against limit_mib; prints the sizes.
check_size() {
    local tree carried total
    tree=$(git ls-files -z --cached --others --exclude-standard | du --files0-from=- -cb 2>/dev/null | tail -n 1 | cut -f1)
    carried=$(du -sb "$carry" 2>/dev/null | cut -f1 || echo 0)
    total=$(( (tree + carried) / 1048576 ))
    say "working tree $(( tree / 1048576 )) MiB + $carry $(( carried / 1048576 )) MiB = ${total} MiB (at most ${limit_mib} MiB)"
    (( total <= limit_mib )) || { say "too large to travel safely: shrink $carry or what the tree tracks"; return 1; }
}
if [[ ${1:-} == --check-size ]]; then
    [[ -d $carry ]] || say "no $carry yet: the tree alone"
    check_size
    exit
fi

# The executable a cargo command builds (the last one it reports), from its JSON messages.
built_executable() {
    cargo "$@" --locked --message-format=json-render-diagnostics |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1
}

mkdir -p "$carry/bin" "$carry/lib" "$carry/qplib"

say "building aocbench and the GPU tests (release)"
aocbench=$(built_executable build --release --bin aocbench)
tests=$(built_executable test --release --test engine_gpu --no-run)
[[ -x $aocbench && -x $tests ]] || { say "cargo reported no executables (aocbench: '$aocbench', tests: '$tests')"; exit 1; }
# Debug info is most of their size (64 MiB unstripped) and useless there; gzip halves the rest.
rm -f "$carry/bin/aocbench" "$carry/bin/engine_gpu"
for pair in "aocbench:$aocbench" "engine_gpu:$tests"; do
    strip -o "$carry/bin/${pair%%:*}" "${pair#*:}"
    gzip -6 -f "$carry/bin/${pair%%:*}"
done

missing_libraries() {
    local name
    for name in "${runtime_libraries[@]}"; do [[ -f $carry/lib/$name ]] || echo "$name"; done
}
if [[ -n $(missing_libraries) ]]; then
    say "fetching ${runtime_packages[*]} from Debian's archive"
    debs=$(mktemp -d)
    # apt-get download needs the package lists; fetch them once if this machine has none.
    if ! (cd "$debs" && apt-get download "${runtime_packages[@]}" >/dev/null 2>&1); then
        SUDO=""
        [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq
        (cd "$debs" && apt-get download "${runtime_packages[@]}" >/dev/null)
    fi
    for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$debs/root"; done
    for name in "${runtime_libraries[@]}"; do
        # -L: the soname is a link to the versioned file; carry the file under the soname.
        cp -L "$debs/root/usr/lib/x86_64-linux-gnu/$name" "$carry/lib/$name"
    done
    rm -rf "$debs"
fi
[[ -z $(missing_libraries) ]] || { say "still missing: $(missing_libraries)"; exit 1; }

instances=""
for dir in "${AOCBENCH_QPLIB_DIR:-}" qplib; do
    if [[ -n $dir && -d $dir/qbl && -d $dir/qbn ]]; then instances=$dir; break; fi
done
[[ -n $instances ]] || { say "no instance folder with qbl/ and qbn/ (set AOCBENCH_QPLIB_DIR; scripts/download_qplib.sh fetches them)"; exit 1; }
# The check's instances: the plan's `instances` line and the smoke set (bench --set smoke).
read -ra wanted <<<"$(awk -F'\t' '$1 == "instances" { print $2 }' scripts/gpu_plan.tsv)"
for file in qplib/smoke/*.qplib; do wanted+=("$(basename "$file" .qplib)"); done
say "copying ${#wanted[@]} instances of $instances and qplib/smoke, gzipped"
# The best-known objectives; without them bench's targets come from AOC-DT itself.
if [[ -f $instances/catalog.csv ]]; then cp "$instances/catalog.csv" "$carry/qplib/catalog.csv"; fi
# Only these: a folder left from a fuller carry would travel too.
rm -rf "$carry/qplib/qbl" "$carry/qplib/qbn"
mkdir -p "$carry/qplib/qbl"
for name in "${wanted[@]}"; do
    file=""
    for candidate in "$instances"/qbl/"$name".qplib "$instances"/qbn/"$name".qplib qplib/smoke/"$name".qplib; do
        if [[ -f $candidate ]]; then file=$candidate; break; fi
    done
    [[ -n $file ]] || { say "instance $name is in neither $instances nor qplib/smoke"; exit 1; }
    gzip -9 -c "$file" >"$carry/qplib/qbl/$name.qplib.gz"
done

# simulated-bifurcation (pure Python) and tqdm, its one dependency a PyTorch image may lack, and
# dimod (the peers' binary model; compiled, so one wheel per CPython: the abi3 one, 3.12 and
# later, which a current PyTorch image has), for the dSB step; it is skipped there without them,
# so a failed download here is only a note.
sb_pin=$(grep '^simulated-bifurcation==' scripts/requirements-reference.txt)
dimod_pin=$(grep '^dimod==' scripts/requirements-reference.txt)
if ! compgen -G "$carry/wheels/simulated_bifurcation-${sb_pin#*==}-*.whl" >/dev/null ||
   ! compgen -G "$carry/wheels/dimod-${dimod_pin#*==}-*.whl" >/dev/null; then
    rm -rf "$carry/wheels"
    fetch() { python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --dest "$carry/wheels" "$@" >&2; }
    fetch "$sb_pin" tqdm && fetch --python-version 3.12 --implementation cp --platform manylinux_2_28_x86_64 "$dimod_pin" ||
        say "could not fetch the $sb_pin and $dimod_pin wheels: the check's dSB step will be skipped"
fi

size_mib=$(du -sm "$carry" | cut -f1)
{
    echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(. /etc/os-release && echo "$PRETTY_NAME"), $(ldd --version | sed -n 1p)"
    echo "instances from $instances"
    echo "size ${size_mib} MiB"
    (cd "$carry" && find bin lib qplib wheels -maxdepth 2 -type f -printf '%s %p\n' 2>/dev/null)
} >"$carry/MANIFEST"
check_size
say "$carry ready (${size_mib} MiB); run scripts/gpu_check.sh there with carry [\"$carry\"]"
