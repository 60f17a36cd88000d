#!/usr/bin/env bash
# The GPU engine measured on a real GPU in one bounded run (issues 14 and 21): the machine and the
# Vulkan/GL runtime it offers, then, most valuable first, `aocbench perf` on the GPU against
# PyTorch's AOC-DT batch and sgemm at the same (n, B), the instance workloads, the agreement tests,
# determinism, `bench` beside simulated bifurcation, and one CPU perf for the GPU/CPU ratio.
#
#   scripts/gpu_prepare.sh                     # here: builds and fills target/gpu-carry/
#   scripts/gpu_check.sh                       # on the GPU machine: needs only the checkout
#                                              # and target/gpu-carry/ (no network, no cargo)
#   GPU_CHECK_PLAN_ONLY=1 scripts/gpu_check.sh # the full-size plan simulated against its cost
#   (or scripts/gpu_check.sh --plan-only)      # table, scripts/gpu_plan.tsv; runs nothing (CI)
#   GPU_CHECK_SMALL=1 scripts/gpu_check.sh     # every step on lavapipe with tiny sizes (CI); it
#                                              # runs gpu_prepare.sh and installs lavapipe first
#
# Output: with $OUT set (the remote runner's folder, which brings back at most 8 files) the results
# folder is built in a temporary place and $OUT receives summary.md, gpu_check.log and
# gpu-check.tar.gz (the whole folder); both are refreshed after every step, so a run cut short
# still leaves what it measured. Without $OUT: results/gpu-DATE/ (small: results/tmp/gpu-check-small-DATE/).
#
# Bounds: each step runs under `timeout` with its budget from scripts/gpu_plan.tsv, capped by what
# is left of the run's total (420 s there, leaving the remote runner's 600 s a command room for the
# machine's start). Without a usable adapter the run ends after the adapter listings (< 90 s) with
# a diagnosis and exit 1. A failed step is recorded and the others still run; a step without what
# it needs (PyTorch, the pinned simulated-bifurcation) is recorded as skipped, with why. The exit
# status is 1 when any step failed.
#
# Environment: GPU_CHECK_SMALL=1, GPU_CHECK_PLAN_ONLY=1, GPU_CHECK_STEPS (step-name prefixes to
# run, space-separated, e.g. "perf_gpu anchor" for a partial rerun), GPU_CHECK_ADAPTER (the adapter
# name to require; default NVIDIA, small: llvmpipe), GPU_CHECK_PEAK_GFLOPS (fp32 peak without
# tensor cores; default: from nvidia-smi's name and highest SM clock on a Hopper card, else 67000,
# an H100 SXM or H200; an H100 PCIe has about 51000).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
carry=target/gpu-carry
# GPU_CHECK_PLAN_TABLE: another cost table (to test the plan checks).
plan_table=${GPU_CHECK_PLAN_TABLE:-scripts/gpu_plan.tsv}
started=$(date +%s)
stamp=$(date -u +%Y%m%d-%H%M%S)
small=${GPU_CHECK_SMALL:-0}
plan_only=${GPU_CHECK_PLAN_ONLY:-0}
[[ ${1:-} == --plan-only ]] && plan_only=1
[[ $small == 0 || $small == 1 ]] || { echo "gpu_check.sh: GPU_CHECK_SMALL must be 0 or 1" >&2; exit 2; }
[[ $plan_only == 0 || $plan_only == 1 ]] || { echo "gpu_check.sh: GPU_CHECK_PLAN_ONLY must be 0 or 1" >&2; exit 2; }
(( ! (small && plan_only) )) || { echo "gpu_check.sh: GPU_CHECK_PLAN_ONLY simulates the full-size plan; unset GPU_CHECK_SMALL" >&2; exit 2; }

