//! Starting and stopping the Worker in local workerd (`wrangler dev`), and a
//! tiny loopback HTTP client for seeding and readiness checks.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::steps::StepError;
use crate::tools::Tools;

/// A running `wrangler dev` (or a plain workerd, [`start_plain`]), stopped
/// (with its whole process group) on drop.
pub struct Workerd {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Started by [`start_plain`]: the child is the runtime itself.
    plain: bool,
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(8787)
}

/// Starts `wrangler dev` for `edge/` on `port` with state under `state_dir`.
pub fn start(
    repo: &Path,
    tools: &Tools,
    port: u16,
    state_dir: &Path,
    admin_token: &str,
    log: &Path,
    inherit_output: bool,
) -> Result<Workerd, StepError> {
    start_with_level(
        repo,
        tools,
        port,
        state_dir,
        admin_token,
        log,
        inherit_output,
        "log",
    )
}

/// [`start`] with wrangler's log level (`log` shows the objects' console
/// output; benchmarks use `warn`, so per-request logging costs nothing).
#[allow(clippy::too_many_arguments)]
pub fn start_with_level(
    repo: &Path,
    tools: &Tools,
    port: u16,
    state_dir: &Path,
    admin_token: &str,
    log: &Path,
    inherit_output: bool,
    level: &str,
) -> Result<Workerd, StepError> {
    let fix = format!("see {} for wrangler's output", log.display());
    let mut cmd = tools.wrangler();
    cmd.args(["dev", "--ip", "127.0.0.1", "--port", &port.to_string()])
        .arg("--persist-to")
        .arg(state_dir)
        .args(["--show-interactive-dev-session=false", "--log-level", level])
        .arg("--var")
        .arg(format!("CHORUS_ADMIN_TOKEN:{admin_token}"))
        .current_dir(repo.join("edge"))
        .stdin(Stdio::null());
    if inherit_output {
        cmd.stdout(Stdio::inherit()).stderr(Stdio::inherit());
    } else {
        let f = std::fs::File::create(log).map_err(|e| {
            StepError::new(
                format!("cannot create {}: {e}", log.display()),
                "check permissions",
            )
        })?;
        let f2 = f
            .try_clone()
            .map_err(|e| StepError::new(e.to_string(), "check permissions"))?;
        cmd.stdout(f).stderr(f2);
    }
    // Own process group, so stopping it also stops workerd.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd
        .spawn()
        .map_err(|e| StepError::new(format!("cannot start wrangler: {e}"), fix.clone()))?;
    let w = Workerd {
        child: Some(child),
        base: format!("http://127.0.0.1:{port}"),
        plain: false,
    };
    w.ready(port, "/embed.js", "wrangler dev", 90, &fix)
}

/// The workerd binary that wrangler ships and `wrangler dev` runs (npm
/// `@cloudflare/workerd-linux-64`, a dependency of wrangler's miniflare).
pub fn workerd_exe(tools: &Tools) -> PathBuf {
    let arch = if cfg!(target_arch = "aarch64") {
        "arm64"
    } else {
        "64"
    };
    tools
        .node_modules()
        .join(format!("@cloudflare/workerd-linux-{arch}/bin/workerd"))
}

