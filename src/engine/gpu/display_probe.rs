//! Keeping a headless start quiet. Whenever wgpu starts Vulkan, Mesa's drivers (lavapipe
//! included) ask libwayland for a display, and libwayland prints "error: XDG_RUNTIME_DIR is
//! invalid or not set in the environment." — twice per start — when that variable is unset or
//! not an absolute path. aocbench computes and never draws, so that line is noise on every
//! `solve` and `bench` of a machine without a desktop session.

use std::env;
use std::path::Path;

const RUNTIME_DIR_ENV: &str = "XDG_RUNTIME_DIR";

/// When `XDG_RUNTIME_DIR` is unset or not absolute, sets it to an absolute folder that does
/// not exist: the display probe then fails quietly, as it would have failed anyway (there is no
/// session to connect to). A valid setting is left alone. Children (the reference solver)
/// inherit the setting, which changes nothing for them either.
///
/// # Safety
/// Changes the process environment, which is only sound while no other thread exists: call it
/// first thing in `main`.
pub unsafe fn quiet_display_probe() {
    let valid = env::var_os(RUNTIME_DIR_ENV).is_some_and(|dir| Path::new(&dir).is_absolute());
    if !valid {
        // SAFETY: the caller guarantees that this thread is the only one.
        unsafe { env::set_var(RUNTIME_DIR_ENV, env::temp_dir().join("aocbench-no-display-session")) };
    }
}
