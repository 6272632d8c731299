//! `wrk` (Debian) runs: a closed loop of a fixed number of connections,
//! each sending its next request when the last one is answered. It
//! measures the most the server can do; the latency is then the queue
//! those connections build.

use std::path::Path;
use std::process::Command;

use super::WRK_SECONDS;
use crate::serve;
use crate::steps::StepError;

/// What `wrk --latency` printed that we keep.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct WrkResult {
    pub(super) requests_per_s: f64,
    pub(super) p50_ms: f64,
    pub(super) p90_ms: f64,
    pub(super) p99_ms: f64,
    pub(super) requests: u64,
    pub(super) non_2xx: u64,
    pub(super) socket_errors: u64,
}

fn parse_duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, mult) = if let Some(v) = s.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = s.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = s.strip_suffix('s') {
        (v, 1000.0)
    } else if let Some(v) = s.strip_suffix('m') {
        (v, 60_000.0)
    } else {
        return None;
    };
    num.trim().parse::<f64>().ok().map(|n| n * mult)
}

fn parse_wrk(out: &str) -> WrkResult {
    let mut r = WrkResult::default();
    for line in out.lines() {
        let t = line.trim();
        let mut words = t.split_whitespace();
        match (words.next(), words.next()) {
            (Some("50%"), Some(v)) => r.p50_ms = parse_duration_ms(v).unwrap_or(0.0),
            (Some("90%"), Some(v)) => r.p90_ms = parse_duration_ms(v).unwrap_or(0.0),
            (Some("99%"), Some(v)) => r.p99_ms = parse_duration_ms(v).unwrap_or(0.0),
            (Some("Requests/sec:"), Some(v)) => r.requests_per_s = v.parse().unwrap_or(0.0),
            (Some("Non-2xx"), _) => {
                r.non_2xx = t
                    .rsplit(' ')
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            }
            (Some("Socket"), _) => {
                r.socket_errors = t
                    .split(|c: char| !c.is_ascii_digit())
                    .filter_map(|v| v.parse::<u64>().ok())
                    .sum()
            }
            (Some(n), Some("requests")) => r.requests = n.parse().unwrap_or(0),
            _ => {}
        }
    }
    r
}

fn wrk(
    exe: &Path,
    url: &str,
    connections: u32,
    script: Option<&Path>,
) -> Result<WrkResult, StepError> {
    let mut cmd = Command::new(exe);
    cmd.args([
        "-t2",
        &format!("-c{connections}"),
        &format!("-d{WRK_SECONDS}s"),
        "--latency",
        "--timeout",
        "5s",
    ]);
    if let Some(s) = script {
        cmd.arg("-s").arg(s);
    }
    let out = cmd
        .arg(url)
        .output()
        .map_err(|e| StepError::new(format!("cannot run wrk: {e}"), "apt-get install wrk"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    eprintln!("{}", text.trim_end());
    let r = parse_wrk(&text);
    if r.requests == 0 {
        return Err(StepError::new(
            format!(
                "wrk measured nothing: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
            "see wrk's output above",
        ));
    }
    Ok(r)
}

/// A `wrk` run and the CPU time process `pid` spent per request during it
/// (-1 when unknown).
pub(super) fn measure(
    wrk_exe: &Path,
    pid: Option<u32>,
    url: &str,
    conns: u32,
    script: Option<&Path>,
) -> Result<(WrkResult, f64), StepError> {
    let before = pid.and_then(serve::cpu_ms);
    let r = wrk(wrk_exe, url, conns, script)?;
    let after = pid.and_then(serve::cpu_ms);
    let per = match (before, after) {
        (Some(b), Some(a)) if r.requests > 0 => (a - b) / r.requests as f64,
        _ => -1.0,
    };
    Ok((r, per))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_latency_output() {
        let out = "Running 10s test @ http://127.0.0.1:1/\n  2 threads and 16 connections\n\
  Latency Distribution\n     50%    1.52ms\n     75%    2.00ms\n     90%    3.10ms\n     99%   12.40ms\n\
  48210 requests in 10.00s, 9.1MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n\
  Non-2xx or 3xx responses: 7\nRequests/sec:   4820.55\nTransfer/sec:      0.91MB\n";
        let r = parse_wrk(out);
        assert_eq!(r.requests, 48210);
        assert_eq!(r.non_2xx, 7);
        assert_eq!(r.socket_errors, 3);
        assert!((r.requests_per_s - 4820.55).abs() < 1e-6);
        assert!((r.p50_ms - 1.52).abs() < 1e-9);
        assert!((r.p99_ms - 12.4).abs() < 1e-9);
        assert_eq!(parse_duration_ms("850.00us"), Some(0.85));
        assert_eq!(parse_duration_ms("1.20s"), Some(1200.0));
    }
}
