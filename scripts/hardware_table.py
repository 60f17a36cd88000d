#!/usr/bin/env python3
"""The hardware-model tables of docs/hardware.md from a scripts/hardware_study.sh folder (standard library
only): per instance, the primal gap each configuration ended with, and the time to the target
on the CPU engine (measured) and on the machine (projected from the same work).

  hardware_table.py STUDY_DIR
"""
import csv
import sys
from pathlib import Path

from results_folder import load_results_json

CONFIGURATIONS = ["ideal", "aoc16-none", "aoc16-none-greedy", "aoc16-quantization", "aoc16-noise", "aoc16-offsets", "aoc16-tanh", "aoc16-all", "aoc16-all-greedy", "aoc48-all", "aoc16-all-random-10x", "aoc16-all-greedy-10x"]


def rows(folder):
    with open(folder / "results.csv", newline="") as f:
        return {r["instance"]: r for r in csv.DictReader(f) if r["solver"] == "aocdt"}


def projected(folder):
    runs = load_results_json(folder)["runs"]
    return {r["instance"]: r["metrics"]["projected"] for r in runs if r.get("kind") == "aocdt"}


def gap(row):
    if row is None or row["feasible"] != "true":
        return "infeasible" if row else "-"
    return f"{float(row['primal_gap_pct']):.3g}"


def seconds(value):
    return "not reached" if value in (None, "") else f"{float(value):.3g}"


def main():
    study = Path(sys.argv[1])
    present = [c for c in CONFIGURATIONS if (study / c / "results.csv").exists()]
    results = {c: rows(study / c) for c in present}
    instances = list(results[present[0]])
    print("| instance | " + " | ".join(present) + " |")
    print("| --- |" + " --- |" * len(present))
    for name in instances:
        print(f"| {name} | " + " | ".join(gap(results[c].get(name)) for c in present) + " |")
    # Berthold's primal gap is 100 % without a feasible point, so the mean counts those fully.
    means = [sum(float(r["primal_gap_pct"]) for r in results[c].values()) / len(results[c]) for c in present]
    print("| mean primal gap (%) | " + " | ".join(f"{m:.3g}" for m in means) + " |")
    reached = [sum(r["reached_best_known"] == "true" for r in results[c].values()) for c in present]
    print("| best-known reached | " + " | ".join(f"{r}/{len(results[c])}" for r, c in zip(reached, present)) + " |")
    print()
    print("| instance | target | CPU ideal: time to target (s) | CPU aoc16-all: time to target (s) | AOC projected, ideal twin's work (s) | AOC projected, aoc16-all's work (s) |")
    print("| --- | --- | --- | --- | --- | --- |")
    ideal_projected, all_projected = projected(study / "ideal"), projected(study / "aoc16-all")
    for name in instances:
        ideal, hw = results["ideal"][name], results["aoc16-all"].get(name)
        print(
            f"| {name} | {ideal['target']} | {seconds(ideal['time_to_target_s'])} | {seconds(hw and hw['time_to_target_s'])} "
            f"| {seconds(ideal_projected[name]['time_to_best_known_s'])} | {seconds(all_projected.get(name, {}).get('time_to_best_known_s'))} |"
        )


if __name__ == "__main__":
    main()
