//! QOBLIB instances: the `.qs` reader and the lookup of a QOBLIB checkout and its classes.
//!
//! QOBLIB, the Quantum Optimization Benchmarking Library ("The Intractable Decathlon",
//! arXiv 2504.03832, github.com/ZIB-AOPT/QOBLIB), gives some of its problem classes as
//! unconstrained QUBOs in `.qs` files. Data: `qoblib/README.md` (the smoke set and the catalog
//! ship with the project; the classes are downloaded).

mod error;
mod locate;
mod reader;

pub use error::{QoblibLocateError, QsError};
pub use locate::{class_set, find_instance, is_qs_file, is_qs_name, qoblib_dir, qoblib_dir_is_explicit, shipped_catalog_dir, shipped_dir, QoblibClass};
pub use reader::{instance_name, parse_qs, read_instance, read_qs, QsFile};
