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
                let numeric = cell.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '>') && cell.parse::<f64>().is_ok() || cell.starts_with('>');
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

/// A float for humans: up to 10 significant digits, no trailing zeros; `-` for none.
pub fn number(value: Option<f64>) -> String {
    significant(value, 10)
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

/// `n` and the noun in the number `n` asks for: `1 instance`, `2 instances`, `0 binaries`.
/// Regular English plurals only (a consonant before a final `y` becomes `ies`).
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        return format!("1 {noun}");
    }
    let consonant_y = noun.strip_suffix('y').filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']));
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
}
