//! QOBLIB's recorded submissions as `bench` reads them: every summary and series of the checkout
//! in `$AOCBENCH_QOBLIB_DIR` (or, unset, the small checkout in tests/data/qoblib-recorded) parses,
//! and every series normalised to the model's objective ends at its summary's best.

use std::path::{Path, PathBuf};

use aocbench::model::Sense;
use aocbench::reference::recorded::{read_series, submission_dirs, RecordedSubmission, SubmissionSummary, QOBLIB_DIR_ENV};

/// The QOBLIB checkout under test; a `$AOCBENCH_QOBLIB_DIR` that names no checkout fails.
fn checkout() -> PathBuf {
    match std::env::var_os(QOBLIB_DIR_ENV) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(dir.join("07-independentset/submissions").is_dir(), "${QOBLIB_DIR_ENV}={} holds no QOBLIB checkout (no 07-independentset/submissions)", dir.display());
            dir
        }
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/qoblib-recorded"),
    }
}

/// Every instance folder of every submission that has a summary, with its class folder.
fn submission_folders(root: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    for class in ["01-marketsplit", "02-labs", "07-independentset"] {
        for submission in std::fs::read_dir(root.join(class).join("submissions")).unwrap() {
            let Ok(instances) = std::fs::read_dir(submission.unwrap().path()) else { continue };
            for dir in instances.map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
                let name = dir.file_name().unwrap().to_string_lossy().into_owned();
                if dir.join(format!("{name}_summary.csv")).is_file() {
                    found.push((class.to_string(), dir));
                }
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_summary_and_series_parses() {
    let root = checkout();
    let folders = submission_folders(&root);
    let (mut summaries, mut series) = (0, 0);
    for (_, dir) in &folders {
        let name = dir.file_name().unwrap().to_string_lossy();
        let summary = SubmissionSummary::read(&dir.join(format!("{name}_summary.csv"))).unwrap();
        assert_eq!(summary.get("Problem"), name, "{}", dir.display());
        summaries += 1;
        let path = dir.join(format!("{name}_objective_time_series.json.gz"));
        if path.exists() {
            assert!(!read_series(&path).unwrap().is_empty(), "{}: an empty series", path.display());
            series += 1;
        }
    }
    // Abs2's market-split submissions have no series; every other submission has one.
    let abs2_market_split = folders.iter().filter(|(class, dir)| class == "01-marketsplit" && dir.to_string_lossy().contains("_Abs2_")).count();
    assert!(summaries >= 6, "only {summaries} submissions under {}", root.display());
    assert_eq!(series, summaries - abs2_market_split);
}
