//! `cargo xtask`: every build step, tool install and service start of Chorus.
//!
//! - `demo`: install what is missing, build, serve the demo brand on :8787.
//! - `test`: install what is missing, run every suite, print `N passed, N failed`.
//! - `bench`: delivered sizes and native benchmarks into `target/bench/*.json`.
//! - `eval search|dedupe`: quality on real data (see README).
//! - `deploy [--dry-run]`: `wrangler deploy` of the same bundle.

mod bench_dedupe;
mod bench_edge;
mod bench_open;
mod bench_search;
mod bench_widget;
mod build;
mod eval_dedupe;
mod eval_search;
mod pace;
mod rng;
mod serve;
mod sizes;
mod split;
mod steps;
mod suites;
mod tools;
mod worker_js;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicU32, Ordering};

use steps::{Progress, StepError};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

const USAGE: &str = "usage: cargo xtask <command>
  demo                 set up, build and serve the demo brand on http://127.0.0.1:8787
  test [SUITE…] [--file NAME]
                       set up and run every test suite (or only native, api, e2e, deploy;
                       --file: only test files whose name contains NAME)
  bench [edge|widget]  record sizes and benchmarks in target/bench/*.json (edge: only the Worker's; widget: only fresh loads of the widget)
  eval search --articles FILE --queries FILE
  eval dedupe --intents FILE | --pairs FILE
  deploy [--dry-run]   deploy the Worker to Cloudflare (or build the bundle offline)";

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
        return reexec_optimised(&repo, &args);
    }
    let result: Result<(), String> = match args.first().map(String::as_str) {
        Some("demo") => demo(&repo).map_err(|e| e.to_string()),
        Some("test") => match suites::Selection::parse(&args[1..])
            .map_err(|e| {
                steps::StepError::new(e, "cargo xtask test [native|api|e2e|deploy]… [--file NAME]")
            })
            .and_then(|sel| suites::run(&repo, &sel))
        {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::FAILURE,
            Err(e) => {
                eprintln!("error: {e}");
                println!("0 passed, 1 failed");
                return ExitCode::FAILURE;
            }
        },
        Some("bench") if args.get(1).is_some_and(|a| a == "edge") => {
            bench_edge_only(&repo).map_err(|e| e.to_string())
        }
        Some("bench") if args.get(1).is_some_and(|a| a == "widget") => {
            bench_open_only(&repo).map_err(|e| e.to_string())
        }
        Some("bench") => bench(&repo).map_err(|e| e.to_string()),
        Some("deploy") => {
            deploy(&repo, args.iter().any(|a| a == "--dry-run")).map_err(|e| e.to_string())
        }
        Some("eval") => match args.get(1).map(String::as_str) {
            Some("search") => eval_search::run(&args[2..], &repo),
            Some("dedupe") => eval_dedupe::run(&args[2..], &repo),
            _ => Err(USAGE.to_string()),
        },
        Some("bench-native") => match args.get(1).map(String::as_str) {
            Some("search") => bench_search::run(&args[2..], &repo),
            Some("dedupe") => bench_dedupe::run(&args[2..], &repo),
            _ => Err(USAGE.to_string()),
        },
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// `cargo run` of this xtask built with the optimised `bench-native` profile.
fn optimised_xtask(repo: &Path) -> Command {
    let mut c = cargo();
    c.current_dir(repo).args([
        "run",
        "--quiet",
        "--profile",
        "bench-native",
        "--package",
        "xtask",
        "--",
    ]);
    c
}

fn reexec_optimised(repo: &Path, args: &[String]) -> ExitCode {
    let status = optimised_xtask(repo).args(args).status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dev_admin_token(repo: &Path) -> String {
    if let Ok(t) = std::env::var("CHORUS_ADMIN_TOKEN")
        && !t.is_empty()
    {
        return t;
    }
    let path = repo.join(".chorus/dev-admin-token");
    if let Ok(t) = std::fs::read_to_string(&path)
        && !t.trim().is_empty()
    {
        return t.trim().to_string();
    }
    let mut f = [0u8; 16];
    if let Ok(mut file) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = file.read_exact(&mut f);
    }
    let t = format!("dev-{}", &build::sha256_hex(&f)[..32]);
    let _ = std::fs::create_dir_all(repo.join(".chorus"));
    let _ = std::fs::write(&path, &t);
    t
}

/// The four install steps plus the widget, console and Worker builds (seven steps).
fn setup_and_build(
    repo: &Path,
    p: &mut Progress,
) -> Result<(tools::Tools, build::WidgetFiles), StepError> {
    let tools = tools::ensure_all(repo, p)?;
    let files = p.step("building the widget (release, size-optimised)", || {
        build::build_widget(repo, &tools)
    })?;
    p.step("building the agents' console (release)", || {
        build::build_console(repo, &tools)
    })?;
    p.step("building the Worker (worker-build --release)", || {
        build::build_worker(repo, &tools)
    })?;
    Ok((tools, files))
}

static WRANGLER_PGID: AtomicU32 = AtomicU32::new(0);

fn demo(repo: &Path) -> Result<(), StepError> {
    let port: u16 = std::env::var("CHORUS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8787);
    let mut p = Progress::new(9);
    let (tools, _) = setup_and_build(repo, &mut p)?;
    let admin = dev_admin_token(repo);
    let state = repo.join(".chorus/demo-state");
    std::fs::create_dir_all(&state)
        .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    if std::net::TcpListener::bind(("127.0.0.1", port)).is_err() {
        return Err(StepError::new(
            format!("port {port} is already in use"),
            format!("stop what listens on {port}, or run CHORUS_PORT=8788 cargo xtask demo"),
        ));
    }
    let log = repo.join("target/demo-workerd.log");
    let mut w = p.step(
        &format!("starting workerd (wrangler dev) on 127.0.0.1:{port}"),
        || serve::start(repo, &tools, port, &state, &admin, &log, false),
    )?;
    let origin = format!("http://127.0.0.1:{port}");
    p.step(
        "creating the demo brand acme and its knowledge base",
        || serve::seed_demo(repo, port, &admin, &origin),
    )?;
    if let Some(pid) = w_pid(&w) {
        WRANGLER_PGID.store(pid, Ordering::SeqCst);
    }
    let _ = ctrlc::set_handler(|| {
        let pid = WRANGLER_PGID.load(Ordering::SeqCst);
        if pid != 0 {
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{pid}")])
                .status();
        }
    });
    eprintln!();
    eprintln!("  Chorus demo:   {origin}/");
    eprintln!("  Admin token:   {admin}");
    eprintln!("  API:           {origin}/v1/acme/config");
    eprintln!("  Logs:          {}", log.display());
    eprintln!("  Press Ctrl-C to stop.");
    w.wait();
    w.stop();
    eprintln!("stopped.");
    Ok(())
}

fn w_pid(w: &serve::Workerd) -> Option<u32> {
    w.pid()
}

/// `wrangler deploy --dry-run` into target/deploy; one pass or one failure.
pub fn deploy_dry_run(repo: &Path, tools: &tools::Tools) -> suites::Counts {
    let out = repo.join("target/deploy");
    let _ = std::fs::remove_dir_all(&out);
    let ok = tools
        .wrangler()
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out)
        .current_dir(repo.join("edge"))
        .stdin(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let size: u64 = std::fs::read_dir(&out)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    if ok && size > 0 {
        eprintln!("      deploy bundle: {} bytes in {}", size, out.display());
        suites::Counts {
            passed: 1,
            failed: 0,
        }
    } else {
        eprintln!("      wrangler deploy --dry-run failed or produced nothing");
        suites::Counts {
            passed: 0,
            failed: 1,
        }
    }
}

fn deploy(repo: &Path, dry_run: bool) -> Result<(), StepError> {
    let mut p = Progress::new(8);
    let (tools, _) = setup_and_build(repo, &mut p)?;
    if dry_run {
        let c = p.step("wrangler deploy --dry-run", || {
            Ok(deploy_dry_run(repo, &tools))
        })?;
        return if c.failed == 0 {
            Ok(())
        } else {
            Err(StepError::new(
                "the dry run failed",
                "see wrangler's output above",
            ))
        };
    }
    p.step("wrangler deploy", || {
        steps::run(
            tools.wrangler().arg("deploy").current_dir(repo.join("edge")),
            "run `wrangler login` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), then `wrangler secret put CHORUS_ADMIN_TOKEN` in edge/",
        )
    })
}

/// `cargo xtask bench edge`: only the Worker benchmark.
fn bench_edge_only(repo: &Path) -> Result<(), StepError> {
    let mut p = Progress::new(9);
    let (tools, _) = setup_and_build(repo, &mut p)?;
    p.step(
        "the Worker on loopback workerd (wrk; 100k stored questions) → target/bench/edge.json",
        || bench_edge::run(repo, &tools),
    )
}

/// `cargo xtask bench widget`: only the widget's fresh-load benchmark.
fn bench_open_only(repo: &Path) -> Result<(), StepError> {
    let mut p = Progress::new(10);
    let (tools, _) = setup_and_build(repo, &mut p)?;
    let chromium = p.step("checking Chromium (Debian package)", tools::ensure_chromium)?;
    p.step(
        "the widget opened on the demo page, 10 fresh loads in headless Chromium → target/bench/widget.json",
        || bench_open::run(repo, &tools, &chromium),
    )
}

fn bench(repo: &Path) -> Result<(), StepError> {
    let mut p = Progress::new(15);
    let (tools, files) = setup_and_build(repo, &mut p)?;
    p.step("delivered sizes → target/bench/sizes.json", || {
        sizes::write(repo, &files)
    })?;
    let mut failures = Vec::new();
    if p.step(
        "widget with and without search (brotli) → target/bench/sizes.json",
        || bench_widget::search_size(repo, &tools),
    )
    .is_err()
    {
        failures.push("widget search size");
    }
    for what in ["search", "dedupe"] {
        let r = p.step(
            &format!("native {what} benchmark → target/bench/{what}.json"),
            || {
                steps::run(
                    optimised_xtask(repo).args(["bench-native", what]),
                    &format!("cargo xtask bench-native {what}"),
                )
            },
        );
        if r.is_err() {
            failures.push(what);
        }
    }
    // After the native search bench, which rewrites search.json.
    let chromium = p.step("checking Chromium (Debian package)", tools::ensure_chromium)?;
    if p.step(
        "search in the widget's wasm, headless Chromium → target/bench/search.json",
        || bench_widget::speed(repo, &tools, &chromium),
    )
    .is_err()
    {
        failures.push("widget search speed");
    }
    if p.step(
        "the widget opened on the demo page, 10 fresh loads in headless Chromium → target/bench/widget.json",
        || bench_open::run(repo, &tools, &chromium),
    )
    .is_err()
    {
        failures.push("widget open");
    }
    if p.step(
        "the Worker on loopback workerd (wrk; 100k stored questions) → target/bench/edge.json",
        || bench_edge::run(repo, &tools),
    )
    .is_err()
    {
        failures.push("edge");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(StepError::new(
            format!("benchmarks failed: {failures:?}"),
            "see the output above",
        ))
    }
}
