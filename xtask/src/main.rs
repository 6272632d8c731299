//! `cargo xtask`: every build step, tool install and service start of Chorus.

mod bench_dedupe;
mod bench_search;
mod eval_dedupe;
mod eval_search;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let repo = repo_root();
    // Evaluations and native benchmarks must run optimised: a debug build of
    // xtask hands them to an optimised build of itself.
    if cfg!(debug_assertions)
        && matches!(
            args.first().map(String::as_str),
            Some("eval" | "bench-native")
        )
    {
        let status =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(&repo)
                .args([
                    "run",
                    "--quiet",
                    "--profile",
                    "bench-native",
                    "--package",
                    "xtask",
                    "--",
                ])
                .args(&args)
                .status();
        return match status {
            Ok(s) if s.success() => ExitCode::SUCCESS,
            Ok(_) => ExitCode::FAILURE,
            Err(e) => {
                eprintln!("error: cannot run cargo: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let result = match args.first().map(String::as_str) {
        Some("eval") => match args.get(1).map(String::as_str) {
            Some("search") => eval_search::run(&args[2..], &repo),
            Some("dedupe") => eval_dedupe::run(&args[2..], &repo),
            _ => Err("usage: cargo xtask eval search|dedupe …".to_string()),
        },
        Some("bench-native") => match args.get(1).map(String::as_str) {
            Some("search") => bench_search::run(&args[2..], &repo),
            Some("dedupe") => bench_dedupe::run(&args[2..], &repo),
            _ => Err("usage: cargo xtask bench-native search|dedupe".to_string()),
        },
        _ => Err("usage: cargo xtask demo|test|bench|eval|deploy".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
