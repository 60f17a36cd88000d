//! From a replica's final state to a binary point: the readout.
//!
//! The spec's readout thresholds every binary on its own (σ = x > ½, spec §1.2). On rows that
//! ask for exactly one variable of a group (`Σ x = 1`, every coefficient 1: assignment,
//! semi-assignment and partition rows), a replica often ends with no variable of a group above
//! the threshold, or two; its point then violates the row even when the state says clearly
//! which variable leads. The one-hot readout ([`Readout::OneHot`]) reads such groups by their
//! amplitudes x instead, as Ising-machine work on one-hot encodings does ("winner takes all"):
//!
//! * one-hot rows that share no variable with another one-hot row (groups) each set one variable
//!   to 1 and the others to 0: winners are placed greedily, largest amplitude first over all
//!   groups, each only where no other row's distance from its bounds grows (the capacity rows
//!   of a generalised assignment problem stay within bounds when they can); a group that no
//!   winner fits that way takes the variable that grows the other rows' distances least (of
//!   those, the largest amplitude);
//! * one-hot rows that form an assignment (two sides of equally many rows, every variable in one
//!   row of each side, as in the quadratic assignment problem) take the perfect matching of
//!   largest total amplitude, i.e. the permutation nearest to x: the linear assignment problem,
//!   solved by the Hungarian method (`pathfinding::kuhn_munkres`);
//! * one-hot rows in any other arrangement (a variable in three rows: set partitioning) keep
//!   the threshold.
//!
//! The readout changes which point a replica reports: both points are judged on the original
//! instance and the better one counts (feasible first, then objective; without a feasible one,
//! the smaller violation), while penalty adaptation, multiplier steps and the ranking of
//! configurations keep using the thresholded point. With equal, fixed weights
//! (`--penalty-basis mean --no-adaptive-penalties`) a run therefore reports, for every replica,
//! a point at least as good as the threshold's. Otherwise the dynamics differ: the default basis
//! starts the rows this readout decides lower (`sweep::starting_weights`), and the doubling rule
//! asks whether a feasible point is known, which this readout may answer sooner. An assignment's permutation
//! ignores the other rows on its variables; a group's winners respect them where they can.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

use std::collections::{HashMap, HashSet};

use crate::model;
use crate::table::count;
use crate::qumo::{QumoModel, RowEncoding};

/// How a replica's final state becomes a binary point (`--readout`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Readout {
    /// Every binary on its own: x > ½ (spec §1.2).
    Threshold,
    /// One-hot rows read by their largest amplitudes (module docs), next to the threshold.
    #[default]
    OneHot,
}

impl Readout {
    /// What options saved before this setting existed ran with.
    pub fn saved_before() -> Self {
        Readout::Threshold
    }
}

/// Amplitudes are scaled to integers for the Hungarian method (which needs an ordered type):
/// 2^30 per unit resolves f32 amplitudes in [−1, 1] to their last bit above 2^-30.
const AMPLITUDE_SCALE: f64 = (1u64 << 30) as f64;
/// The weight of a pair of rows no variable joins: low enough that a matching using one is
/// worse than any matching without (n·2^31 < 2^50 for n < 2^19 rows a side), and high enough
/// that the Hungarian method's sums stay within i64 (n·2^50 < 2^63 below [`MAX_ASSIGNMENT`]).
const MISSING_CELL: i64 = -(1i64 << 50);
/// Rows a side beyond which an assignment is left to the threshold (see [`MISSING_CELL`]).
const MAX_ASSIGNMENT: usize = 1 << 12;

/// The one-hot structure of an instance's rows, found once per solve.
#[derive(Debug, Clone, PartialEq)]
pub struct OneHotReadout {
    groups: Vec<Vec<usize>>,
    assignments: Vec<Assignment>,
    /// The other rows on the groups' variables (`lo ≤ Σ a·x ≤ hi` over free binaries, a
    /// slack's range included), and for each such variable its `(side row, coefficient)`.
    side_rows: Vec<RowEncoding>,
    side_of: HashMap<usize, Vec<(usize, f64)>>,
    /// Per row of the QUMO model: whether the readout decides it.
    decided: Vec<bool>,
}

/// One-hot rows forming an assignment: `cells[l·size + r]` is the variable in left row l and
/// right row r (the largest-amplitude one when several are).
#[derive(Debug, Clone, PartialEq)]
struct Assignment {
    size: usize,
    cells: Vec<Vec<usize>>,
}

