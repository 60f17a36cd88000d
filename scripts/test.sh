#!/usr/bin/env bash
# The project's test command (README, "The tests"): installs what the tests need from Debian's packages —
# Mesa's CPU Vulkan driver (lavapipe) for the WGSL engine tests, scripts/install_lavapipe.sh —
# then runs every test.
# Optional: AOCBENCH_QPLIB_DIR, a folder with the full QPLIB sets (scripts/download_qplib.sh), makes
# the reader's tests check every instance against the catalog; without it they check the shipped
# smoke set and generated instances. Likewise AOCBENCH_QOBLIB_DIR, a QOBLIB checkout
# (scripts/download_qoblib.sh): every .qs file against the catalog and QOBLIB's solution files
# through aocbench's objective; without it, the shipped qoblib/smoke files.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install_lavapipe.sh

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
