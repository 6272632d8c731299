//! V8's full collections (Mark-Compact) during a run, read from the plain
//! workerd's log (its config sets `--trace-gc`: `serve::plain_config`).
//! workerd's C++ heap makes each one a single pause, and those pauses are
//! the tail of the open-loop ask run (README, "Why p99 at a fixed 500/s").

use std::path::Path;

/// The full collections logged during a run.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct FullGcs {
    pub count: usize,
    /// The longest pause, ms.
    pub max_ms: f64,
    /// All their pauses, ms.
    pub total_ms: f64,
}

/// The log's length now: where a run's lines will start.
pub(super) fn mark(log: &Path) -> u64 {
    std::fs::metadata(log).map(|m| m.len()).unwrap_or(0)
}

/// The full collections logged after `from` ([`mark`]).
pub(super) fn since(log: &Path, from: u64) -> FullGcs {
    let bytes = std::fs::read(log).unwrap_or_default();
    let start = (from as usize).min(bytes.len());
    parse(&String::from_utf8_lossy(&bytes[start..]))
}

/// Lines as V8 prints them, e.g. `[9:0x3a…]  10660 ms: Mark-Compact 20.8
/// (32.5) -> 1.3 (29.2) MB, pooled: 3.2 MB, 77.93 / 0.00 ms (average mu …`:
/// the pause is the number before ` / `.
fn parse(text: &str) -> FullGcs {
    let mut out = FullGcs::default();
    for line in text.lines().filter(|l| l.contains("Mark-Compact")) {
        let Some((before, _)) = line.split_once(" / ") else {
            continue;
        };
        let Some(ms) = before
            .rsplit(|c: char| c.is_whitespace() || c == ',')
            .next()
            .and_then(|t| t.parse::<f64>().ok())
        else {
            continue;
        };
        out.count += 1;
        out.max_ms = out.max_ms.max(ms);
        out.total_ms += ms;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_collections_and_their_pauses_are_read_from_v8s_lines() {
        let log = "\
[1:0x1]     9000 ms: Scavenge 13.1 (20.5) -> 8.5 (20.5) MB, pooled: 26.5 MB, 6.36 / 0.00 ms (average mu = 0.976) allocation failure;
[1:0x1]    10660 ms: Mark-Compact 20.8 (32.5) -> 1.3 (29.2) MB, pooled: 3.2 MB, 77.93 / 0.00 ms (average mu = 0.993) global allocation limit; GC in old space requested
an unrelated line
[1:0x1]    16490 ms: Mark-Compact 17.7 (30.2) -> 1.5 (23.0) MB, pooled: 7.2 MB, 45.59 / 0.00 ms (average mu = 0.993)
";
        let g = parse(log);
        assert_eq!(g.count, 2);
        assert_eq!(g.max_ms, 77.93);
        assert!((g.total_ms - 123.52).abs() < 1e-9);
        assert_eq!(
            parse("Scavenge 1.0 -> 0.5 MB, 2.0 / 0.00 ms"),
            FullGcs::default()
        );
    }
}