# The cost table: budget_s and table_index per step, total_s and summary_s, the carried instances.
declare -A budget_s=() table_index=() plan_value=()
table_steps=()
while IFS=$'\t' read -r key a b _; do
    [[ -z $key || $key == \#* ]] && continue
    if [[ -n $b ]]; then
        [[ $b =~ ^[0-9]+$ ]] || { echo "gpu_check.sh: $plan_table: step $key: budget '$b' is not whole seconds" >&2; exit 2; }
        [[ -z ${budget_s[$key]:-} ]] || { echo "gpu_check.sh: $plan_table: step $key is listed twice" >&2; exit 2; }
        table_index[$key]=${#table_steps[@]}
        table_steps+=("$key")
        budget_s[$key]=$b
    else
        plan_value[$key]=$a
    fi
done <"$plan_table"
# A prefix of GPU_CHECK_STEPS that selects no step is a typo that would spend a machine's start
# on the device listings alone.
for prefix in ${GPU_CHECK_STEPS:-}; do
    matched=0
    for name in "${table_steps[@]}"; do [[ $name == "$prefix"* ]] && matched=1; done
    (( matched )) || { echo "gpu_check.sh: GPU_CHECK_STEPS: '$prefix' starts no step's name in $plan_table (${table_steps[*]})" >&2; exit 2; }
done
total_s=${plan_value[total_s]:?$plan_table has no total_s}
summary_s=${plan_value[summary_s]:?$plan_table has no summary_s}
read -ra carried_instances <<<"${plan_value[instances]:?$plan_table has no instances}"

if (( small )); then
    # The small run builds what a GPU machine gets carried, so that it checks that too.
    bash scripts/install_lavapipe.sh
    bash scripts/gpu_prepare.sh
    # The budget counts from here, as on a GPU machine, where nothing is built.
    started=$(date +%s)
fi
(( plan_only )) || [[ -f $carry/bin/aocbench.gz && -f $carry/bin/engine_gpu.gz ]] ||
    { echo "gpu_check.sh: $carry is incomplete: run scripts/gpu_prepare.sh where cargo is, and carry $carry" >&2; exit 2; }

# What is measured: one slot per step of the table. The small run keeps every step and shrinks its
# size, and takes the fallbacks a GPU machine may need (the carried loader, driver manifests
# written here) so that CI runs them.
if (( small )); then
    dense_sizes=(32 64 96 128)
    # Carried instances (the plan's, and the smoke set's).
    instances=(QPLIB_3762 QPLIB_3714 QPLIB_0067 QPLIB_0633)
    factored_instance=QPLIB_3762
    smoke_selection=(QPLIB_3714)
    smoke_seconds=1 determinism_work=1
    dsb_selection=(QPLIB_3714)
    # Every phase runs at least one batch whatever the budget: on lavapipe a default one (128
    # replicas, deep search >= 500 iterations) takes about 10 s.
    bench_options=(--batch-size 64 --deep-iterations 100..100)
    # A few iterations instead of ~2 s calibrated runs.
    perf_gpu_options=(--replicas auto --iterations 5 --repeats 1)
    perf_cpu_options=(--replicas 128 --iterations 5 --repeats 1)
    anchor_iterations=5
    # One agreement test per dense kernel: scripts/test.sh runs the whole file on every CI run anyway.
    test_filter=(dense_gpu_matches_cpu dense_block8_gpu_matches_cpu)
    adapter=${GPU_CHECK_ADAPTER:-llvmpipe}
    vulkan_driver=libvulkan_lvp.so vulkan_manifest_glob='lvp_icd*.json'
    egl_driver=libEGL_mesa.so.0 egl_manifest_glob='*mesa*.json'
    force_fallbacks=1
    mode="small run on lavapipe (GPU_CHECK_SMALL=1)"
    default_results=results/tmp/gpu-check-small-$stamp
else
    dense_sizes=(256 1024 4096 8192)
    # perf's own default sparse set (the table's `instances`): QUMO J from 570 to 8,904 variables.
    instances=("${carried_instances[@]}")
    factored_instance=QPLIB_3380
    smoke_selection=(--set smoke)
    smoke_seconds=2 determinism_work=2000000
    # bench runs the peer after AOC-DT, each with the time limit, and starts Python per instance.
    dsb_selection=(QPLIB_0067 QPLIB_3714 QPLIB_5881)
    bench_options=()
    # The engine's preferred batch, what plan.rs picks on this adapter and a solve runs; one
    # timed run of about 2 s after a warm-up.
    perf_gpu_options=(--replicas auto --repeats 1)
    # B = 1024 gives each of 16 threads a 64-replica chunk; 500 iterations take about 1 s.
    perf_cpu_options=(--replicas 1024 --iterations 500 --repeats 1)
    anchor_iterations=200
    test_filter=()
    adapter=${GPU_CHECK_ADAPTER:-NVIDIA}
    # NVIDIA's Vulkan ICD is its GLX library; its EGL vendor library serves wgpu's GL backend.
    vulkan_driver=libGLX_nvidia.so.0 vulkan_manifest_glob='nvidia_icd*.json'
    egl_driver=libEGL_nvidia.so.0 egl_manifest_glob='*nvidia*.json'
    force_fallbacks=0
    mode="full run"
    default_results=results/gpu-$stamp
fi
(( plan_only )) && mode="plan only (GPU_CHECK_PLAN_ONLY=1): the full-size plan, simulated"
[[ -z ${GPU_CHECK_STEPS:-} ]] || mode="$mode, partial: only the steps GPU_CHECK_STEPS=\"$GPU_CHECK_STEPS\" selects"
peak_gflops=${GPU_CHECK_PEAK_GFLOPS:-67000}
peak_source=${GPU_CHECK_PEAK_GFLOPS:+GPU_CHECK_PEAK_GFLOPS}
peak_source=${peak_source:-"the default, an H100 SXM or H200"}
(( ! small )) || peak_source="nominal: lavapipe is a CPU, so its fractions of peak mean nothing"

# Sets peak_gflops from nvidia-smi on a Hopper card: SMs (by the card's name; nvidia-smi does not
# report them) x 128 fp32 lanes x 2 flops x the highest SM clock. Leaves it as it is elsewhere.
peak_from_nvidia_smi() {
    [[ -z ${GPU_CHECK_PEAK_GFLOPS:-} ]] || return 0
    local name clock sms
    IFS=, read -r name clock < <(nvidia-smi --query-gpu=name,clocks.max.sm --format=csv,noheader,nounits 2>/dev/null | head -n 1) || return 0
    clock=${clock// /}
    case $name in
        *H100*PCIe*) sms=114 ;;
        *H100*|*H200*) sms=132 ;;
        *) return 0 ;;
    esac
    [[ $clock =~ ^[0-9]+$ ]] || return 0
    peak_gflops=$(( sms * 128 * 2 * clock / 1000 ))
    peak_source="$name: $sms SMs x 128 lanes x 2 x $clock MHz"
}
# The summary and the last packing get the table's summary_s after the deadline.
deadline=$(( started + total_s - summary_s ))

if (( plan_only )); then
    results=$(mktemp -d)
    publish=""
elif [[ -n ${OUT:-} ]]; then
    results=$(mktemp -d)/$(basename "$default_results")
    publish=$OUT
else
    results=$default_results
    publish=""
    rm -rf "$results"
fi
mkdir -p "$results/logs" "$results/manifests"
results=$(cd "$results" && pwd)
(( plan_only )) || exec > >(tee -a "$results/gpu_check.log" ${publish:+"$publish/gpu_check.log"}) 2>&1

# The carried binaries travel gzipped; unpacked here, outside the checkout.
bin=$(mktemp -d)
trap 'rm -rf "$bin"; (( ! plan_only )) || rm -rf "$results"' EXIT
aocbench=$bin/aocbench
tests=$bin/engine_gpu
if (( ! plan_only )); then
    for name in aocbench engine_gpu; do gzip -dc "$carry/bin/$name.gz" >"$bin/$name" && chmod +x "$bin/$name"; done
fi
# Always the carried instances: the GPU machine may have no instance folder, and the small run checks them.
export AOCBENCH_QPLIB_DIR=$repo/$carry/qplib
# lavapipe's Wayland probe complains on every adapter start without this; it is only noise.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"

say() { printf '[%3d s] %s\n' "$(( $(date +%s) - started ))" "$*"; }

# record NAME STATUS SECONDS NOTE: one line of steps.tsv (ok, FAILED, absent, skipped, planned).
record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$results/steps.tsv"
    say "$1: $2${4:+ ($4)}"
}

