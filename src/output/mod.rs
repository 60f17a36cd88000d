//! What the user sees while work runs, and facts about the machine for reports.

pub mod atomic;
pub mod lock;
pub mod destination;
pub mod machine;
pub mod progress_bar;
pub mod table;
pub mod warnings;
