"""A bench results folder's results.json as the summary scripts read it (standard library only):
the plain file, or results.json.gz where a finished folder keeps only that
(scripts/archive_results.sh), as aocbench itself reads it."""
import gzip
import json
import os


def load_results_json(folder):
    """The parsed results.json of `folder` (a path). Exits naming the files when both
    results.json and results.json.gz are there (which one is current?); a folder with
    neither raises FileNotFoundError naming results.json."""
    plain = os.path.join(folder, "results.json")
    archive = plain + ".gz"
    if os.path.exists(archive):
        if os.path.exists(plain):
            raise SystemExit(f"{plain} and {archive} are both there: which one is current? Delete the one that is not")
        with gzip.open(archive, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(plain, encoding="utf-8") as f:
        return json.load(f)
