use std::path::PathBuf;

use clap::Args;

use super::failure::{Failure, Stage};
use super::OutputFormat;
use crate::engine::ProductForm;
use crate::table::{number, render, whole};
use crate::instances::{self, InstanceDirs};
use crate::model::Sense;
use crate::qoblib;
use crate::qplib::{Catalog, CatalogEntry};
use crate::qumo::QumoModel;

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Instance files or names (e.g. QPLIB_0067, or QOBLIB's labs030). Default: the whole QBL set.
    pub files: Vec<String>,
    /// A named set instead of files: QPLIB's qbl or qbn, or a QOBLIB class (marketsplit, labs,
    /// independentset).
    #[arg(long, value_parser = instances::SET_NAMES, conflicts_with = "files")]
    pub set: Option<String>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Print the instances as CSV rows in catalog.csv's format instead (docs/instances.md): the
    /// catalog's row where it has one, else the columns counted from the file with
    /// best_known_objective empty and optimal `unknown` — fill in the values and pass the file
    /// to `bench --catalog`.
    #[arg(long, conflicts_with = "format")]
    pub catalog_rows: bool,
}

#[derive(Debug, serde::Serialize)]
struct InfoRow {
    name: String,
    type_code: String,
    n_vars: usize,
    n_binary: usize,
    n_constraints: usize,
    q_density: f64,
    sense: &'static str,
    best_known: Option<f64>,
    qumo_vars: Option<usize>,
    qumo_slacks: Option<usize>,
    /// Encoded rows without a slack: equalities, and inequalities whose range collapsed.
    equality_rows: Option<usize>,
    j_density: Option<f64>,
    /// The form the engines multiply J in by default (the cost model's choice).
    product: Option<ProductForm>,
    /// Why the instance has no QUMO form, when it has none.
    note: String,
}

const HEADER: [&str; 14] = ["name", "type", "vars", "binaries", "constraints", "q_density", "sense", "best_known", "qumo_vars", "slacks", "equality_rows", "j_density", "product", "note"];

/// Prints the rows (or, under --catalog-rows, the catalog rows). Errors: an instance or catalog
/// that cannot be read or does not match (input errors, before anything is printed), or
/// standard output failing.
pub fn run(dir: &InstanceDirs, args: InfoArgs) -> Result<(), Failure> {
    let (paths, catalog) = instances::select_instances(dir, &args.files, args.set.as_deref().unwrap_or("qbl")).before_work()?;
    if args.catalog_rows {
        let entries: Vec<CatalogEntry> = paths
            .iter()
            .map(|path| instances::read_instance(path).map(|instance| catalog.get(&instance.name).cloned().unwrap_or_else(|| CatalogEntry::describing(&instance, None))))
            .collect::<Result<_, _>>()
            .before_work()?;
        return write_csv(&entries).during_work();
    }
    let (rows, qs_files) = describe(&paths, &catalog).before_work()?;
    print(args.format, &rows, &qs_files).during_work()
}

/// The table's row of every instance and the extra line of every `.qs` file among them.
fn describe(paths: &[PathBuf], catalog: &Catalog) -> anyhow::Result<(Vec<InfoRow>, Vec<String>)> {
    let mut rows = Vec::new();
    let mut qs_files = Vec::new();
    for path in paths {
        if qoblib::is_qs_name(path) {
            qs_files.push(qs_description(&qoblib::read_qs(path)?));
        }
        let instance = instances::read_instance(path)?;
        catalog.check(&instance, path)?;
        let (qumo_vars, qumo_slacks, equality_rows, j_density, product, note) = match QumoModel::new(&instance) {
            Ok(model) => {
                let qumo = model.build(&model.initial_weights(1.0));
                let equalities = model.rows.iter().filter(|r| r.slack.is_none()).count();
                (Some(qumo.n), Some(qumo.n_slack()), Some(equalities), Some(qumo.j.density()), Some(ProductForm::cheapest(&qumo)), String::new())
            }
            Err(e) => (None, None, None, None, None, e.to_string()),
        };
        rows.push(InfoRow {
            best_known: catalog.best_known(&instance.name),
            name: instance.name.clone(),
            type_code: instance.type_code.clone(),
            n_vars: instance.n_vars(),
            n_binary: instance.n_binary(),
            n_constraints: instance.n_constraints(),
            q_density: instance.q_density(),
            sense: instance.sense.as_str(),
            qumo_vars,
            qumo_slacks,
            equality_rows,
            j_density,
            product,
            note,
        });
    }
    Ok((rows, qs_files))
}

fn print(format: OutputFormat, rows: &[InfoRow], qs_files: &[String]) -> anyhow::Result<()> {
    match format {
        OutputFormat::Json => crate::outln!("{}", serde_json::to_string_pretty(rows)?),
        OutputFormat::Csv => write_csv(rows)?,
        OutputFormat::Table => {
            let cells: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        r.type_code.clone(),
                        whole(r.n_vars),
                        whole(r.n_binary),
                        whole(r.n_constraints),
                        format!("{:.4}", r.q_density),
                        r.sense.to_string(),
                        number(r.best_known),
                        r.qumo_vars.map_or("-".into(), whole),
                        r.qumo_slacks.map_or("-".into(), whole),
                        r.equality_rows.map_or("-".into(), whole),
                        r.j_density.map_or("-".into(), |v| format!("{v:.4}")),
                        r.product.map_or("-", ProductForm::name).to_string(),
                        r.note.clone(),
                    ]
                })
                .collect();
            crate::out!("{}", render(&HEADER, &cells));
            for line in qs_files {
                crate::outln!("{line}");
            }
        }
    }
    Ok(())
}

/// `items` as CSV records, with their header, on standard output.
fn write_csv<T: serde::Serialize>(items: &[T]) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(std::io::stdout());
    for item in items {
        writer.serialize(item)?;
    }
    Ok(writer.flush()?)
}

/// One line on a QOBLIB `.qs` file beyond the table: what the file lists, its offset and where
/// the sense came from.
fn qs_description(file: &qoblib::QsFile) -> String {
    let instance = &file.instance;
    let range = file.coefficient_range.map_or("none".to_string(), |(low, high)| format!("{} to {}", number(Some(low)), number(Some(high))));
    let sense = match file.sense_line {
        Some(line) => format!("{} (the ZIMPL model in the comments, line {line}; objective = {}energy)", instance.sense.as_str(), if instance.sense == Sense::Maximize { "−" } else { "" }),
        None => format!("{} (no minimize/maximize in the comments: the energy as stored)", instance.sense.as_str()),
    };
    format!(
        "{}: n {}, nnz {} (upper triangle of Q), density {:.4}, |Q_ij| {range}, ObjectiveOffset {}, sense {sense}",
        instance.name,
        whole(instance.n_vars()),
        whole(file.nnz),
        instance.q_density(),
        number(Some(file.offset)),
    )
}