# Refreshes summary.md and, with $OUT, its copy and the tarball: after every step, so that a run
# cut short still brings back what it measured.
pack() {
    (( ! plan_only )) || return 0
    python3 scripts/gpu_report.py summary "$results" --peak-gflops "$peak_gflops" --peak-source "$peak_source" --elapsed "$(( $(date +%s) - started ))" \
        --mode "$mode, adapter *$adapter* on ${backend:-?}" >"$results/summary.md.new" 2>"$results/logs/summary.err" &&
        mv -f "$results/summary.md.new" "$results/summary.md"
    [[ -n $publish ]] || return 0
    cp -f "$results/summary.md" "$publish/summary.md" 2>/dev/null || true
    tar -czf "$publish/.gpu-check.tar.gz.partial" -C "$(dirname "$results")" "$(basename "$results")" 2>/dev/null &&
        mv -f "$publish/.gpu-check.tar.gz.partial" "$publish/gpu-check.tar.gz"
}

# wanted NAME: whether GPU_CHECK_STEPS (unset: all) selects the step; the adapter listings and
# probes always run, as the choice of backend depends on them.
wanted() {
    [[ -z ${GPU_CHECK_STEPS:-} ]] || (( plan_only )) && return 0
    local prefix
    for prefix in devices_ probe_ $GPU_CHECK_STEPS; do [[ $1 == "$prefix"* ]] && return 0; done
    return 1
}

