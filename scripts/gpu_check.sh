#!/usr/bin/env bash
# The GPU engine measured on a real GPU in one bounded run (issue 14): the machine, the Vulkan
# and GL runtime it offers, `aocbench perf` on both engines, the GPU tests against the real
# adapter, `bench` on both engines side by side, and a determinism check; summary.md at the end.
#
#   scripts/gpu_prepare.sh                     # here: builds and fills target/gpu-carry/
#   scripts/gpu_check.sh                       # on the GPU machine: needs only the checkout
#                                              # and target/gpu-carry/ (no network, no cargo)
#   GPU_CHECK_SMALL=1 scripts/gpu_check.sh     # dry run on lavapipe with tiny sizes (CI); it
#                                              # runs gpu_prepare.sh and installs lavapipe first
#
# Output: with $OUT set (the device tool's folder, which brings back at most 8 files) the results
# folder is built in a temporary place and $OUT receives summary.md, gpu_check.log and
# gpu-check.tar.gz (the whole folder, refreshed after every step, so a killed run still leaves
# what it measured); without it, results/gpu-DATE/ (dry run: results/tmp/gpu-check-small/).
#
# Bounds: every step runs under `timeout`, capped by its own limit and by what is left of
# GPU_CHECK_BUDGET_S (default 470 s; the device tool allows 600 s a command). A failed step is
# recorded and the others still run; the exit status is 1 when any step failed.
#
# Environment: GPU_CHECK_SMALL=1 (dry run), GPU_CHECK_BUDGET_S, GPU_CHECK_STEPS (step-name
# prefixes to run, space-separated, e.g. "perf_gpu bench_large" for a partial rerun),
# GPU_CHECK_PEAK_GFLOPS (fp32 peak without tensor cores; default 67000, an H100/H200 SXM).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
carry=target/gpu-carry
started=$(date +%s)
stamp=$(date -u +%Y%m%d-%H%M%S)
small=${GPU_CHECK_SMALL:-0}
[[ $small == 0 || $small == 1 ]] || { echo "gpu_check.sh: GPU_CHECK_SMALL must be 0 or 1" >&2; exit 2; }

if (( small )); then
    # The dry run builds what a GPU machine gets carried, so that it checks that too.
    bash scripts/install_lavapipe.sh
    bash scripts/gpu_prepare.sh
fi
[[ -x $carry/bin/aocbench && -x $carry/bin/engine_gpu ]] ||
    { echo "gpu_check.sh: $carry is incomplete: run scripts/gpu_prepare.sh where cargo is, and carry $carry" >&2; exit 2; }

# What is measured. The dry run keeps every step and shrinks its size, and takes the fallbacks a
# GPU machine may need (the carried loader, driver manifests written here) so that CI runs them.
if (( small )); then
    budget=${GPU_CHECK_BUDGET_S:-300}
    dense_sizes=(64 128)
    sparse_instances=(QPLIB_3762)
    smoke_selection=(QPLIB_3714)
    large_instances=(QPLIB_3762)
    smoke_seconds=1 large_seconds=2 determinism_work=1
    # Every phase runs at least one batch whatever the budget: on lavapipe a default one (128
    # replicas, deep search ≥ 500 iterations) takes about 10 s.
    bench_options=(--batch-size 64 --deep-iterations 100..100)
    # A few iterations instead of ~2 s calibrated runs.
    perf_gpu_options=(--replicas auto --iterations 5 --repeats 1)
    perf_cpu_options=(--replicas 128 --iterations 5 --repeats 1)
    # One agreement test: scripts/test.sh runs the whole file on every CI run anyway.
    test_filter=(dense_gpu_matches_cpu)
    adapter=llvmpipe
    vulkan_driver=libvulkan_lvp.so vulkan_manifest_glob='lvp_icd*.json'
    egl_driver=libEGL_mesa.so.0 egl_manifest_glob='*mesa*.json'
    force_fallbacks=1
    mode="dry run (GPU_CHECK_SMALL=1)"
    default_results=results/tmp/gpu-check-small
