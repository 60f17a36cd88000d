//! The incremental state of the search: the sign-adjusted objective's gradient and the row
//! activities, kept up to date move by move, and how a move's Δ and feasibility are judged.

use crate::model::{self, Instance, VarType};

use super::SWAP_LIST_CAP;

/// Absolute row slack accepted by a move, relative to `max(1, |finite bounds|)`.
const ROW_EPS: f64 = 1e-9;
/// A move must improve by more than this, relative to the magnitude of the terms in its Δ.
const IMPROVE_EPS: f64 = 1e-10;

/// The incremental state of the search (objective sign-adjusted so that it is minimised).
pub(super) struct Search<'a> {
    pub(super) instance: &'a Instance,
    pub(super) x: Vec<f64>,
    pub(super) movable: Vec<bool>,
    /// `σ·S_ii`.
    pub(super) diag: Vec<f64>,
    /// `σ·S_ij` for `j ≠ i`, sorted by `j`.
    pub(super) adj: Vec<Vec<(usize, f64)>>,
    /// `σ·b`.
    pub(super) lin: Vec<f64>,
    /// `σ·(S·x + b)`.
    pub(super) grad: Vec<f64>,
    /// Variable → `(row, linear coefficient)`, sorted by row (coefficient 0 for a variable that
    /// appears only in a row's quadratic part).
    pub(super) col: Vec<Vec<(usize, f64)>>,
    /// Row → its variables (linear and quadratic parts).
    pub(super) members: Vec<Vec<usize>>,
    pub(super) quadratic_row: Vec<bool>,
    /// Linear rows with `lower = upper`: the rows a double swap is built around.
    pub(super) equality_row: Vec<bool>,
    pub(super) row_eps: Vec<f64>,
    pub(super) activity: Vec<f64>,
    /// Some row or adjacency list exceeds [`SWAP_LIST_CAP`]: top-K partners are needed.
    pub(super) needs_top_k: bool,
    pub(super) mark: Vec<u32>,
    /// Scratch for [`Search::move_feasible`]: the moved variables' `(row, change)` entries.
    pub(super) row_changes: Vec<(usize, f64)>,
    pub(super) stamp: u32,
    pub(super) flips: usize,
    pub(super) swaps: usize,
    pub(super) pair_flips: usize,
    pub(super) double_swaps: usize,
}

impl<'a> Search<'a> {
    pub(super) fn new(instance: &'a Instance, x: Vec<f64>) -> Self {
        let n = instance.n_vars();
        let sigma = instance.sense.sign();
        let movable = (0..n)
            .map(|j| {
                instance.var_types[j] != VarType::Continuous
                    && instance.var_lower[j] <= 0.0
                    && instance.var_upper[j] >= 1.0
                    && (x[j] == 0.0 || x[j] == 1.0)
            })
            .collect();
        let mut diag = vec![0.0; n];
        let mut adj: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        for t in &instance.objective_quadratic {
            if t.row == t.col {
                diag[t.row] += sigma * t.value;
            } else {
                adj[t.row].push((t.col, sigma * 0.5 * t.value));
                adj[t.col].push((t.row, sigma * 0.5 * t.value));
            }
        }
        for list in &mut adj {
            *list = merge_sorted(std::mem::take(list));
            list.retain(|&(_, v)| v != 0.0);
        }
        let m = instance.n_constraints();
        let mut col: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
        let mut members = vec![Vec::new(); m];
        let mut quadratic_row = vec![false; m];
        let mut row_eps = vec![0.0; m];
        for (r, row) in instance.constraints.iter().enumerate() {
            let mut vars: Vec<(usize, f64)> = row.linear.clone();
            for t in &row.quadratic {
                vars.push((t.row, 0.0));
                vars.push((t.col, 0.0));
            }
            let vars = merge_sorted(vars);
            for &(j, a) in &vars {
                col[j].push((r, a));
            }
            members[r] = vars.iter().map(|&(j, _)| j).collect();
            quadratic_row[r] = !row.quadratic.is_empty();
            let bound_scale = [row.lower, row.upper].iter().filter(|b| b.is_finite()).fold(1.0f64, |s, b| s.max(b.abs()));
            row_eps[r] = ROW_EPS * bound_scale;
        }
        let needs_top_k = members.iter().any(|m| m.len() > SWAP_LIST_CAP) || adj.iter().any(|a| a.len() > SWAP_LIST_CAP);
        Search {
            instance,
            x,
            movable,
            diag,
            adj,
            lin: instance.objective_linear.iter().map(|b| sigma * b).collect(),
            grad: vec![0.0; n],
            col,
            members,
            equality_row: instance.constraints.iter().map(|row| row.quadratic.is_empty() && row.lower == row.upper).collect(),
            quadratic_row,
            row_eps,
            activity: vec![0.0; m],
            needs_top_k,
            mark: vec![0; n],
            row_changes: Vec::new(),
            stamp: 0,
            flips: 0,
            swaps: 0,
            pair_flips: 0,
            double_swaps: 0,
        }
    }

    /// Gradient and row activities from scratch.
    pub(super) fn resync(&mut self) {
        self.grad.clone_from(&self.lin);
        for (i, list) in self.adj.iter().enumerate() {
            let mut g = self.diag[i] * self.x[i];
            for &(j, s) in list {
                g += s * self.x[j];
            }
            self.grad[i] += g;
        }
        for r in 0..self.activity.len() {
            self.activity[r] = self.instance.constraints[r].activity(&self.x);
        }
    }

