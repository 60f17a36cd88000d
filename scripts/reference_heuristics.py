"""Heuristic peers of AOC-DT for scripts/reference_solver.py: simulated annealing and tabu search
(D-Wave's dwave-samplers) and simulated bifurcation (the simulated-bifurcation package on
PyTorch), run as anytime solvers on a binary quadratic model written by aocbench.

The model file (JSON, written by aocbench's reference runner):

    {"sense": "minimize"|"maximize",
     "variables": ["x1", ...],                 # every instance variable, all binary
     "fixed": {"x7": 0, ...},                  # binaries with equal bounds
     "constant": c, "linear": [[j, b], ...], "quadratic": [[i, j, v], ...],   # f(x) exactly
     "rows": [{"name": "c3", "terms": [[j, a], ...], "lo": lo|null, "hi": hi|null,
               "weight": P}, ...]}             # linear rows, AOC-DT's starting weight P

f(x) = c + sum b_j x_j + sum v x_i x_j (i <= j): QPLIB's 1/2 is already applied.

Binary-only peers see the rows as penalties built by dimod itself: a row with equal sides through
BinaryQuadraticModel.add_linear_equality_constraint, any other through
add_linear_inequality_constraint with binary slacks. Two weight rules (--penalty):

  adaptive       each row starts at the weight AOC-DT's sweep starts it at, and between rounds
                 the rows violated by the round's lowest-energy read are doubled (at most
                 1024 times their start) while that read is infeasible and no feasible point
                 beats its penalised energy -- AOC-DT's own adaptation rule;
  dimod-default  dimod.cqm_to_bqm with its default Lagrange multiplier (10 x the largest
                 objective bias), fixed.

A row with fractional coefficients is multiplied by the smallest power of ten (up to 1e6) that
makes it integral, and its weight divided by that factor squared, as dimod's documentation asks
for its slack encoding; the penalty is unchanged.

Every round's reads are judged on the constrained model (dimod's CQM) to pick incumbents and
adapt weights; aocbench judges every reported point again, exactly, and trusts none of this.
"""

import math
import time

# Doubling cap: the same as AOC-DT's (src/qumo/penalty.rs, MAX_PENALTY_GROWTH).
MAX_PENALTY_GROWTH = 1024.0
# Largest power of ten a fractional row is scaled by to make it integral.
MAX_ROW_SCALE_DIGITS = 6
# Rounds per run the time limit is split into when a round is cheap: each round ends with a
# weight adaptation and an incumbent update.
TARGET_ROUNDS = 20
# dwave-samplers' SimulatedAnnealingSampler default number of sweeps per read.
SA_SWEEPS = 1000
# simulated-bifurcation: oscillators (agents) per call, the package's default.
SB_AGENTS = 128
# Largest model simulated bifurcation takes: its couplings are a dense n x n matrix.
SB_MAX_VARIABLES = 20000

PENALTY_RULES = ("adaptive", "dimod-default")


class Unsupported(Exception):
    """The model is outside what the peer can run (reported as status skipped)."""


def row_scale(terms, lo, hi):
    """The smallest power of ten, up to 1e6, that makes the row's coefficients and sides
    integral; 1 when none does."""
    values = [a for _, a in terms] + [s for s in (lo, hi) if s is not None]
    for digits in range(MAX_ROW_SCALE_DIGITS + 1):
        factor = 10.0 ** digits
        if all(abs(v * factor - round(v * factor)) <= 1e-9 * max(1.0, abs(v * factor)) for v in values):
            return factor
    return 1.0