/// `workerd --version` (e.g. `workerd 2026-11-17`), if it runs.
pub fn workerd_version(tools: &Tools) -> Option<String> {
    let out = Command::new(workerd_exe(tools))
        .arg("--version")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `compatibility_date` and `compatibility_flags` of `edge/wrangler.toml`
/// (one-line values, as that file writes them).
pub fn wrangler_compat(repo: &Path) -> (String, Vec<String>) {
    let toml = std::fs::read_to_string(repo.join("edge/wrangler.toml")).unwrap_or_default();
    let value = |key: &str| {
        toml.lines().find_map(|l| {
            let (k, v) = l.split_once('=')?;
            (k.trim() == key).then(|| v.trim().to_string())
        })
    };
    let quoted = |v: &str| -> Vec<String> {
        v.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let date = value("compatibility_date")
        .and_then(|v| quoted(&v).into_iter().next())
        .unwrap_or_else(|| "2025-09-23".to_string());
    let flags = value("compatibility_flags")
        .map(|v| quoted(&v))
        .unwrap_or_default();
    (date, flags)
}

/// `to` relative to directory `from` (both absolute), for the config's
/// `embed` paths, which Cap'n Proto resolves against the config file.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// A Cap'n Proto text literal.
fn capnp_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The plain workerd config of [`start_plain`] (Cap'n Proto text, schema
/// `workerd.capnp` of the same workerd release): one HTTP socket on
/// 127.0.0.1:`port` straight into the Chorus Worker (the bundle
/// `worker-build --release` wrote to `edge/build/`); `BrandObject` with
/// SQLite storage on disk under `do_dir`, in `chorus-BrandObject/` as
/// miniflare names it (`<worker>-<class>`), so `wrangler dev`'s state
/// (`<persist>/v3/do`) opens as is; `ASSETS` a disk service over
/// `target/site` (the Worker fetches the model from `/model/…` and passes
/// asset requests through); the admin token as a text binding. No rate
/// limit bindings (`edge/src/limits.rs` skips a missing one), no Cache API
/// service (`caches.default` then keeps nothing: reads fall back to the
/// isolate's 2 s memory and the object). V8 logs each garbage collection
/// (`--trace-gc`, a line each) so the bench can report the full
/// collections of its runs (`bench_edge/gc.rs`).
pub fn plain_config(
    repo: &Path,
    config_dir: &Path,
    port: u16,
    do_dir: &Path,
    admin_token: &str,
) -> String {
    let build = repo.join("edge/build");
    let embed = |file: &str| capnp_str(&relative(config_dir, &build.join(file)).to_string_lossy());
    let (date, flags) = wrangler_compat(repo);
    let flags: Vec<String> = flags.iter().map(|f| capnp_str(f)).collect();
    format!(
        r#"# Written by cargo xtask (xtask/src/serve.rs: plain_config). Schema: workerd.capnp.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "chorus", worker = .chorus),
    (name = "site", disk = (path = {site})),
    (name = "do-storage", disk = (path = {do_dir}, writable = true)),
  ],
  sockets = [(name = "http", address = {addr}, http = (), service = "chorus")],
  v8Flags = ["--trace-gc"],
);

const chorus :Workerd.Worker = (
  modules = [
    (name = "worker/shim.mjs", esModule = embed {shim}),
    (name = "index.js", esModule = embed {index}),
    (name = "index_bg.wasm", wasm = embed {wasm}),
  ],
  compatibilityDate = {date},
  compatibilityFlags = [{flags}],
  bindings = [
    (name = "CHORUS_ADMIN_TOKEN", text = {token}),
    (name = "ASSETS", service = "site"),
    (name = "BRAND", durableObjectNamespace = "BrandObject"),
  ],
  durableObjectNamespaces = [
    (className = "BrandObject", uniqueKey = "chorus-BrandObject", enableSql = true),
  ],
  durableObjectStorage = (localDisk = "do-storage"),
);
"#,
        site = capnp_str(&repo.join("target/site").to_string_lossy()),
        do_dir = capnp_str(&do_dir.to_string_lossy()),
        addr = capnp_str(&format!("127.0.0.1:{port}")),
        shim = embed("worker/shim.mjs"),
        index = embed("index.js"),
        wasm = embed("index_bg.wasm"),
        date = capnp_str(&date),
        flags = flags.join(", "),
        token = capnp_str(admin_token),
    )
}

/// Starts wrangler's own workerd binary on a plain config ([`plain_config`],
/// written to `config`) instead of `wrangler dev`'s: no development proxy,
/// no miniflare entry Worker, assets router or simulated Rate Limiting
/// object in front of the Worker. For benchmarks; `do_dir` holds the
/// objects' SQLite files. Ready when `/v1/openapi.json` answers.
pub fn start_plain(
    repo: &Path,
    tools: &Tools,
    port: u16,
    do_dir: &Path,
    config: &Path,
    admin_token: &str,
    log: &Path,
) -> Result<Workerd, StepError> {
    let fix = format!("see {} for workerd's output", log.display());
    let io = |what: &str, e: std::io::Error| {
        StepError::new(format!("{what}: {e}"), "check disk space and permissions")
    };
    std::fs::create_dir_all(do_dir).map_err(|e| io("plain workerd state", e))?;
    let config_dir = config.parent().unwrap_or(Path::new("."));
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let text = plain_config(
        &abs(repo),
        &abs(config_dir),
        port,
        &abs(do_dir),
        admin_token,
    );
    std::fs::write(config, text).map_err(|e| io("plain workerd config", e))?;
    let exe = workerd_exe(tools);
    let f = std::fs::File::create(log).map_err(|e| io("workerd log", e))?;
    let f2 = f.try_clone().map_err(|e| io("workerd log", e))?;
    // Line-buffered through coreutils' `stdbuf` when there is one, so V8's
    // log reaches the file as it happens (it execs workerd: same process).
    let stdbuf = Path::new("/usr/bin/stdbuf");
    let mut cmd = if stdbuf.exists() {
        let mut c = Command::new(stdbuf);
        c.arg("-oL").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    // `--experimental`: `localDisk` storage is marked experimental (miniflare passes it too).
    cmd.arg("serve")
        .arg(config)
        .arg("--experimental")
        .stdin(Stdio::null())
        .stdout(f)
        .stderr(f2);
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let child = cmd.spawn().map_err(|e| {
        StepError::new(
            format!("cannot start {}: {e}", exe.display()),
            "cargo xtask test api installs wrangler (and its workerd) into the tool cache",
        )
    })?;
    let w = Workerd {
        child: Some(child),
        base: format!("http://127.0.0.1:{port}"),
        plain: true,
    };
    w.ready(port, "/v1/openapi.json", "workerd", 60, &fix)
}

impl Workerd {
    /// Waits until `GET path` answers 200 (then returns the server), the
    /// process (`what`) exits, or `secs` pass.
    fn ready(
        mut self,
        port: u16,
        path: &str,
        what: &str,
        secs: u64,
        fix: &str,
    ) -> Result<Self, StepError> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok((200, _)) = request("GET", port, path, &[], None) {
                return Ok(self);
            }
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                return Err(StepError::new(
                    format!("{what} exited early ({status})"),
                    fix,
                ));
            }
            if Instant::now() > deadline {
                return Err(StepError::new(
                    format!("{what} did not answer within {secs} s"),
                    fix,
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops wrangler and workerd (SIGTERM to the group, then SIGKILL).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let pgid = format!("-{}", c.id());
            let _ = Command::new("kill")
                .args(["-TERM", "--", &pgid])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = Command::new("kill")
                .args(["-KILL", "--", &pgid])
                .stderr(Stdio::null())
                .status();
            let _ = c.wait();
        }
    }

    /// Process id (and group id) of wrangler.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The workerd that runs the Worker itself, behind `wrangler dev`'s
    /// proxy (another workerd, on [`Self::base`]'s port, that only
    /// forwards): its process id and loopback port. Benchmarks use it to
    /// measure the Worker without the development proxy's hop, and its CPU
    /// time per request. `None` when it cannot be found (then use `base`).
    /// Linux only: reads `/proc`.
    pub fn runtime(&self) -> Option<(u32, u16)> {
        let pgid = self.pid()?;
        let public: u16 = self.base.rsplit(':').next()?.parse().ok()?;
        if self.plain {
            return Some((pgid, public));
        }
        let mut candidates = Vec::new();
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Fields after the command name: state ppid pgrp …
            let after = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
            let pgrp = after.split(' ').nth(2).and_then(|s| s.parse::<u32>().ok());
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if pgrp != Some(pgid) || comm.trim() != "workerd" {
                continue;
            }
            let ports = listening_ports(&socket_inodes(pid));
            if ports.contains(&public) {
                continue; // the proxy
            }
            candidates.extend(ports.into_iter().map(|port| (pid, port)));
        }
        candidates.sort_unstable();
        candidates.into_iter().find(|&(_, port)| {
            request("GET", port, "/v1/openapi.json", &[], None)
                .is_ok_and(|(status, body)| status == 200 && body.contains("\"openapi\""))
        })
    }

    /// Waits for wrangler to exit by itself (demo mode).
    pub fn wait(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.wait();
        }
    }
}

