#!/usr/bin/env python3
"""Summarises a peers study (scripts/peers_study.sh): every solver of the runs by family.

    peers_summary.py [--solvers=sa,tabu] INSTANCES.csv DIR [DIR ...]

INSTANCES.csv is `aocbench info --format csv` of the QBL instances (for the families; an
instance not in it, such as a QBN one, is `unconstrained`); each DIR is a merged `bench` output
folder. Prints markdown:

- per solver and family: instances, feasible, best-known reached, shifted geometric mean of the
  time to the target (shift 1 s, a miss charged the time limit, so a lower bound where there are
  misses) and mean primal integral (s);
- AOC-DT against each reference at equal quality: on how many instances both found a feasible
  point, how many AOC-DT reached the best objective both reached sooner, the geometric mean of
  the reference's time over AOC-DT's there (measured on both sides, never a bound), and the
  instances where only one of the two reached the best-known.

--solvers keeps only the named solvers' rows (the second table then only where AOC-DT is one).
Families as scripts/quality_summary.py defines them.
"""
import csv
import math
import os
import sys

from quality_summary import family
from results_folder import load_results_json

SHIFT_S = 1.0


def sgm(values):
    return math.exp(sum(math.log(v + SHIFT_S) for v in values) / len(values)) - SHIFT_S


def number(value, digits=3):
    return "-" if value is None else f"{value:.{digits}g}"


def main(argv):
    only = None
    if len(argv) > 1 and argv[1].startswith("--solvers="):
        only = argv[1].split("=", 1)[1].split(",")
        argv = argv[:1] + argv[2:]
    if len(argv) < 3:
        sys.exit(__doc__.split("\n\n")[1])
    with open(argv[1], newline="") as f:
        families = {row["name"]: family(row) for row in csv.DictReader(f)}
    rows, pairs = [], []
    for folder in argv[2:]:
        with open(os.path.join(folder, "results.csv"), newline="") as f:
            rows += list(csv.DictReader(f))
        results = load_results_json(folder)
        for comparison in results["comparison"]:
            pairs += [(comparison, pair) for pair in comparison["pairs"]]
    names = {"aocdt": "AOC-DT", "scip": "SCIP", "gurobi": "Gurobi", "sa": "SA", "tabu": "Tabu", "bsb": "bSB", "dsb": "dSB"}
    solvers = [s for s in names if any(r["solver"] == s for r in rows) and (only is None or s in only)]
    family_order = ["unconstrained", "inequality-only", "equality", "all"]

    print("| solver | family | instances | feasible | best-known reached | sgm time to target (s) | mean primal integral (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for solver in solvers:
        for fam in family_order:
            chosen = [r for r in rows if r["solver"] == solver and (fam == "all" or families.get(r["instance"], "unconstrained") == fam)]
            ran = [r for r in chosen if r["status"] not in ("error", "skipped")]
            if not chosen:
                continue
            times = [float(r["time_to_target_s"]) if r["time_to_target_s"] else float(r["time_limit_s"] or r["wall_time_s"]) for r in ran if r["target"]]
            integrals = [float(r["primal_integral_s"]) for r in ran if r["primal_integral_s"]]
            feasible = sum(r["feasible"] == "true" for r in ran)
            reached = sum(r["reached_best_known"] == "true" for r in ran)
            with_known = sum(bool(r["best_known"]) for r in chosen)
            skipped = len(chosen) - len(ran)
            note = f" ({skipped} skipped or failed)" if skipped else ""
            print(f"| {names[solver]} | {fam} | {len(chosen)}{note} | {feasible} | {reached}/{with_known} | "
                  f"{number(sgm(times) if times else None)} | {number(sum(integrals) / len(integrals) if integrals else None)} |")

    if "aocdt" not in solvers:
        return
    print()
    print("| reference | instances both feasible | AOC-DT sooner at equal quality | geometric mean of reference time / AOC-DT time | best-known: AOC-DT only | best-known: reference only |")
    print("| --- | ---: | ---: | ---: | --- | --- |")
    reached = {(r["instance"], r["solver"]) for r in rows if r["reached_best_known"] == "true"}
    for solver in [s for s in solvers if s != "aocdt"]:
        mine = [(c, p) for c, p in pairs if p["solver"] == solver]
        ratios = [p["equal_quality_ratio"] for _, p in mine if p["equal_quality_ratio"] is not None and 0 < p["equal_quality_ratio"] < math.inf]
        sooner = sum(r > 1 for r in ratios)
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios)) if ratios else None
        only_aocdt = sorted(c["instance"] for c, _ in mine if (c["instance"], "aocdt") in reached and (c["instance"], solver) not in reached)
        only_peer = sorted(c["instance"] for c, _ in mine if (c["instance"], solver) in reached and (c["instance"], "aocdt") not in reached)
        print(f"| {names[solver]} | {len(ratios)} | {sooner} | {number(geo)} | {len(only_aocdt)}: {', '.join(only_aocdt) or '-'} | "
              f"{len(only_peer)}: {', '.join(only_peer) or '-'} |")


if __name__ == "__main__":
    main(sys.argv)
