//! The files of a results folder (`bench --out`, `merge --out`) and how a run takes over a
//! folder that already holds some. A finished folder may keep its results.json gzipped
//! (results.json.gz, `scripts/archive_results.sh`): everything that reads one reads that too.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::lock::LOCK_FILE;

/// The files of a bench run, all in its output folder.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFiles {
    pub results_csv: PathBuf,
    pub results_json: PathBuf,
    pub comparison_csv: PathBuf,
    pub comparison_md: PathBuf,
    pub profile_svg: PathBuf,
    pub gap_over_time_svg: PathBuf,
}

impl OutputFiles {
    /// The files of a run in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        OutputFiles {
            results_csv: dir.join("results.csv"),
            results_json: dir.join("results.json"),
            comparison_csv: dir.join("comparison.csv"),
            comparison_md: dir.join("comparison.md"),
            profile_svg: dir.join("profile.svg"),
            gap_over_time_svg: dir.join("gap_over_time.svg"),
        }
    }

    /// The results.json to read: results.json, or its archive `results.json.gz` when only that
    /// is there; results.json when neither is (reading it then fails naming it).
    ///
    /// Errors: both are there (which one is current?), naming both.
    pub fn recorded_json(&self) -> anyhow::Result<PathBuf> {
        let archive = self.archived_json();
        match (self.results_json.exists(), archive.exists()) {
            (true, true) => anyhow::bail!(
                "{} and {} are both there: which one is current? Delete the one that is not (bench writes results.json; scripts/archive_results.sh gzips it into results.json.gz)",
                self.results_json.display(),
                archive.display()
            ),
            (false, true) => Ok(archive),
            _ => Ok(self.results_json.clone()),
        }
    }

    /// `results.json.gz`, results.json as a finished folder may keep it (gzip).
    pub fn archived_json(&self) -> PathBuf {
        self.results_json.with_file_name("results.json.gz")
    }

    /// Every file, in the order docs/metrics.md lists them.
    pub fn all(&self) -> [&Path; 6] {
        [&self.results_csv, &self.results_json, &self.comparison_csv, &self.comparison_md, &self.profile_svg, &self.gap_over_time_svg]
    }
}

/// What to do with an output folder that already holds files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// Refuse a folder that holds anything, so that no previous run is overwritten.
    Fresh,
    /// Delete the folder's bench files first (other files stay).
    Force,
    /// Continue the run recorded there: only the units not complete in it run, its finished
    /// rows stay as they are. A folder without a results.json starts from nothing.
    Resume,
}

/// Creates the output folder for a run from nothing: refuses one that holds anything (but a
/// lock file, [`LOCK_FILE`]) under [`OutputMode::Fresh`], the error ending with `remedy` (what
/// the calling command offers instead); otherwise deletes the bench files there first.
pub fn prepare_output(dir: &Path, files: &OutputFiles, mode: OutputMode, remedy: &str) -> anyhow::Result<()> {
    let mut existing: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter(|e| e.as_ref().is_ok_and(|e| e.file_name() != LOCK_FILE))
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()
            .with_context(|| format!("reading {}", dir.display()))?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(error) => return Err(error).with_context(|| format!("reading {}", dir.display())),
    };
    if !existing.is_empty() && mode == OutputMode::Fresh {
        existing.sort();
        anyhow::bail!(
            "{} is not empty (it holds {}): a previous run there would be overwritten. {remedy}",
            dir.display(),
            existing.join(", ")
        );
    }
    let archive = files.archived_json();
    for file in files.all().into_iter().chain([archive.as_path()]).filter(|f| f.exists()) {
        std::fs::remove_file(file).with_context(|| format!("removing {}", file.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Gunzips a folder's archived results.json (results.json.gz) back into results.json, so that a
/// resumed run, which rewrites results.json after every instance, leaves one current file. The
/// plain file is written whole (atomically) before the archive is deleted. Nothing to do for a
/// folder without an archive. Errors name the file; both files there is [`OutputFiles::recorded_json`]'s error.
pub fn unarchive_json(files: &OutputFiles) -> anyhow::Result<()> {
    let path = files.recorded_json()?;
    if path == files.results_json {
        return Ok(());
    }
    super::atomic::write_atomically(&files.results_json, read_text(&path)?.as_bytes())?;
    std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))
}

/// Reads the text file at `path`, gunzipping it when its name ends in `.gz`. Errors name the
/// file: unreadable, not gzip, or not UTF-8.
pub fn read_text(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    let mut text = String::new();
    let read = if path.extension().is_some_and(|e| e == "gz") { flate2::read::MultiGzDecoder::new(file).read_to_string(&mut text) } else { std::io::BufReader::new(file).read_to_string(&mut text) };
    read.with_context(|| format!("reading {}", path.display()))?;
    Ok(text)
}
