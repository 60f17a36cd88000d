//! The work units of a bench run (instance × repeat) and their deterministic, cost-balanced
//! assignment to shards. Every process of a run computes the same plan from the same
//! instances and options, so no process needs to hear from another.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Instance;
use crate::sweep::Budget;

/// Floating-point operations per second that turn a work budget into estimated seconds: the
/// CPU engine's dense throughput on the 2-vCPU development VM (docs/gpu.md, Throughput). Only the
/// ratio to the reference's seconds depends on it; alone, AOC-DT's units balance by size.
const NOMINAL_FLOPS: f64 = 3.0e11;

/// One repeat of one instance: every solver's run with seed `--seed + repeat`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkUnit {
    pub instance: String,
    pub repeat: u32,
}

impl fmt::Display for WorkUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} #{}", self.instance, self.repeat)
    }
}

/// A unit with its a-priori cost and the shard that runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedUnit {
    #[serde(flatten)]
    pub unit: WorkUnit,
    /// Estimated seconds (AOC-DT's budget plus the reference's limit; see [`CostModel`]).
    pub estimated_s: f64,
    /// 1-based shard index.
    pub shard: u32,
    /// The instance has no best-known objective, so its target is AOC-DT's best over all
    /// repeats: its repeats run in one shard and are complete only together.
    pub shared_target: bool,
}

/// What the plan needs to know of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceCost {
    pub name: String,
    /// Multiply-adds of one product J·σ (see [`product_size`]).
    pub product_size: u64,
    pub has_best_known: bool,
}

/// Multiply-adds of one matrix-vector product J·σ of the instance's QUMO form, estimated from
/// the instance without building it: n = variables + one slack per inequality row; nnz(J) ≤
/// both triangles of Q plus, per row, (its entries + slack)² from the penalty; the CPU engine
/// goes dense when J is dense enough, so the cost is min(n², nnz).
pub fn product_size(instance: &Instance) -> u64 {
    let slack = |is_equality: bool| u64::from(!is_equality);
    let n = instance.n_vars() as u64 + instance.constraints.iter().map(|r| slack(r.is_equality())).sum::<u64>();
    let objective: u64 = instance.objective_quadratic.iter().map(|t| if t.row == t.col { 1 } else { 2 }).sum();
    let rows: u64 = instance.constraints.iter().map(|r| (r.linear.len() as u64 + slack(r.is_equality())).pow(2)).sum();
    (objective + rows).min(n * n).max(1)
}

/// How long a unit is expected to take, known before anything runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostModel {
    /// AOC-DT's budget per solve.
    pub budget: Budget,
    /// The reference solver's time limit per solve; 0 without one.
    pub reference_s: f64,
}

impl CostModel {
    /// Seconds for one repeat: the time limit (the same for every instance), or under a work
    /// budget 2·size·work flops at [`NOMINAL_FLOPS`]; plus the reference's limit.
    pub fn estimate_s(&self, product_size: u64) -> f64 {
        let aocdt = match self.budget {
            Budget::TimeLimit(t) => t,
            Budget::Work(w) => 2.0 * product_size as f64 * w as f64 / NOMINAL_FLOPS,
        };
        aocdt + self.reference_s
    }
}

/// Every unit of a run in run order (instances as listed, then repeats), each with its shard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPlan {
    pub shards: u32,
    pub units: Vec<PlannedUnit>,
}

impl RunPlan {
    /// Assigns the units to `shards` shards by longest-processing-time-first: groups (one
    /// repeat, or all repeats of a shared-target instance) by decreasing cost, each to the
    /// least-loaded shard, ties to the earlier group and the lower shard. Deterministic; with
    /// equal costs it deals the units out in turn, so instances spread evenly; the loads differ
    /// by at most the largest group.
    pub fn new(instances: &[InstanceCost], repeats: u32, cost: CostModel, shards: u32) -> RunPlan {
        assert!(shards >= 1, "a run has at least one shard");
        let mut units = Vec::new();
        // Each group: (estimated seconds, its units' positions in `units`).
        let mut groups: Vec<(f64, Vec<usize>)> = Vec::new();
        for instance in instances {
            let estimated_s = cost.estimate_s(instance.product_size);
            let shared_target = !instance.has_best_known;
            for repeat in 0..repeats {
                if !shared_target || repeat == 0 {
                    groups.push((0.0, Vec::new()));
                }
                let group = groups.last_mut().expect("pushed above");
                group.0 += estimated_s;
                group.1.push(units.len());
                units.push(PlannedUnit { unit: WorkUnit { instance: instance.name.clone(), repeat }, estimated_s, shard: 0, shared_target });
            }
        }
        // A stable sort keeps run order among equal costs.
        groups.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut load = vec![0.0_f64; shards as usize];
        for (group_s, members) in groups {
            let lightest = (0..load.len()).min_by(|&a, &b| load[a].total_cmp(&load[b])).expect("at least one shard");
            load[lightest] += group_s;
            for member in members {
                units[member].shard = lightest as u32 + 1;
            }
        }
        RunPlan { shards, units }
    }

