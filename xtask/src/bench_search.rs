//! Placeholder until this capability lands.

use std::path::Path;

/// Entry point called by `cargo xtask`; `args` are the arguments after the subcommand.
pub fn run(_args: &[String], _repo: &Path) -> Result<(), String> {
    Err("bench_search is not built yet".to_string())
}
