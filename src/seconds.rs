//! Durations from seconds a user gives (time limits, timeouts): one rule for what is accepted,
//! so that no limit can panic the clock arithmetic.

use std::time::Duration;

/// The longest time limit or timeout accepted, in seconds (a year): a longer one is a typo,
/// and a deadline far enough out overflows the clock (`Duration` and `Instant` panic).
pub const MAX_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

/// `seconds` as a duration when it is positive, finite and at most [`MAX_SECONDS`]; else a
/// message naming `what`.
pub fn duration(seconds: f64, what: &str) -> Result<Duration, String> {
    if seconds > 0.0 && seconds <= MAX_SECONDS {
        Ok(Duration::from_secs_f64(seconds))
    } else {
        // Exponent notation for huge values, whose plain digits would fill the screen.
        let got = if seconds.abs() < 1e15 { seconds.to_string() } else { format!("{seconds:e}") };
        Err(format!("{what} must be a positive number of seconds up to {MAX_SECONDS} (a year), got {got}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_zero_negative_and_nan_seconds_are_refused() {
        assert_eq!(duration(1.5, "x"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration(MAX_SECONDS, "x"), Ok(Duration::from_secs(MAX_SECONDS as u64)));
        for bad in [1e300, 1e20, f64::INFINITY, 0.0, -1.0, f64::NAN] {
            let message = duration(bad, "--time-limit").unwrap_err();
            assert!(message.starts_with("--time-limit must be a positive number of seconds"), "{message}");
        }
    }
}
