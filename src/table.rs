//! Plain aligned text tables for the terminal.

/// Renders rows under a header, columns padded to their widest cell; numeric-looking cells are
/// right-aligned.
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<&str>| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| {
                let numeric = is_number(cell);
                // Padded by hand: `format!`'s width is limited to 65535 and panics beyond it
                // (a fuzzed problem name can be longer).
                let pad = " ".repeat(w - cell.chars().count());
                if numeric { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    out
}

/// A cell that `render` right-aligns: a number, possibly a bound (`>10`, `<0.5`, `≥1.7`),
/// with thousands separators ([`counter`]), `inf`, or `-` (none).
fn is_number(cell: &str) -> bool {
    let value = cell.trim_start_matches(['>', '<', '≥']).replace(',', "");
    cell == "-" || value == "inf" || value.starts_with(|c: char| c.is_ascii_digit() || c == '-') && value.parse::<f64>().is_ok()
}

// One format per quantity, used by solve, bench's console, comparison.md and compare:
// objectives [`number`] (or [`objective`] beside a feasibility), times [`seconds`] (or
// [`significant`] with [`TIME_DIGITS`] under a header that names the unit), operation counts
// [`counter`] (exact integers [`whole`]), constraint violations [`violation`].

/// Significant digits of times (seconds) and time ratios, wherever one is shown.
pub const TIME_DIGITS: usize = 4;

/// An objective value for humans: up to 10 significant digits (a QPLIB objective carries no
/// more), no trailing zeros, never exponent notation; `-` for none.
pub fn number(value: Option<f64>) -> String {
    significant(value, 10)
}

/// An objective that may belong to an infeasible point: [`number`], followed by
/// ` (infeasible)` when `feasible` is false, so that no table shows it as a result.
pub fn objective(value: Option<f64>, feasible: bool) -> String {
    match value {
        Some(_) if !feasible => format!("{} (infeasible)", number(value)),
        _ => number(value),
    }
}

/// A duration with its unit: [`TIME_DIGITS`] significant digits in fixed notation
/// (`0.0008147 s`, `3.577 s`, `inf s` for a time that never comes); `-` for none.
pub fn seconds(value: Option<f64>) -> String {
    value.map_or("-".into(), |t| format!("{} s", significant(Some(t), TIME_DIGITS)))
}

/// A count of operations (matrix-vector products, samples) as a whole number with commas
/// between thousands (`45,969`); an expected count (a mean) is rounded to the nearest whole;
/// `inf` for a count that is never reached; `-` for none.
pub fn counter(value: Option<f64>) -> String {
    match value {
        None => "-".into(),
        Some(v) if !v.is_finite() => significant(Some(v), 1),
        Some(v) => {
            let grouped = whole(v.abs().round() as u64);
            if v.round() < 0.0 { format!("-{grouped}") } else { grouped }
        }
    }
}

/// A whole number with commas between thousands (`1,234,567`): every count a person reads
/// (replica-iterations, samples, non-zeros, variables), in tables, notes and warnings alike;
/// CSV and JSON keep the raw number.
pub fn whole(n: impl TryInto<u64>) -> String {
    // Every usize fits a u64 on the platforms Rust supports; the bound lets callers pass one.
    let digits = n.try_into().unwrap_or(u64::MAX).to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// A constraint violation, in exponent notation with two significant digits (`1.2e-9`):
/// violations span many decades around the feasibility tolerance.
pub fn violation(value: f64) -> String {
    format!("{value:.1e}")
}

/// The console width in columns: the bench summary's tables, its notes and every warning on
/// standard error fit it.
pub const WIDTH: usize = 120;

/// `text` wrapped at spaces into lines of at most `width` columns, the first starting with
/// `prefix`, the others indented by as many spaces (a hanging indent); a word longer than a
/// line (a path) stands alone on its line, unbroken, and no word is split at its hyphens.
pub fn wrap(prefix: &str, text: &str, width: usize) -> String {
    let indent = " ".repeat(prefix.chars().count());
    let options = textwrap::Options::new(width)
        .initial_indent(prefix)
        .subsequent_indent(&indent)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    textwrap::fill(text, options)
}

/// A float with at most `digits` significant digits (integers in full), no trailing zeros;
/// `-` for none. Tables of times use few digits, objectives many; both go through here.
pub fn significant(value: Option<f64>, digits: usize) -> String {
    match value {
        None => "-".into(),
        Some(v) if v.is_infinite() => if v > 0.0 { "inf".into() } else { "-inf".into() },
        // `+ 0.0` turns −0 into 0.
        Some(v) if v == v.trunc() && v.abs() < 1e15 => format!("{:.0}", v + 0.0),
        Some(v) => {
            let decimals = (digits as i32 - 1 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
            let s = format!("{v:.decimals$}");
            // Only fractional zeros are trailing: "1230" must stay "1230".
            if decimals == 0 { s } else { s.trim_end_matches('0').trim_end_matches('.').to_string() }
        }
    }
}

/// `n` ([`whole`]) and the noun in the number `n` asks for: `1 instance`, `2 instances`,
/// `0 binaries`, `10,600 mutants`.
/// Regular English plurals only (a consonant before a final `y` becomes `ies`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let consonant_y = noun.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']));
    let n = whole(n);
    match consonant_y {
        Some(stem) => format!("{n} {stem}ies"),
        None => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count(1, "instance"), "1 instance");
        assert_eq!(count(7, "instance"), "7 instances");
        assert_eq!(count(0, "constraint"), "0 constraints");
        assert_eq!(count(1, "binary"), "1 binary");
        assert_eq!(count(80, "binary"), "80 binaries");
        assert_eq!(count(2, "day"), "2 days");
        assert_eq!(count(10_600, "mutant"), "10,600 mutants");
        assert_eq!(whole(0usize), "0");
        assert_eq!(whole(999u32), "999");
        assert_eq!(whole(1_000u64), "1,000");
        assert_eq!(whole(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn cells_wider_than_format_widths_are_padded() {
        let long = "x".repeat(70_000);
        let text = render(&["name", "n"], &[vec![long.clone(), "1".into()], vec!["a".into(), "22".into()]]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], format!("{long}   1"));
        assert_eq!(lines[2], format!("a{}  22", " ".repeat(69_999)));
    }

    #[test]
    fn significant_digits_and_special_values() {
        assert_eq!(significant(Some(0.0071854), 4), "0.007185");
        assert_eq!(significant(Some(12.3456), 4), "12.35");
        assert_eq!(significant(Some(2.5), 4), "2.5");
        assert_eq!(significant(Some(1229.7), 3), "1230");
        assert_eq!(significant(Some(-110942.0), 4), "-110942");
        assert_eq!(significant(Some(f64::INFINITY), 4), "inf");
        assert_eq!(significant(None, 4), "-");
        assert_eq!(number(Some(79.56070622)), "79.56070622");
    }

    #[test]
    fn one_format_per_quantity() {
        assert_eq!(seconds(Some(0.000814660624)), "0.0008147 s");
        assert_eq!(seconds(Some(1.898e-4)), "0.0001898 s");
        assert_eq!(seconds(Some(3.577)), "3.577 s");
        assert_eq!(seconds(Some(120.0)), "120 s");
        assert_eq!(seconds(Some(f64::INFINITY)), "inf s");
        assert_eq!(seconds(None), "-");
        assert_eq!(counter(Some(45968.68373)), "45,969");
        assert_eq!(counter(Some(999.0)), "999");
        assert_eq!(counter(Some(1000.0)), "1,000");
        assert_eq!(counter(Some(1_234_567_890.0)), "1,234,567,890");
        assert_eq!(counter(Some(0.0)), "0");
        assert_eq!(counter(Some(f64::INFINITY)), "inf");
        assert_eq!(violation(1.234e-9), "1.2e-9");
        assert_eq!(objective(Some(-20.8819262), true), "-20.8819262");
        assert_eq!(objective(Some(12.5), false), "12.5 (infeasible)");
        assert_eq!(objective(None, false), "-");
    }

    #[test]
    fn counters_are_right_aligned_like_numbers() {
        let text = render(&["mvm"], &[vec!["1,000".into()], vec!["5".into()]]);
        assert_eq!(text, "mvm\n1,000\n    5\n");
    }

    #[test]
    fn numbers_and_bounds_are_numeric_and_names_are_not() {
        for cell in ["12", "-3.5", "1,000", ">10", "<0.5", "≥1.726", "inf", "-"] {
            assert!(is_number(cell), "{cell}");
        }
        for cell in ["QPLIB_0067", "AOC-DT", "1/1", "-x", "phase 1", ""] {
            assert!(!is_number(cell), "{cell}");
        }
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "a ".repeat(50) + &"word ".repeat(60);
        let wrapped = wrap("note: ", &text, 40);
        assert!(wrapped.lines().all(|l| l.chars().count() <= 40), "{wrapped}");
        assert!(wrapped.starts_with("note: a a"));
        assert!(wrapped.lines().skip(1).all(|l| l.starts_with("      ") && !l.starts_with("       ")), "{wrapped}");
        assert_eq!(wrapped.split_whitespace().skip(1).collect::<Vec<_>>(), text.split_whitespace().collect::<Vec<_>>());
        let long = "x".repeat(50);
        assert_eq!(wrap("> ", &format!("{long} y"), 20), format!("> {long}\n  y"));
        assert_eq!(wrap("> ", "two A100-SXM4-80GB GPUs", 12), "> two\n  A100-SXM4-80GB\n  GPUs", "names stay whole");
    }
}
