#!/usr/bin/env python3
"""The tables of scripts/gpu_check.sh (standard library only: it runs on the GPU machine too).

  gpu_report.py same-results A.csv B.csv
      Exit 0 when two bench results.csv agree in every column but the wall-clock ones (names
      ending in _s): the determinism check of a run repeated under --work.
  gpu_report.py pairs RESULTS_DIR
      The (n, B) of the dense GPU perf rows, as scripts/torch_aocdt.py's --pairs (n:B words).
  gpu_report.py summary RESULTS_DIR --peak-gflops G --peak-source TEXT --elapsed S --mode TEXT
      summary.md of a gpu_check.sh results folder, on standard output, the headline first: dense
      GFLOP/s on the GPU beside PyTorch's AOC-DT batch and sgemm at the same (n, B)
      (perf/anchor-torch.csv). Tolerates missing and partial files: a step that failed or was
      skipped leaves a gap, not a crash.
"""
import argparse
import csv
import json
import sys
from pathlib import Path


def read_rows(path):
    try:
        with open(path, newline="") as f:
            return list(csv.DictReader(f))
    except (OSError, csv.Error):
        return []


def read_text(path):
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def same_results(a, b):
    rows_a, rows_b = read_rows(a), read_rows(b)
    if not rows_a or not rows_b:
        print(f"missing results: {a} has {len(rows_a)} rows, {b} has {len(rows_b)}")
        return 1
    columns = [c for c in rows_a[0] if not c.endswith("_s")]
    key = lambda r: (r["instance"], r["solver"], r["repeat"])
    by_key = {key(r): r for r in rows_b}
    differences = []
    if len(rows_a) != len(rows_b):
        differences.append(f"{len(rows_a)} rows against {len(rows_b)}")
    for row in rows_a:
        other = by_key.get(key(row))
        if other is None:
            differences.append(f"{key(row)}: only in the first run")
            continue
        differences += [f"{key(row)} {c}: {row[c]} against {other.get(c)}" for c in columns if row[c] != other.get(c)]
    if differences:
        print("results differ:")
        print("\n".join(differences))
        return 1
    print(f"identical: {len(rows_a)} rows, every column but the wall-clock ones ({', '.join(columns)})")
    return 0


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in rows]
    return "\n".join(lines)


def number(value, digits=3):
    try:
        v = float(value)
    except (TypeError, ValueError):
        return value if value else "-"
    return f"{v:.{digits}g}"


def steps_section(results):
    rows = [line.split("\t") for line in read_text(results / "steps.tsv").splitlines() if line]
    failed = sum(1 for r in rows if r[1] == "FAILED")
    return [f"## Steps ({len(rows)} recorded, {failed} failed)", "", table(["step", "status", "seconds", "note"], rows)]


def adapters_section(results):
    out = ["## Adapters (`aocbench devices`)", ""]
    rows = []
    for listing in ["vulkan", "gl"]:
        try:
            adapters = json.loads(read_text(results / "logs" / f"devices_{listing}.out"))
        except ValueError:
            adapters = None
        if not adapters:
            rows.append([listing, "none listed", "", "", "", "", "", ""])
        for a in adapters or []:
            l = a["limits"]
            rows.append([listing, a["name"], a["backend"], a["device_type"], f"{a['driver']} {a['driver_info']}".strip(),
                         l["max_storage_buffer_binding_size"], l["max_buffer_size"], l["max_compute_workgroups_per_dimension"]])
    out.append(table(["listing", "name", "backend", "type", "driver", "max binding (bytes)", "max buffer (bytes)", "workgroups/dim"], rows))
    return out


def kernel(row, path):
    """The dense kernel of a perf row: its kernel column (empty but on the GPU engine's dense rows);
    in CSVs from before that column, block8 for gpu-dense-block8-*.csv's GPU dense rows, tiled for the others."""
    if "kernel" in row:
        return row["kernel"]
    if not (row["engine"].startswith("gpu") and row["product"] == "dense"):
        return ""
    return "block8" if path.name.startswith("gpu-dense-block8-") else "tiled"