impl OneHotReadout {
    /// The one-hot rows of `model` (equality rows `Σ x = 1` over free binaries with every
    /// coefficient 1 and no slack) that a readout can decide; `None` when there are none.
    /// Indices are the instance's variables.
    pub fn of(model: &QumoModel) -> Option<OneHotReadout> {
        let model_rows: Vec<usize> = (0..model.rows.len()).filter(|&r| is_one_hot(&model.rows[r])).collect();
        let rows: Vec<Vec<usize>> = model_rows.iter().map(|&r| model.rows[r].coefficients.iter().map(|&(j, _)| j).collect()).collect();
        let mut rows_of: HashMap<usize, Vec<usize>> = HashMap::new();
        for (r, vars) in rows.iter().enumerate() {
            for &j in vars {
                rows_of.entry(j).or_default().push(r);
            }
        }
        let mut readout = OneHotReadout { groups: Vec::new(), assignments: Vec::new(), side_rows: Vec::new(), side_of: HashMap::new(), decided: vec![false; model.rows.len()] };
        for component in components(&rows, &rows_of) {
            if let [r] = component[..] {
                readout.groups.push(rows[r].clone());
            } else if let Some(assignment) = Assignment::of(&component, &rows, &rows_of) {
                readout.assignments.push(assignment);
            } else {
                continue;
            }
            for r in component {
                readout.decided[model_rows[r]] = true;
            }
        }
        let in_group: HashSet<usize> = readout.groups.iter().flatten().copied().collect();
        for row in model.rows.iter().filter(|r| !is_one_hot(r) && r.coefficients.iter().any(|(j, _)| in_group.contains(j))) {
            for &(j, a) in row.coefficients.iter().filter(|(j, _)| in_group.contains(j)) {
                readout.side_of.entry(j).or_default().push((readout.side_rows.len(), a));
            }
            readout.side_rows.push(row.clone());
        }
        (!readout.groups.is_empty() || !readout.assignments.is_empty()).then_some(readout)
    }

    /// Whether the readout decides row `r` of the QUMO model (`QumoModel::rows[r]`).
    pub fn decides(&self, r: usize) -> bool {
        self.decided[r]
    }

    /// Rows read as single groups, and assignments (with their size) the readout decides.
    pub fn describe(&self) -> String {
        let sizes: Vec<String> = self.assignments.iter().map(|a| format!("{0}×{0}", a.size)).collect();
        match (self.groups.len(), sizes.is_empty()) {
            (g, true) => count(g, "one-hot row"),
            (0, false) => format!("assignment {}", sizes.join(", ")),
            (g, false) => format!("{}, assignment {}", count(g, "one-hot row"), sizes.join(", ")),
        }
    }

    /// What `--readout one-hot` reads on `readout` (the model's [`OneHotReadout::of`]): the rows
    /// it decides, or why it leaves every row to the threshold.
    pub fn summary(readout: Option<&OneHotReadout>, model: &QumoModel) -> String {
        match (readout, model.rows.iter().filter(|r| is_one_hot(r)).count()) {
            (Some(readout), _) => format!("one-hot: {}", readout.describe()),
            (None, 0) => "one-hot: no one-hot rows, so the threshold".into(),
            (None, rows) => format!("one-hot: {}, none alone or in an assignment (set partitioning), so the threshold", count(rows, "one-hot row")),
        }
    }

    /// The point read from `x` (the thresholded assignment, instance variables) and the state's
    /// amplitudes (same indexing): each decided group or assignment replaced by its winners.
    pub fn decode(&self, x: &[f64], amplitudes: &[f64]) -> Vec<f64> {
        let mut decoded = x.to_vec();
        self.place_winners(&mut decoded, amplitudes);
        for assignment in &self.assignments {
            assignment.decode(&mut decoded, amplitudes);
        }
        decoded
    }
}

/// `Σ x = 1` over free binaries, every coefficient 1, no slack.
fn is_one_hot(row: &RowEncoding) -> bool {
    row.slack.is_none() && row.lo == 1.0 && row.hi == 1.0 && !row.coefficients.is_empty() && row.coefficients.iter().all(|&(_, a)| a == 1.0)
}

