#!/usr/bin/env python3
"""Summarises quality-study runs (scripts/quality.sh): one column group per results folder.

    quality_summary.py --info INSTANCES.csv DIR [DIR ...]

INSTANCES.csv is `aocbench info --format csv` of the instances (for the families); each DIR is
a `bench` output folder whose results.csv holds AOC-DT rows, and under `--polish` also
`aocdt_polish` rows ("AOC-DT + polish", summarised as a run of their own: the folder's two
runs are then labelled `DIR: AOC-DT` and `DIR: AOC-DT + polish`). Prints markdown: totals per run and by family, the instances reached by any of
the runs (AOC-DT's own runs, then the polished ones), and every instance's gap.

Families: `unconstrained` (no encoded row), `inequality-only` (every encoded row has a slack),
`equality` (at least one encoded row without a slack: equalities, or ranges that collapsed).
"Non-trivial" best-knowns are the non-zero ones (a best-known of 0 is often the empty point).
"""
import argparse
import csv
import os
import sys


def family(info_row):
    slacks = int(info_row["qumo_slacks"] or 0)
    equalities = int(info_row["equality_rows"] or 0)
    if slacks + equalities == 0:
        return "unconstrained"
    return "equality" if equalities > 0 else "inequality-only"


SOLVERS = {"aocdt": "AOC-DT", "aocdt_polish": "AOC-DT + polish"}


def load_runs(folder):
    """(label, {instance: row}) per solver present in the folder, AOC-DT first."""
    path = os.path.join(folder, "results.csv")
    try:
        with open(path, newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["solver"] in SOLVERS]
    except OSError as e:
        sys.exit(f"quality_summary.py: {path}: {e.strerror}")
    label = folder.rstrip("/").split("/")[-1]
    polished = any(r["solver"] == "aocdt_polish" for r in rows)
    runs = []
    for solver, name in SOLVERS.items():
        if solver == "aocdt_polish" and not polished:
            continue
        # The first repeat of each instance: one run per instance and seed.
        results = {}
        for r in rows:
            if r["solver"] == solver:
                results.setdefault(r["instance"], r)
        runs.append((f"{label}: {name}" if polished else label, results))
    return runs


def truthy(value):
    return value.strip().lower() == "true"


def gap_percent(run):
    if run is None or not truthy(run["feasible"]):
        return None
    # results.csv has gap_to_best_known_pct (in %) since the anytime columns; earlier runs
    # have gap_to_best_known as a fraction.
    if "gap_to_best_known_pct" in run:
        value = run["gap_to_best_known_pct"]
        return None if value == "" else float(value)
    value = run["gap_to_best_known"]
    return None if value == "" else 100.0 * float(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", required=True)
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()
    with open(args.info, newline="") as f:
        instances = {r["name"]: r for r in csv.DictReader(f)}
    runs = [run for d in args.dirs for run in load_runs(d)]
    families = ["unconstrained", "inequality-only", "equality"]
    by_family = {name: family(row) for name, row in instances.items()}

    def counts(results, names):
        present = [results[n] for n in names if n in results]
        feasible = sum(truthy(r["feasible"]) for r in present)
        reached = sum(truthy(r["reached_best_known"]) for r in present)
        nontrivial = sum(truthy(r["reached_best_known"]) and r["best_known"] not in ("", "0") and float(r["best_known"]) != 0.0 for r in present)
        return len(present), feasible, reached, nontrivial

    names = sorted(instances, key=lambda n: (len(n), n))
    with_best_known = [n for n in names if instances[n]["best_known"] not in ("", None)]
    nontrivial_total = sum(float(instances[n]["best_known"]) != 0.0 for n in with_best_known)
    print(f"{len(names)} instances ({', '.join(f'{sum(by_family[n] == fam for n in names)} {fam}' for fam in families)}); "
          f"{len(with_best_known)} with a best-known, {nontrivial_total} of them non-zero.\n")
    header = ["run", "instances", "feasible", "best-known reached", "non-zero best-known reached"]
    header += [f"{fam}: feasible / best-known" for fam in families]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for label, results in runs:
        total = counts(results, names)
        cells = [label] + [str(v) for v in total]
        for fam in families:
            count, feasible, reached, _ = counts(results, [n for n in names if by_family[n] == fam])
            cells.append(f"{feasible} / {reached} of {count}")
        print("| " + " | ".join(cells) + " |")
    for kind in ("AOC-DT", "AOC-DT + polish"):
        group = [r for label, r in runs if label.endswith(": AOC-DT + polish") == (kind == "AOC-DT + polish")]
        if len(group) > 1:
            feasible_any = sum(any(n in r and truthy(r[n]["feasible"]) for r in group) for n in names)
            reached_any = [n for n in names if any(n in r and truthy(r[n]["reached_best_known"]) for r in group)]
            print(f"\nAny of the {len(group)} {kind} runs: feasible on {feasible_any}, best-known on {len(reached_any)}.")
    print("\nPer instance: gap to the best-known in % (relative, max(1, |best-known|) in the denominator); "
          "`infeasible` = no feasible point; `-` = not run.\n")
    header = ["instance", "family", "best-known"] + [label for label, _ in runs]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for n in names:
        cells = [n, by_family[n], instances[n]["best_known"] or "-"]
        for _, results in runs:
            run = results.get(n)
            gap = gap_percent(run)
            if run is None:
                cells.append("-")
            elif not truthy(run["feasible"]):
                cells.append("infeasible")
            elif gap is None:
                cells.append("feasible")
            else:
                cells.append("0" if truthy(run["reached_best_known"]) else f"{gap:.3g}")
        print("| " + " | ".join(cells) + " |")
    missing = [n for n in names if any(n not in r for _, r in runs)]
    if missing:
        print(f"\npartial: {len(missing)} instance(s) missing from at least one run: {' '.join(missing[:20])}")


if __name__ == "__main__":
    main()