    pub(super) fn row_accepts(&self, r: usize, new: f64) -> bool {
        let row = &self.instance.constraints[r];
        let e = model::excess(new, row.lower, row.upper);
        e <= self.row_eps[r] || e <= model::excess(self.activity[r], row.lower, row.upper)
    }

    pub(super) fn direction(&self, i: usize) -> f64 {
        1.0 - 2.0 * self.x[i]
    }

    /// `(Δ, tolerance)` of flipping `i`.
    pub(super) fn flip_delta(&self, i: usize) -> (f64, f64) {
        let d = self.direction(i);
        let (g, s) = (self.grad[i], self.diag[i]);
        (d * g + 0.5 * s, IMPROVE_EPS * (1.0 + g.abs() + s.abs()))
    }

    pub(super) fn coupling(&self, i: usize, j: usize) -> f64 {
        let (a, key) = if self.adj[i].len() <= self.adj[j].len() { (i, j) } else { (j, i) };
        match self.adj[a].binary_search_by_key(&key, |&(k, _)| k) {
            Ok(p) => self.adj[a][p].1,
            Err(_) => 0.0,
        }
    }

    /// `(Δ, tolerance)` of flipping the distinct variables `moved` together: their single-flip
    /// changes plus `d_i·d_j·S_ij` for every pair.
    pub(super) fn move_delta(&self, moved: &[usize]) -> (f64, f64) {
        let (mut delta, mut tolerance) = (0.0, 0.0);
        for (a, &i) in moved.iter().enumerate() {
            let (d, t) = self.flip_delta(i);
            delta += d;
            tolerance += t;
            for &j in &moved[a + 1..] {
                let s = self.coupling(i, j);
                delta += self.direction(i) * self.direction(j) * s;
                tolerance += IMPROVE_EPS * s.abs();
            }
        }
        (delta, tolerance)
    }

    /// Whether flipping `moved` (distinct variables) strictly improves: by the
    /// maintained gradient's `(Δ, tolerance)` when it is clear, else by Δ summed from scratch
    /// against a rigorous bound on that sum's rounding error (module docs).
    pub(super) fn improves(&self, moved: &[usize], (delta, tolerance): (f64, f64)) -> bool {
        if delta < -tolerance {
            return true;
        }
        if delta >= tolerance {
            return false;
        }
        // Δ = Σ_i d_i·(b_i + S_ii·x_i + Σ_k S_ik·x_k) + ½·S_ii over the moved i, plus
        // d_i·d_j·S_ij for a pair; each term is formed with one rounding, then summed.
        let (mut fresh, mut magnitude, mut terms) = (0.0f64, 0.0f64, 0usize);
        let mut add = |v: f64| {
            fresh += v;
            magnitude += v.abs();
            terms += 1;
        };
        for &i in moved {
            let d = self.direction(i);
            add(d * self.lin[i]);
            add(d * self.diag[i] * self.x[i]);
            for &(k, s) in &self.adj[i] {
                add(d * s * self.x[k]);
            }
            add(0.5 * self.diag[i]);
        }
        for (a, &i) in moved.iter().enumerate() {
            for &j in &moved[a + 1..] {
                add(self.direction(i) * self.direction(j) * self.coupling(i, j));
            }
        }
        fresh < -2.0 * terms as f64 * f64::EPSILON * magnitude
    }

    /// Whether flipping the distinct variables `moved` together keeps every row they touch.
    pub(super) fn move_feasible(&mut self, moved: &[usize]) -> bool {
        let mut changes = std::mem::take(&mut self.row_changes);
        changes.clear();
        for &i in moved {
            let d = self.direction(i);
            changes.extend(self.col[i].iter().map(|&(r, a)| (r, a * d)));
            self.x[i] += d; // tentative, for quadratic rows
        }
        changes.sort_by_key(|&(r, _)| r);
        let ok = changes.chunk_by(|a, b| a.0 == b.0).all(|row| {
            let r = row[0].0;
            let new = if self.quadratic_row[r] { self.instance.constraints[r].activity(&self.x) } else { self.activity[r] + row.iter().map(|&(_, c)| c).sum::<f64>() };
            self.row_accepts(r, new)
        });
        for &i in moved {
            self.x[i] = 1.0 - self.x[i];
        }
        self.row_changes = changes;
        ok
    }

    pub(super) fn apply_flip(&mut self, i: usize) {
        let d = self.direction(i);
        self.x[i] += d;
        for &(k, s) in &self.adj[i] {
            self.grad[k] += d * s;
        }
        self.grad[i] += d * self.diag[i];
        for &(r, a) in &self.col[i] {
            if self.quadratic_row[r] {
                self.activity[r] = self.instance.constraints[r].activity(&self.x);
            } else {
                self.activity[r] += a * d;
            }
        }
    }

    pub(super) fn next_stamp(&mut self) -> u32 {
        if self.stamp == u32::MAX {
            self.mark.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.stamp
    }
}

/// Sorts `(index, value)` pairs by index and sums duplicates.
fn merge_sorted(mut list: Vec<(usize, f64)>) -> Vec<(usize, f64)> {
    list.sort_by_key(|&(j, _)| j);
    let mut out: Vec<(usize, f64)> = Vec::with_capacity(list.len());
    for (j, v) in list {
        match out.last_mut() {
            Some(last) if last.0 == j => last.1 += v,
            _ => out.push((j, v)),
        }
    }
    out
}