else
    budget=${GPU_CHECK_BUDGET_S:-470}
    dense_sizes=(256 1024 4096 8192)
    # perf's own default sparse set: QUMO J from 570 to 8,904 variables.
    sparse_instances=(QPLIB_3762 QPLIB_6757 QPLIB_3841 QPLIB_3380)
    smoke_selection=(--set smoke)
    # Where the 2-core CPU engine is starved: 3361 is dense (n = 1024), the others sparse.
    large_instances=(QPLIB_3361 QPLIB_3380 QPLIB_6757 QPLIB_5962)
    smoke_seconds=10 large_seconds=60 determinism_work=10000000
    bench_options=()
    # GPU: the engine's preferred batch, what plan.rs picks on this adapter and a solve runs.
    # CPU: B = 1024 gives each thread a 64-replica chunk on the small-J path (its preferred 128
    # would leave most of them idle and understate it); one timed run, as the budget allows.
    perf_gpu_options=(--replicas auto --repeats 2)
    perf_cpu_options=(--replicas 1024 --repeats 1)
    test_filter=()
    adapter=NVIDIA
    # NVIDIA's Vulkan ICD is its GLX library; its EGL vendor library serves wgpu's GL backend.
    vulkan_driver=libGLX_nvidia.so.0 vulkan_manifest_glob='nvidia_icd*.json'
    egl_driver=libEGL_nvidia.so.0 egl_manifest_glob='*nvidia*.json'
    force_fallbacks=0
    mode="full run"
    default_results=results/gpu-$stamp
fi
peak_gflops=${GPU_CHECK_PEAK_GFLOPS:-67000}
# Leaves time for the summary after the last step.
deadline=$(( started + budget - 15 ))

if [[ -n ${OUT:-} ]]; then
    results=$(mktemp -d)/$(basename "$default_results")
    publish=$OUT
else
    results=$default_results
    publish=""
    rm -rf "$results"
fi
mkdir -p "$results/logs" "$results/manifests"
results=$(cd "$results" && pwd)
exec > >(tee -a "$results/gpu_check.log" ${publish:+"$publish/gpu_check.log"}) 2>&1

aocbench=$repo/$carry/bin/aocbench
tests=$repo/$carry/bin/engine_gpu
# Always the carried instances: the GPU machine may have no instance folder, and the dry run checks them.
export AOCBENCH_QPLIB_DIR=$repo/$carry/qplib
# lavapipe's Wayland probe complains on every adapter start without this; it is only noise.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

say() { printf '[%3d s] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# record NAME STATUS SECONDS NOTE: one line of steps.tsv (ok, FAILED, absent, skipped).
record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results/steps.tsv"
    say "$1: $2${4:+ ($4)}"
}

# Refreshes $OUT's tarball; two lanes may call it at once, hence a private temporary name.
pack() {
    [[ -n $publish ]] || return 0
    local partial=$publish/.gpu-check.tar.gz.$BASHPID
    tar -czf "$partial" -C "$(dirname "$results")" "$(basename "$results")" 2>/dev/null && mv -f "$partial" "$publish/gpu-check.tar.gz"
}

# wanted NAME: whether GPU_CHECK_STEPS (unset: all) selects the step; the adapter listings
# always run, as the choice of backend depends on them.
wanted() {
    [[ -z ${GPU_CHECK_STEPS:-} ]] && return 0
    local prefix
    for prefix in devices_ $GPU_CHECK_STEPS; do [[ $1 == "$prefix"* ]] && return 0; done
    return 1
}

# step NAME CAP_S COMMAND...: runs COMMAND under timeout (CAP_S, or what is left of the budget
# when that is less), stdout to logs/NAME.out and stderr to logs/NAME.err, and records how it
# ended. Never fails itself: one broken step must not cost the others.
step() {
    local name=$1 cap=$2
    shift 2
    wanted "$name" || return 0
    local left=$(( deadline - $(date +%s) ))
    if (( left < 5 )); then
        record "$name" skipped 0 "budget of ${budget} s spent"
        return 0
    fi
    local limit=$(( cap < left ? cap : left )) t0 rc=0
    t0=$(date +%s)
    say "$name: running (at most ${limit} s)"
    timeout --kill-after=10 "$limit" "$@" >"$results/logs/$name.out" 2>"$results/logs/$name.err" || rc=$?
    local took=$(( $(date +%s) - t0 )) last
    # The last word of a failure: its error message, else its last line of output.
    last=$(tail -n 1 "$results/logs/$name.err")
    [[ -n $last ]] || last=$(tail -n 1 "$results/logs/$name.out")
    case $rc in
        0) record "$name" ok "$took" "" ;;
        124 | 137) record "$name" FAILED "$took" "timed out after ${limit} s" ;;
        *) record "$name" FAILED "$took" "exit $rc: ${last:0:200}" ;;
    esac
    pack
}

