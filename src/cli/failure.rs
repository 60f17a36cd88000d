//! The exit status of every command, by one rule (as `diff`, `cmp` and clap's usage errors):
//!
//! - 0: done as asked;
//! - 1: the work started and did not end as asked: an error once it was under way (a result
//!   that could not be saved, a disk that filled), or a finished run that falls short (`bench`
//!   and `merge`: failed or skipped runs; `compare`: a regression);
//! - 2: a usage or input error found before any work: an invalid option or value, a missing,
//!   unreadable or malformed file or instance, an output path that is refused;
//! - 130: stopped by Ctrl-C.
//!
//! A command marks each step's errors with [`Stage::before_work`] or [`Stage::during_work`];
//! [`Failure::exit`] turns them into the status.

use std::process::ExitCode;

/// The exit status of a usage or input error.
pub const EXIT_INPUT_ERROR: u8 = 2;

/// How a command failed, which decides its exit status.
#[derive(Debug)]
pub enum Failure {
    /// A usage or input error, found before any work was done: exit status 2.
    Input(anyhow::Error),
    /// An error once the work was under way: exit status 1.
    Work(anyhow::Error),
}

impl Failure {
    /// Prints the error with its causes on standard error and returns the exit status; after
    /// Ctrl-C the stop is the error: 130, and only what the command left to say then.
    pub fn exit(self) -> ExitCode {
        if crate::interrupt::requested() {
            crate::interrupt::say_parting_note();
            return ExitCode::from(crate::interrupt::EXIT_STATUS);
        }
        let (error, status) = match self {
            Failure::Input(error) => (error, EXIT_INPUT_ERROR),
            Failure::Work(error) => (error, 1),
        };
        crate::errln!("error: {error:#}");
        ExitCode::from(status)
    }
}

/// Which part of a command an error comes from.
pub trait Stage<T> {
    /// The step reads or checks input before any work: its error is a [`Failure::Input`].
    fn before_work(self) -> Result<T, Failure>;
    /// The step is the work or comes after it: its error is a [`Failure::Work`].
    fn during_work(self) -> Result<T, Failure>;
}

impl<T, E: Into<anyhow::Error>> Stage<T> for Result<T, E> {
    fn before_work(self) -> Result<T, Failure> {
        self.map_err(|error| Failure::Input(error.into()))
    }

    fn during_work(self) -> Result<T, Failure> {
        self.map_err(|error| Failure::Work(error.into()))
    }
}
