//! Feasibility-keeping local search ("polish") on the exact model.
//!
//! [`polish`] starts from a feasible binary point and applies strictly improving moves until
//! none is left or a limit is hit:
//!
//! * **1-flip** `x_i ← 1 − x_i`, first improvement in index order;
//! * **swap** — one variable 1→0 and one 0→1 at once, which is the smallest move that keeps an
//!   equality row such as an assignment row `Σ x = 1` satisfied. For each `i` with `x_i = 1`
//!   the best improving feasible partner `j` (with `x_j = 0`) is applied;
//! * **double swap** — two variables 1→0 and two 0→1 at once, each entering variable sharing
//!   an equality row with each leaving one: the 2-exchange of an assignment (two facilities
//!   trade locations), where every flip and every swap breaks a row (QPLIB's QAP-like
//!   instances 2492, 2733, 3307 reach their best-knowns only with it);
//! * **pair flip** — two variables coupled in the objective (`S_ij ≠ 0`) and equal in value
//!   flip together (both 0→1 or both 1→0): the move that leaves a strongly coupled pair's
//!   basin, where each single flip costs the coupling (field case fc-12: pairs on at
//!   −4e6·x_a·x_b + (1e6 + ε_a)·x_a + (1e6 + ε_b)·x_b, worth ε_a + ε_b ≈ 1e-6 each).
//!
//! One *pass* is a flip sweep, a swap sweep, a double-swap sweep and a pair sweep; the search
//! stops after a pass with no move (a local optimum for all four neighbourhoods), after `max_passes` passes or
//! after `max_seconds`.
//!
//! ## Bookkeeping
//!
//! The objective is handled as `σ·(½·xᵀSx + bᵀx)` with `σ = +1` (min) or `−1` (max), so the
//! search always minimises. `S` is the symmetric matrix of QPLIB's lower-triangle listing
//! (`S_ii = v`, `S_ij = S_ji = v/2`), kept as a diagonal plus sorted adjacency lists; the
//! gradient `g = S·x + b` is updated on every applied move, so a flip's change is
//! `Δ_i = d_i·g_i + ½·S_ii` (`d_i = 1 − 2x_i`) and a swap's `Δ_i + Δ_j + d_i·d_j·S_ij` (`S_ij`
//! by binary search in the shorter adjacency list). Row activities are updated through a
//! variable → rows index, so checking a move touches only its rows. A row accepts a move when
//! its new activity lies in `[lower, upper]` up to `1e-9·max(1, |finite bounds|)` — far inside
//! [`FEASIBILITY_TOLERANCE`](crate::model::FEASIBILITY_TOLERANCE) — or, for a row that the (tolerance-feasible) start already
//! violated slightly, when the violation does not grow. Rows with quadratic terms (not in QBL,
//! handled for safety) are re-evaluated in full.
//!
//! A move's Δ from the maintained gradient is trusted beyond a tolerance of
//! `1e-10·(magnitude of its terms)`, which covers the gradient's drift within a pass. A Δ within
//! that tolerance of 0 is decided again from scratch: the gradients of the moved variables
//! summed afresh, accepted when Δ is below minus a rigorous bound on that sum's rounding
//! error (`2·k·ε·Σ|terms|` for k terms, ε = f64::EPSILON). So a move worth 1e-12 of the
//! objective's coefficients still counts when f64 resolves it (fc-12's pairs), and rounding
//! noise never does.
//!
//! Gradient and activities are recomputed from scratch at the start of every pass, and the
//! point reached after every pass is judged by [`model::feasibility`](crate::model::feasibility) and
//! [`model::objective`](crate::model::objective);
//! the result is the last point that passed both and strictly improved on the previous one, so
//! floating drift can cost progress but never feasibility.
//!
//! ## Swap neighbourhood
//!
//! For `i` with `x_i = 1`, the candidate partners are the movable `j` with `x_j = 0` that share
//! a constraint row with `i` or have `S_ij ≠ 0`. At a flip-local optimum this is *exact*: if no
//! row holds both `i` and `j` and `S_ij = 0`, the swap changes each row exactly as the single
//! flip of `i` or of `j` would and its Δ is `Δ_i + Δ_j`, so a feasible improving swap would
//! imply a feasible improving flip. Hence a pass without moves certifies a local optimum for
//! flips *and* all swaps. The cost of a swap sweep is `Σ_i (sizes of i's rows + degree of i)`.
//! To bound it on large instances, a row with more than [`SWAP_LIST_CAP`] variables (e.g. a
//! cardinality row over all variables), or an objective adjacency list longer than that, is not
//! enumerated; instead the [`SWAP_TOP_K`] zero-valued variables with the best single-flip Δ
//! (computed once per swap sweep) are added as partners. Only then is the swap neighbourhood
//! heuristic rather than exact.
//!
//! ## Double-swap neighbourhood
//!
//! Only on instances with equality rows. For each pair `p, q` at 1, the entering candidates are
//! the zeros that share an equality row with `p` lacking `q` and one with `q` lacking `p`; the
//! best improving feasible pair of them is applied. A sweep costs `Σ` over the pairs of ones of
//! the sizes of `q`'s equality rows, so `O(k²·row size)` for `k` ones; rows longer than
//! [`SWAP_LIST_CAP`] are not enumerated. Exact for assignments (the candidates of `(i, a)` and
//! `(j, b)` are `(i, b)` and `(j, a)`), heuristic for other equality structures.
//!
//! Variables are moved only when they are binary or integer, their bounds allow both 0 and 1,
//! and their value is 0 or 1 (values within the integrality tolerance of 0/1 are snapped first
//! when the snapped point is itself feasible); every other variable stays fixed.
//!
//! The search's state and how it judges a move are in `search`, the four neighbourhoods'
//! sweeps in `moves`, and the driver that runs passes and judges each pass's point in `run`.

mod moves;
mod run;
mod search;

pub use run::{polish, PolishLimits, PolishOutcome};

/// Rows (or objective adjacency lists) longer than this are not enumerated for swap partners;
/// the [`SWAP_TOP_K`] best single-flip candidates stand in for them.
pub const SWAP_LIST_CAP: usize = 2000;
/// Number of stand-in partners used when a list exceeds [`SWAP_LIST_CAP`].
pub const SWAP_TOP_K: usize = 64;