# The machine, as facts: called in a `||` list, so that nothing here can fail the run.
machine_facts() {
    echo "## host"
    uname -a
    (. /etc/os-release && echo "$PRETTY_NAME")
    ldd --version | sed -n 1p
    echo "cores: $(nproc)"
    grep -m1 'model name' /proc/cpuinfo || true
    free -g | sed -n 1,2p
    echo "## Vulkan loader (libvulkan.so.1) in the linker cache"
    ldconfig -p | grep 'libvulkan\.so\.1' || echo "absent"
    echo "## EGL dispatch (libEGL.so.1) in the linker cache"
    ldconfig -p | grep 'libEGL\.so\.1' || echo "absent"
    echo "## NVIDIA driver libraries"
    { ldconfig -p | grep -E 'libGLX_nvidia|libEGL_nvidia|libnvidia-'; find /usr/local/nvidia -name 'lib*nvidia*.so*' 2>/dev/null; } | sort -u
    local dir
    for dir in "${vulkan_manifest_dirs[@]}" "${egl_manifest_dirs[@]}"; do
        echo "## $dir"
        ls -l "$dir" 2>/dev/null || echo "absent"
    done
    echo "## carried build"
    cat "$carry/MANIFEST"
}

# Where the Vulkan loader and glvnd's EGL look for driver manifests, plus where the NVIDIA image
# mounts its own (outside the loader's default search path).
vulkan_manifest_dirs=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d)
egl_manifest_dirs=(/usr/share/glvnd/egl_vendor.d /etc/glvnd/egl_vendor.d /usr/local/nvidia/share/glvnd/egl_vendor.d)

# in_linker_cache PATTERN: whether ldconfig knows a library matching PATTERN. (Not grep -q: its
# early exit kills ldconfig with SIGPIPE, which pipefail reports as a failure.)
in_linker_cache() {
    ldconfig -p | grep -E "$1" >/dev/null
}

# find_library NAME: the path of a shared library, from the linker cache or the driver's folders.
find_library() {
    local path
    # Readers that take all input: an early exit would be a SIGPIPE failure under pipefail.
    path=$(ldconfig -p | awk -v name="$1" '$1 == name && path == "" { path = $NF } END { print path }')
    [[ -n $path ]] || path=$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 -maxdepth 3 -name "$1" -print -quit 2>/dev/null)
    echo "$path"
}

# driver_manifest KIND GLOB LIBRARY DIRS...: sets `manifest` to the driver manifest (Vulkan ICD
# or EGL vendor file) to hand the loader: an installed one matching GLOB, else one written here
# for LIBRARY, as the NVIDIA image may ship the driver without a manifest the loader finds (the
# dry run always writes its own, so that this path runs in CI); empty without either.
driver_manifest() {
    local kind=$1 glob=$2 library=$3 path dir candidate
    shift 3
    manifest=""
    path=$(find_library "$library")
    # A driver outside the linker cache is found, with its companion libraries, in its folder
    # (manifests usually name it without a folder).
    [[ -z $path ]] || in_linker_cache " => $path\$" || export LD_LIBRARY_PATH="$(dirname "$path")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    if (( ! force_fallbacks )); then
        for dir in "$@"; do
            for candidate in "$dir"/$glob; do
                if [[ -f $candidate ]]; then manifest=$candidate; return 0; fi
            done
        done
    fi
    [[ -n $path ]] || return 0
    manifest=$results/manifests/$kind.json
    case $kind in
        vulkan) printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3.0"}}\n' "$path" >"$manifest" ;;
        egl) printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s"}}\n' "$path" >"$manifest" ;;
    esac
}