impl OneHotReadout {
    /// Every group's variables to 0, then one winner per group: candidates by decreasing
    /// amplitude (ties: lower index), each taken when its group has none yet and no side row's
    /// distance from its bounds grows; groups still without one take the variable that grows
    /// those distances least (ties: the larger amplitude, then the lower index).
    fn place_winners(&self, x: &mut [f64], amplitudes: &[f64]) {
        let mut candidates: Vec<(usize, usize)> = Vec::new();
        for (g, group) in self.groups.iter().enumerate() {
            for &j in group {
                x[j] = 0.0;
                candidates.push((g, j));
            }
        }
        candidates.sort_by(|&(_, a), &(_, b)| amplitudes[b].total_cmp(&amplitudes[a]).then(a.cmp(&b)));
        let mut activity: Vec<f64> = self.side_rows.iter().map(|r| r.activity(x)).collect();
        let mut placed = vec![false; self.groups.len()];
        for (g, j) in candidates {
            if !placed[g] && self.growths(j, &activity).all(|growth| growth <= 0.0) {
                placed[g] = true;
                self.set(j, x, &mut activity);
            }
        }
        for (group, _) in self.groups.iter().zip(&placed).filter(|(_, placed)| !**placed) {
            let damage = |j: usize| (self.growths(j, &activity).sum::<f64>(), -amplitudes[j]);
            let winner = group.iter().copied().reduce(|best, j| if damage(j) < damage(best) { j } else { best }).expect("a one-hot row has variables");
            self.set(winner, x, &mut activity);
        }
    }

    /// The side rows of variable `j`, as `(row, coefficient)`.
    fn side(&self, j: usize) -> &[(usize, f64)] {
        self.side_of.get(&j).map_or(&[][..], Vec::as_slice)
    }

    /// How much setting `j` to 1 grows the distance of each of its side rows from its bounds
    /// (negative: shrinks), at the side rows' `activity`.
    fn growths<'a>(&'a self, j: usize, activity: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
        self.side(j).iter().map(move |&(r, a)| {
            let row = &self.side_rows[r];
            model::excess(activity[r] + a, row.lo, row.hi) - model::excess(activity[r], row.lo, row.hi)
        })
    }

    /// Sets `j` to 1 and moves its side rows' activities.
    fn set(&self, j: usize, x: &mut [f64], activity: &mut [f64]) {
        x[j] = 1.0;
        for &(r, a) in self.side(j) {
            activity[r] += a;
        }
    }
}

/// Rows connected through shared variables (each component's rows in ascending order).
fn components(rows: &[Vec<usize>], rows_of: &HashMap<usize, Vec<usize>>) -> Vec<Vec<usize>> {
    let mut component = vec![usize::MAX; rows.len()];
    let mut out = Vec::new();
    for start in 0..rows.len() {
        if component[start] != usize::MAX {
            continue;
        }
        component[start] = out.len();
        let (mut members, mut stack) = (Vec::new(), vec![start]);
        while let Some(r) = stack.pop() {
            members.push(r);
            for s in rows[r].iter().flat_map(|j| &rows_of[j]) {
                if component[*s] == usize::MAX {
                    component[*s] = out.len();
                    stack.push(*s);
                }
            }
        }
        members.sort_unstable();
        out.push(members);
    }
    out
}

impl Assignment {
    /// The rows of `component` as an assignment: every variable in exactly two of its rows,
    /// the rows two-coloured by shared variables into sides of equal size. `None` otherwise.
    fn of(component: &[usize], rows: &[Vec<usize>], rows_of: &HashMap<usize, Vec<usize>>) -> Option<Assignment> {
        let mut side: HashMap<usize, (bool, usize)> = HashMap::new();
        let (mut left, mut right) = (0, 0);
        side.insert(component[0], (false, 0));
        left += 1;
        let mut stack = vec![component[0]];
        while let Some(r) = stack.pop() {
            let (is_right, _) = side[&r];
            for j in &rows[r] {
                let [a, b] = rows_of[j][..] else { return None };
                let other = if a == r { b } else { a };
                match side.get(&other) {
                    Some(&(s, _)) if s == is_right => return None,
                    Some(_) => {}
                    None => {
                        let counter = if is_right { &mut left } else { &mut right };
                        side.insert(other, (!is_right, *counter));
                        *counter += 1;
                        stack.push(other);
                    }
                }
            }
        }
        if left != right || left > MAX_ASSIGNMENT {
            return None;
        }
        let mut cells = vec![Vec::new(); left * left];
        for &r in component {
            let (is_right, l) = side[&r];
            if is_right {
                continue;
            }
            for j in &rows[r] {
                let other = rows_of[j].iter().copied().find(|&s| s != r)?;
                cells[l * left + side[&other].1].push(*j);
            }
        }
        Some(Assignment { size: left, cells })
    }

