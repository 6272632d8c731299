//! Pure helpers of the views: durations, CSV, chart scales, ISO dates.

/// A duration as agents read it: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
pub fn duration(ms: i64) -> String {
    let s = ms.unsigned_abs() / 1000;
    let (m, h, d) = (s / 60, s / 3600, s / 86_400);
    if s < 60 {
        format!("{s} s")
    } else if m < 60 {
        format!("{m} min")
    } else if h < 24 {
        match m % 60 {
            0 => format!("{h} h"),
            r => format!("{h} h {r} min"),
        }
    } else {
        match h % 24 {
            0 => format!("{d} d"),
            r => format!("{d} d {r} h"),
        }
    }
}

/// One CSV field, quoted when needed (RFC 4180). Fields that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@` first) get a leading `'`.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Rows to CSV text with CRLF line ends.
pub fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut out = header
        .iter()
        .map(|h| csv_field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A "nice" axis from 0 to at least `max`: (top, step), with at most 5
/// steps of 1, 2, 2.5 or 5 × 10ⁿ; counts (`integer`) never get fractional steps.
pub fn nice_axis(max: f64, integer: bool) -> (f64, f64) {
    if integer && max <= 5.0 {
        let top = if max.is_finite() {
            max.ceil().max(1.0)
        } else {
            1.0
        };
        return (top, 1.0);
    }
    if !max.is_finite() || max <= 0.0 {
        return (1.0, 0.25);
    }
    let rough = max / 5.0;
    let mag = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|f| f * mag)
        .find(|s| max / s <= 5.0)
        .unwrap_or(10.0 * mag);
    let round = |v: f64| (v * 1e9).round() / 1e9;
    (round((max / step).ceil() * step), round(step))
}

/// Tick label: no trailing `.0`, at most two decimals.
pub fn tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian, UTC).
pub fn iso_date(days: i64) -> String {
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Tags typed as `a, b ,c` → `["a","b","c"]`.
pub fn tags(s: &str) -> Vec<String> {
    s.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45_000), "45 s");
        assert_eq!(duration(-12 * 60_000), "12 min");
        assert_eq!(duration(3_600_000 + 5 * 60_000), "1 h 5 min");
        assert_eq!(duration(2 * 86_400_000 + 4 * 3_600_000), "2 d 4 h");
        assert_eq!(duration(86_400_000), "1 d");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("-3"), "-3");
        assert_eq!(
            csv(&["a", "b"], &[vec!["1".into(), "x\ny".into()]]),
            "a,b\r\n1,\"x\ny\"\r\n"
        );
    }

    #[test]
    fn axes_are_round() {
        assert_eq!(nice_axis(3.0, false), (3.0, 1.0));
        assert_eq!(nice_axis(17.0, true), (20.0, 5.0));
        assert_eq!(nice_axis(0.0, false), (1.0, 0.25));
        assert_eq!(nice_axis(120.0, false), (125.0, 25.0));
        assert_eq!(nice_axis(1.0, true), (1.0, 1.0));
        assert_eq!(nice_axis(0.0, true), (1.0, 1.0));
        assert_eq!(nice_axis(0.6, false), (0.6, 0.2));
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(10.0), "10");
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(20_454), "2026-01-01");
        assert_eq!(iso_date(11_016), "2000-02-29");
    }

    #[test]
    fn tags_are_trimmed() {
        assert_eq!(tags(" a, b ,,c "), vec!["a", "b", "c"]);
    }
}