# Makes the driver reachable: the carried loaders where the machine has none, and the manifests
# of the driver under test only (so that the engine cannot fall back to another adapter).
setup_runtime() {
    if (( force_fallbacks )) || ! in_linker_cache 'libvulkan\.so\.1' || ! in_linker_cache 'libEGL\.so\.1'; then
        export LD_LIBRARY_PATH="$repo/$carry/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
        echo "loaders: carried ($carry/lib: $(ls "$carry/lib" | tr '\n' ' '))"
    else
        echo "loaders: the machine's own"
    fi
    driver_manifest vulkan "$vulkan_manifest_glob" "$vulkan_driver" "${vulkan_manifest_dirs[@]}"
    if [[ -n $manifest ]]; then
        # VK_ICD_FILENAMES for loaders older than 1.3.207, which ignore VK_DRIVER_FILES.
        export VK_DRIVER_FILES=$manifest VK_ICD_FILENAMES=$manifest
        echo "Vulkan driver manifest: $manifest: $(tr -d '\n' <"$manifest")"
    else
        echo "Vulkan driver manifest: none ($vulkan_driver not found)"
    fi
    driver_manifest egl "$egl_manifest_glob" "$egl_driver" "${egl_manifest_dirs[@]}"
    if [[ -n $manifest ]]; then
        export __EGL_VENDOR_LIBRARY_FILENAMES=$manifest
        echo "EGL vendor manifest: $manifest: $(tr -d '\n' <"$manifest")"
    else
        echo "EGL vendor manifest: none ($egl_driver not found)"
    fi
    echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
}

# adapter_listed FILE: whether `aocbench devices --format json` output lists the adapter under test.
adapter_listed() {
    grep -q "\"name\": \"[^\"]*$adapter" "$1" 2>/dev/null
}

say "gpu_check.sh: $mode, budget ${budget} s, results in $results"
machine_facts >"$results/logs/machine.out" 2>&1 || true
if command -v nvidia-smi >/dev/null; then
    step nvidia_smi 30 nvidia-smi
    step nvidia_smi_query 30 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit --format=csv
else
    record nvidia_smi absent 0 "nvidia-smi not found"
fi
setup_runtime >"$results/logs/runtime.out" 2>&1
cat "$results/logs/runtime.out"
step devices_vulkan 60 "$aocbench" devices --format json
# wgpu's GL backend (EGL) is the way through when Vulkan fails; listed either way, as a fact.
step devices_gl 60 env WGPU_BACKEND=gl "$aocbench" devices --format json
if adapter_listed "$results/logs/devices_vulkan.out"; then
    backend=vulkan
elif adapter_listed "$results/logs/devices_gl.out"; then
    backend=gl
    export WGPU_BACKEND=gl
else
    backend=none
fi
if [[ $backend == none ]]; then
    record adapter FAILED 0 "no adapter named *$adapter* on Vulkan or GL: see logs/runtime.out and logs/devices_*.err"
else
    record adapter ok 0 "*$adapter* on $backend"
fi

# Two lanes run side by side to fit the budget: the GPU engine's steps on a quarter of the cores
# (its host side: recording dispatches, judging samples in f64), the CPU engine's on the rest.
cores=$(nproc)
gpu_cores=$(( cores >= 4 ? cores / 4 : 1 ))
cpu_threads=$(( cores > gpu_cores ? cores - gpu_cores : 1 ))
if command -v taskset >/dev/null && (( cores > 1 )); then
    on_gpu_cores=(taskset -c "0-$(( gpu_cores - 1 ))")
    on_cpu_cores=(taskset -c "$gpu_cores-$(( cores - 1 ))")
else
    on_gpu_cores=() on_cpu_cores=()
fi
echo "lanes: GPU engine on ${gpu_cores} cores, CPU engine on ${cpu_threads} threads (of ${cores}); taskset: $( (( ${#on_gpu_cores[@]} )) && echo yes || echo no)" >>"$results/logs/runtime.out"
mkdir -p "$results/perf" "$results/bench"

# The cores of each lane, as --threads (the CPU engine's pool; recorded for the GPU engine).
declare -A lane_threads=([gpu]=$gpu_cores [cpu]=$cpu_threads)