# The plan simulation's clock (seconds of budget spent), the steps it walked, and the table row
# of the last step run (steps must come in the table's order).
planned_s=0
walked=()
last_index=-1

# step NAME COMMAND...: runs COMMAND under timeout (the step's budget from the cost table, or what
# is left of the run when that is less), stdout to logs/NAME.out and stderr to logs/NAME.err, and
# records how it ended: exit 77 means skipped (its last line of stderr says why). Never fails
# itself: one broken step must not cost the others. In the plan simulation it runs nothing: it
# checks the step against the table and spends its whole budget.
step() {
    local name=$1
    shift
    wanted "$name" || return 0
    local cap=${budget_s[$name]:-}
    if [[ -z $cap ]]; then
        record "$name" FAILED 0 "no budget in $plan_table"
        return 0
    fi
    if (( table_index[$name] <= last_index )); then
        record "$name" FAILED 0 "runs after ${table_steps[last_index]}, but comes before it in $plan_table"
        return 0
    fi
    last_index=${table_index[$name]}
    walked+=("$name")
    if (( plan_only )); then
        planned_s=$(( planned_s + cap ))
        printf '%4d s  %-20s %3d s  %s\n' "$planned_s" "$name" "$cap" "$*"
        return 0
    fi
    local left=$(( deadline - $(date +%s) ))
    if (( left < 5 )); then
        record "$name" skipped 0 "the run's ${total_s} s are spent"
        return 0
    fi
    local limit=$(( cap < left ? cap : left )) t0 rc=0
    t0=$(date +%s)
    say "$name: running (at most ${limit} s)"
    timeout --kill-after=5 "$limit" "$@" >"$results/logs/$name.out" 2>"$results/logs/$name.err" || rc=$?
    local took=$(( $(date +%s) - t0 )) last
    # The last word of a failure: its error message, else its last line of output.
    last=$(tail -n 1 "$results/logs/$name.err")
    [[ -n $last ]] || last=$(tail -n 1 "$results/logs/$name.out")
    case $rc in
        0) record "$name" ok "$took" "" ;;
        77) record "$name" skipped "$took" "${last:0:200}" ;;
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