class PenaltyModel:
    """The instance as dimod models: the constrained model (for judging reads) and, for given
    row weights, the penalised binary quadratic model the samplers minimise."""

    def __init__(self, data):
        import dimod

        self.dimod = dimod
        self.sense_sign = -1.0 if data["sense"] == "maximize" else 1.0
        self.variables = list(data["variables"])
        self.fixed = {name: int(value) for name, value in data.get("fixed", {}).items()}
        names = self.variables
        sign = self.sense_sign
        linear = {}
        for j, b in data["linear"]:
            linear[names[j]] = linear.get(names[j], 0.0) + sign * b
        quadratic = {}
        for i, j, v in data["quadratic"]:
            if i == j:
                linear[names[i]] = linear.get(names[i], 0.0) + sign * v
            else:
                key = (names[i], names[j])
                quadratic[key] = quadratic.get(key, 0.0) + sign * v
        objective = dimod.BinaryQuadraticModel(linear, quadratic, sign * data["constant"], dimod.BINARY)
        for name in self.variables:
            objective.add_variable(name)
        self.free = [name for name in self.variables if name not in self.fixed]
        for name, value in self.fixed.items():
            objective.fix_variable(name, value)
        # sign * f over the free binaries.
        self.objective = objective

        self.rows = []
        cqm = dimod.ConstrainedQuadraticModel()
        cqm.set_objective(objective)
        for row in data["rows"]:
            constant = sum(a * self.fixed[names[j]] for j, a in row["terms"] if names[j] in self.fixed)
            terms = [(names[j], a) for j, a in row["terms"] if names[j] not in self.fixed and a != 0.0]
            lo = None if row["lo"] is None else row["lo"] - constant
            hi = None if row["hi"] is None else row["hi"] - constant
            if not terms:
                continue  # fixed by the bounds; aocbench's judge still checks it
            scale = row_scale(terms, lo, hi)
            scaled = [(v, a * scale) for v, a in terms]
            lo_s = None if lo is None else lo * scale
            hi_s = None if hi is None else hi * scale
            self.rows.append({
                "name": row["name"], "terms": scaled, "lo": lo_s, "hi": hi_s,
                "start": row["weight"] / scale ** 2, "scale": scale,
            })
            if lo_s is not None and hi_s is not None and lo_s == hi_s:
                cqm.add_constraint_from_iterable(scaled, "==", rhs=lo_s, label=row["name"])
            else:
                if lo_s is not None:
                    cqm.add_constraint_from_iterable(scaled, ">=", rhs=lo_s, label=row["name"] + "_lo")
                if hi_s is not None:
                    cqm.add_constraint_from_iterable(scaled, "<=", rhs=hi_s, label=row["name"] + "_hi")
        self.cqm = cqm

    def penalised(self, weights):
        """sign * f plus every row's penalty at `weights` (one per row, in self.rows' order),
        built by dimod; slack variables are labelled after their row."""
        import warnings

        bqm = self.objective.copy()
        for row, weight in zip(self.rows, weights):
            lo, hi = row["lo"], row["hi"]
            if lo is not None and hi is not None and lo == hi:
                bqm.add_linear_equality_constraint(row["terms"], weight, -lo)
                continue
            bounds = {}
            if lo is not None:
                bounds["lb"] = lo
            if hi is not None:
                bounds["ub"] = hi
            else:
                bounds["ub"] = sum(a for _, a in row["terms"] if a > 0)
            with warnings.catch_warnings():
                # "Did not add constraint": a row no binary point can violate needs no penalty;
                # fractional rows left after scaling are approximated, as dimod says.
                warnings.simplefilter("ignore")
                bqm.add_linear_inequality_constraint(row["terms"], weight, "slack_" + row["name"], **bounds)
        return bqm

    def dimod_default(self):
        """dimod.cqm_to_bqm with its default Lagrange multiplier, and that multiplier."""
        if not self.rows:
            return self.objective.copy(), None
        # dimod's own default (10 x the largest objective bias), computed to be reported.
        biases = [abs(b) for b in self.objective.linear.values()] + [abs(b) for b in self.objective.quadratic.values()]
        multiplier = 10.0 * max(biases, default=0.0) or 1.0
        bqm, _ = self.dimod.cqm_to_bqm(self.cqm, lagrange_multiplier=multiplier)
        return bqm, multiplier

    def judge(self, sampleset):
        """Per read, in the sampleset's order: (sign * f, feasible, names of violated rows)."""
        import numpy as np

        samples = (sampleset.record.sample, list(sampleset.variables))
        if not self.free:
            objective = np.full(len(sampleset), self.objective.offset)
        else:
            objective = self.cqm.objective.energies(samples)
        violated = [[] for _ in range(len(sampleset))]
        for label, constraint in self.cqm.constraints.items():
            activity = constraint.lhs.energies(samples)
            rhs = constraint.rhs
            tolerance = 1e-6 * max(1.0, abs(rhs))
            sense = constraint.sense.value
            if sense == "==":
                bad = np.abs(activity - rhs) > tolerance
            elif sense == "<=":
                bad = activity > rhs + tolerance
            else:
                bad = activity < rhs - tolerance
            row = label.rsplit("_", 1)[0] if label.endswith(("_lo", "_hi")) else label
            for k in np.flatnonzero(bad):
                violated[k].append(row)
        return [(float(objective[k]), not violated[k], violated[k]) for k in range(len(sampleset))]

    def point(self, sampleset, k):
        """Values of every instance variable at read k (fixed ones at their value)."""
        sample = sampleset.record.sample[k]
        position = {v: p for p, v in enumerate(sampleset.variables)}
        return [float(self.fixed[v]) if v in self.fixed else float(sample[position[v]]) for v in self.variables]