def perf_section(results, peak):
    rows = {}
    # anchor-torch.csv, also there, is PyTorch's (the headline).
    for path in sorted(p for p in (results / "perf").glob("*.csv") if p.name.startswith(("gpu-", "cpu-"))):
        product = lambda r: r["product"] + (" (block8 kernel)" if kernel(r, path) == "block8" else "")
        for r in read_rows(path):
            rows.setdefault((r["workload"] != "dense", int(r["n"]), r["workload"], product(r)), {})[r["engine"]] = r
    out = [f"## Throughput (`aocbench perf`); fraction of an fp32 peak of {peak:g} GFLOP/s", ""]
    if not rows:
        return out + ["not run"]
    body = []
    for (_, n, workload, product), engines in sorted(rows.items()):
        gpu, cpu = engines.get("gpu"), engines.get("cpu")
        gflops = lambda r: float(r["gflops"]) if r else None
        body.append([
            workload, product, n, (gpu or cpu)["nnz"],
            gpu["replicas"] if gpu else "-", number(gflops(gpu), 4) if gpu else "-",
            f"{gflops(gpu) / peak:.4f}" if gpu else "-",
            number(gpu["replica_iterations_per_s"]) if gpu else "-", gpu["iterations"] if gpu else "-",
            cpu["replicas"] if cpu else "-", number(gflops(cpu), 4) if cpu else "-",
            f"{gflops(gpu) / gflops(cpu):.2f}" if gpu and cpu and gflops(cpu) else "-",
        ])
    out.append(table(["workload", "product", "n", "nnz", "GPU B", "GPU GFLOP/s", "of peak", "GPU replica-it/s", "GPU iterations",
                      "CPU B", "CPU GFLOP/s", "GPU/CPU GFLOP/s"], body))
    devices = {r["engine"]: r["device"] for e in rows.values() for r in e.values()}
    out += ["", "; ".join(f"{engine}: {device}" for engine, device in sorted(devices.items()))]
    return out


def dense_gpu_rows(results):
    """The dense GPU perf rows, each with its kernel."""
    rows = []
    for path in sorted((results / "perf").glob("gpu-dense-*.csv")):
        rows += [dict(r, kernel=kernel(r, path)) for r in read_rows(path) if r["workload"] == "dense"]
    return sorted(rows, key=lambda r: (int(r["n"]), r["kernel"] != "tiled"))


def pairs(results):
    print(" ".join(dict.fromkeys(f"{r['n']}:{r['replicas']}" for r in dense_gpu_rows(results))))
    return 0


def ratio(a, b):
    try:
        return f"{float(a) / float(b):.2f}"
    except (TypeError, ValueError, ZeroDivisionError):
        return "-"


def headline_section(results, peak):
    """Dense throughput on the GPU against PyTorch on the same GPU at exactly the same (n, B)."""
    anchor_text = read_text(results / "perf" / "anchor-torch.csv")
    torch_device = next((l[1:].strip() for l in anchor_text.splitlines() if l.startswith("#")), "")
    anchor = {(int(r["n"]), int(r["B"])): r for r in csv.DictReader(l for l in anchor_text.splitlines() if not l.startswith("#"))}
    out = [f"## Headline: dense AOC-DT on the GPU, aocbench (WGSL) against PyTorch at the same (n, B)", ""]
    rows = dense_gpu_rows(results)
    if not rows:
        return out + ["not run (see the steps perf_gpu_dense_*)"]
    tiled = {r["n"]: r for r in rows if r["kernel"] == "tiled"}
    body = []
    for r in rows:
        t = anchor.get((int(r["n"]), int(r["replicas"])), {})
        other = tiled.get(r["n"]) if r["kernel"] != "tiled" else None
        body.append([r["n"], r["replicas"], r["kernel"], number(r["gflops"], 4), f"{float(r['gflops']) / peak:.3f}",
                     ratio(r["gflops"], other["gflops"]) if other else "-",
                     number(r["replica_iterations_per_s"]), number(t.get("aocdt_gflops"), 4), number(t.get("sgemm_gflops"), 4),
                     ratio(r["replica_iterations_per_s"], t.get("replica_iters_per_s")), ratio(r["gflops"], t.get("sgemm_gflops"))])
    out.append(table(["n", "B", "kernel", "aocbench GFLOP/s", "of peak", "vs tiled", "aocbench replica-it/s", "PyTorch AOC-DT GFLOP/s",
                      "PyTorch sgemm GFLOP/s", "aocbench/PyTorch (replica-it/s)", "aocbench/sgemm (GFLOP/s)"], body))
    out += ["", f"fp32 peak {peak:g} GFLOP/s; PyTorch: {torch_device or 'not run (see the step anchor_torch)'}. "
            "Kernels: tiled (shaders/dense.wgsl, the default), block8 (shaders/dense_block8.wgsl, AOCBENCH_DENSE_KERNEL=block8); "
            "each n ran both, one right after the other, one timed run each (--repeats 1): the clocks below say how steady the card was. "
            "\"vs tiled\": block8's GFLOP/s over tiled's at that n. "
            "Goals, for the kernel that becomes the default: aocbench/PyTorch >= 1, aocbench/sgemm >= 0.5 for n >= 1024."]
    return out + [""] + clocks_section(results)


def clocks_section(results):
    """The SM clock, power and SM use nvidia-smi dmon sampled every 5 s during the steps."""
    lines = read_text(results / "logs" / "dmon.out").splitlines()
    header = next((l[1:].split() for l in lines if l.startswith("#")), [])
    samples = [l.split() for l in lines if l.strip() and not l.startswith("#")]
    if not header or not samples:
        return ["Clocks: not sampled (nvidia-smi dmon absent)."]
    out = []
    for name, unit in [("pclk", "MHz SM clock"), ("pwr", "W"), ("sm", "% SM use")]:
        if name not in header:
            continue
        values = sorted(float(s[header.index(name)]) for s in samples if len(s) == len(header) and s[header.index(name)].replace(".", "", 1).isdigit())
        if values:
            out.append(f"{unit} {values[0]:g}–{values[-1]:g} (median {values[len(values) // 2]:g})")
    return [f"Clocks over {len(samples)} samples (logs/dmon.out): " + "; ".join(out) + "."]