# usable BACKEND: lists the adapters on BACKEND (vulkan, gl) and, when the adapter under test is
# among them, runs one tiny batch on it: a listed adapter whose device cannot be made (a driver
# without what wgpu needs) must not cost every later step. Fails unless the batch ran there.
usable() {
    local env=(env WGPU_BACKEND="$1")
    step "devices_$1" "${env[@]}" "$aocbench" devices --format json
    (( plan_only )) || adapter_listed "$results/logs/devices_$1.out" || return 1
    step "probe_$1" "${env[@]}" "$aocbench" perf --engine gpu --sizes 64 --instances --replicas 64 --iterations 1 --repeats 1 \
        --out "$results/logs/probe_$1.csv"
    (( plan_only )) || { [[ $(awk -F'\t' -v s="probe_$1" '$1 == s { status = $2 } END { print status }' "$results/steps.tsv") == ok ]] &&
        grep -q "$adapter" "$results/logs/probe_$1.csv"; }
}

say "gpu_check.sh: $mode, ${total_s} s at most, results in $results"
if (( plan_only )); then
    # The worst case that still runs every step: Vulkan lists the adapter but cannot use it, GL can.
    backend=gl
    step nvidia_smi nvidia-smi
    usable vulkan
    usable gl
else
    machine_facts >"$results/logs/machine.out" 2>&1 || true
    if command -v nvidia-smi >/dev/null; then
        step nvidia_smi sh -c 'nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit --format=csv && nvidia-smi'
        peak_from_nvidia_smi
    else
        record nvidia_smi absent 0 "nvidia-smi not found"
    fi
    setup_runtime >"$results/logs/runtime.out" 2>&1
    cat "$results/logs/runtime.out"
    # wgpu's GL backend (EGL) is the way through when Vulkan fails.
    if usable vulkan; then
        backend=vulkan
    elif usable gl; then
        backend=gl
    else
        backend=none
    fi
    [[ $backend == none ]] || export WGPU_BACKEND=$backend
fi
if [[ $backend == none ]]; then
    # Nothing else can measure the GPU: end now, with what the listings and the runtime say.
    record adapter FAILED 0 "no usable adapter named *$adapter* on Vulkan or GL: see logs/runtime.out, logs/devices_*, logs/probe_* and logs/machine.out"
    pack
    cat "$results/summary.md"
    say "no usable *$adapter* adapter: stopped after $(( $(date +%s) - started )) s; results in $results${publish:+ (and $publish)}"
    exit 1
fi
(( plan_only )) || record adapter ok 0 "*$adapter* on $backend"
mkdir -p "$results/perf" "$results/bench"
dmon_pid=""
if (( ! plan_only )) && command -v nvidia-smi >/dev/null; then
    # Clocks, power and utilisation every 5 s while the steps run.
    nvidia-smi dmon -s pucm -d 5 >"$results/logs/dmon.out" 2>&1 &
    dmon_pid=$!
fi

# 1. The headline: dense throughput on the GPU, both kernels side by side at each n (one right
# after the other, so the clocks and temperature they meet are alike), then PyTorch at the same
# (n, B), which it reads from their rows.
gpu_perf=("$aocbench" perf --engine gpu "${perf_gpu_options[@]}")
for slot in 1 2 3 4; do
    n=${dense_sizes[slot - 1]}
    step "perf_gpu_dense_$slot" "${gpu_perf[@]}" --sizes "$n" --instances --out "$results/perf/gpu-dense-$n.csv"
    step "perf_gpu_block8_$slot" env AOCBENCH_DENSE_KERNEL=block8 "${gpu_perf[@]}" --sizes "$n" --instances --out "$results/perf/gpu-dense-block8-$n.csv"