class Anytime:
    """Incumbents with their times, the best read so far (feasible or least violated), and the
    weights of the adaptive rule."""

    def __init__(self, model, start, time_limit):
        self.model = model
        self.start = start
        self.deadline = start + time_limit
        self.incumbents = []
        self.best = None  # (sign * f, point) of the best feasible read
        self.fallback = None  # (violated rows, sign * f, point) of the least violated read
        self.weights = [row["start"] for row in model.rows]
        self.reads = 0
        self.rounds = 0

    def remaining(self):
        return self.deadline - time.monotonic()

    def absorb(self, sampleset, adapt):
        """Judges a round's reads at the time they came back; records a better feasible one as
        an incumbent and, under the adaptive rule, raises the weights the round's lowest-energy
        read shows to be too weak."""
        now = time.monotonic() - self.start
        self.rounds += 1
        self.reads += len(sampleset)
        verdicts = self.model.judge(sampleset)
        feasible = [k for k, (_, ok, _) in enumerate(verdicts) if ok]
        if feasible:
            k = min(feasible, key=lambda k: verdicts[k][0])
            if self.best is None or verdicts[k][0] < self.best[0]:
                self.best = (verdicts[k][0], self.model.point(sampleset, k))
                self.incumbents.append({
                    "time_s": now,
                    "objective": self.model.sense_sign * self.best[0],
                    "values": self.best[1],
                })
        elif len(sampleset):
            k = min(range(len(verdicts)), key=lambda k: (len(verdicts[k][2]), verdicts[k][0]))
            if self.fallback is None or len(verdicts[k][2]) < len(self.fallback[0]):
                self.fallback = (verdicts[k][2], verdicts[k][0], self.model.point(sampleset, k))
        if adapt and len(sampleset):
            lowest = int(sampleset.record.energy.argmin())
            _, ok, rows = verdicts[lowest]
            weak = not ok and (self.best is None or sampleset.record.energy[lowest] < self.best[0])
            if weak:
                wanted = set(rows)
                for r, row in enumerate(self.model.rows):
                    if row["name"] in wanted:
                        self.weights[r] = min(2.0 * self.weights[r], MAX_PENALTY_GROWTH * row["start"])

    def report(self, result, formulation, weight_max):
        result["incumbents"] = self.incumbents
        result["variables"] = list(self.model.variables)
        names = self.model.variables
        if self.best is not None:
            result["primal"] = self.model.sense_sign * self.best[0]
            result["assignment"] = dict(zip(names, self.best[1]))
        elif self.fallback is not None:
            result["assignment"] = dict(zip(names, self.fallback[2]))
        result["formulation"] = formulation
        result["penalty_weight_max"] = weight_max
        result["message"] += f"{self.rounds} rounds, {self.reads} reads"


def round_seconds(time_limit, per_read):
    """How long a round should take: a 1/TARGET_ROUNDS share of the limit, and at least one
    read."""
    return max(time_limit / TARGET_ROUNDS, per_read)


def run_sa(model, state, bqm_for_round, seed, adapt):
    from dwave.samplers import SimulatedAnnealingSampler

    sampler = SimulatedAnnealingSampler()
    limit = state.deadline - state.start
    # Stops a call between reads at the limit; reads that come back after it do not count.
    interrupt = lambda: time.monotonic() >= state.deadline
    per_read = None
    round_index = 0
    while state.remaining() > 0:
        reads = 1
        if per_read is not None:
            reads = min(1024, int(min(state.remaining(), round_seconds(limit, per_read)) / per_read))
            if reads == 0:
                break  # not even one more read fits
        bqm = bqm_for_round()
        began = time.monotonic()
        sampleset = sampler.sample(bqm, num_reads=reads, num_sweeps=SA_SWEEPS, seed=(seed + 7919 * round_index) % 2**32,
                                   interrupt_function=interrupt)
        if time.monotonic() > state.deadline:
            break
        per_read = (time.monotonic() - began) / max(1, len(sampleset))
        state.absorb(sampleset, adapt)
        round_index += 1


def run_tabu(model, state, bqm_for_round, seed, adapt):
    from dwave.samplers import TabuSampler

    sampler = TabuSampler()
    limit = state.deadline - state.start
    round_index = 0
    # A read stops at its timeout, give or take a few milliseconds; one that comes back after the
    # limit does not count, so the last round ends a little early.
    margin = min(0.02, limit / 100)
    while state.remaining() > margin + 0.001:
        bqm = bqm_for_round()
        timeout_ms = max(1, int(1000 * min(state.remaining() - margin, round_seconds(limit, 0.0))))
        sampleset = sampler.sample(bqm, num_reads=1, timeout=timeout_ms, seed=(seed + 7919 * round_index) % 2**31)
        if time.monotonic() > state.deadline:
            break
        state.absorb(sampleset, adapt)
        round_index += 1


