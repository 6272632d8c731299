//! `cargo xtask bench` → `target/bench/edge.json`: the Worker on loopback
//! workerd, one brand.
//!
//! 1. Asks per second with `wrk` (a Lua script varies the question text and
//!    the client address, so per-client limits do not cap the run): half the
//!    asks repeat one of 40 common questions, half are new (`asks.rs`,
//!    `wrk.rs`). On the plain workerd, also the same mix at a fixed
//!    500 asks/s ([`crate::pace`]), latency counted from each ask's due time.
//! 2. Cached feed reads per second with `wrk` (the Cache API path), and
//!    `/v1/openapi.json` (a constant from the Worker) for the runtime's CPU
//!    cost of a request that does no Chorus work (not through the proxy).
//!
//!    Steps 1 and 2 run three times: through `wrangler dev`'s proxy, straight
//!    at the workerd behind it (`direct_*`), and at the same workerd binary
//!    on a plain config written by [`serve::start_plain`] with fresh state
//!    (`plain_workerd_*`): no proxy, no miniflare entry Worker, assets router
//!    or simulated Rate Limiting object, no Cache API service.
//! 3. With 100,000 stored questions (imported through the admin route):
//!    workerd is restarted on the same state; the first ask reports the
//!    wake-up (model load + index rebuild from SQLite) in `Server-Timing`;
//!    then 1,000 sequential asks report the ask path's time inside the
//!    object (normalise + triage + dedupe + SQLite insert). Then the same
//!    state wakes in the plain workerd (`plain_workerd_wake_*`).
//!    `CHORUS_BENCH_WAKE_ONLY=1` runs only this step (no `wrk`) and writes
//!    `target/bench/edge-wake.json`.
//!
//! Workers' `Date.now()` has millisecond resolution, so server-side
//! percentiles are whole milliseconds; the mean is also reported.

use std::path::Path;

use crate::rng::SplitMix;
use crate::serve::{self, request, request_with_head};
use crate::steps::StepError;
use crate::tools::{self, Tools};

const BRAND: &str = "bench";
const STORED: usize = 100_000;
const BATCH: usize = 20_000;
const SEQUENTIAL_ASKS: usize = 1_000;
const WRK_SECONDS: u32 = 10;

mod asks;
mod gc;
mod wrk;

use asks::{COMMON, PACED_RATE, SUBJECTS, TEMPLATES, paced_asks, write_ask_script};
use wrk::{WrkResult, measure};

fn check(what: &str, (status, body): (u16, String), want: u16) -> Result<String, StepError> {
    if status != want {
        return Err(StepError::new(
            format!(
                "{what}: HTTP {status} {}",
                body.chars().take(300).collect::<String>()
            ),
            "see target/bench-workerd.log",
        ));
    }
    Ok(body)
}

fn io_err(what: &str) -> impl Fn(std::io::Error) -> StepError + '_ {
    move |e| StepError::new(format!("{what}: {e}"), "see target/bench-workerd.log")
}

/// Generated history: `STORED` questions in about 20,000 labelled groups.
fn history(rng: &mut SplitMix) -> Vec<serde_json::Value> {
    (0..STORED)
        .map(|i| {
            let label = rng.below(20_000);
            let text = if label < COMMON.len() {
                COMMON[label].to_string()
            } else {
                TEMPLATES[label % TEMPLATES.len()]
                    .replace("{s}", SUBJECTS[label % SUBJECTS.len()])
                    .replace("{n}", &format!("{}", label * 7 + i % 3))
            };
            serde_json::json!({ "text": text, "group": format!("h{label}") })
        })
        .collect()
}

