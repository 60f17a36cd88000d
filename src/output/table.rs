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
                if numeric { format!("{cell:>w$}") } else { format!("{cell:<w$}") }
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
    match value {
        None => "-".into(),
        Some(v) if v.is_infinite() => if v > 0.0 { "inf".into() } else { "-inf".into() },
        // `+ 0.0` turns −0 into 0.
        Some(v) if v == v.trunc() && v.abs() < 1e15 => format!("{:.0}", v + 0.0),
        Some(v) => {
            let digits = (9 - v.abs().log10().floor() as i32).clamp(0, 12) as usize;
            let s = format!("{v:.digits$}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
    }
}