    /// Every variable of the assignment at 0, then the permutation of largest total amplitude
    /// at 1 (within a cell of several variables, its largest). A matching that needs a pair of
    /// rows no variable joins leaves `x` as it was.
    fn decode(&self, x: &mut [f64], amplitudes: &[f64]) {
        let best = |cell: &[usize]| cell.iter().copied().reduce(|b, j| if amplitudes[j] > amplitudes[b] { j } else { b });
        let weights: Vec<i64> = self.cells.iter().map(|cell| best(cell).map_or(MISSING_CELL, |j| (amplitudes[j].clamp(-1.0, 1.0) * AMPLITUDE_SCALE).round() as i64)).collect();
        let Ok(matrix) = Matrix::from_vec(self.size, self.size, weights) else { return };
        let (_, matching) = kuhn_munkres(&matrix);
        let chosen: Option<Vec<usize>> = matching.iter().enumerate().map(|(l, &r)| best(&self.cells[l * self.size + r])).collect();
        let Some(chosen) = chosen else { return };
        for j in self.cells.iter().flatten() {
            x[*j] = 0.0;
        }
        for j in chosen {
            x[j] = 1.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Constraint, Instance, Sense};
    use rand::{Rng, SeedableRng};

    fn row(vars: impl IntoIterator<Item = usize>, coefficient: f64, rhs: f64) -> Constraint {
        Constraint { lower: rhs, upper: rhs, linear: vars.into_iter().map(|j| (j, coefficient)).collect(), quadratic: Vec::new() }
    }

    fn readout(n: usize, rows: Vec<Constraint>) -> Option<OneHotReadout> {
        OneHotReadout::of(&QumoModel::new(&Instance::binary("rows", Sense::Minimize, Vec::new(), vec![0.0; n], 0.0, rows)).unwrap())
    }

    /// Variable of cell (l, r) of a k×k assignment: x[l·k + r]; rows 0..k are the left side.
    fn assignment_rows(k: usize) -> Vec<Constraint> {
        (0..k).map(|l| row((0..k).map(|r| l * k + r), 1.0, 1.0)).chain((0..k).map(|r| row((0..k).map(|l| l * k + r), 1.0, 1.0))).collect()
    }

    #[test]
    fn a_lone_group_takes_its_largest_amplitude() {
        let readout = readout(7, vec![row(0..4, 1.0, 1.0), row(4..7, 1.0, 1.0)]).unwrap();
        assert_eq!(readout.describe(), "2 one-hot rows");
        assert!(readout.decides(0) && readout.decides(1));
        let x = [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let amplitudes = [0.6, 0.1, 0.9, -0.2, 0.3, 0.45, 0.2];
        assert_eq!(readout.decode(&x, &amplitudes), vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn winners_respect_the_other_rows_when_they_can() {
        // Groups {0, 1} and {2, 3} and a capacity row x0 + x2 ≤ 1.
        let capacity = Constraint { lower: f64::NEG_INFINITY, upper: 1.0, ..row([0, 2], 1.0, 1.0) };
        let loose = readout(4, vec![row([0, 1], 1.0, 1.0), row([2, 3], 1.0, 1.0), capacity]).unwrap();
        let amplitudes = [0.9, 0.1, 0.8, 0.2];
        // Largest first: 0 fits, 2 would overfill the capacity row, so 3.
        assert_eq!(loose.decode(&[1.0, 0.0, 1.0, 0.0], &amplitudes), vec![1.0, 0.0, 0.0, 1.0]);
        // A group no winner fits takes the one that overfills least: under x0 + x2 + 2·x3 ≤ 1,
        // 2 rather than 3, the larger amplitude.
        let tight = Constraint { lower: f64::NEG_INFINITY, upper: 1.0, linear: vec![(0, 1.0), (2, 1.0), (3, 2.0)], quadratic: Vec::new() };
        let tight = readout(4, vec![row([0, 1], 1.0, 1.0), row([2, 3], 1.0, 1.0), tight]).unwrap();
        assert_eq!(tight.decode(&[0.0; 4], &[0.9, 0.1, 0.2, 0.8]), vec![1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn rows_that_are_not_one_hot_keep_the_threshold() {
        // Coefficient 2, right-hand side 2, and an inequality: nothing to decide.
        assert_eq!(readout(6, vec![row(0..3, 2.0, 2.0), row(3..6, 1.0, 2.0), Constraint { lower: 1.0, upper: f64::INFINITY, ..row(0..6, 1.0, 1.0) }]), None);
        // A variable in three one-hot rows (set partitioning): the component is left alone, a
        // separate group still decided.
        let readout = readout(8, vec![row([0, 1], 1.0, 1.0), row([0, 2], 1.0, 1.0), row([0, 3], 1.0, 1.0), row(4..8, 1.0, 1.0)]).unwrap();
        assert_eq!(readout.describe(), "1 one-hot row");
        assert_eq!((0..4).map(|r| readout.decides(r)).collect::<Vec<_>>(), [false, false, false, true]);
        let x = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert_eq!(readout.decode(&x, &[0.0, 0.9, 0.9, 0.9, 0.1, 0.2, 0.8, 0.3])[..4], x[..4]);
    }

    #[test]
    fn an_assignment_takes_the_permutation_of_largest_total_amplitude() {
        let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
        for k in 2..=6 {
            let readout = readout(k * k, assignment_rows(k)).unwrap();
            assert_eq!(readout.describe(), format!("assignment {k}×{k}"));
            for _ in 0..20 {
                let amplitudes: Vec<f64> = (0..k * k).map(|_| rng.random_range(-1.0..1.0)).collect();
                let x: Vec<f64> = amplitudes.iter().map(|&a| f64::from(a > 0.5)).collect();
                let decoded = readout.decode(&x, &amplitudes);
                // A permutation matrix...
                for i in 0..k {
                    assert_eq!((0..k).map(|j| decoded[i * k + j]).sum::<f64>(), 1.0);
                    assert_eq!((0..k).map(|j| decoded[j * k + i]).sum::<f64>(), 1.0);
                }
                // ...of the largest total amplitude over all k! of them (brute force).
                let total = |p: &[usize]| p.iter().enumerate().map(|(l, &r)| amplitudes[l * k + r]).sum::<f64>();
                let best = permutations(k).iter().map(|p| total(p)).fold(f64::NEG_INFINITY, f64::max);
                let chosen: f64 = (0..k * k).filter(|&j| decoded[j] == 1.0).map(|j| amplitudes[j]).sum();
                assert!((chosen - best).abs() < 1e-6, "k = {k}: {chosen} against the best {best}");
            }
        }
    }

    #[test]
    fn a_sparse_assignment_never_uses_a_missing_pair() {
        // 3×3 with cell (0, 0) absent: variables 0..8 for the other cells.
        let cells: Vec<(usize, usize)> = (0..3).flat_map(|l| (0..3).map(move |r| (l, r))).filter(|&c| c != (0, 0)).collect();
        let rows: Vec<Constraint> = (0..3)
            .map(|l| row(cells.iter().enumerate().filter(|(_, c)| c.0 == l).map(|(j, _)| j), 1.0, 1.0))
            .chain((0..3).map(|r| row(cells.iter().enumerate().filter(|(_, c)| c.1 == r).map(|(j, _)| j), 1.0, 1.0)))
            .collect();
        let readout = readout(8, rows).unwrap();
        let decoded = readout.decode(&[0.0; 8], &[0.9; 8]);
        assert_eq!(decoded.iter().sum::<f64>(), 3.0);
        for l in 0..3 {
            assert_eq!(cells.iter().enumerate().filter(|(j, c)| c.0 == l && decoded[*j] == 1.0).count(), 1);
            assert_eq!(cells.iter().enumerate().filter(|(j, c)| c.1 == l && decoded[*j] == 1.0).count(), 1);
        }
    }

    #[test]
    fn sides_of_different_sizes_are_not_an_assignment() {
        // Two left rows, one right row: every variable in two rows, but no perfect matching.
        assert_eq!(readout(2, vec![row([0], 1.0, 1.0), row([1], 1.0, 1.0), row([0, 1], 1.0, 1.0)]), None);
    }

    fn permutations(k: usize) -> Vec<Vec<usize>> {
        if k == 0 {
            return vec![Vec::new()];
        }
        permutations(k - 1).into_iter().flat_map(|p| (0..k).map(move |at| { let mut q = p.clone(); q.insert(at, k - 1); q })).collect()
    }
}
