//! `cargo xtask test`: every suite, one closing line `N passed, N failed`.
//!
//! Suites: native `cargo test` (core, xtask); API tests (node's test runner)
//! against a real workerd started here on a free port with throwaway state;
//! browser end-to-end tests in headless Chromium (playwright-core) against
//! the same workerd; `wrangler deploy --dry-run` of the production bundle.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::serve;
use crate::steps::{Progress, StepError};
use crate::tools::{self, Tools};

/// Pass/fail counts of one suite.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Passed tests.
    pub passed: u64,
    /// Failed tests (a suite that could not run counts as one failure).
    pub failed: u64,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.passed += o.passed;
        self.failed += o.failed;
    }
}

/// Sums `test result: ok. N passed; M failed` lines of cargo test output.
pub fn parse_cargo_test(out: &str) -> Counts {
    let mut c = Counts::default();
    for line in out.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split([';', '.']) {
            let mut it = part.split_whitespace();
            if let (Some(n), Some(kind)) = (it.next(), it.next())
                && let Ok(n) = n.parse::<u64>()
            {
                match kind {
                    "passed" => c.passed += n,
                    "failed" => c.failed += n,
                    _ => {}
                }
            }
        }
    }
    c
}

/// Reads `# pass N` / `# fail N` from node's TAP output.
pub fn parse_tap(out: &str) -> Counts {
    let mut c = Counts::default();
    for line in out.lines() {
        let l = line.trim();
        if let Some(n) = l.strip_prefix("# pass ") {
            c.passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = l.strip_prefix("# fail ") {
            c.failed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = l.strip_prefix("# cancelled ") {
            c.failed += n.trim().parse().unwrap_or(0);
        }
    }
    c
}

fn cargo_tests(repo: &Path) -> Counts {
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "test",
            "-p",
            "chorus-core",
            "-p",
            "chorus-edge",
            "-p",
            "chorus-console",
            "-p",
            "xtask",
        ])
        .current_dir(repo)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output();
    match out {
        Ok(o) => {
            let s = String::from_utf8_lossy(&o.stdout);
            print!("{s}");
            let mut c = parse_cargo_test(&s);
            if !o.status.success() && c.failed == 0 {
                eprintln!("cargo test failed before reporting results");
                c.failed += 1;
            }
            c
        }
        Err(e) => {
            eprintln!("cannot run cargo test: {e}");
            Counts {
                passed: 0,
                failed: 1,
            }
        }
    }
}

fn node_suite(
    repo: &Path,
    tools: &Tools,
    dir: &str,
    env: &[(&str, String)],
    concurrency: u32,
    sel: &Selection,
) -> Counts {
    let mut files: Vec<_> = std::fs::read_dir(repo.join(dir))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.to_string_lossy();
                    name.ends_with(".test.mjs")
                        && sel.file.as_deref().is_none_or(|f| name.contains(f))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() && sel.file.is_some() {
        return Counts::default();
    }
    if files.is_empty() {
        eprintln!("no tests in {dir}");
        return Counts {
            passed: 0,
            failed: 1,
        };
    }
    let tap = repo.join(format!("target/{}.tap", dir.replace('/', "-")));
    let mut cmd = Command::new(tools.node());
    cmd.arg("--test")
        .arg(format!("--test-concurrency={concurrency}"))
        .args([
            "--test-reporter=spec",
            "--test-reporter-destination=stdout",
            "--test-reporter=tap",
        ])
        .arg(format!("--test-reporter-destination={}", tap.display()))
        .args(&files)
        .current_dir(repo)
        .env("PATH", tools.path_env())
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd.status();
    let c = parse_tap(&std::fs::read_to_string(&tap).unwrap_or_default());
    match status {
        Ok(s) if !s.success() && c.failed == 0 => Counts {
            passed: c.passed,
            failed: 1,
        },
        Ok(_) => c,
        Err(e) => {
            eprintln!("cannot run node: {e}");
            Counts {
                passed: 0,
                failed: 1,
            }
        }
    }
}

/// Links `tests/node_modules` to the cached npm tools so test files can
/// `import "playwright-core"`.
fn link_node_modules(repo: &Path, tools: &Tools) -> Result<(), StepError> {
    let link = repo.join("tests/node_modules");
    if std::fs::read_link(&link).ok().as_deref() == Some(tools.node_modules().as_path()) {
        return Ok(());
    }
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(tools.node_modules(), &link).map_err(|e| {
        StepError::new(
            format!("cannot link tests/node_modules: {e}"),
            "rm -rf tests/node_modules",
        )
    })
}

/// Which suites `cargo xtask test` runs. No arguments: all of them.
/// `cargo xtask test api e2e --file feed` runs the API and browser suites,
/// only test files whose name contains `feed`.
#[derive(Debug, Default)]
pub struct Selection {
    suites: Vec<String>,
    file: Option<String>,
}

