#!/usr/bin/env bash
# The project's test command (README): installs what the tests need from Debian's packages —
# Mesa's CPU Vulkan driver (lavapipe) for the WGSL engine tests — then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

have_lavapipe() {
    ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && ldconfig -p | grep -q 'libvulkan\.so\.1'
}

if ! have_lavapipe; then
    echo "test.sh: installing Mesa's Vulkan drivers (lavapipe) for the GPU-engine tests" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 >/dev/null
fi
have_lavapipe || { echo "test.sh: lavapipe is still missing after the install" >&2; exit 1; }

# The test binaries start wgpu without aocbench's main, which keeps lavapipe's Wayland probe quiet
# (src/engine/gpu/display_probe.rs); this does the same for them.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

log=$(mktemp)
set +e
cargo test --locked --all-targets "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { passed += $4; failed += $6 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$log"
exit "$status"
