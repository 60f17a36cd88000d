#!/usr/bin/env python3
"""Summarises a QOBLIB study (scripts/qoblib_study.sh): every solver of the runs by QOBLIB class,
and AOC-DT beside the runs QOBLIB records at equal elapsed time.

    qoblib_summary.py DIR [DIR ...]

Each DIR is a merged `bench` output folder named <class>-<SECONDS>s-seed<SEED> (the class is
QOBLIB's: marketsplit, labs, independentset). Prints markdown:

- per class and solver: instances, feasible, optimum or best-known reached (the catalog's
  target), mean primal gap (%, 100 for a run without a feasible point) and the shifted geometric
  mean of the time to the target (shift 1 s, a miss charged its time limit, so a lower bound, ≥,
  where there are misses);
- per class and recorded solver (Abs2, Gurobi, run by QOBLIB's submitters on their machines): on
  how many instances AOC-DT's best at its time limit is better than, equal to or worse than the
  recorded run's incumbent at that same elapsed time (not known where a submission records only
  its final point, past that time), and how many each reached the target by then. Elapsed times on different machines: quality at equal time, never a speed-up.
"""
import csv
import math
import os
import sys
from collections import defaultdict

from results_folder import load_results_json

SHIFT_S = 1.0
SOLVERS = ["aocdt", "aocdt_polish", "sa", "tabu"]
LABELS = {"aocdt": "AOC-DT", "aocdt_polish": "AOC-DT + polish", "sa": "sa", "tabu": "tabu",
          "abs2_recorded": "Abs2 (recorded)", "gurobi_recorded": "Gurobi (recorded)"}
RECORDED = ["abs2_recorded", "gurobi_recorded"]
# The target tolerance of aocbench's metrics (metrics/target.rs): relative to max(1, |target|), 1e-6.
TOLERANCE = 1e-6


def sgm(values):
    return math.exp(sum(math.log(v + SHIFT_S) for v in values) / len(values)) - SHIFT_S


def better(sense, a, b):
    """a strictly better than b beyond the tolerance, in the instance's sense."""
    scale = max(1.0, abs(a), abs(b))
    return (a < b - TOLERANCE * scale) if sense == "min" else (a > b + TOLERANCE * scale)


def held_at(curve, t):
    """The incumbent a curve holds at elapsed time t (None before its first feasible point)."""
    held = None
    for step in curve["steps"]:
        if step["time_s"] > t:
            break
        held = step["objective"]
    return held


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__.split("\n\n")[1])
    per_class = defaultdict(list)      # class -> rows
    curves = defaultdict(dict)         # (instance) -> solver -> curve
    for folder in argv[1:]:
        klass = os.path.basename(os.path.normpath(folder)).split("-")[0]
        with open(os.path.join(folder, "results.csv"), newline="") as f:
            for row in csv.DictReader(f):
                row["class"] = klass
                per_class[klass].append(row)
        for curve in load_results_json(folder)["curves"]:
            if curve["repeat"] == 0:
                curves[curve["instance"]][curve["solver"]] = curve

    print("| class | solver | instances | feasible | optimum or best-known reached | mean primal gap (%) | SGM time to target (s) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for klass, rows in per_class.items():
        for solver in SOLVERS + RECORDED:
            mine = [r for r in rows if r["solver"] == solver and r["status"] not in ("skipped",)]
            if not mine:
                continue
            feasible = sum(r["feasible"] == "true" for r in mine)
            reached = sum(r["reached_best_known"] == "true" for r in mine)
            gaps = [float(r["primal_gap_pct"]) if r["primal_gap_pct"] else 100.0 for r in mine]
            times, censored = [], False
            for r in mine:
                if r["time_to_target_s"]:
                    times.append(float(r["time_to_target_s"]))
                elif not solver.endswith("_recorded"):
                    times.append(float(r["time_limit_s"] or r["wall_time_s"]))
                    censored = True
            time_cell = "-" if not times else ("≥" if censored else "") + f"{sgm(times):.3g}"
            if solver in RECORDED and times:
                time_cell += " †"
            print(f"| {klass} | {LABELS[solver]} | {len(mine)} | {feasible} | {reached} | {sum(gaps) / len(gaps):.2f} | {time_cell} |")

    print()
    print("† on the submitter's machine, over the recorded runs that reached the target (they ran until"
          " they stopped, not to this study's limits): not comparable with the times above.")
    print()
    print("AOC-DT beside the recorded runs at AOC-DT's time limit (the recorded runs are on other machines):")
    print()
    print("| class | recorded | instances | AOC-DT better | equal | worse | not known then (no series) | AOC-DT reached target | recorded reached target by then | recorded reached target by its end |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for klass, rows in per_class.items():
        aocdt = {r["instance"]: r for r in rows if r["solver"] == "aocdt"}
        for solver in RECORDED:
            tally = defaultdict(int)
            for instance, row in aocdt.items():
                recorded = curves[instance].get(solver)
                mine = curves[instance].get("aocdt")
                if recorded is None:
                    continue
                limit = float(row["time_limit_s"] or row["wall_time_s"])
                target = float(row["target"])
                sense = row["sense"]
                theirs = held_at(recorded, limit)
                ours = held_at(mine, limit) if mine else None
                tally["instances"] += 1
                reaches = lambda v: v is not None and not better(sense, target, v)
                tally["aocdt_reached"] += reaches(ours)
                tally["recorded_reached_end"] += reaches(recorded["steps"][-1]["objective"] if recorded["steps"] else None)
                if len(recorded["steps"]) == 1 and recorded["steps"][0]["time_s"] > limit:
                    # Only the run's final point is recorded (no series): its incumbent at the
                    # limit is not known.
                    tally["unknown"] += 1
                    continue
                tally["recorded_reached"] += reaches(theirs)
                if ours is None and theirs is None:
                    tally["equal"] += 1
                elif theirs is None or (ours is not None and better(sense, ours, theirs)):
                    tally["better"] += 1
                elif ours is None or better(sense, theirs, ours):
                    tally["worse"] += 1
                else:
                    tally["equal"] += 1
            if tally["instances"]:
                print(f"| {klass} | {LABELS[solver]} | {tally['instances']} | {tally['better']} | {tally['equal']} | {tally['worse']} | {tally['unknown']} | "
                      f"{tally['aocdt_reached']} | {tally['recorded_reached']} | {tally['recorded_reached_end']} |")


if __name__ == "__main__":
    main(sys.argv)
