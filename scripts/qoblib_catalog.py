#!/usr/bin/env python3
"""Writes qoblib/catalog.csv from a QOBLIB checkout: one row per `.qs` file of the three QUBO
classes aocbench knows (market split, LABS, maximum independent set).

    qoblib_catalog.py QOBLIB_DIR > qoblib/catalog.csv

QOBLIB_DIR is a checkout as scripts/download_qoblib.sh leaves it (01-marketsplit/,
02-labs/, 07-independentset/). Columns: those aocbench's catalog reader needs (docs/instances.md)
and provenance columns for people:

- sizes counted from each file as aocbench reads it: the diagonal of Q is the linear term
  (n_linear_objective_terms: its non-zeros), every off-diagonal entry a quadratic one
  (n_nonzeros_quadratic), no constraints; file_type QBB as QPLIB writes its QUBOs;
- objective_sense from the ZIMPL model in the file's comments (max for independent set);
- best_known_objective, optimal: market split 0, optimal (QOBLIB: every instance is feasible,
  and the energy, a sum of squares, is never negative); LABS and independent set: the better of
  QOBLIB's own value and the literature's in the class's solutions/README.md, optimal `yes` where
  QOBLIB marks its value (asterisk) as proven optimal and it is the best-known, or where the
  better value is Packebusch & Mertens's (2016) exact LABS optimum (n <= 66); a literature
  value QOBLIB writes "to be checked" is not adopted (it is kept in literature_objective);
- best_known_source, solution_file (the .opt.sol/.bst.sol beside it), literature_objective,
  literature_source, source (the file in QOBLIB at the pinned commit).

aocbench's tests read every file of a QOBLIB checkout and check these counts against the reader.
"""

import csv
import lzma
import re
import sys
from pathlib import Path

COMMIT = "de698d45d874ad72fe23c739b964f9d103e27669"
CLASSES = [
    ("marketsplit", "01-marketsplit", "models/binary_unconstrained/qs_files"),
    ("labs", "02-labs", "models/quadratic_unconstrained/qs_files"),
    ("independentset", "07-independentset", "models/binary_unconstrained/qs_files"),
]
# Names the solutions README spells otherwise than the instance file (as of the pinned commit).
README_SPELLING = {"mammalia-kangaroo-interactions": "mammalia-kangoroo-interactions", "socfb-trinity100": "socfb-rtinity100"}
COLUMNS = [
    "name", "class", "file_type", "n_vars", "n_binary", "n_constraints", "n_nonzeros_quadratic",
    "n_quadratic_diagonal", "n_linear_objective_terms", "n_constraint_nonzeros", "objective_sense",
    "best_known_objective", "optimal", "best_known_source", "solution_file", "literature_objective",
    "literature_source", "source",
]


def counts(path):
    """(n, nnz, off-diagonal entries, non-zero diagonal entries, sense) of one .qs(.xz) file
    (aocbench's reader checks the entries against nnz; this only counts)."""
    opener = lzma.open if path.name.endswith(".xz") else open
    n, nnz, off, diagonal, sense = None, None, 0, 0, "min"
    with opener(path, "rt") as lines:
        for line in lines:
            line = line.strip()
            if not line:
                continue
            if line.startswith("#"):
                word = re.match(r"[a-z]*", line[1:].strip()).group(0)
                if word in ("minimize", "maximize"):
                    sense = word[:3]
                continue
            fields = line.split()
            if n is None:
                n, nnz = int(fields[0]), int(fields[1])
            elif fields[0] == fields[1]:
                diagonal += float(fields[2]) != 0.0
            else:
                off += 1
    return n, nnz, off, diagonal, sense


def solutions_table(readme):
    """{instance: (our value, proven, literature value or None, citation)} from a README table."""
    table = {}
    for line in readme.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not re.match(r"^[A-Za-z]", cells[0]) or cells[0] == "Instance":
            continue
        ours = cells[1].replace("\\*", "*").replace("**", "")
        proven = ours.endswith("*")
        ours = ours.rstrip("*")
        literature = cells[2] if re.fullmatch(r"-?\d+(\.\d+)?", cells[2]) else None
        table[cells[0]] = (ours, proven, literature, cells[3])
    return table


def best_known(sense, ours, proven, literature, citation):
    """(value, optimal, source) for LABS and independent set."""
    ours_value = float(ours)
    if literature is None or "to be checked" in citation:
        return ours_value, proven, "QOBLIB solutions/README.md (its own solution)"
    lit = float(literature)
    better = lit < ours_value if sense == "min" else lit > ours_value
    if better:
        # Packebusch & Mertens (2016) solved LABS exactly (branch and bound) for every n <= 66,
        # which are the values QOBLIB cites.
        exact = "Packebusch & Mertens" in citation
        return lit, exact, f"literature, as QOBLIB solutions/README.md cites it: {citation}" + (" (exact for n <= 66)" if exact else "")
    return ours_value, proven, "QOBLIB solutions/README.md (its own solution)"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    root = Path(sys.argv[1])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(COLUMNS)
    for cls, top, folder in CLASSES:
        files = sorted((root / top / folder).glob("*.qs*"))
        if not files:
            sys.exit(f"error: no .qs files in {root / top / folder}")
        table = solutions_table(root / top / "solutions" / "README.md")
        for path in files:
            name = re.sub(r"\.qs(\.xz)?$", "", path.name)
            n, nnz, off, diagonal, sense = counts(path)
            solution = next((s.name for s in (root / top / "solutions").glob(f"{name}.*.sol")), "")
            literature, citation = "", ""
            if cls == "marketsplit":
                value, optimal, source = 0.0, True, "QOBLIB: every market split instance is feasible (energy 0, a sum of squares)"
            else:
                row = table.get(name) or table.get(README_SPELLING.get(name, ""))
                if row is None:
                    sys.exit(f"error: {name} is not in {top}/solutions/README.md")
                ours, proven, lit, cite = row
                value, optimal, source = best_known(sense, ours, proven, lit, cite)
                literature, citation = (lit, cite) if lit is not None else ("", "")
            writer.writerow([
                name, cls, "QBB", n, n, 0, off, 0, diagonal, 0, sense, f"{value:g}",
                "yes" if optimal else "unknown", source, solution, literature, citation,
                f"ZIB-AOPT/QOBLIB@{COMMIT[:7]} {top}/{folder}/{path.name}",
            ])


if __name__ == "__main__":
    main()
