//! QPLIB instances: the `.qplib` reader, the instance lookup and the catalog.
//!
//! Format: `shared/design/qplib-format.md`. Data: `qplib/README.md` (never committed).

mod catalog;
mod error;
mod locate;
mod reader;

pub use catalog::{Catalog, CatalogEntry};
pub use error::{IndexKind, LocateError, Problem, QplibError, Tried};
pub use locate::{INSTANCE_DIR_ENV, find_instance, instance_dir, instance_set};
pub use reader::{MAX_DIMENSION, parse_instance, read_instance};
