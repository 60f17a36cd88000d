//! QOBLIB's recorded submissions as `bench` reads them: every summary and series of the checkout
//! in `$AOCBENCH_QOBLIB_DIR` (or, unset, the small checkout in tests/data/qoblib-recorded) parses,
//! and every series normalised to the model's objective ends at its summary's best.

use std::path::{Path, PathBuf};

use aocbench::instances::read_instance;
use aocbench::model::Sense;
use aocbench::qoblib::QoblibClass;
use aocbench::reference::recorded::{read_series, RecordedOutcome, RecordedSubmission, SubmissionSummary, STATUS_RECORDED, STATUS_UNJUDGED};

/// The environment variable naming a QOBLIB checkout.
const QOBLIB_DIR_ENV: &str = "AOCBENCH_QOBLIB_DIR";

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

/// The `.qs` model of the instance whose submission folder is `dir`, in checkout `root`.
fn model_of(root: &Path, class: &str, dir: &Path) -> aocbench::model::Instance {
    let name = dir.file_name().unwrap().to_string_lossy();
    let class = QoblibClass::ALL.into_iter().find(|c| c.folder().starts_with(class)).unwrap();
    read_instance(&root.join(class.folder()).join(format!("{name}.qs.xz"))).unwrap()
}

/// Every submission, read for its `.qs` model: the series normalised to the model's objective
/// ends at the summary's best (read refuses otherwise), and the judge confirms every solution.
#[test]
fn every_submission_normalises_to_its_summary_and_the_judge_agrees() {
    let root = checkout();
    let mut by_status = std::collections::BTreeMap::<(String, String), usize>::new();
    let mut maximised_energies = 0;
    for (class, dir) in submission_folders(&root) {
        let instance = model_of(&root, &class, &dir);
        let submission = RecordedSubmission::read(&dir, instance.sense, instance.n_vars()).unwrap_or_else(|e| panic!("{e:#}"));
        if let (Some(last), Some(best)) = (submission.series.last(), submission.claimed_best) {
            assert_eq!(last.objective, best, "{}", dir.display());
            if submission.summary.solves_qubo() && instance.sense == Sense::Maximize {
                maximised_energies += 1;
            }
        }
        let outcome = RecordedOutcome::of(&submission, &instance);
        assert!([STATUS_RECORDED, STATUS_UNJUDGED].contains(&outcome.status.as_str()), "{}: {:?}", dir.display(), outcome.note);
        assert!(outcome.feasible, "{}", dir.display());
        *by_status.entry((class, outcome.status)).or_default() += 1;
    }
    // Abs2's independent-set series are energies (C125-9: −30, −31, …) of a maximised model.
    assert!(maximised_energies >= 1);
    // Every class has judged solutions: market split and LABS from Abs2, independent set from both.
    for class in ["01-marketsplit", "02-labs", "07-independentset"] {
        assert!(by_status.get(&(class.to_string(), STATUS_RECORDED.to_string())).is_some_and(|&n| n >= 1), "{class}: {by_status:?}");
    }
    eprintln!("{by_status:?}");
}
