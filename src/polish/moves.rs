//! The neighbourhoods' sweeps: flips, swaps, double swaps (2-exchanges on equality rows) and
//! pair flips, each applying the strictly improving feasible moves it finds.

use std::time::Instant;

use super::search::Search;
use super::{SWAP_LIST_CAP, SWAP_TOP_K};

impl Search<'_> {
    /// One flip sweep and one swap sweep; returns (moves applied, deadline hit).
    pub(super) fn pass(&mut self, deadline: Option<Instant>) -> (usize, bool) {
        let n = self.x.len();
        let mut moves = 0;
        for i in 0..n {
            if i % 256 == 255 && expired(deadline) {
                return (moves, true);
            }
            if !self.movable[i] {
                continue;
            }
            if self.improves(&[i], self.flip_delta(i)) && self.move_feasible(&[i]) {
                self.apply_flip(i);
                self.flips += 1;
                moves += 1;
            }
        }

        let ones: Vec<usize> = (0..n).filter(|&i| self.movable[i] && self.x[i] == 1.0).collect();
        let top_k = if self.needs_top_k { self.top_k_entering() } else { Vec::new() };
        let mut candidates = Vec::new();
        let mut improving: Vec<(f64, usize)> = Vec::new();
        for (count, &i) in ones.iter().enumerate() {
            if count % 16 == 15 && expired(deadline) {
                return (moves, true);
            }
            if self.x[i] != 1.0 {
                continue;
            }
            let stamp = self.next_stamp();
            self.mark[i] = stamp;
            candidates.clear();
            let mut use_top_k = false;
            let mut push = |j: usize, mark: &mut [u32], x: &[f64], movable: &[bool]| {
                if mark[j] != stamp && movable[j] && x[j] == 0.0 {
                    mark[j] = stamp;
                    candidates.push(j);
                }
            };
            for &(r, _) in &self.col[i] {
                if self.members[r].len() > SWAP_LIST_CAP {
                    use_top_k = true;
                    continue;
                }
                for &j in &self.members[r] {
                    push(j, &mut self.mark, &self.x, &self.movable);
                }
            }
            if self.adj[i].len() > SWAP_LIST_CAP {
                use_top_k = true;
            } else {
                for &(j, _) in &self.adj[i] {
                    push(j, &mut self.mark, &self.x, &self.movable);
                }
            }
            if use_top_k {
                for &j in &top_k {
                    push(j, &mut self.mark, &self.x, &self.movable);
                }
            }
            improving.clear();
            for &j in &candidates {
                let (delta, tol) = self.move_delta(&[i, j]);
                if self.improves(&[i, j], (delta, tol)) {
                    improving.push((delta, j));
                }
            }
            improving.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(_, j) in &improving {
                if self.move_feasible(&[i, j]) {
                    self.apply_flip(i);
                    self.apply_flip(j);
                    self.swaps += 1;
                    moves += 1;
                    break;
                }
            }
        }

        match self.double_swap_sweep(deadline) {
            (found, true) => return (moves + found, true),
            (found, false) => moves += found,
        }

        for i in 0..n {
            if i % 256 == 255 && expired(deadline) {
                return (moves, true);
            }
            if !self.movable[i] {
                continue;
            }
            // Each coupled pair once (j > i), both at i's value.
            for p in 0..self.adj[i].len() {
                let j = self.adj[i][p].0;
                if j > i && self.movable[j] && self.x[j] == self.x[i] && self.improves(&[i, j], self.move_delta(&[i, j])) && self.move_feasible(&[i, j]) {
                    self.apply_flip(i);
                    self.apply_flip(j);
                    self.pair_flips += 1;
                    moves += 1;
                }
            }
        }
        (moves, false)
    }

    /// The double-swap sweep: for each pair `p, q` at 1, the zeros `r, s` that each share an
    /// equality row with `p` that lacks `q` and one with `q` that lacks `p` (in an assignment,
    /// `p = (i, a)`, `q = (j, b)` give `r = (i, b)`, `s = (j, a)`: a 2-exchange). The best
    /// improving feasible `(r, s)` of a pair is applied. Rows longer than [`SWAP_LIST_CAP`] are
    /// not enumerated. Returns (moves applied, deadline hit).
    fn double_swap_sweep(&mut self, deadline: Option<Instant>) -> (usize, bool) {
        if !self.equality_row.iter().any(|&e| e) {
            return (0, false);
        }
        let ones: Vec<usize> = (0..self.x.len()).filter(|&i| self.movable[i] && self.x[i] == 1.0).collect();
        let mut moves = 0;
        let mut entering: Vec<usize> = Vec::new();
        for (a, &p) in ones.iter().enumerate() {
            if expired(deadline) {
                return (moves, true);
            }
            // Zeros sharing an equality row with p, marked.
            let stamp = self.next_stamp();
            let mut near_p = false;
            for &(r, _) in &self.col[p] {
                if self.equality_row[r] && self.members[r].len() <= SWAP_LIST_CAP {
                    for &j in &self.members[r] {
                        if self.movable[j] && self.x[j] == 0.0 {
                            self.mark[j] = stamp;
                            near_p = true;
                        }
                    }
                }
            }
            if !near_p {
                continue;
            }
            for &q in &ones[a + 1..] {
                if self.x[p] != 1.0 {
                    break;
                }
                if self.x[q] != 1.0 {
                    continue;
                }
                entering.clear();
                for &(r, _) in &self.col[q] {
                    if !self.equality_row[r] || self.members[r].len() > SWAP_LIST_CAP || self.in_row(p, r) {
                        continue;
                    }
                    for &j in &self.members[r] {
                        if self.mark[j] == stamp && self.x[j] == 0.0 && !entering.contains(&j) && self.shares_equality_row_without(j, p, q) {
                            entering.push(j);
                        }
                    }
                }
                let mut best: Option<(f64, [usize; 4])> = None;
                for (c, &r) in entering.iter().enumerate() {
                    for &t in &entering[c + 1..] {
                        let moved = [p, q, r, t];
                        let delta = self.move_delta(&moved);
                        if best.is_none_or(|(b, _)| delta.0 < b) && self.improves(&moved, delta) && self.move_feasible(&moved) {
                            best = Some((delta.0, moved));
                        }
                    }
                }
                if let Some((_, moved)) = best {
                    for i in moved {
                        self.apply_flip(i);
                    }
                    self.double_swaps += 1;
                    moves += 1;
                }
            }
        }
        (moves, false)
    }

    fn in_row(&self, i: usize, r: usize) -> bool {
        self.col[i].binary_search_by_key(&r, |&(row, _)| row).is_ok()
    }

    /// Whether `j` shares an equality row with `p` that does not hold `q`.
    fn shares_equality_row_without(&self, j: usize, p: usize, q: usize) -> bool {
        self.col[j].iter().any(|&(r, _)| self.equality_row[r] && self.in_row(p, r) && !self.in_row(q, r))
    }

    /// The [`SWAP_TOP_K`] movable zero-valued variables with the smallest single-flip Δ.
    fn top_k_entering(&self) -> Vec<usize> {
        let mut zeros: Vec<(f64, usize)> =
            (0..self.x.len()).filter(|&j| self.movable[j] && self.x[j] == 0.0).map(|j| (self.flip_delta(j).0, j)).collect();
        let cmp = |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if zeros.len() > SWAP_TOP_K {
            zeros.select_nth_unstable_by(SWAP_TOP_K - 1, cmp);
            zeros.truncate(SWAP_TOP_K);
        }
        zeros.sort_by(cmp);
        zeros.into_iter().map(|(_, j)| j).collect()
    }
}

pub(super) fn expired(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}