/// CPU time (user + system) process `pid` has used, in milliseconds.
pub fn cpu_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let f: Vec<&str> = stat.rsplit_once(") ")?.1.split(' ').collect();
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the name).
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux this runs on.
    Some(ticks as f64 * 10.0)
}

/// Inodes of the sockets process `pid` holds open.
fn socket_inodes(pid: u32) -> Vec<u64> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|l| {
            let l = l.to_string_lossy().into_owned();
            l.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// Loopback TCP ports in LISTEN state held by one of `inodes`.
fn listening_ports(inodes: &[u64]) -> Vec<u16> {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap_or_default();
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            let (local, st, inode) = (f.get(1)?, f.get(3)?, f.get(9)?.parse::<u64>().ok()?);
            if *st != "0A" || !inodes.contains(&inode) {
                return None;
            }
            u16::from_str_radix(local.rsplit(':').next()?, 16).ok()
        })
        .collect()
}

impl Drop for Workerd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A minimal HTTP/1.1 request to 127.0.0.1:`port`; returns status and body.
pub fn request(
    method: &str,
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    request_with_head(method, port, path, headers, body).map(|(s, _, b)| (s, b))
}

/// Like [`request`], also returning the response head (status line and headers).
pub fn request_with_head(
    method: &str,
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes())?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf)?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = match text.find("\r\n\r\n") {
        Some(i) => (
            text[..i].to_string(),
            decode_body(&text[..i], &text[i + 4..]),
        ),
        None => (text.clone(), String::new()),
    };
    Ok((status, head, body))
}

