#!/usr/bin/env bash
# Gathers what scripts/gpu_check.sh needs on a GPU machine into one folder of this checkout,
# target/gpu-carry/ (ignored by git), for the device tool's `carry`. That machine has no network
# and no Rust, may lack the Vulkan loader, and receives neither the instance folder nor target/ unless
# carried, and a carry holds 64 MiB with the working tree — hence stripped binaries and gzipped
# instances:
#
#   bin/aocbench      release build, stripped
#   bin/engine_gpu    the release build of tests/engine_gpu.rs (CPU/GPU agreement), stripped
#   lib/              Debian's Vulkan loader (libvulkan1) and EGL dispatch (libegl1, libglvnd0):
#                     gpu_check.sh puts them on LD_LIBRARY_PATH where the machine lacks its own
#   qplib/            every instance of the instance folder (qbl/, qbn/, gzipped) and catalog.csv
#   MANIFEST          commit, build date and host, sizes
#
#   scripts/gpu_prepare.sh        # run in the checkout the device tool sends, before the call
#
# Honours CARGO_TARGET_DIR (the builds may live elsewhere; the carry folder is always here) and
# AOCBENCH_QPLIB_DIR (else qplib/, as aocbench looks).
set -euo pipefail
cd "$(dirname "$0")/.."

carry=target/gpu-carry
# What the carry may take, leaving room for the rest of the working tree within the tool's 64 MiB.
limit_mib=56
# Debian packages holding the runtime libraries, and the sonames taken from them.
runtime_packages=(libvulkan1 libegl1 libglvnd0)
runtime_libraries=(libvulkan.so.1 libEGL.so.1 libGLdispatch.so.0)

say() { echo "gpu_prepare.sh: $*" >&2; }

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
# Debug info is most of their size (64 MiB unstripped) and useless there.
strip -o "$carry/bin/aocbench" "$aocbench"
strip -o "$carry/bin/engine_gpu" "$tests"

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
say "copying the instances of $instances, gzipped"
# The best-known objectives; without them bench's targets come from AOC-DT itself.
if [[ -f $instances/catalog.csv ]]; then cp "$instances/catalog.csv" "$carry/qplib/catalog.csv"; fi
for set in qbl qbn; do
    mkdir -p "$carry/qplib/$set"
    for file in "$instances/$set"/*.qplib; do
        target=$carry/qplib/$set/$(basename "$file").gz
        # Unchanged instances keep their copy: the dry run prepares on every CI run.
        [[ $target -nt $file ]] || gzip -9 -c "$file" >"$target"
    done
done

size_mib=$(du -sm "$carry" | cut -f1)
{
    echo "commit $(git rev-parse HEAD)$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n), $(. /etc/os-release && echo "$PRETTY_NAME"), $(ldd --version | sed -n 1p)"
    echo "instances from $instances"
    echo "size ${size_mib} MiB"
    (cd "$carry" && find bin lib qplib -maxdepth 1 -type f -printf '%s %p\n')
} >"$carry/MANIFEST"
(( size_mib <= limit_mib )) || { say "$carry is ${size_mib} MiB, more than the ${limit_mib} MiB the device tool can carry with the tree"; exit 1; }
say "$carry ready (${size_mib} MiB); run scripts/gpu_check.sh there with carry [\"$carry\"]"
