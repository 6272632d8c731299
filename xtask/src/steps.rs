//! Numbered, timed progress steps: `[3/9] installing wasm-bindgen-cli 0.2.130 … 3m12s`.
//!
//! A failing step prints what failed and the command that fixes it, so a
//! first run on a fresh machine never ends in an unexplained stack of output.

use std::process::{Command, Stdio};
use std::time::Instant;

/// A failed step: what went wrong and how to fix it.
#[derive(Debug)]
pub struct StepError {
    /// What failed.
    pub what: String,
    /// A command (or action) that fixes it.
    pub fix: String,
}

impl StepError {
    /// New error with a fix hint.
    pub fn new(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            fix: fix.into(),
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}\n  fix: {}", self.what, self.fix)
    }
}

/// Prints numbered steps with elapsed times.
pub struct Progress {
    total: usize,
    n: usize,
    started: Instant,
}

impl Progress {
    /// A run of `total` steps.
    pub fn new(total: usize) -> Self {
        Self {
            total,
            n: 0,
            started: Instant::now(),
        }
    }

    /// Runs one step, printing its number, title and elapsed time.
    pub fn step<T>(
        &mut self,
        title: &str,
        f: impl FnOnce() -> Result<T, StepError>,
    ) -> Result<T, StepError> {
        self.n += 1;
        eprintln!("[{}/{}] {title}", self.n, self.total);
        let t = Instant::now();
        let r = f();
        match &r {
            Ok(_) => eprintln!(
                "      done in {} (total {})",
                fmt_secs(t.elapsed().as_secs_f64()),
                fmt_secs(self.started.elapsed().as_secs_f64())
            ),
            Err(e) => eprintln!("      FAILED: {e}"),
        }
        r
    }

    /// Counts a step that this run leaves out.
    pub fn skip(&mut self, title: &str) {
        self.n += 1;
        eprintln!("[{}/{}] {title}: skipped", self.n, self.total);
    }
}

/// `3m12s` / `4.2s`.
pub fn fmt_secs(s: f64) -> String {
    if s >= 60.0 {
        format!("{}m{:02}s", (s / 60.0) as u64, (s % 60.0) as u64)
    } else {
        format!("{s:.1}s")
    }
}

/// Runs a command, streaming its output; a non-zero exit becomes a [`StepError`].
pub fn run(cmd: &mut Command, fix: &str) -> Result<(), StepError> {
    let shown = format!("{cmd:?}");
    let status = cmd
        .stdin(Stdio::null())
        .status()
        .map_err(|e| StepError::new(format!("cannot start {shown}: {e}"), fix))?;
    if status.success() {
        Ok(())
    } else {
        Err(StepError::new(format!("{shown} exited with {status}"), fix))
    }
}

/// Runs a command quietly and returns its stdout; output is shown only on failure.
pub fn run_quiet(cmd: &mut Command, fix: &str) -> Result<String, StepError> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| StepError::new(format!("cannot start {shown}: {e}"), fix))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(30)..].join("\n")
        };
        Err(StepError::new(
            format!(
                "{shown} exited with {}\n{}\n{}",
                out.status,
                tail(&out.stdout),
                tail(&out.stderr)
            ),
            fix,
        ))
    }
}