fn decode_body(head: &str, body: &str) -> String {
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_string();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some(i) = rest.find("\r\n") {
        let n = usize::from_str_radix(rest[..i].trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        let start = i + 2;
        let end = (start + n).min(rest.len());
        out.push_str(&rest[start..end]);
        rest = rest.get(end + 2..).unwrap_or("");
    }
    out
}

/// Creates the demo brand `acme` (if missing) and imports `www/demo/kb.json`.
pub fn seed_demo(repo: &Path, port: u16, admin_token: &str, origin: &str) -> Result<(), StepError> {
    let fix = "check the wrangler output above; the admin token must match CHORUS_ADMIN_TOKEN";
    let auth = format!("Bearer {admin_token}");
    let brand = serde_json::json!({
        "slug": "acme",
        "name": "Acme Outfitters",
        "allowed_origins": [origin, "http://localhost:8787"],
        "color": "#0f766e",
        "languages": ["en", "es"],
        "hours": "Mon–Fri 9:00–18:00 CET",
        "response_target_minutes": 120,
        "greeting": "Hi! Search our help centre or ask us anything."
    });
    let (status, body) = request(
        "POST",
        port,
        "/v1/admin/brands",
        &[("Authorization", &auth)],
        Some(&brand.to_string()),
    )
    .map_err(|e| StepError::new(format!("creating brand acme: {e}"), fix))?;
    if status != 201 && status != 409 {
        return Err(StepError::new(
            format!("creating brand acme: HTTP {status} {body}"),
            fix,
        ));
    }
    let kb = std::fs::read_to_string(repo.join("www/demo/kb.json")).map_err(|e| {
        StepError::new(
            format!("www/demo/kb.json: {e}"),
            "git checkout www/demo/kb.json",
        )
    })?;
    let mut v: serde_json::Value = serde_json::from_str(&kb)
        .map_err(|e| StepError::new(format!("www/demo/kb.json: {e}"), "fix the JSON"))?;
    v["replace"] = serde_json::Value::Bool(true);
    let (status, body) = request(
        "PUT",
        port,
        "/v1/admin/brands/acme/kb",
        &[("Authorization", &auth)],
        Some(&v.to_string()),
    )
    .map_err(|e| StepError::new(format!("importing the demo knowledge base: {e}"), fix))?;
    if status != 200 {
        return Err(StepError::new(
            format!("importing the demo knowledge base: HTTP {status} {body}"),
            fix,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_config_embeds_the_bundle_relative_to_the_config() {
        assert_eq!(
            relative(
                Path::new("/r/target/s"),
                Path::new("/r/edge/build/index.js")
            ),
            PathBuf::from("../../edge/build/index.js")
        );
        assert_eq!(capnp_str("a\"b\\c"), r#""a\"b\\c""#);
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (date, _) = wrangler_compat(repo);
        assert!(date.len() == 10 && date.starts_with("20"), "{date}");
        let c = plain_config(
            repo,
            &repo.join("target/x"),
            8799,
            Path::new("/tmp/do"),
            "tok",
        );
        assert!(c.contains(r#"esModule = embed "../../edge/build/worker/shim.mjs""#));
        assert!(c.contains(r#"address = "127.0.0.1:8799""#));
        assert!(c.contains(&format!(r#"compatibilityDate = "{date}""#)));
        assert!(c.contains(r#"(name = "CHORUS_ADMIN_TOKEN", text = "tok")"#));
        assert!(c.contains(r#"v8Flags = ["--trace-gc"]"#));
    }
}
