//! Starting and stopping the Worker in local workerd (`wrangler dev`), and a
//! tiny loopback HTTP client for seeding and readiness checks.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::steps::StepError;
use crate::tools::Tools;

/// A running `wrangler dev`, stopped (with its whole process group) on drop.
pub struct Workerd {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
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
    let mut w = Workerd {
        child: Some(child),
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if let Ok((200, _)) = request("GET", port, "/embed.js", &[], None) {
            return Ok(w);
        }
        if let Some(c) = w.child.as_mut()
            && let Ok(Some(status)) = c.try_wait()
        {
            return Err(StepError::new(
                format!("wrangler dev exited early ({status})"),
                fix,
            ));
        }
        if Instant::now() > deadline {
            return Err(StepError::new(
                "wrangler dev did not answer within 90 s",
                fix,
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

impl Workerd {
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
