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

f(x) = c + sum b_j x_j + sum v x_i x_j: QPLIB's 1/2 is already applied.

Binary-only peers see the rows as penalties built by dimod itself: a row with equal sides through
BinaryQuadraticModel.add_linear_equality_constraint, any other through
add_linear_inequality_constraint with binary slacks. Each row's penalty is built once at weight
1; a round's model is the objective plus every row's penalty times its weight. Two weight rules
(--penalty):

  adaptive       each row starts at the weight AOC-DT's sweep starts it at, and between rounds
                 the rows violated by the round's lowest-energy read are doubled (at most
                 1024 times their start) while that read is infeasible and no feasible point
                 beats its penalised energy -- AOC-DT's own adaptation rule;
  dimod-default  dimod.cqm_to_bqm with its default Lagrange multiplier (10 x the largest
                 objective bias), fixed.

A row with fractional coefficients is multiplied by the smallest power of ten (up to 1e6) that
makes it integral, and its weight divided by that factor squared, as dimod's documentation asks
for its slack encoding; the penalty is unchanged.

Every round's reads are judged on the rows themselves (numpy, 1e-6 relative tolerance) to pick
incumbents and adapt weights; aocbench judges every reported point again, exactly, and trusts
none of this.
"""

import time
import warnings

# Doubling cap: the same as AOC-DT's (src/qumo/penalty.rs, MAX_PENALTY_GROWTH).
MAX_PENALTY_GROWTH = 1024.0
# Largest power of ten a fractional row is scaled by to make it integral.
MAX_ROW_SCALE_DIGITS = 6
# Rounds the time limit is split into when a read is cheap: each round ends with an incumbent
# update and, under the adaptive rule, a weight adaptation. Rounds start at FIRST_ROUND of the
# limit and double up to 1/TARGET_ROUNDS of it, so that an incumbent's time (the end of its
# round) resolves early finds finely and does not merely measure the round's length.
TARGET_ROUNDS = 20
FIRST_ROUND = 1 / 1024
# dwave-samplers' SimulatedAnnealingSampler default number of sweeps per read, used whenever a
# read of that length fits in a quarter of the time limit; fewer sweeps otherwise.
SA_SWEEPS = 1000
SA_MIN_SWEEPS = 10
# simulated-bifurcation: oscillators (agents) per call and the most steps, the package's
# defaults; a first call of SB_FIRST_STEPS measures the cost of a step, so that later calls take
# as many steps as fit their round.
SB_AGENTS = 128
SB_MAX_STEPS = 10000
SB_FIRST_STEPS = 20
# Largest model (binaries and slack bits) simulated bifurcation and tabu search take: both hold
# the couplings as a dense n x n matrix (20000^2 doubles are 3.2 GB).
DENSE_MAX_VARIABLES = 20000
# Products of samples and terms judged at once (memory of one chunk, 8 bytes each).
JUDGE_CHUNK = 2 ** 22
# Relative tolerance of the driver's own feasibility check (aocbench's judge uses the same).
TOLERANCE = 1e-6



class Unsupported(Exception):
    """The model is outside what the peer can run (reported as status skipped)."""


def row_scale(coefficients, sides):
    """The smallest power of ten, up to 1e6, that makes the row's coefficients and sides
    integral; 1 when none does."""
    values = list(coefficients) + [s for s in sides if s is not None]
    for digits in range(MAX_ROW_SCALE_DIGITS + 1):
        factor = 10.0 ** digits
        if all(abs(v * factor - round(v * factor)) <= 1e-9 * max(1.0, abs(v * factor)) for v in values):
            return factor
    return 1.0


class Coo:
    """A quadratic function over variables 0..size-1 in arrays: offset + lin.x + sum v x_i x_j."""

    def __init__(self, np, size):
        self.lin = np.zeros(size)
        self.i = np.zeros(0, dtype=np.int64)
        self.j = np.zeros(0, dtype=np.int64)
        self.v = np.zeros(0)
        self.offset = 0.0


class PenaltyModel:
    """The instance in index space: free binaries 0..n-1, then every row's slack bits. Holds the
    objective (sign * f), each row's unit penalty built by dimod, and the rows themselves for
    judging reads."""

    def __init__(self, data):
        import dimod
        import numpy as np

        self.dimod, self.np = dimod, np
        self.sense_sign = -1.0 if data["sense"] == "maximize" else 1.0
        self.variables = list(data["variables"])
        names = self.variables
        self.fixed = {name: int(value) for name, value in data.get("fixed", {}).items()}
        fixed_value = np.array([float(self.fixed.get(name, 0)) for name in names])
        is_free = np.array([name not in self.fixed for name in names])
        self.free = np.flatnonzero(is_free)
        n = len(self.free)
        self.n = n
        position = -np.ones(len(names), dtype=np.int64)
        position[self.free] = np.arange(n)
        sign = self.sense_sign

        # sign * f with the fixed binaries substituted.
        objective = Coo(np, n)
        objective.offset = sign * data["constant"]
        for j, b in data["linear"]:
            if is_free[j]:
                objective.lin[position[j]] += sign * b
            else:
                objective.offset += sign * b * fixed_value[j]
        qi, qj, qv = [], [], []
        for i, j, v in data["quadratic"]:
            if is_free[i] and is_free[j]:
                if i == j:
                    objective.lin[position[i]] += sign * v
                else:
                    qi.append(position[i]), qj.append(position[j]), qv.append(sign * v)
            elif is_free[i] or is_free[j]:
                k, other = (i, j) if is_free[i] else (j, i)
                objective.lin[position[k]] += sign * v * fixed_value[other]
            else:
                objective.offset += sign * v * fixed_value[i] * fixed_value[j]
        objective.i, objective.j, objective.v = np.array(qi, dtype=np.int64), np.array(qj, dtype=np.int64), np.array(qv)
        self.objective = objective

        # Rows on the free binaries, scaled to integral coefficients where a power of ten does.
        self.rows = []
        for row in data["rows"]:
            cols = np.array([j for j, _ in row["terms"]], dtype=np.int64)
            coefs = np.array([a for _, a in row["terms"]], dtype=np.float64)
            shift = float(coefs[~is_free[cols]] @ fixed_value[cols[~is_free[cols]]]) if len(cols) else 0.0
            keep = is_free[cols] & (coefs != 0.0)
            if not keep.any():
                continue  # fixed by the bounds; aocbench's judge still checks it
            lo = None if row["lo"] is None else row["lo"] - shift
            hi = None if row["hi"] is None else row["hi"] - shift
            scale = row_scale(coefs[keep], (lo, hi))
            self.rows.append({
                "name": row["name"], "cols": position[cols[keep]], "coefs": coefs[keep] * scale,
                "lo": None if lo is None else lo * scale, "hi": None if hi is None else hi * scale,
                "start": row["weight"] / scale ** 2, "scale": scale,
            })

        # Every row's penalty at weight 1, by dimod; slack bits get indices from n on. The penalties
        # are kept stacked (linear and quadratic terms, each with the row it belongs to), so that
        # a round's model costs one pass over them, whatever the number of rows.
        self.size = n
        lin_k, lin_b, lin_row, qi, qj, qv, q_row, offsets = [], [], [], [], [], [], [], []
        for r, row in enumerate(self.rows):
            bqm = dimod.BinaryQuadraticModel(dimod.BINARY)
            terms = list(zip(row["cols"].tolist(), row["coefs"].tolist()))
            bqm.add_variables_from((v, 0.0) for v, _ in terms)
            lo, hi = row["lo"], row["hi"]
            if lo is not None and hi is not None and lo == hi:
                bqm.add_linear_equality_constraint(terms, 1.0, -lo)
            else:
                bounds = {"ub": hi if hi is not None else float(row["coefs"].clip(min=0).sum())}
                if lo is not None:
                    bounds["lb"] = lo
                with warnings.catch_warnings():
                    # "Did not add constraint": no binary point violates the row; fractional rows
                    # left after scaling are approximated, as dimod says.
                    warnings.simplefilter("ignore")
                    bqm.add_linear_inequality_constraint(terms, 1.0, f"s{r}_", **bounds)
            order = list(bqm.variables)
            place = []
            for label in order:
                if isinstance(label, str):  # a slack bit
                    place.append(self.size)
                    self.size += 1
                else:
                    place.append(label)
            place = np.array(place, dtype=np.int64)
            lin, (i, j, v), offset = bqm.to_numpy_vectors(variable_order=order)
            lin_k.append(place), lin_b.append(lin), lin_row.append(np.full(len(lin), r))
            qi.append(place[i]), qj.append(place[j]), qv.append(v), q_row.append(np.full(len(v), r))
            offsets.append(float(offset))
        stack = lambda parts, dtype=np.float64: np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)
        self.penalty_lin_k, self.penalty_lin_b, self.penalty_lin_row = stack(lin_k, np.int64), stack(lin_b), stack(lin_row, np.int64)
        self.penalty_i, self.penalty_j = stack(qi, np.int64), stack(qj, np.int64)
        self.penalty_v, self.penalty_q_row = stack(qv), stack(q_row, np.int64)
        self.penalty_offsets = np.array(offsets)

        # The rows as one sorted term list, for judging many reads at once.
        if self.rows:
            self.term_cols = np.concatenate([row["cols"] for row in self.rows])
            self.term_coefs = np.concatenate([row["coefs"] for row in self.rows])
            lengths = np.array([len(row["cols"]) for row in self.rows])
            self.row_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
            self.row_lo = np.array([-np.inf if row["lo"] is None else row["lo"] for row in self.rows])
            self.row_hi = np.array([np.inf if row["hi"] is None else row["hi"] for row in self.rows])

    def penalised(self, weights):
        """sign * f plus every row's penalty times its weight, as a dimod BQM over 0..size-1."""
        np = self.np
        o = self.objective
        w = np.asarray(weights, dtype=np.float64)
        # astype: bincount of no terms (a model without rows) is an integer array.
        lin = np.bincount(self.penalty_lin_k, weights=self.penalty_lin_b * w[self.penalty_lin_row], minlength=self.size).astype(np.float64)
        lin[: self.n] += o.lin
        i = np.concatenate([o.i, self.penalty_i])
        j = np.concatenate([o.j, self.penalty_j])
        v = np.concatenate([o.v, self.penalty_v * w[self.penalty_q_row]])
        offset = o.offset + float(self.penalty_offsets @ w)
        return self.dimod.BinaryQuadraticModel.from_numpy_vectors(lin, (i, j, v), offset, self.dimod.BINARY)

    def dimod_default(self):
        """dimod.cqm_to_bqm with its default Lagrange multiplier (computed here to be reported),
        over the free binaries 0..n-1 and dimod's own slack labels."""
        np, dimod = self.np, self.dimod
        o = self.objective
        objective = dimod.BinaryQuadraticModel.from_numpy_vectors(o.lin, (o.i, o.j, o.v), o.offset, dimod.BINARY)
        objective.add_variables_from((v, 0.0) for v in range(self.n))
        if not self.rows:
            return objective, None
        cqm = dimod.ConstrainedQuadraticModel()
        cqm.set_objective(objective)
        for row in self.rows:
            terms = list(zip(row["cols"].tolist(), row["coefs"].tolist()))
            lo, hi = row["lo"], row["hi"]
            if lo is not None and lo == hi:
                cqm.add_constraint_from_iterable(terms, "==", rhs=lo, label=row["name"])
                continue
            if lo is not None:
                cqm.add_constraint_from_iterable(terms, ">=", rhs=lo, label=row["name"] + "_lo")
            if hi is not None:
                cqm.add_constraint_from_iterable(terms, "<=", rhs=hi, label=row["name"] + "_hi")
        # dimod's rule, as cqm_to_bqm applies it.
        largest = max(-objective.linear.min(), objective.linear.max()) if objective.num_variables else 0.0
        if not objective.is_linear():
            largest = max(-objective.quadratic.min(), objective.quadratic.max(), largest)
        multiplier = 10.0 * float(largest) or 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bqm, _ = dimod.cqm_to_bqm(cqm, lagrange_multiplier=multiplier)
        return bqm, multiplier

    def free_values(self, sampleset):
        """The reads' values of the free binaries 0..n-1, one row per read."""
        np = self.np
        labels = list(sampleset.variables)
        column = {label: c for c, label in enumerate(labels)}
        picks = np.array([column[v] for v in range(self.n)], dtype=np.int64)
        return sampleset.record.sample[:, picks].astype(np.float64)

    def judge(self, x):
        """For reads `x` (one row each, free binaries): sign * f and, per row, whether it is
        violated (reads x rows)."""
        np = self.np
        o = self.objective
        k = x.shape[0]
        objective = o.offset + x @ o.lin
        chunk = max(1, JUDGE_CHUNK // max(1, len(o.v)))
        for start in range(0, k, chunk):
            part = x[start:start + chunk]
            objective[start:start + chunk] += (part[:, o.i] * part[:, o.j]) @ o.v
        if not self.rows:
            return objective, np.zeros((k, 0), dtype=bool)
        violated = np.zeros((k, len(self.rows)), dtype=bool)
        chunk = max(1, JUDGE_CHUNK // len(self.term_cols))
        for start in range(0, k, chunk):
            part = x[start:start + chunk]
            activity = np.add.reduceat(part[:, self.term_cols] * self.term_coefs, self.row_starts, axis=1)
            tol_lo = TOLERANCE * np.maximum(1.0, np.abs(self.row_lo))
            tol_hi = TOLERANCE * np.maximum(1.0, np.abs(self.row_hi))
            violated[start:start + chunk] = (activity < self.row_lo - tol_lo) | (activity > self.row_hi + tol_hi)
        return objective, violated

    def point(self, free_values):
        """Values of every instance variable (fixed ones at their value)."""
        values = [float(self.fixed.get(name, 0)) for name in self.variables]
        for p, j in enumerate(self.free.tolist()):
            values[j] = float(free_values[p])
        return values


class Anytime:
    """Incumbents with their times, the best read so far (feasible or least violated), and the
    weights of the adaptive rule."""

    def __init__(self, model, start, time_limit):
        self.model = model
        self.start = start
        self.limit = time_limit
        self.deadline = start + time_limit
        self.incumbents = []
        self.best = None  # (sign * f, point) of the best feasible read
        self.fallback = None  # (violated rows, sign * f, point) of the least violated read
        self.weights = [row["start"] for row in model.rows]
        self.reads = 0
        self.rounds = 0

    def round_length(self):
        """The current round's share of the limit (see FIRST_ROUND)."""
        return self.limit * min(1 / TARGET_ROUNDS, FIRST_ROUND * 2 ** self.rounds)

    def remaining(self):
        return self.deadline - time.monotonic()

    def absorb(self, sampleset, adapt):
        """Judges a round's reads at the time they came back; records a better feasible one as
        an incumbent and, under the adaptive rule, raises the weights the round's lowest-energy
        read shows to be too weak."""
        np = self.model.np
        now = time.monotonic() - self.start
        if not len(sampleset):
            return
        self.rounds += 1
        self.reads += len(sampleset)
        x = self.model.free_values(sampleset)
        objective, violated = self.model.judge(x)
        counts = violated.sum(axis=1)
        feasible = np.flatnonzero(counts == 0)
        if len(feasible):
            k = feasible[np.argmin(objective[feasible])]
            if self.best is None or objective[k] < self.best[0]:
                self.best = (float(objective[k]), self.model.point(x[k]))
                self.incumbents.append({"time_s": now, "objective": self.model.sense_sign * self.best[0], "values": self.best[1]})
        else:
            k = int(np.lexsort((objective, counts))[0])
            if self.fallback is None or counts[k] < self.fallback[0]:
                self.fallback = (int(counts[k]), float(objective[k]), self.model.point(x[k]))
        if adapt:
            lowest = int(np.argmin(sampleset.record.energy))
            weak = counts[lowest] > 0 and (self.best is None or sampleset.record.energy[lowest] < self.best[0])
            if weak:
                for r in np.flatnonzero(violated[lowest]).tolist():
                    self.weights[r] = min(2.0 * self.weights[r], MAX_PENALTY_GROWTH * self.model.rows[r]["start"])

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


def round_seconds(state, per_read):
    """How long a round should take: its share of the limit (Anytime.round_length), and at least
    one read, but never past the limit."""
    return min(state.remaining(), max(state.round_length(), per_read))


def run_sa(state, bqm_for_round, seed, adapt):
    from dwave.samplers import SimulatedAnnealingSampler

    sampler = SimulatedAnnealingSampler()
    # Stops a call between reads at the limit; reads that come back after it do not count.
    interrupt = lambda: time.monotonic() >= state.deadline
    per_sweep = None
    sweeps = SA_MIN_SWEEPS  # a short first read measures the cost of a sweep
    round_index = 0
    while state.remaining() > 0:
        bqm = bqm_for_round()
        reads = 1
        if per_sweep is not None:
            # As many sweeps as the default, or as fit a quarter of the limit, or what is left.
            sweeps = int(min(SA_SWEEPS, state.limit / 4 / per_sweep, state.remaining() / per_sweep))
            if sweeps < SA_MIN_SWEEPS:
                break  # not even a short read fits
            per_read = sweeps * per_sweep
            reads = max(1, min(1024, int(round_seconds(state, per_read) / per_read)))
        began = time.monotonic()
        sampleset = sampler.sample(bqm, num_reads=reads, num_sweeps=sweeps, seed=(seed + 7919 * round_index) % 2**32,
                                   interrupt_function=interrupt)
        if time.monotonic() > state.deadline:
            break
        per_sweep = (time.monotonic() - began) / max(1, len(sampleset)) / sweeps
        state.absorb(sampleset, adapt)
        round_index += 1


def dense_size_check(solver, bqm):
    n = bqm.num_variables
    if n > DENSE_MAX_VARIABLES:
        raise Unsupported(f"{solver} holds a dense n x n matrix: {n} binaries with slacks exceed its limit of {DENSE_MAX_VARIABLES}")


def run_tabu(state, bqm_for_round, seed, adapt):
    from dwave.samplers import TabuSampler

    sampler = TabuSampler()
    round_index = 0
    # A call costs its timeout plus setting up its dense matrix (seconds for thousands of
    # variables); rounds are made four times that overhead at least, and end early by it so that
    # none comes back after the limit (one that does, does not count).
    overhead = min(0.02, state.limit / 100)
    while state.remaining() > overhead + 0.001:
        bqm = bqm_for_round()
        dense_size_check("tabu", bqm)
        timeout_s = min(state.remaining() - overhead, max(state.round_length(), 4 * overhead, 0.001))
        began = time.monotonic()
        sampleset = sampler.sample(bqm, num_reads=1, timeout=max(1, int(1000 * timeout_s)), seed=(seed + 7919 * round_index) % 2**31)
        overhead = max(overhead, time.monotonic() - began - timeout_s)
        if time.monotonic() > state.deadline:
            break
        state.absorb(sampleset, adapt)
        round_index += 1


def run_sb(state, bqm_for_round, seed, adapt, mode, threads):
    import dimod
    import numpy as np
    import simulated_bifurcation as sb
    import torch

    torch.manual_seed(seed % 2**63)
    torch.set_num_threads(max(1, threads))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    state.device = device
    per_step = None  # seconds per step, call overhead included (an overestimate)
    while state.remaining() > 0:
        began = time.monotonic()
        bqm = bqm_for_round()
        dense_size_check("simulated bifurcation", bqm)
        order = list(bqm.variables)
        n = len(order)
        lin, (i, j, v), offset = bqm.to_numpy_vectors(variable_order=order)
        matrix = np.zeros((n, n))
        np.add.at(matrix, (i, j), v)
        steps = SB_FIRST_STEPS
        if per_step is not None:
            steps = int(min(SB_MAX_STEPS, round_seconds(state, per_step) / per_step))
            if steps < SB_FIRST_STEPS:
                break  # not even a short call fits
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "No agent has converged": its signs are still reads
            vectors, _ = sb.minimize(torch.tensor(matrix), torch.tensor(lin), float(offset), domain="binary", device=device,
                                     agents=SB_AGENTS, max_steps=steps, mode=mode, best_only=False, verbose=False,
                                     timeout=max(0.001, state.remaining()))
        per_step = max(per_step or 0.0, (time.monotonic() - began) / steps)
        if time.monotonic() > state.deadline:
            break  # came back after the limit: its reads do not count
        samples = vectors.detach().cpu().numpy().reshape(-1, n).astype(np.int8)
        state.absorb(dimod.SampleSet.from_samples_bqm((samples, order), bqm), adapt)


def warm_up_torch(threads):
    """One tiny simulated-bifurcation call, part of the setup: PyTorch's first operations pay a
    one-time start (thread pools, the GPU context) that would otherwise eat the first round."""
    import simulated_bifurcation as sb
    import torch

    torch.set_num_threads(max(1, threads))
    device = "cuda" if torch.cuda.is_available() else "cpu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sb.minimize(torch.zeros((2, 2), dtype=torch.float64), torch.ones(2, dtype=torch.float64), 0.0, domain="binary",
                    device=device, agents=2, max_steps=2, verbose=False)


def solve(args, result):
    """Runs peer args.solver (sa, tabu, bsb, dsb) on the model in args.model until
    args.time_limit seconds after the model is built; fills `result` (see reference_solver.py)
    with "setup_time_s" (package import and model building), "formulation" and
    "penalty_weight_max" besides."""
    import json

    setup_began = time.monotonic()
    from importlib.metadata import version

    import dimod  # noqa: F401  (the import is part of the setup time)
    if args.solver in ("sa", "tabu"):
        import dwave.samplers  # noqa: F401
        result["solver_version"] = f"dwave-samplers {version('dwave-samplers')} (dimod {version('dimod')})"
    else:
        import torch  # noqa: F401
        result["solver_version"] = f"simulated-bifurcation {version('simulated-bifurcation')} (PyTorch {version('torch')})"
    with open(args.model) as f:
        data = json.load(f)
    for name, value in data.get("fixed", {}).items():
        if value not in (0, 1):
            raise Unsupported(f"{name} is fixed at {value}, not a binary value")
    model = PenaltyModel(data)
    adapt = args.penalty == "adaptive"
    default_bqm, multiplier = (None, None) if adapt else model.dimod_default()
    if args.solver in ("bsb", "dsb"):
        warm_up_torch(args.threads)
    result["setup_time_s"] = time.monotonic() - setup_began
    state = Anytime(model, time.monotonic(), args.time_limit)
    bqm_for_round = (lambda: model.penalised(state.weights)) if adapt else (lambda: default_bqm)
    result["threads"] = 1
    if args.solver == "sa":
        run_sa(state, bqm_for_round, args.seed, adapt)
    elif args.solver == "tabu":
        run_tabu(state, bqm_for_round, args.seed, adapt)
    else:
        run_sb(state, bqm_for_round, args.seed, adapt, "ballistic" if args.solver == "bsb" else "discrete", args.threads)
        result["threads"] = args.threads
        result["solver_version"] += f" on {state.device}"
    result["wall_time_s"] = time.monotonic() - state.start
    result["status"] = "time_limit"
    if args.solver in ("sa", "tabu") and args.threads > 1:
        result["message"] = f"{args.solver} runs on one thread; --threads {args.threads} not used. "
    if not model.rows:
        formulation, weight_max = "QUBO (no rows)", None
    elif adapt:
        formulation = "binary slacks (dimod), adaptive per-row weights"
        # In the instance's units: a scaled row's weight times its scale squared.
        weight_max = max(w * row["scale"] ** 2 for w, row in zip(state.weights, model.rows))
    else:
        formulation, weight_max = "binary slacks (dimod), dimod's default multiplier", multiplier
    state.report(result, formulation, weight_max)