    /// The units of shard `index` (1-based), in run order.
    pub fn shard_units(&self, index: u32) -> impl Iterator<Item = &PlannedUnit> {
        self.units.iter().filter(move |u| u.shard == index)
    }

    /// The position of `instance` in the run's instance order (rows are sorted by it).
    pub fn instance_position(&self, instance: &str) -> Option<usize> {
        // Units are listed instance by instance, so consecutive duplicates are one instance.
        let mut names: Vec<&str> = self.units.iter().map(|u| u.unit.instance.as_str()).collect();
        names.dedup();
        names.iter().position(|&name| name == instance)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn instance(name: &str, product_size: u64, has_best_known: bool) -> InstanceCost {
        InstanceCost { name: name.into(), product_size, has_best_known }
    }

    fn loads(plan: &RunPlan) -> Vec<f64> {
        (1..=plan.shards).map(|k| plan.shard_units(k).map(|u| u.estimated_s).sum()).collect()
    }

    #[test]
    fn equal_time_limits_deal_instances_out_in_turn() {
        let instances: Vec<_> = (0..8).map(|i| instance(&format!("I{i}"), 100 * (i + 1), true)).collect();
        let cost = CostModel { budget: Budget::TimeLimit(10.0), reference_s: 10.0 };
        let plan = RunPlan::new(&instances, 1, cost, 3);
        let shards: Vec<u32> = plan.units.iter().map(|u| u.shard).collect();
        assert_eq!(shards, [1, 2, 3, 1, 2, 3, 1, 2]);
        assert_eq!(plan.instance_position("I5"), Some(5));
        assert_eq!(plan.instance_position("nope"), None);
    }

    #[test]
    fn work_budgets_balance_by_size() {
        // One instance as large as the three others together gets a shard of its own.
        let instances = [instance("big", 300, true), instance("a", 100, true), instance("b", 100, true), instance("c", 100, true)];
        let plan = RunPlan::new(&instances, 1, CostModel { budget: Budget::Work(1_000_000), reference_s: 0.0 }, 2);
        let shards: Vec<u32> = plan.units.iter().map(|u| u.shard).collect();
        assert_eq!(shards, [1, 2, 2, 2]);
        let [a, b] = loads(&plan)[..] else { unreachable!() };
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }

    #[test]
    fn shared_target_repeats_stay_together() {
        let instances = [instance("known", 10, true), instance("unknown", 10, false)];
        let plan = RunPlan::new(&instances, 4, CostModel { budget: Budget::TimeLimit(1.0), reference_s: 0.0 }, 4);
        let unknown: Vec<u32> = plan.units.iter().filter(|u| u.unit.instance == "unknown").map(|u| u.shard).collect();
        assert!(unknown.iter().all(|&s| s == unknown[0]), "{unknown:?}");
        assert!(plan.units.iter().all(|u| u.shared_target == (u.unit.instance == "unknown")));
    }

    proptest! {
        /// Every unit in exactly one shard, in run order, and the loads within the largest
        /// group of each other (the longest-processing-time-first guarantee).
        #[test]
        fn every_unit_in_exactly_one_shard_and_balanced(
            sizes in prop::collection::vec((1u64..100_000, any::<bool>()), 1..30),
            repeats in 1u32..4,
            shards in 1u32..9,
            work in prop::option::of(1u64..10_000_000),
        ) {
            let instances: Vec<_> = sizes.iter().enumerate().map(|(i, &(size, known))| instance(&format!("I{i}"), size, known)).collect();
            let budget = work.map_or(Budget::TimeLimit(5.0), Budget::Work);
            let plan = RunPlan::new(&instances, repeats, CostModel { budget, reference_s: 0.0 }, shards);
            let expected: Vec<WorkUnit> = instances.iter().flat_map(|i| (0..repeats).map(|repeat| WorkUnit { instance: i.name.clone(), repeat })).collect();
            let listed: Vec<WorkUnit> = plan.units.iter().map(|u| u.unit.clone()).collect();
            prop_assert_eq!(&listed, &expected);
            let mut seen: Vec<WorkUnit> = (1..=shards).flat_map(|k| plan.shard_units(k).map(|u| u.unit.clone())).collect();
            seen.sort();
            let mut all = expected.clone();
            all.sort();
            prop_assert_eq!(seen, all);
            let largest_group = instances.iter().map(|i| {
                let one = plan.units.iter().find(|u| u.unit.instance == i.name).unwrap().estimated_s;
                if i.has_best_known { one } else { one * f64::from(repeats) }
            }).fold(0.0, f64::max);
            let loads = loads(&plan);
            let (lo, hi) = (loads.iter().copied().fold(f64::INFINITY, f64::min), loads.iter().copied().fold(0.0, f64::max));
            prop_assert!(hi - lo <= largest_group * (1.0 + 1e-9), "loads {:?}, largest group {}", loads, largest_group);
            prop_assert_eq!(RunPlan::new(&instances, repeats, CostModel { budget, reference_s: 0.0 }, shards), plan);
        }
    }
}
