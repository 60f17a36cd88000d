//! Which part of a run one process does: `--shard K/N`, or `--shard slurm` read from the
//! variables Slurm sets in each task of a job array.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::resources::MAX_SHARDS;

/// Shard `index` of `count` (1-based: `1/3`, `2/3`, `3/3`), with the Slurm task that ran it
/// when it came from `--shard slurm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
    pub slurm: Option<SlurmTask>,
}

/// The Slurm array task a shard ran in, so that a missing shard can be named as Slurm knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlurmTask {
    /// `SLURM_ARRAY_JOB_ID`: the array's job id.
    pub array_job_id: String,
    /// `SLURM_ARRAY_TASK_ID`.
    pub array_task_id: u32,
    /// `SLURMD_NODENAME`: the node that ran it.
    pub node: Option<String>,
}

impl Shard {
    /// The whole run in one process.
    pub fn whole() -> Shard {
        Shard { index: 1, count: 1, slurm: None }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)?;
        if let Some(task) = &self.slurm {
            write!(f, " (Slurm array job {} task {})", task.array_job_id, task.array_task_id)?;
        }
        Ok(())
    }
}

/// `--shard`: `K/N` (1 ≤ K ≤ N) or `slurm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed { index: u32, count: u32 },
    /// K and N from the array task: K = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN + 1,
    /// N = SLURM_ARRAY_TASK_COUNT.
    Slurm,
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        if text == "slurm" {
            return Ok(ShardSpec::Slurm);
        }
        let usage = || format!("expected K/N with 1 ≤ K ≤ N (e.g. 2/8) or `slurm`, got {text:?}");
        let (k, n) = text.split_once('/').ok_or_else(usage)?;
        let index: u32 = k.trim().parse().map_err(|_| usage())?;
        let count: u32 = n.trim().parse().map_err(|_| usage())?;
        if index == 0 || index > count {
            return Err(usage());
        }
        too_many_shards(count)?;
        Ok(ShardSpec::Fixed { index, count })
    }
}

impl ShardSpec {
    /// The shard, reading Slurm's variables through `var` (`std::env::var` in the binary).
    ///
    /// Errors: `slurm` outside an array task (no `SLURM_ARRAY_TASK_ID`), a malformed variable,
    /// or an array that is not one contiguous range (a step or a list of ids leaves gaps
    /// between task ids, so K would not cover 1..N).
    pub fn resolve(self, var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        match self {
            ShardSpec::Fixed { index, count } => Ok(Shard { index, count, slurm: None }),
            ShardSpec::Slurm => {
                let number = |name: &str| -> Result<u32, String> {
                    let text = var(name).ok_or_else(|| {
                        format!("--shard slurm needs a Slurm job array, but {name} is not set: submit with `sbatch --array=1-N …`, or give the shard as --shard K/N")
                    })?;
                    text.trim().parse().map_err(|_| format!("{name}={text:?} is not a task number"))
                };
                let id = number("SLURM_ARRAY_TASK_ID")?;
                let min = number("SLURM_ARRAY_TASK_MIN")?;
                let count = number("SLURM_ARRAY_TASK_COUNT")?;
                too_many_shards(count)?;
                let step = var("SLURM_ARRAY_TASK_STEP").map_or(Ok(1), |_| number("SLURM_ARRAY_TASK_STEP"))?;
                let offset = id.checked_sub(min).filter(|&k| k < count && step == 1).ok_or_else(|| {
                    format!(
                        "task {id} of a job array with {count} tasks from {min} (step {step}) is not in one contiguous range: submit with `--array=1-N` (no step, no list), or give the shard as --shard K/N"
                    )
                })?;
                let array_job_id = var("SLURM_ARRAY_JOB_ID").unwrap_or_else(|| "unknown".into());
                Ok(Shard { index: offset + 1, count, slurm: Some(SlurmTask { array_job_id, array_task_id: id, node: var("SLURMD_NODENAME") }) })
            }
        }
    }
}

/// Errors when `count` shards exceed [`MAX_SHARDS`].
fn too_many_shards(count: u32) -> Result<(), String> {
    if count > MAX_SHARDS {
        return Err(format!("{count} shards: a run splits into 1..={MAX_SHARDS} shards"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
    }

    #[test]
    fn parses_fixed_shards_and_refuses_out_of_range_ones() {
        assert_eq!("2/8".parse(), Ok(ShardSpec::Fixed { index: 2, count: 8 }));
        assert_eq!("slurm".parse(), Ok(ShardSpec::Slurm));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
        assert_eq!("1/10000".parse(), Ok(ShardSpec::Fixed { index: 1, count: 10000 }));
        assert_eq!("1/10001".parse::<ShardSpec>(), Err("10001 shards: a run splits into 1..=10000 shards".into()));
        let huge = [("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4294967295")];
        assert!(ShardSpec::Slurm.resolve(env(&huge)).unwrap_err().contains("1..=10000 shards"));
    }

    #[test]
    fn slurm_shard_counts_from_the_array_minimum() {
        let vars = [("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_MIN", "5"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_JOB_ID", "41"), ("SLURMD_NODENAME", "n1")];
        let shard = ShardSpec::Slurm.resolve(env(&vars)).unwrap();
        assert_eq!((shard.index, shard.count), (3, 3));
        assert_eq!(shard.to_string(), "3/3 (Slurm array job 41 task 7)");
    }

    #[test]
    fn slurm_shard_outside_an_array_or_with_gaps_is_a_clear_error() {
        let outside = ShardSpec::Slurm.resolve(env(&[])).unwrap_err();
        assert!(outside.contains("SLURM_ARRAY_TASK_ID is not set"), "{outside}");
        let stepped = [("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_STEP", "2")];
        assert!(ShardSpec::Slurm.resolve(env(&stepped)).unwrap_err().contains("contiguous"));
    }
}
