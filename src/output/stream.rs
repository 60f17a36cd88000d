//! Printing that survives a closed pipe. `aocbench bench … | head` closes standard output (or
//! standard error) while the run still has instances to run and files to write; `println!`
//! would panic there and lose them. These macros drop a write that fails (its reader is gone)
//! and let the work go on.

/// `println!` to standard output, dropping the line when it cannot be written.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` to standard output, dropping the text when it cannot be written.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` to standard error, dropping the line when it cannot be written.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