# perf_steps ENGINE RUNNER...: one perf run per workload with perf_ENGINE_options, each its own
# step and CSV, so that a slow or failing size costs only itself.
perf_steps() {
    local engine=$1 n name
    local -n options=perf_${engine}_options
    shift
    local common=(--engine "$engine" --threads "${lane_threads[$engine]}" "${options[@]}")
    for n in "${dense_sizes[@]}"; do
        step "perf_${engine}_dense_$n" 90 "$@" "$aocbench" perf "${common[@]}" --sizes "$n" --instances \
            --out "$results/perf/$engine-dense-$n.csv"
    done
    for name in "${sparse_instances[@]}"; do
        step "perf_${engine}_$name" 90 "$@" "$aocbench" perf "${common[@]}" --sizes --instances "$name" \
            --out "$results/perf/$engine-$name.csv"
    done
}

# bench_steps ENGINE RUNNER...: the smoke set and the large instances, as the side-by-side table
# pairs them.
bench_steps() {
    local engine=$1
    shift
    local common=(--reference none --seed 1 --engine "$engine" --threads "${lane_threads[$engine]}" "${bench_options[@]}")
    step "bench_smoke_$engine" 200 "$@" "$aocbench" bench "${smoke_selection[@]}" --time-limit "$smoke_seconds" "${common[@]}" --out "$results/bench/smoke-$engine"
    step "bench_large_$engine" 330 "$@" "$aocbench" bench "${large_instances[@]}" --time-limit "$large_seconds" "${common[@]}" --out "$results/bench/large-$engine"
}

gpu_lane() {
    if [[ $backend == none ]]; then
        record gpu_lane skipped 0 "no adapter named *$adapter*"
        return 0
    fi
    # --nocapture: the agreement figures the tests print go to the log and the summary.
    step tests_gpu 150 "${on_gpu_cores[@]}" env AOCBENCH_TEST_ADAPTER="$adapter" "$tests" --nocapture "${test_filter[@]}"
    perf_steps gpu "${on_gpu_cores[@]}"
    local run
    for run in 1 2; do
        step "determinism_$run" 90 "${on_gpu_cores[@]}" "$aocbench" bench "${smoke_selection[@]}" --work "$determinism_work" --seed 1 \
            --reference none --engine gpu "${bench_options[@]}" --out "$results/determinism/run$run"
    done
    step determinism_same 30 python3 scripts/gpu_report.py same-results "$results/determinism/run1/results.csv" "$results/determinism/run2/results.csv"
    bench_steps gpu "${on_gpu_cores[@]}"
}

cpu_lane() {
    bench_steps cpu "${on_cpu_cores[@]}"
    perf_steps cpu "${on_cpu_cores[@]}"
}

dmon_pid=""
if command -v nvidia-smi >/dev/null; then
    # Clocks, power and utilisation every 5 s while the lanes run.
    nvidia-smi dmon -s pucm -d 5 >"$results/logs/dmon.out" 2>&1 &
    dmon_pid=$!
fi
gpu_lane &
gpu_lane_pid=$!
cpu_lane &
cpu_lane_pid=$!
wait "$gpu_lane_pid" || record gpu_lane FAILED 0 "the lane itself broke (exit $?)"
wait "$cpu_lane_pid" || record cpu_lane FAILED 0 "the lane itself broke (exit $?)"
[[ -z $dmon_pid ]] || kill "$dmon_pid" 2>/dev/null || true

elapsed=$(( $(date +%s) - started ))
python3 scripts/gpu_report.py summary "$results" --peak-gflops "$peak_gflops" --elapsed "$elapsed" \
    --mode "$mode, adapter *$adapter* on $backend" \
    >"$results/summary.md" || record summary FAILED 0 "gpu_report.py failed"
if [[ -n $publish ]]; then
    cp "$results/summary.md" "$publish/summary.md"
    pack
fi
cat "$results/summary.md"
failed=$(awk -F'\t' '$2 == "FAILED"' "$results/steps.tsv" | wc -l)
say "done in ${elapsed} s: $failed failed step(s); results in $results${publish:+ (and $publish)}"
(( failed == 0 ))