done
step anchor_torch bash scripts/gpu_peers.sh anchor "$results" "$anchor_iterations"
# 2. The instance workloads: the cost model's product, then the factored one.
for slot in 1 2 3 4; do
    name=${instances[slot - 1]}
    step "perf_gpu_instance_$slot" "${gpu_perf[@]}" --sizes --instances "$name" --out "$results/perf/gpu-$name.csv"
done
step perf_gpu_factored "${gpu_perf[@]}" --product factored --sizes --instances "$factored_instance" \
    --out "$results/perf/gpu-factored-$factored_instance.csv"
# 3. Agreement with the CPU engine; --nocapture: the figures the tests print go to the summary.
step tests_gpu env AOCBENCH_TEST_ADAPTER="$adapter" "$tests" --nocapture "${test_filter[@]}"
# 4. Determinism, then bench beside simulated bifurcation.
for run in 1 2; do
    step "determinism_$run" "$aocbench" bench "${smoke_selection[@]}" --work "$determinism_work" --seed 1 \
        --reference none --engine gpu "${bench_options[@]}" --out "$results/determinism/run$run"
done
step determinism_same python3 scripts/gpu_report.py same-results "$results/determinism/run1/results.csv" "$results/determinism/run2/results.csv"
step bench_smoke_gpu "$aocbench" bench "${smoke_selection[@]}" --reference none --time-limit "$smoke_seconds" --seed 1 \
    --engine gpu "${bench_options[@]}" --out "$results/bench/smoke-gpu"
step bench_smoke_dsb bash scripts/gpu_peers.sh dsb "$bin/venv" "$aocbench" bench "${dsb_selection[@]}" --reference dsb \
    --time-limit "$smoke_seconds" --seed 1 --engine gpu --threads "$(nproc)" "${bench_options[@]}" --out "$results/bench/smoke-dsb"
# 5. The CPU engine on all cores, for the GPU/CPU ratio.
step perf_cpu_dense_2 "$aocbench" perf --engine cpu --threads "$(nproc)" "${perf_cpu_options[@]}" --sizes "${dense_sizes[1]}" --instances \
    --out "$results/perf/cpu-dense-${dense_sizes[1]}.csv"
[[ -z $dmon_pid ]] || kill "$dmon_pid" 2>/dev/null || true

if (( plan_only )); then
    # The budget arithmetic: every row walked, in order (step checks that), within the total.
    unused=()
    for name in "${table_steps[@]}"; do [[ " ${walked[*]} " == *" $name "* ]] || unused+=("$name"); done
    failed_plan=$(awk -F'\t' '$2 == "FAILED"' "$results/steps.tsv" 2>/dev/null || true)
    [[ -z $failed_plan ]] || { echo "gpu_check.sh: plan: $failed_plan" >&2; exit 1; }
    (( ${#unused[@]} == 0 )) || { echo "gpu_check.sh: plan: $plan_table lists steps the script never runs: ${unused[*]}" >&2; exit 1; }
    (( planned_s + summary_s <= total_s )) ||
        { echo "gpu_check.sh: plan: the budgets add up to ${planned_s} s, more than ${total_s} s less ${summary_s} s for the summary" >&2; exit 1; }
    echo "plan: ${#walked[@]} steps, budgets ${planned_s} s + summary ${summary_s} s <= ${total_s} s"
    bash scripts/gpu_prepare.sh --check-size
    exit 0
fi

elapsed=$(( $(date +%s) - started ))
pack
cat "$results/summary.md"
failed=$(awk -F'\t' '$2 == "FAILED"' "$results/steps.tsv" | wc -l)
say "done in ${elapsed} s: $failed failed step(s); results in $results${publish:+ (and $publish)}"
(( failed == 0 ))
