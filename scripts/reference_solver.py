#!/usr/bin/env python3
"""Runs a reference solver on an instance written by aocbench: SCIP or Gurobi on an LP file, or
a heuristic peer (sa, tabu, bsb, dsb: scripts/reference_heuristics.py) on a binary model.

    python scripts/reference_solver.py --solver scip|gurobi --lp FILE --time-limit S \
        --threads N --out result.json [--seed N]
    python scripts/reference_solver.py --solver sa|tabu|bsb|dsb --model FILE --time-limit S \
        --threads N --out result.json [--seed N] [--penalty adaptive|dimod-default]

Writes one JSON object to --out (atomically: temp file + rename, so a reader never sees half
a file):

    {"solver", "solver_version", "status", "primal", "dual_bound", "wall_time_s",
     "variables": [name, ...],
     "incumbents": [{"time_s", "objective", "values": [value per variable]}],
     "assignment": {"x1": value, ...}, "threads", "message"}

and, from the heuristic peers, "setup_time_s" (package import and model building, before the
time limit starts), "formulation" and "penalty_weight_max".

status is one of optimal, time_limit, infeasible, unbounded, infeasible_or_unbounded,
interrupted, memory_limit, skipped, error, other. Times are wall-clock seconds since the
solver's optimize call. "incumbents" are the solutions the solver announced as new best
ones (SCIP: BESTSOLFOUND events; Gurobi: MIPSOL callbacks), each with its point. Objective
values are the solver's own and only informational: aocbench recomputes objective and
feasibility of every point from the instance. This matters: SCIP carries a quadratic
objective in an auxiliary variable that is only bounded by the quadratic, so its values can
be far from the points' true ones (QPLIB_0752, maximisation: an incumbent reported as
-100000 is worth 16727).

The exit status is 0 whenever the JSON was written, including for solver errors (they are
reported in it); the solver packages are imported lazily so that this module can be imported,
and its helpers tested, without them.
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time
import traceback

# The row weight rules of the heuristic peers (reference_heuristics.py documents them).
PENALTY_RULES = ("adaptive", "dimod-default")

# Gurobi error codes (reference manual, "Error Codes").
GRB_ERROR_NO_LICENSE = 10009
GRB_ERROR_SIZE_LIMIT_EXCEEDED = 10010
# What the size-limited licence of the gurobipy 13.0.3 wheel allows, measured: 2000 variables
# and 2000 constraints, but only 200 variables once the model has quadratic terms.
GUROBI_SIZE_LIMITS = "2000 variables or constraints; 200 variables for quadratic models"

# Values at or beyond these magnitudes mean "infinite" to the solvers.
SCIP_INFINITY = 1e20
GUROBI_INFINITY = 1e100


def finite_or_none(value, infinity):
    """A bound or objective as JSON can carry it: None when absent or infinite."""
    if value is None or not math.isfinite(value) or abs(value) >= infinity:
        return None
    return float(value)


def gurobi_licence_skip_reason(errno, message, n_vars=None, n_constraints=None):
    """Why a Gurobi error means "no licence for this run" (-> status skipped), or None when it
    is a genuine error. The size-limited licence refuses models above GUROBI_SIZE_LIMITS at
    optimize time (errno 10010)."""
    lowered = message.lower()
    if errno == GRB_ERROR_SIZE_LIMIT_EXCEEDED or "size-limited" in lowered:
        size = ""
        if n_vars is not None and n_constraints is not None:
            size = f" ({n_vars} variables, {n_constraints} constraints)"
        return f"model{size} exceeds the size-limited Gurobi licence ({GUROBI_SIZE_LIMITS}): {message}"
    if errno == GRB_ERROR_NO_LICENSE or "license" in lowered or "licence" in lowered:
        return f"no usable Gurobi licence: {message}"
    return None


def new_result(solver, threads):
    return {
        "solver": solver,
        "solver_version": None,
        "status": "error",
        "primal": None,
        "dual_bound": None,
        "wall_time_s": 0.0,
        "variables": [],
        "incumbents": [],
        "assignment": None,
        "threads": threads,
        "message": "",
    }


SCIP_STATUS = {
    "optimal": "optimal",
    "timelimit": "time_limit",
    "infeasible": "infeasible",
    "unbounded": "unbounded",
    "inforunbd": "infeasible_or_unbounded",
    "userinterrupt": "interrupted",
    "memlimit": "memory_limit",
}


def solve_scip(args, result):
    import pyscipopt
    from pyscipopt import SCIP_EVENTTYPE, Eventhdlr, Model

    class IncumbentRecorder(Eventhdlr):
        """Records every new best solution, with its point and the wall time since optimize
        started."""

        def __init__(self, variables):
            super().__init__()
            self.variables = variables
            self.start = time.monotonic()  # reset just before optimize
            self.incumbents = []

        def eventinit(self):
            self.model.catchEvent(SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexit(self):
            self.model.dropEvent(SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexec(self, event):
            elapsed = time.monotonic() - self.start
            sol = self.model.getBestSol()
            self.incumbents.append({
                "time_s": elapsed,
                "objective": self.model.getSolObjVal(sol),
                "values": [self.model.getSolVal(sol, v) for v in self.variables],
            })

    model = Model()
    model.hideOutput()
    result["solver_version"] = (f"SCIP {model.getMajorVersion()}.{model.getMinorVersion()}."
                                f"{model.getTechVersion()} (PySCIPOpt {pyscipopt.__version__})")
    model.readProblem(args.lp)
    model.setParam("limits/time", args.time_limit)
    # Wall clock (SCIP's default, made explicit: every time here is compared with wall time).
    model.setParam("timing/clocktype", 2)
    model.setParam("randomization/randomseedshift", args.seed % 2**31)
    # SCIP's branch-and-bound is sequential. Its concurrent mode (parallel/maxnthreads with
    # solveConcurrent) only passes solutions to the main SCIP when it synchronises — measured
    # here: one incumbent event, at the very end of a 10 s run — which would erase the
    # time-to-target trajectory this driver exists to record.
    result["threads"] = 1
    if args.threads > 1:
        result["message"] = f"SCIP runs sequentially; --threads {args.threads} not used. "

    variables = model.getVars()
    result["variables"] = [v.name for v in variables]
    recorder = IncumbentRecorder(variables)
    model.includeEventhdlr(recorder, "aocbench_incumbents", "records new incumbents")
    recorder.start = time.monotonic()
    model.optimize()
    result["wall_time_s"] = time.monotonic() - recorder.start

    scip_status = model.getStatus()
    result["status"] = SCIP_STATUS.get(scip_status, "other")
    result["message"] += f"SCIP status {scip_status}"
    result["incumbents"] = recorder.incumbents
    result["dual_bound"] = finite_or_none(model.getDualbound(), SCIP_INFINITY)
    if model.getNSols() > 0:
        best = model.getBestSol()
        result["primal"] = finite_or_none(model.getSolObjVal(best), SCIP_INFINITY)
        result["assignment"] = {v.name: model.getSolVal(best, v) for v in variables}


def solve_gurobi(args, result):
    import gurobipy as gp
    from gurobipy import GRB

    status_names = {
        GRB.OPTIMAL: "optimal",
        GRB.TIME_LIMIT: "time_limit",
        GRB.INFEASIBLE: "infeasible",
        GRB.UNBOUNDED: "unbounded",
        GRB.INF_OR_UNBD: "infeasible_or_unbounded",
        GRB.INTERRUPTED: "interrupted",
        GRB.MEM_LIMIT: "memory_limit",
    }
    result["solver_version"] = "Gurobi {}.{}.{}".format(*gp.gurobi.version())
    model = None
    try:
        env = gp.Env(empty=True)
        env.setParam("OutputFlag", 0)
        env.start()
        model = gp.read(args.lp, env)
        model.Params.TimeLimit = args.time_limit
        model.Params.Threads = args.threads
        model.Params.Seed = args.seed % 2**31

        variables = model.getVars()
        result["variables"] = [v.VarName for v in variables]
        incumbents = []

        def record(cb_model, where):
            if where == GRB.Callback.MIPSOL:
                incumbents.append({
                    "time_s": cb_model.cbGet(GRB.Callback.RUNTIME),
                    "objective": cb_model.cbGet(GRB.Callback.MIPSOL_OBJ),
                    "values": cb_model.cbGetSolution(variables),
                })

        start = time.monotonic()
        model.optimize(record)
        result["wall_time_s"] = time.monotonic() - start
    except gp.GurobiError as err:
        sizes = (model.NumVars, model.NumConstrs + model.NumQConstrs) if model is not None else (None, None)
        reason = gurobi_licence_skip_reason(err.errno, str(err), *sizes)
        if reason is None:
            raise
        result["status"] = "skipped"
        result["message"] = reason
        return

    result["status"] = status_names.get(model.Status, "other")
    result["message"] = f"Gurobi status code {model.Status}"
    result["incumbents"] = incumbents
    try:
        result["dual_bound"] = finite_or_none(model.ObjBound, GUROBI_INFINITY)
    except (AttributeError, gp.GurobiError):
        pass  # continuous models have no MIP bound
    if model.SolCount > 0:
        result["primal"] = finite_or_none(model.ObjVal, GUROBI_INFINITY)
        result["assignment"] = {v.VarName: v.X for v in variables}


def solve_heuristic(args, result):
    # Imported here: the module sits beside this script, which tests also load on its own.
    import reference_heuristics

    try:
        reference_heuristics.solve(args, result)
    except reference_heuristics.Unsupported as err:
        result["status"] = "skipped"
        result["message"] = str(err)


SOLVERS = {"scip": solve_scip, "gurobi": solve_gurobi, "sa": solve_heuristic, "tabu": solve_heuristic,
           "bsb": solve_heuristic, "dsb": solve_heuristic}
# The solvers that read the LP file; the others read the binary model (reference_heuristics.py).
LP_SOLVERS = ("scip", "gurobi")


def write_json_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".reference-", suffix=".json", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            # allow_nan=False: NaN/Infinity are not JSON; finite_or_none keeps them out.
            json.dump(data, f, allow_nan=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--solver", choices=sorted(SOLVERS), required=True)
    parser.add_argument("--lp", help="LP file (CPLEX format), for scip and gurobi")
    parser.add_argument("--model", help="binary model (JSON), for sa, tabu, bsb and dsb")
    parser.add_argument("--penalty", choices=PENALTY_RULES, default="adaptive",
                        help="row weights of sa, tabu, bsb and dsb (reference_heuristics.py)")
    parser.add_argument("--time-limit", type=float, required=True, help="seconds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", required=True, help="result JSON")
    args = parser.parse_args(argv)
    needed = "--lp" if args.solver in LP_SOLVERS else "--model"
    if getattr(args, needed[2:]) is None:
        parser.error(f"{args.solver} needs {needed}")
    return args


def main(argv=None):
    args = parse_args(argv)
    result = new_result(args.solver, args.threads)
    started = time.monotonic()
    try:
        SOLVERS[args.solver](args, result)
    except ImportError as err:
        result["status"] = "error"
        result["message"] = f"solver package missing: {err}"
    except Exception as err:  # reported in the JSON; the traceback goes to stderr
        traceback.print_exc()
        result["status"] = "error"
        result["message"] = f"{type(err).__name__}: {err}"
    if result["status"] == "error" and not result["wall_time_s"]:
        result["wall_time_s"] = time.monotonic() - started
    write_json_atomically(args.out, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
