//! Which variables form the next block (`--bcd-blocks`).
//!
//! * `random`: each sweep draws a random permutation of the QUMO's variables and cuts it into
//!   consecutive blocks of the block size (the last one shorter when the size does not divide
//!   n); every variable is in exactly one block per sweep.
//! * `greedy` (by impact): before each step, every variable's impact is the largest decrease of
//!   the energy one move of that variable alone gives at the current state — a binary's flip,
//!   a slack's best value in [0, 1] — from the gradient g = −(Jz)_i − h_i and J_ii
//!   ([`single_move_decrease`]); the block is the block size's worth of largest impacts. Ties
//!   (every impact 0 at a state no single move improves) go to the variable least recently in
//!   a block, then the lowest index, so that a stalled greedy still visits every variable.

use rand::seq::SliceRandom;
use rand::Rng;

use crate::qumo::Qumo;
use crate::sweep::Blocks;

/// Chooses the blocks of one chain.
#[derive(Debug, Clone)]
pub struct BlockSelector {
    choice: Blocks,
    size: usize,
    /// `random`: this sweep's permutation, and where the next block starts in it.
    order: Vec<usize>,
    next: usize,
    /// `greedy`: the step each variable was last in a block (0: never), and the step count.
    last_in_block: Vec<u64>,
    steps: u64,
}

impl BlockSelector {
    /// Blocks of `size` (≥ 1, at most n) of a QUMO of `n` variables.
    pub fn new(choice: Blocks, n: usize, size: usize) -> BlockSelector {
        BlockSelector { choice, size: size.clamp(1, n.max(1)), order: (0..n).collect(), next: 0, last_in_block: vec![0; n], steps: 0 }
    }

    /// Steps of one sweep: as many blocks as cover the variables once.
    pub fn steps_per_sweep(&self) -> usize {
        self.order.len().div_ceil(self.size)
    }

    /// The next block for the state `z` of `qumo`.
    pub fn next_block(&mut self, qumo: &Qumo, z: &[f64], rng: &mut impl Rng) -> Vec<usize> {
        self.steps += 1;
        match self.choice {
            Blocks::Random => {
                if self.next == 0 {
                    self.order.shuffle(rng);
                }
                let end = (self.next + self.size).min(self.order.len());
                let block = self.order[self.next..end].to_vec();
                self.next = if end == self.order.len() { 0 } else { end };
                block
            }
            Blocks::Greedy => {
                let impact = impacts(qumo, z);
                let mut ranked: Vec<usize> = (0..qumo.n).collect();
                ranked.sort_by(|&a, &b| impact[b].total_cmp(&impact[a]).then(self.last_in_block[a].cmp(&self.last_in_block[b])).then(a.cmp(&b)));
                ranked.truncate(self.size);
                for &i in &ranked {
                    self.last_in_block[i] = self.steps;
                }
                ranked
            }
        }
    }
}

/// Every variable's [`single_move_decrease`] at `z`.
pub fn impacts(qumo: &Qumo, z: &[f64]) -> Vec<f64> {
    let mut jz = vec![0.0; qumo.n];
    qumo.j.matvec(z, &mut jz);
    (0..qumo.n)
        .map(|i| {
            let diagonal = qumo.j.row(i).find(|&(j, _)| j == i).map_or(0.0, |(_, v)| v);
            single_move_decrease(z[i], -jz[i] - qumo.h[i], diagonal, i < qumo.n_binary)
        })
        .collect()
}

/// The largest decrease of E = −½zᵀJz − hᵀz + c from moving z_i alone by d: the change is
/// g·d − ½J_ii·d² (g = −(Jz)_i − h_i, the gradient). A binary can only flip (d = 1 − 2z_i); a
/// slack may move anywhere in [0, 1] (both walls, and the stationary point d = g/J_ii where the
/// change is convex, J_ii < 0). 0 when no move lowers E.
pub fn single_move_decrease(value: f64, gradient: f64, diagonal: f64, binary: bool) -> f64 {
    let change = |d: f64| gradient * d - 0.5 * diagonal * d * d;
    let best = if binary {
        change(1.0 - 2.0 * value)
    } else {
        let mut best = change(-value).min(change(1.0 - value));
        if diagonal < 0.0 {
            best = best.min(change((gradient / diagonal).clamp(-value, 1.0 - value)));
        }
        best
    };
    (-best).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    #[test]
    fn a_move_decreases_by_the_exact_energy_change() {
        // A binary at 0 with gradient −2 gains 2 by flipping to 1; at 1 it would lose 2.
        assert_eq!(single_move_decrease(0.0, -2.0, 0.0, true), 2.0);
        assert_eq!(single_move_decrease(1.0, -2.0, 0.0, true), 0.0);
        // A slack at 0.5, E change −d + d² (g = −1, J_ii = −2): best at d = 0.5 → −0.25.
        assert_eq!(single_move_decrease(0.5, -1.0, -2.0, false), 0.25);
        // Concave (J_ii > 0): the better wall.
        assert_eq!(single_move_decrease(0.5, 1.0, 2.0, false), 0.75);
    }

    fn chain_qumo(n: usize) -> Qumo {
        let triplets = (1..n).flat_map(|i| [(i, i - 1, 1.0), (i - 1, i, 1.0)]).collect();
        let j = crate::qumo::SymmetricCsr::from_triplets(n, triplets);
        let factored = crate::qumo::FactoredCouplings { local: j.clone(), rows: Vec::new(), row_weights: Vec::new() };
        Qumo { n, n_binary: n, j, factored, h: (0..n).map(|i| i as f64).collect(), constant: 0.0 }
    }

    #[test]
    fn random_sweeps_cover_every_variable_once() {
        let qumo = chain_qumo(10);
        let mut selector = BlockSelector::new(Blocks::Random, 10, 4);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(selector.steps_per_sweep(), 3);
        for _ in 0..2 {
            let mut seen: Vec<usize> = (0..3).flat_map(|_| selector.next_block(&qumo, &[0.0; 10], &mut rng)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn greedy_takes_the_largest_impacts_then_the_least_recent() {
        // At z = 0 variable i's flip gains h_i = i: the largest fields first.
        let qumo = chain_qumo(6);
        let mut selector = BlockSelector::new(Blocks::Greedy, 6, 2);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(selector.next_block(&qumo, &[0.0; 6], &mut rng), vec![5, 4]);
        // All at 1 with h ≥ 0 and J ≥ 0: no flip helps; the least recently chosen go first.
        assert_eq!(impacts(&qumo, &[1.0; 6]), vec![0.0; 6]);
        assert_eq!(selector.next_block(&qumo, &[1.0; 6], &mut rng), vec![0, 1]);
        assert_eq!(selector.next_block(&qumo, &[1.0; 6], &mut rng), vec![2, 3]);
        assert_eq!(selector.next_block(&qumo, &[1.0; 6], &mut rng), vec![4, 5]);
    }
}
