#!/usr/bin/env bash
# Installs Mesa's CPU Vulkan driver (lavapipe) and the Vulkan loader from Debian's packages when
# either is missing: the WGSL engine's tests (scripts/test.sh) and the GPU check's dry run
# (GPU_CHECK_SMALL=1 scripts/gpu_check.sh) run the shaders on it.
set -euo pipefail

have_lavapipe() {
    # Not grep -q: its early exit kills ldconfig with SIGPIPE, which pipefail reports as failure.
    ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && ldconfig -p | grep 'libvulkan\.so\.1' >/dev/null
}

if ! have_lavapipe; then
    echo "install_lavapipe.sh: installing Mesa's Vulkan drivers (lavapipe) and the Vulkan loader" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends mesa-vulkan-drivers libvulkan1 >/dev/null
fi
have_lavapipe || { echo "install_lavapipe.sh: lavapipe is still missing after the install" >&2; exit 1; }