def run_sb(model, state, bqm_for_round, seed, adapt, mode, threads):
    import dimod
    import numpy as np
    import simulated_bifurcation as sb
    import torch

    torch.manual_seed(seed % 2**63)
    torch.set_num_threads(max(1, threads))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    state.device = device
    while state.remaining() > 0.01:
        bqm = bqm_for_round()
        order = list(bqm.variables)
        n = len(order)
        if n > SB_MAX_VARIABLES:
            raise Unsupported(f"{n} binaries with slacks exceed simulated bifurcation's dense limit ({SB_MAX_VARIABLES})")
        if n == 0:
            break
        position = {v: p for p, v in enumerate(order)}
        matrix = np.zeros((n, n), dtype=np.float64)
        for (u, v), bias in bqm.quadratic.items():
            matrix[position[u], position[v]] += bias
        vector = np.array([bqm.linear[v] for v in order], dtype=np.float64)
        vectors, _ = sb.minimize(torch.tensor(matrix), torch.tensor(vector), float(bqm.offset), domain="binary",
                                 device=device, agents=SB_AGENTS, mode=mode, best_only=False, verbose=False,
                                 timeout=max(0.01, state.remaining()))
        if time.monotonic() > state.deadline:
            break  # came back after the limit: its reads do not count
        samples = vectors.detach().cpu().numpy().reshape(-1, n).astype(np.int8)
        sampleset = dimod.SampleSet.from_samples_bqm((samples, order), bqm)
        state.absorb(sampleset, adapt)


def solve(args, result):
    """Runs peer args.solver (sa, tabu, bsb, dsb) on the model in args.model until
    args.time_limit seconds after the model is built; fills `result` (see reference_solver.py)
    with "setup_time_s" (package import and model building), "formulation" and
    "penalty_weight_max" besides."""
    import json

    setup_began = time.monotonic()
    import dimod  # noqa: F401  (the import is part of the setup time)
    if args.solver in ("sa", "tabu"):
        import dwave.samplers  # noqa: F401
        from importlib.metadata import version
        result["solver_version"] = f"dwave-samplers {version('dwave-samplers')} (dimod {version('dimod')})"
    else:
        import simulated_bifurcation
        import torch
        result["solver_version"] = f"simulated-bifurcation {simulated_bifurcation.__version__} (PyTorch {torch.__version__})"
    with open(args.model) as f:
        data = json.load(f)
    for name, value in data.get("fixed", {}).items():
        if value not in (0, 1):
            raise Unsupported(f"{name} is fixed at {value}, not a binary value")
    model = PenaltyModel(data)
    rule = args.penalty
    default_bqm, multiplier = model.dimod_default() if rule == "dimod-default" else (None, None)
    result["setup_time_s"] = time.monotonic() - setup_began
    state = Anytime(model, time.monotonic(), args.time_limit)
    adapt = rule == "adaptive"
    bqm_for_round = (lambda: model.penalised(state.weights)) if adapt else (lambda: default_bqm)
    result["threads"] = 1
    if args.solver == "sa":
        run_sa(model, state, bqm_for_round, args.seed, adapt)
    elif args.solver == "tabu":
        run_tabu(model, state, bqm_for_round, args.seed, adapt)
    else:
        mode = "ballistic" if args.solver == "bsb" else "discrete"
        run_sb(model, state, bqm_for_round, args.seed, adapt, mode, args.threads)
        result["threads"] = args.threads
        result["solver_version"] += f" on {state.device}"
    result["wall_time_s"] = time.monotonic() - state.start
    result["status"] = "time_limit"
    if args.solver in ("sa", "tabu") and args.threads > 1:
        result["message"] = f"{args.solver} runs on one thread; --threads {args.threads} not used. "
    if not model.rows:
        formulation, weight_max = "QUBO (no rows)", None
    elif rule == "dimod-default":
        formulation, weight_max = "binary slacks (dimod), dimod's default multiplier", multiplier
    else:
        formulation = "binary slacks (dimod), adaptive per-row weights"
        # In the instance's units: a scaled row's weight times its scale squared.
        weight_max = max(w * row["scale"] ** 2 for w, row in zip(state.weights, model.rows))
    state.report(result, formulation, weight_max)
