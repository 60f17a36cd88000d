//! What options may ask of the machine: the ranges refused at parse time, and the memory a batch
//! needs against the memory this process can still get (docs/resources.md).
//!
//! The available memory is read from Linux's /proc and cgroup files rather than a crate such as
//! `sysinfo`: the address-space limit (`ulimit -v`, which a failed allocation turns into an
//! abort) is the bound that matters on clusters and in the tests, and no such crate reads it.

use std::path::Path;

/// Most repeats of a bench (`--repeats`): each is one solve per instance and solver.
pub const MAX_REPEATS: u32 = 10_000;
/// Most shards of a sharded bench (`--shard K/N`, also from Slurm): far more than any job array
/// a cluster would run for one bench, so that the plan's per-shard tables stay small.
pub const MAX_SHARDS: u32 = 10_000;
/// Most replicas per batch (`--batch-size`, `perf --replicas`): 2^20, 240 times the largest
/// batch an engine picks on a discrete GPU.
pub const MAX_BATCH: u64 = 1 << 20;
/// Most replicas per BCD sub-solve (`--bcd-replicas`; default 16).
pub const MAX_BCD_REPLICAS: u64 = 1 << 16;
/// Most variables per BCD block (`--bcd-block-size`): a block must fit the machine as well, far
/// below this; the bound keeps the channels it needs (size + 1) a number.
pub const MAX_BCD_BLOCK: u64 = 1 << 16;
/// Most iterations of one engine run (`--bcd-iterations`, `perf --iterations`): an engine run is
/// never interrupted, so this bounds how far it can overrun a time limit.
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Most timed runs per `perf` workload (`perf --repeats`).
pub const MAX_PERF_REPEATS: u64 = 1_000;

/// Host bytes a batch of `replicas` replicas of an `n`-variable QUMO needs beside the engine's
/// own buffers, while its samples are judged: the initial states, the read-back states and
/// amplitudes (f32), and per replica the points of the instance's `points` variables (f64:
/// thresholded, read out, reported, the previous batch's) with their bookkeeping. Six points
/// rather than four: measured peaks (QPLIB_0067, 655360 replicas: 7.2 KiB each) include the
/// allocator's rounding and what the previous phase still holds.
pub fn batch_host_bytes(replicas: usize, n: usize, points: usize) -> u64 {
    const PER_REPLICA: u64 = 512;
    (replicas as u64).saturating_mul(3 * 4 * n as u64 + 6 * 8 * points as u64 + PER_REPLICA)
}

/// Errors unless `needed` bytes fit the memory available now, with room to spare for what the
/// estimate leaves out; `what` names the option and its value, e.g. "--batch-size 100000 (a
/// batch of 100000 replicas of QPLIB_0067's 120-variable QUMO)". Without a way to know what is
/// available (not Linux), nothing is refused.
pub fn ensure_fits(needed: u64, what: impl FnOnce() -> String) -> anyhow::Result<()> {
    let Some(available) = Available::now() else { return Ok(()) };
    // The estimate counts the large buffers only; allocator slack and the rest of the process
    // must fit beside them.
    let with_margin = needed.saturating_add(needed / 4);
    anyhow::ensure!(
        with_margin <= available.bytes,
        "{}: needs about {} of memory (estimate), but {} is available ({}); ask for less",
        what(),
        bytes(needed),
        bytes(available.bytes),
        available.source
    );
    Ok(())
}

/// A byte count in the largest binary unit that keeps it above 1 (e.g. "3.4 GiB").
pub fn bytes(count: u64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = count as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 { format!("{count} bytes") } else { format!("{value:.1} {}", units[unit]) }
}

/// The memory this process can still allocate, and which bound set it.
struct Available {
    bytes: u64,
    source: &'static str,
}

impl Available {
    /// The least of: the system's MemAvailable, the cgroup's (v2) limit less its usage, and the
    /// address-space limit less this process's address space. `None` when none can be read.
    fn now() -> Option<Available> {
        let system = read_kib("/proc/meminfo", "MemAvailable:").map(|b| Available { bytes: b, source: "MemAvailable in /proc/meminfo" });
        let cgroup = cgroup_headroom().map(|b| Available { bytes: b, source: "the cgroup's memory.max less memory.current" });
        let address_space = address_space_headroom().map(|b| Available { bytes: b, source: "the address-space limit (ulimit -v) less this process's address space" });
        [system, cgroup, address_space].into_iter().flatten().min_by_key(|a| a.bytes)
    }
}

/// The value of the `key` line of a /proc file in kB, as bytes.
fn read_kib(path: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix(key))?;
    let kib: u64 = line.split_whitespace().next()?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// cgroup v2: memory.max (unless `max`) less memory.current of this process's cgroup.
fn cgroup_headroom() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let relative = membership.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = Path::new("/sys/fs/cgroup").join(relative.trim_start_matches('/'));
    let number = |name: &str| std::fs::read_to_string(dir.join(name)).ok()?.trim().parse::<u64>().ok();
    Some(number("memory.max")?.saturating_sub(number("memory.current")?))
}

/// The soft address-space limit (RLIMIT_AS, "Max address space" in /proc/self/limits) less
/// VmSize; `None` when unlimited.
fn address_space_headroom() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let soft = limits.lines().find_map(|l| l.strip_prefix("Max address space"))?.split_whitespace().next()?.parse::<u64>().ok()?;
    Some(soft.saturating_sub(read_kib("/proc/self/status", "VmSize:")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_need_is_refused_with_the_estimate_and_what_is_available() {
        let error = ensure_fits(u64::MAX / 2, || "--batch-size 7".into()).unwrap_err().to_string();
        assert!(error.starts_with("--batch-size 7: needs about 8.0 EiB of memory (estimate), but "), "{error}");
        assert!(error.contains("is available (") && error.ends_with("; ask for less"), "{error}");
        ensure_fits(1 << 20, || unreachable!("a MiB fits")).unwrap();
    }

    #[test]
    fn byte_counts_read_in_binary_units() {
        assert_eq!(bytes(512), "512 bytes");
        assert_eq!(bytes(3 << 30), "3.0 GiB");
        assert_eq!(bytes(1536), "1.5 KiB");
    }
}