fn server_timing(head: &str, name: &str) -> Option<f64> {
    let line = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("server-timing:"))?;
    line.split_once(':')?.1.split(',').find_map(|part| {
        let (n, rest) = part.trim().split_once(';')?;
        (n == name)
            .then(|| rest.trim().strip_prefix("dur=")?.parse().ok())
            .flatten()
    })
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The bench brand's Authorization for a lead agent, after creating the
/// brand (its site: `base`) on the server at `port`.
fn create_brand(port: u16, base: &str, admin: &str) -> Result<String, StepError> {
    let auth = format!("Bearer {admin}");
    let ah = [("authorization", auth.as_str())];
    check(
        "create brand",
        request(
            "POST",
            port,
            "/v1/admin/brands",
            &ah,
            Some(
                &serde_json::json!({"slug": BRAND, "name": "Bench", "allowed_origins": [base]})
                    .to_string(),
            ),
        )
        .map_err(io_err("create brand"))?,
        201,
    )?;
    let agent: serde_json::Value = serde_json::from_str(&check(
        "create agent",
        request(
            "POST",
            port,
            &format!("/v1/admin/brands/{BRAND}/agents"),
            &ah,
            Some(r#"{"name":"Bench Agent","role":"lead"}"#),
        )
        .map_err(io_err("create agent"))?,
        201,
    )?)
    .unwrap_or_default();
    Ok(format!("Bearer {}", agent["token"].as_str().unwrap_or("")))
}

/// One ask, so the model load and first index build (wake-up costs,
/// measured apart) are not in the load runs.
fn warm_up(port: u16, base: &str) -> Result<(), StepError> {
    let warm = request_with_head(
        "POST",
        port,
        &format!("/v1/{BRAND}/questions"),
        &[("origin", base), ("cf-connecting-ip", "10.0.0.1")],
        Some(r#"{"text":"Warm-up question"}"#),
    )
    .map_err(io_err("warm-up ask"))?;
    check("warm-up ask", (warm.0, warm.2), 201).map(|_| ())
}

/// Answers the 20 largest groups, so the feed has content.
fn answer_largest(port: u16, agent_auth: &str) -> Result<(), StepError> {
    let list = check(
        "queue",
        request(
            "GET",
            port,
            &format!("/v1/{BRAND}/agent/groups?sort=largest&limit=20"),
            &[("authorization", agent_auth)],
            None,
        )
        .map_err(io_err("queue"))?,
        200,
    )?;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap_or_default();
    for g in list["groups"].as_array().into_iter().flatten() {
        let id = g["group_id"].as_str().unwrap_or("");
        let _ = request(
            "POST",
            port,
            &format!("/v1/{BRAND}/agent/groups/{id}/answer"),
            &[("authorization", agent_auth)],
            Some(r#"{"body":"Thanks for asking! Here is how it works: …"}"#),
        );
    }
    Ok(())
}

/// The trivial request of the load runs: `/v1/openapi.json`, answered by
/// the Worker from a constant, no object, no assets. Its CPU time is what
/// the runtime costs per request before any Chorus work.
const BASELINE_PATH: &str = "/v1/openapi.json";

/// What one server measured under load.
#[derive(Debug, Default, Clone)]
struct Load {
    asks: WrkResult,
    ask_cpu: f64,
    feed: WrkResult,
    feed_cpu: f64,
    baseline: WrkResult,
    baseline_cpu: f64,
    /// Asks at a fixed [`PACED_RATE`] (open loop, [`crate::pace`]).
    paced: crate::pace::Paced,
    /// V8's full collections during `paced` (plain workerd only).
    paced_gc: gc::FullGcs,
}

/// The load runs against wrangler's own workerd binary on a plain config
/// ([`serve::start_plain`]): fresh state, its own brand, the same `wrk`
/// runs as through `wrangler dev`.
fn plain_load(repo: &Path, tools: &Tools, wrk_exe: &Path, admin: &str) -> Result<Load, StepError> {
    let log = repo.join("target/bench-plain-workerd.log");
    let dir = repo.join(format!("target/bench-plain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(io_err("plain workerd state"))?;
    let port = serve::free_port();
    let w = serve::start_plain(
        repo,
        tools,
        port,
        &dir.join("do"),
        &dir.join("chorus.capnp"),
        admin,
        &log,
    )?;
    let base = w.base.clone();
    let pid = w.runtime().map(|(pid, _)| pid);
    let agent_auth = create_brand(port, &base, admin)?;
    let script = write_ask_script(repo, "wrk-ask-plain.lua", &base)?;
    warm_up(port, &base)?;
    let mut load = Load::default();
    (load.asks, load.ask_cpu) = measure(
        wrk_exe,
        pid,
        &format!("{base}/v1/{BRAND}/questions"),
        16,
        Some(&script),
    )?;
    let from = gc::mark(&log);
    load.paced = paced_asks(port, &base);
    load.paced_gc = gc::since(&log, from);
    answer_largest(port, &agent_auth)?;
    (load.feed, load.feed_cpu) =
        measure(wrk_exe, pid, &format!("{base}/v1/{BRAND}/feed"), 32, None)?;
    (load.baseline, load.baseline_cpu) =
        measure(wrk_exe, pid, &format!("{base}{BASELINE_PATH}"), 16, None)?;
    drop(w);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(load)
}

/// The wake-up (first ask after a restart) and the ask path inside the
/// object with the stored questions.
#[derive(Debug, Default, Clone)]
struct Wake {
    total_ms: f64,
    rows_ms: f64,
    index_ms: f64,
    model_ms: f64,
    model_wait_ms: f64,
    first_ask_wall_ms: f64,
    /// Sorted `Server-Timing: ask` of the sequential asks.
    server: Vec<f64>,
}

/// First ask on a freshly started server (its `Server-Timing` reports the
/// wake's phases), then [`SEQUENTIAL_ASKS`] asks one after another.
fn wake_and_ask(port: u16, origin: &str, ip_prefix: &str) -> Result<Wake, StepError> {
    let t = std::time::Instant::now();
    let first = request_with_head(
        "POST",
        port,
        &format!("/v1/{BRAND}/questions"),
        &[("origin", origin), ("cf-connecting-ip", "10.0.0.2")],
        Some(r#"{"text":"Where is my parcel number 12?"}"#),
    )
    .map_err(io_err("first ask after restart"))?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    check("first ask after restart", (first.0, first.2.clone()), 201)?;
    // The wake-up's phases (see `edge/src/dedupe.rs: ensure_index`): rows
    // and their stored features read, index rebuilt from them, the model's
    // load (started first, overlapping both) and what remained of it after
    // the rebuild; `wake` is the whole, up to the index being usable.
    let st = |name: &str| server_timing(&first.1, name).unwrap_or(-1.0);
    eprintln!(
        "first ask after restart: {first_ms:.0} ms; {}",
        first
            .1
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("server-timing"))
            .unwrap_or("")
    );
    let mut server = Vec::with_capacity(SEQUENTIAL_ASKS);
    for i in 0..SEQUENTIAL_ASKS {
        let text = if i % 2 == 0 {
            COMMON[i % COMMON.len()].to_string()
        } else {
            TEMPLATES[i % TEMPLATES.len()]
                .replace("{s}", SUBJECTS[(i / 2) % SUBJECTS.len()])
                .replace("{n}", &(1_000_000 + i).to_string())
        };
        let ip = format!("10.{ip_prefix}.{}.{}", i / 250, i % 250 + 1);
        let (status, head, body) = request_with_head(
            "POST",
            port,
            &format!("/v1/{BRAND}/questions"),
            &[("origin", origin), ("cf-connecting-ip", ip.as_str())],
            Some(&serde_json::json!({ "text": text }).to_string()),
        )
        .map_err(io_err("ask"))?;
        check("ask with 100k stored", (status, body), 201)?;
        if let Some(d) = server_timing(&head, "ask") {
            server.push(d);
        }
    }
    server.sort_by(f64::total_cmp);
    Ok(Wake {
        total_ms: st("wake"),
        rows_ms: st("rows"),
        index_ms: st("index"),
        model_ms: st("model"),
        model_wait_ms: st("modelwait"),
        first_ask_wall_ms: first_ms,
        server,
    })
}

fn load_average_1m() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split(' ').next().and_then(|v| v.parse::<f64>().ok()))
}

/// Runs the edge benchmark and writes `target/bench/edge.json`.
pub fn run(repo: &Path, tools: &Tools) -> Result<(), StepError> {
    let wrk_exe = tools::ensure_wrk()?;
    let state = repo.join(format!("target/bench-state-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    std::fs::create_dir_all(&state).map_err(io_err("bench state"))?;
    let port = serve::free_port();
    let admin = format!("bench-admin-{}", std::process::id());
    let log = repo.join("target/bench-workerd.log");
    let load_at_start = load_average_1m();
    let mut w = serve::start_with_level(repo, tools, port, &state, &admin, &log, false, "warn")?;
    let base = w.base.clone();
    let auth = format!("Bearer {admin}");
    let ah = [("authorization", auth.as_str())];
    let agent_auth = create_brand(port, &base, &admin)?;

    // `CHORUS_BENCH_WAKE_ONLY=1`: only step 3 (the wake-up and the ask path).
    let wake_only = std::env::var_os("CHORUS_BENCH_WAKE_ONLY").is_some_and(|v| v == "1");
    // 1. Asks per second.
    let script = write_ask_script(repo, "wrk-ask.lua", &base)?;
    // Warm up: model load and first index build are wake-up costs, measured below.
    warm_up(port, &base)?;
    // The workerd that runs the Worker, behind wrangler's development proxy
    // (a second workerd that only forwards; nothing like it runs in
    // production). Each load runs through the proxy, as `cargo xtask demo`
    // serves it, and straight at the runtime; the runtime's CPU time per
    // request is measured on the direct run.
    let runtime = w.runtime();
    let runtime_pid = runtime.map(|(pid, _)| pid);
    let direct = runtime.map(|(_, p)| format!("http://127.0.0.1:{p}"));
    let ask_path = format!("/v1/{BRAND}/questions");
    let mut via_proxy = Load::default();
    let mut direct_load = Load::default();
    if !wake_only {
        via_proxy.asks = measure(
            &wrk_exe,
            None,
            &format!("{base}{ask_path}"),
            16,
            Some(&script),
        )?
        .0;
        if let Some(d) = &direct {
            (direct_load.asks, direct_load.ask_cpu) = measure(
                &wrk_exe,
                runtime_pid,
                &format!("{d}{ask_path}"),
                16,
                Some(&script),
            )?;
        }
    }

    // 2. Cached feed reads: answer some groups first so the feed has content.
    answer_largest(port, &agent_auth)?;
    let feed_path = format!("/v1/{BRAND}/feed");
    if !wake_only {
        via_proxy.feed = measure(&wrk_exe, None, &format!("{base}{feed_path}"), 32, None)?.0;
        if let Some(d) = &direct {
            (direct_load.feed, direct_load.feed_cpu) =
                measure(&wrk_exe, runtime_pid, &format!("{d}{feed_path}"), 32, None)?;
            (direct_load.baseline, direct_load.baseline_cpu) = measure(
                &wrk_exe,
                runtime_pid,
                &format!("{d}{BASELINE_PATH}"),
                16,
                None,
            )?;
        }
    }
    let load_after_wrangler = load_average_1m();

    // 2b. The same loads on wrangler's workerd binary with a plain config
    // (no development proxy, no miniflare Workers in front). wrangler dev
    // stays up, idle, meanwhile.
    let plain_version = serve::workerd_version(tools);
    let (plain, plain_error) = if wake_only {
        (Load::default(), None)
    } else {
        match plain_load(repo, tools, &wrk_exe, &admin) {
            Ok(l) => (l, None),
            Err(e) => {
                eprintln!("plain workerd run failed: {e}");
                (Load::default(), Some(e.to_string()))
            }
        }
    };
    let load_after_plain = load_average_1m();

    // 3. 100,000 stored questions: import, restart, wake, sequential asks.
    let mut rng = SplitMix(0xC40B05);
    let rows = history(&mut rng);
    for chunk in rows.chunks(BATCH) {
        let body = serde_json::json!({ "questions": chunk }).to_string();
        check(
            "import questions",
            request(
                "PUT",
                port,
                &format!("/v1/admin/brands/{BRAND}/questions"),
                &ah,
                Some(&body),
            )
            .map_err(io_err("import"))?,
            200,
        )?;
    }
    w.stop();
    // Log level `log`: the object reports its wake-up phases.
    let log = repo.join("target/bench-workerd-wake.log");
    let load_before_wake = load_average_1m();
    let mut w = serve::start(repo, tools, port, &state, &admin, &log, false)?;
    let wake = wake_and_ask(port, &base, "77")?;
    w.stop();
    // 3b. The same wake on the same state in the plain workerd: wrangler
    // keeps the objects under `<persist>/v3/do/<worker>-<class>/`, the
    // layout of a plain `localDisk` service with the same unique key.
    let do_dir = state.join("v3/do");
    let load_before_plain_wake = load_average_1m();
    let (plain_wake, plain_wake_error) = if do_dir.join("chorus-BrandObject").is_dir() {
        let run = || -> Result<Wake, StepError> {
            let _w = serve::start_plain(
                repo,
                tools,
                port,
                &do_dir,
                &state.join("plain-wake.capnp"),
                &admin,
                &repo.join("target/bench-plain-workerd-wake.log"),
            )?;
            wake_and_ask(port, &base, "78")
        };
        match run() {
            Ok(wk) => (wk, None),
            Err(e) => {
                eprintln!("plain workerd wake failed: {e}");
                (Wake::default(), Some(e.to_string()))
            }
        }
    } else {
        let e = format!(
            "no {}: wrangler's storage layout changed",
            do_dir.join("chorus-BrandObject").display()
        );
        eprintln!("{e}");
        (Wake::default(), Some(e))
    };
    let _ = std::fs::remove_dir_all(&state);
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len().max(1) as f64;
    let worker_wasm = std::fs::metadata(repo.join("edge/build/index_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    let (asks, feed) = (via_proxy.asks, via_proxy.feed);
    let (asks_direct, feed_direct) = (direct_load.asks, direct_load.feed);
    let server = &wake.server;
    let json = serde_json::json!({
        "machine": format!("{} cores", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)),
        "wrk": format!("wrk -t2 -c16 -d{WRK_SECONDS}s (asks, baseline), -c32 (feed), loopback; first through wrangler's proxy, then direct_* straight at the runtime workerd behind it, then plain_workerd_* at the same workerd binary on a plain config"),
        "asks_per_s": asks.requests_per_s,
        "ask_p50_ms": asks.p50_ms,
        "ask_p90_ms": asks.p90_ms,
        "ask_p99_ms": asks.p99_ms,
        "ask_requests": asks.requests,
        "ask_non_2xx": asks.non_2xx,
        "ask_socket_errors": asks.socket_errors,
        "feed_cached_reads_per_s": feed.requests_per_s,
        "feed_p50_ms": feed.p50_ms,
        "feed_p99_ms": feed.p99_ms,
        "feed_non_2xx": feed.non_2xx,
        "direct_to_runtime": direct.is_some(),
        "direct_asks_per_s": asks_direct.requests_per_s,
        "direct_ask_p50_ms": asks_direct.p50_ms,
        "direct_ask_p99_ms": asks_direct.p99_ms,
        "direct_ask_non_2xx": asks_direct.non_2xx,
        "direct_feed_reads_per_s": feed_direct.requests_per_s,
        "direct_feed_p50_ms": feed_direct.p50_ms,
        "direct_feed_p99_ms": feed_direct.p99_ms,
        "direct_feed_non_2xx": feed_direct.non_2xx,
        "direct_baseline_path": BASELINE_PATH,
        "direct_baseline_per_s": direct_load.baseline.requests_per_s,
        "runtime_cpu_ms_per_ask": direct_load.ask_cpu,
        "runtime_cpu_ms_per_feed_read": direct_load.feed_cpu,
        "runtime_cpu_ms_per_baseline": direct_load.baseline_cpu,
        "load_average_1m": load_at_start,
        "load_average_1m_after_wrangler_runs": load_after_wrangler,
    });
    // The wake's and the plain workerd's figures in objects of their own
    // (one `json!` of all of them passes the macro's recursion limit).
    let more = serde_json::json!({
        "worker_wasm_bytes": worker_wasm,
        "stored_questions": STORED,
        "ask_server_p50_ms": percentile(server, 50.0),
        "ask_server_p99_ms": percentile(server, 99.0),
        "ask_server_mean_ms": mean(server),
        "ask_server_samples": server.len(),
        "wake_ms": wake.total_ms,
        "wake_rows_read_ms": wake.rows_ms,
        "wake_index_rebuild_ms": wake.index_ms,
        "wake_model_load_ms": wake.model_ms,
        "wake_model_wait_ms": wake.model_wait_ms,
        "wake_first_ask_wall_ms": wake.first_ask_wall_ms,
        "load_average_1m_before_wake": load_before_wake,
    });
    let plain_json = serde_json::json!({
        "plain_workerd": plain_error.is_none() && !wake_only,
        "plain_workerd_version": plain_version,
        "plain_workerd_error": plain_error,
        "plain_workerd_asks_per_s": plain.asks.requests_per_s,
        "plain_workerd_ask_p50_ms": plain.asks.p50_ms,
        "plain_workerd_ask_p90_ms": plain.asks.p90_ms,
        "plain_workerd_ask_p99_ms": plain.asks.p99_ms,
        "plain_workerd_ask_requests": plain.asks.requests,
        "plain_workerd_ask_non_2xx": plain.asks.non_2xx,
        "plain_workerd_ask_socket_errors": plain.asks.socket_errors,
        "plain_workerd_paced": format!("{PACED_RATE} asks/s due for {WRK_SECONDS} s (open loop, latency from each ask's due time; xtask/src/pace.rs); *_full_gc*: V8's Mark-Compacts during it (workerd's --trace-gc log), each one pause"),
        "plain_workerd_paced_due": plain.paced.due,
        "plain_workerd_paced_ok": plain.paced.ok,
        "plain_workerd_paced_non_2xx": plain.paced.non_2xx,
        "plain_workerd_paced_errors": plain.paced.errors,
        "plain_workerd_paced_per_s": plain.paced.achieved_per_s,
        "plain_workerd_paced_p50_ms": plain.paced.p50_ms,
        "plain_workerd_paced_p90_ms": plain.paced.p90_ms,
        "plain_workerd_paced_p99_ms": plain.paced.p99_ms,
        "plain_workerd_paced_max_ms": plain.paced.max_ms,
        "plain_workerd_paced_full_gcs": plain.paced_gc.count,
        "plain_workerd_paced_full_gc_max_ms": plain.paced_gc.max_ms,
        "plain_workerd_paced_full_gc_total_ms": plain.paced_gc.total_ms,
        "plain_workerd_feed_reads_per_s": plain.feed.requests_per_s,
        "plain_workerd_feed_p50_ms": plain.feed.p50_ms,
        "plain_workerd_feed_p99_ms": plain.feed.p99_ms,
        "plain_workerd_feed_non_2xx": plain.feed.non_2xx,
        "plain_workerd_baseline_per_s": plain.baseline.requests_per_s,
        "plain_workerd_cpu_ms_per_ask": plain.ask_cpu,
        "plain_workerd_cpu_ms_per_feed_read": plain.feed_cpu,
        "plain_workerd_cpu_ms_per_baseline": plain.baseline_cpu,
        "load_average_1m_after_plain_runs": load_after_plain,
    });
    let plain_wake_json = serde_json::json!({
        "plain_workerd_wake_error": plain_wake_error,
        "plain_workerd_ask_server_p50_ms": percentile(&plain_wake.server, 50.0),
        "plain_workerd_ask_server_p99_ms": percentile(&plain_wake.server, 99.0),
        "plain_workerd_ask_server_mean_ms": mean(&plain_wake.server),
        "plain_workerd_ask_server_samples": plain_wake.server.len(),
        "plain_workerd_wake_ms": plain_wake.total_ms,
        "plain_workerd_wake_rows_read_ms": plain_wake.rows_ms,
        "plain_workerd_wake_index_rebuild_ms": plain_wake.index_ms,
        "plain_workerd_wake_model_load_ms": plain_wake.model_ms,
        "plain_workerd_wake_model_wait_ms": plain_wake.model_wait_ms,
        "plain_workerd_wake_first_ask_wall_ms": plain_wake.first_ask_wall_ms,
        "load_average_1m_before_plain_wake": load_before_plain_wake,
    });
    let mut json = json;
    for part in [more, plain_json, plain_wake_json] {
        if let (Some(all), serde_json::Value::Object(p)) = (json.as_object_mut(), part) {
            all.extend(p);
        }
    }
    let out = repo.join(if wake_only {
        "target/bench/edge-wake.json"
    } else {
        "target/bench/edge.json"
    });
    std::fs::write(
        &out,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    )
    .map_err(io_err("edge.json"))?;
    eprintln!(
        "{}",
        serde_json::to_string_pretty(&json).unwrap_or_default()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_server_timing() {
        let head =
            "HTTP/1.1 201 Created\r\nServer-Timing: ask;dur=3, model;dur=120, index;dur=640\r\n";
        assert_eq!(server_timing(head, "ask"), Some(3.0));
        assert_eq!(server_timing(head, "index"), Some(640.0));
        assert_eq!(server_timing(head, "nope"), None);
    }
}
