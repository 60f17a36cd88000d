//! What the user sees while work runs, and facts about the machine for reports.

pub mod machine;
