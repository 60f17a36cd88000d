//! The texts of the warnings and notices a user reads, one function per kind, so that the
//! console, comparison.md and the plots say the same thing in the same words. Each returns
//! the sentence without a prefix; the caller adds `note:` or its format's emphasis.

use super::table::count;

/// Instances without a best-known objective, whose target fell back to the best feasible
/// objective AOC-DT found (`target_source` = `aocdt_best`).
pub fn target_fell_back(instances: &[&str]) -> String {
    format!(
        "no best-known objective for {}: the target there is AOC-DT's own best (target_source \
         aocdt_best), so \"reached\" means matching AOC-DT's best, not a best-known value",
        instances.join(", ")
    )
}

/// A bench run that stopped (or is still running) before every instance was done.
pub fn partial_run(done: usize, total: usize) -> String {
    format!("partial: {done} of {}", count(total, "instance"))
}

/// Time ratios that are bounds because one side did not reach the target within its limit.
pub fn censored_time_ratio(reference: &str, bounds: usize, ratios: usize) -> String {
    format!(
        "{bounds} of {} ({reference} time-to-target / AOC-DT time-to-target) \
         {are}: \">x\" means {reference} did not reach the target within its limit, so \
         AOC-DT was at least x times faster; \"<x\" means AOC-DT did not reach it, so it was at \
         most x times as fast; the bound only says how long the limit was, not how long the \
         censored side would have needed",
        count(ratios, "time ratio"),
        are = if bounds == 1 { "is a bound" } else { "are bounds" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_name_what_they_warn_about() {
        let fell_back = target_fell_back(&["QPLIB_0067", "QPLIB_0633"]);
        assert!(fell_back.contains("QPLIB_0067, QPLIB_0633") && fell_back.contains("AOC-DT's own best"), "{fell_back}");
        assert_eq!(partial_run(3, 7), "partial: 3 of 7 instances");
        let censored = censored_time_ratio("SCIP", 4, 5);
        assert!(censored.starts_with("4 of 5 time ratios (SCIP time-to-target / AOC-DT") && censored.contains("are bounds: \">x\""), "{censored}");
        assert!(censored_time_ratio("SCIP", 1, 1).starts_with("1 of 1 time ratio (SCIP"), "singular");
        assert_eq!(partial_run(0, 1), "partial: 0 of 1 instance");
    }
}
