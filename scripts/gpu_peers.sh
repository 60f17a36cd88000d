#!/usr/bin/env bash
# The peers that scripts/gpu_check.sh measures on the same GPU, as steps it can bound with
# `timeout`. Exit 77 means skipped: the last line of standard error says why.
#
#   gpu_peers.sh anchor RESULTS ITERATIONS
#       PyTorch's AOC-DT batch and sgemm (scripts/torch_aocdt.py) at the (n, B) of the dense GPU
#       perf rows in RESULTS/perf, into RESULTS/perf/anchor-torch.csv: the CSV that
#       `aocbench perf --reference-csv` reads, and that gpu_report.py divides by.
#   gpu_peers.sh dsb VENV COMMAND...
#       COMMAND (an `aocbench bench --reference dsb`) with AOCBENCH_VENV=VENV, a venv made over the
#       machine's PyTorch with the carried wheels (target/gpu-carry/wheels: simulated-bifurcation,
#       dimod); only when simulated-bifurcation and dimod import there at the versions of
#       scripts/requirements-reference.txt, as aocbench would otherwise call pip, which cannot work
#       without a network. PyTorch is taken at the machine's version, as aocbench takes it (and
#       names it in the results and a warning).
#
# PyTorch is the image's own: none can be carried (a CUDA build is gigabytes). Set
# GPU_CHECK_ANY_TORCH=1 to accept one without CUDA (the small run on lavapipe).
set -euo pipefail
cd "$(dirname "$0")/.."

# Sets torch_python to the first Python whose PyTorch sees a CUDA device, else exits 77. Each
# probe is bounded: a first import from a cold disk can take many seconds.
find_torch_python() {
    local candidate probe="no Python found"
    for candidate in python3 python /opt/conda/bin/python3 /usr/local/bin/python3; do
        command -v "$candidate" >/dev/null || continue
        if probe=$(timeout 40 "$candidate" -c 'import sys, torch
print(f"torch {torch.__version__}, CUDA {torch.cuda.is_available()}")
sys.exit(0 if torch.cuda.is_available() or sys.argv[1] == "1" else 3)' "${GPU_CHECK_ANY_TORCH:-0}" 2>&1); then
            torch_python=$candidate
            echo "# $candidate: $probe" >&2
            return 0
        fi
        probe="$candidate: $(tail -n 1 <<<"$probe")"
    done
    echo "PyTorch with CUDA is not importable here ($probe)" >&2
    exit 77
}

case ${1:-} in
    anchor)
        [[ $# == 3 ]] || { echo "usage: gpu_peers.sh anchor RESULTS ITERATIONS" >&2; exit 2; }
        results=$2 iterations=$3
        pairs=$(python3 scripts/gpu_report.py pairs "$results")
        [[ -n $pairs ]] || { echo "no dense GPU perf row to match" >&2; exit 77; }
        find_torch_python
        # shellcheck disable=SC2086 # one n:B per word
        "$torch_python" scripts/torch_aocdt.py --pairs $pairs --iters "$iterations" >"$results/perf/anchor-torch.csv"
        ;;
    dsb)
        [[ $# -ge 3 ]] || { echo "usage: gpu_peers.sh dsb VENV COMMAND..." >&2; exit 2; }
        venv=$2
        shift 2
        find_torch_python
        # A venv of its own for the carried wheels, seeing the machine's packages (PyTorch, numpy,
        # sympy, tqdm) after them through a .pth file: `venv --system-site-packages` would not do,
        # as a venv made from a venv (a PyTorch image's python often is one) sees only the base
        # interpreter's packages. No pip in it: the torch Python's pip installs the wheels.
        rm -rf "$venv"
        "$torch_python" -m venv --without-pip "$venv" >&2 || { echo "$torch_python cannot create a venv" >&2; exit 77; }
        site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        "$torch_python" -c 'import sys; print("\n".join(p for p in sys.path if p.endswith("-packages")))' >"$site/machine-packages.pth"
        wheels=(target/gpu-carry/wheels/*.whl)
        if [[ -f ${wheels[0]} ]]; then
            "$torch_python" -m pip install --no-index --no-deps --quiet --disable-pip-version-check --target "$site" "${wheels[@]}" >&2 ||
                { echo "the carried wheels do not install on $torch_python (dimod's is for CPython 3.12 and later)" >&2; exit 77; }
        fi
        wrong=$("$venv/bin/python" - scripts/requirements-reference.txt <<'PY'
import importlib.metadata, sys
pins = dict(line.strip().split("==") for line in open(sys.argv[1]) if "==" in line and not line.startswith("#"))
for package in ["simulated-bifurcation", "dimod"]:
    try:
        have = importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        have = "absent"
    if have.split("+")[0] != pins[package]:
        print(f"{package} {have} (pinned {pins[package]})", end="; ")
# What aocbench's own check imports: a missing dependency would send it to pip as well.
try:
    import simulated_bifurcation
except Exception as e:
    print(f"simulated_bifurcation does not import: {e}", end="; ")
PY
)
        [[ -z $wrong ]] || { echo "aocbench could not run dSB on this Python and has no network for pip: $wrong" >&2; exit 77; }
        AOCBENCH_VENV=$venv exec "$@"
        ;;
    *)
        echo "usage: gpu_peers.sh anchor RESULTS ITERATIONS | dsb VENV COMMAND..." >&2
        exit 2
        ;;
esac
