//! Ctrl-C without leftovers. Killed outright, aocbench would leave the reference solver's
//! scratch folder in the temporary directory (and the solver process running when the signal
//! came from `kill` rather than the terminal). Instead the first Ctrl-C is recorded; a running
//! child process ([`crate::reference`]) sees it within one poll, is killed, and its scratch
//! folder is removed; then the process exits with status 130, as shells expect after SIGINT.
//! Work with nothing to clean up ends at once, and a second Ctrl-C always does.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The exit status of a process stopped by SIGINT (128 + 2).
pub const EXIT_STATUS: u8 = 130;

/// How long the handler waits for scratch folders to be cleaned up before exiting anyway.
const CLEANUP_LIMIT: Duration = Duration::from_secs(5);

static REQUESTED: AtomicBool = AtomicBool::new(false);
static LIVE_SCRATCH: AtomicUsize = AtomicUsize::new(0);
/// What the user needs to hear when Ctrl-C stops the command (what was kept, how to go on).
static PARTING_NOTE: Mutex<Option<String>> = Mutex::new(None);

/// Sets what Ctrl-C prints on standard error before the process ends (a command that keeps
/// its finished work says where it is and how to continue it).
pub fn on_interrupt_say(note: String) {
    *PARTING_NOTE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(note);
}

/// Installs the Ctrl-C handler (once, from `main`). Errors: the OS refused the handler, or one
/// was already installed.
pub fn install() -> anyhow::Result<()> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(EXIT_STATUS.into());
        }
        let deadline = Instant::now() + CLEANUP_LIMIT;
        while LIVE_SCRATCH.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        say_parting_note();
        std::process::exit(EXIT_STATUS.into());
    })?;
    Ok(())
}

/// Prints the note set by [`on_interrupt_say`], once: the handler and the main thread, which
/// ends on its own when the work it was waiting for stops, both call it.
pub fn say_parting_note() {
    if let Some(note) = PARTING_NOTE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take() {
        crate::errln!("\n{note}");
    }
}

/// True once Ctrl-C was pressed: whoever waits on a child process stops it and cleans up.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Held while a scratch folder exists, so that the handler waits for its removal.
pub(crate) struct ScratchGuard(());

impl ScratchGuard {
    pub(crate) fn new() -> Self {
        LIVE_SCRATCH.fetch_add(1, Ordering::SeqCst);
        ScratchGuard(())
    }
}

impl Drop for ScratchGuard {
    fn drop(&mut self) {
        LIVE_SCRATCH.fetch_sub(1, Ordering::SeqCst);
    }
}