impl Selection {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut sel = Selection::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "native" | "api" | "e2e" | "deploy" => sel.suites.push(a.clone()),
                "--file" => sel.file = Some(it.next().ok_or("--file needs a value")?.clone()),
                other => {
                    return Err(format!(
                        "unknown test selector {other:?} (native, api, e2e, deploy, --file NAME)"
                    ));
                }
            }
        }
        Ok(sel)
    }
    fn wants(&self, suite: &str) -> bool {
        self.suites.is_empty() || self.suites.iter().any(|s| s == suite)
    }
}

/// Runs the selected suites; prints the closing line; returns whether all passed.
pub fn run(repo: &Path, sel: &Selection) -> Result<bool, StepError> {
    let mut p = Progress::new(14);
    let tools = tools::ensure_all(repo, &mut p)?;
    let chromium = p.step("checking Chromium (Debian package)", tools::ensure_chromium)?;
    p.step("linking test dependencies", || {
        link_node_modules(repo, &tools)
    })?;
    let mut total = Counts::default();
    let native = if sel.wants("native") {
        p.step("native tests (cargo test)", || Ok(cargo_tests(repo)))?
    } else {
        p.skip("native tests (not selected)");
        Counts::default()
    };
    total += native;
    let (mut api, mut e2e) = (Counts::default(), Counts::default());
    if !(sel.wants("api") || sel.wants("e2e")) {
        for what in [
            "widget build",
            "console build",
            "Worker build",
            "workerd",
            "API tests",
            "browser tests",
        ] {
            p.skip(&format!("{what} (not selected)"));
        }
    } else {
        p.step("building the widget (release, size-optimised)", || {
            crate::build::build_widget(repo, &tools).map(|_| ())
        })?;
        p.step("building the agents' console (release)", || {
            crate::build::build_console(repo, &tools)
        })?;
        p.step("building the Worker (worker-build --release)", || {
            crate::build::build_worker(repo, &tools)
        })?;
        let state = tempdir(repo, "test-state");
        let port = serve::free_port();
        let admin = format!("test-admin-{}", std::process::id());
        let log = repo.join("target/test-workerd.log");
        let mut workerd = p.step(
            &format!("starting workerd on 127.0.0.1:{port} (throwaway state)"),
            || serve::start(repo, &tools, port, &state, &admin, &log, false),
        )?;
        let env = vec![
            ("CHORUS_BASE", workerd.base.clone()),
            ("CHORUS_ADMIN_TOKEN", admin.clone()),
            ("CHORUS_CHROMIUM", chromium.display().to_string()),
            (
                "CHORUS_ARTIFACTS",
                repo.join("target/e2e").display().to_string(),
            ),
            ("CHORUS_REPO", repo.display().to_string()),
        ];
        if sel.wants("api") {
            api = p.step("API tests against workerd", || {
                Ok(node_suite(repo, &tools, "tests/api", &env, 2, sel))
            })?;
        } else {
            p.skip("API tests (not selected)");
        }
        if sel.wants("e2e") {
            e2e = p.step("browser end-to-end tests (headless Chromium)", || {
                Ok(node_suite(repo, &tools, "tests/e2e", &env, 1, sel))
            })?;
        } else {
            p.skip("browser tests (not selected)");
        }
        workerd.stop();
        let _ = std::fs::remove_dir_all(&state);
    }
    total += api;
    total += e2e;
    let dry = if sel.wants("deploy") {
        p.step("deploy bundle (wrangler deploy --dry-run)", || {
            Ok(crate::deploy_dry_run(repo, &tools))
        })?
    } else {
        p.skip("deploy bundle (not selected)");
        Counts::default()
    };
    total += dry;
    eprintln!(
        "native {}/{}, api {}/{}, e2e {}/{}, deploy {}/{}",
        native.passed,
        native.passed + native.failed,
        api.passed,
        api.passed + api.failed,
        e2e.passed,
        e2e.passed + e2e.failed,
        dry.passed,
        dry.passed + dry.failed
    );
    println!("{} passed, {} failed", total.passed, total.failed);
    Ok(total.failed == 0)
}

fn tempdir(repo: &Path, name: &str) -> std::path::PathBuf {
    let d = repo.join(format!("target/{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    let _ = std::fs::create_dir_all(&d);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_every_cargo_test_result_line() {
        let out = "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out";
        let c = parse_cargo_test(out);
        assert_eq!((c.passed, c.failed), (15, 2));
    }

    #[test]
    fn reads_node_tap_summary() {
        let c =
            parse_tap("TAP version 13\nok 1 - a\n# tests 5\n# pass 4\n# fail 1\n# cancelled 0\n");
        assert_eq!((c.passed, c.failed), (4, 1));
    }
}