def tests_section(results):
    out = ["## CPU/GPU agreement (`tests/engine_gpu.rs` on the adapter under test)", ""]
    summary = [l for l in read_text(results / "logs" / "tests_gpu.out").splitlines() if l.startswith("test result:") or "FAILED" in l]
    agreement = [l for l in read_text(results / "logs" / "tests_gpu.err").splitlines() if "equal" in l or "panicked" in l]
    out += ["```text", *(summary or ["not run"]), *agreement, "```"]
    return out


def bench_section(results, title, runs):
    """One bench table, a column group per (label, folder, solver) in runs."""
    engines = {label: {r["instance"]: r for r in read_rows(results / "bench" / folder / "results.csv") if r["solver"] == solver}
               for label, folder, solver in runs}
    instances = list(dict.fromkeys(i for rows in engines.values() for i in rows))
    out = [f"## {title}", ""]
    if not instances:
        return out + ["not run"]
    body = []
    for name in instances:
        row = [name]
        for e in engines:
            r = engines[e].get(name)
            if r is None:
                row += ["-"] * 5
                continue
            reached = "yes" if r["reached_best_known"] == "true" else "no"
            time_to_target = r["time_to_target_s"] or f">{number(r['wall_time_s'])}"
            row += [r["batch_size"], number(r["best_objective"], 10), reached, number(time_to_target), number(r["tts99_s"])]
        best_known = next((engines[e][name]["best_known"] for e in engines if name in engines[e]), "")
        body.append(row[:1] + [number(best_known, 10)] + row[1:])
    header = ["instance", "best known"] + [f"{e} {c}" for e in engines for c in ["B", "best", "reached", "time to target s", "TTS99 s"]]
    return out + [table(header, body)]


def summary(results, peak, peak_source, elapsed, mode):
    facts = read_text(results / "logs" / "machine.out")
    machine = facts.splitlines()
    # machine.out ends with the carried build's MANIFEST: commit, then build date and host.
    build = facts.split("## carried build", 1)[1].strip().splitlines()[:2] if "## carried build" in facts else ["unknown"]
    cpu = next((l.split(":", 1)[1].strip() for l in machine if l.startswith("model name")), "unknown CPU")
    cores = next((l.split(":", 1)[1].strip() for l in machine if l.startswith("cores:")), "?")
    # nvidia_smi.out opens with the query's header and one line per GPU.
    gpu = "\n".join(read_text(results / "logs" / "nvidia_smi.out").strip().splitlines()[:2]) or "nvidia-smi absent"
    out = [f"# GPU check: {mode}", "",
           f"- elapsed: {elapsed} s",
           f"- machine: {cpu}, {cores} cores",
           f"- GPU (nvidia-smi): {' / '.join(gpu.splitlines())}",
           f"- fp32 peak (no tensor cores): {peak:g} GFLOP/s, {peak_source}",
           f"- build: {' / '.join(build)}",
           ""]
    out += headline_section(results, peak) + [""]
    out += steps_section(results) + [""]
    out += ["## Runtime (loader, driver manifests, lanes)", "", "```text", read_text(results / "logs" / "runtime.out").strip(), "```", ""]
    out += adapters_section(results) + [""]
    out += perf_section(results, peak) + [""]
    out += tests_section(results) + [""]
    out += bench_section(results, "`bench --set smoke`, AOC-DT on the GPU", [("GPU", "smoke-gpu", "aocdt")]) + [""]
    out += bench_section(results, "`bench --set smoke --reference dsb`: AOC-DT on the GPU and simulated bifurcation (PyTorch) at the same time limit",
                         [("AOC-DT", "smoke-dsb", "aocdt"), ("dSB", "smoke-dsb", "dsb")]) + [""]
    out += ["## Determinism (`bench --set smoke --work` twice on the GPU engine)", "", "```text",
            read_text(results / "logs" / "determinism_same.out").strip() or "not run", "```"]
    print("\n".join(out))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    same = commands.add_parser("same-results")
    same.add_argument("a")
    same.add_argument("b")
    commands.add_parser("pairs").add_argument("results", type=Path)
    report = commands.add_parser("summary")
    report.add_argument("results", type=Path)
    report.add_argument("--peak-gflops", type=float, required=True)
    report.add_argument("--peak-source", required=True, help="where the peak comes from, for the summary")
    report.add_argument("--elapsed", type=int, required=True)
    report.add_argument("--mode", required=True)
    args = parser.parse_args()
    if args.command == "same-results":
        return same_results(args.a, args.b)
    if args.command == "pairs":
        return pairs(args.results)
    return summary(args.results, args.peak_gflops, args.peak_source, args.elapsed, args.mode)


if __name__ == "__main__":
    sys.exit(main())
