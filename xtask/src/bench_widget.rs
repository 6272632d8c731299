//! `cargo xtask bench`, widget part: search speed inside the widget's wasm
//! in headless Chromium, and the size the search engine adds to the widget.
//!
//! Speed: the widget is built with its `bench` feature (which adds only the
//! exported `bench_search`), bindgen'd and `wasm-opt -Oz`'d like the shipped
//! one, and loaded in Chromium from `http://localhost:9`, answered by
//! playwright's router (nothing listens there) with COOP + COEP headers: a
//! secure, cross-origin isolated page, so `performance.now()` has 5 µs
//! resolution instead of 100 µs. It indexes the same generated knowledge
//! bases (1,000 and 10,000 articles) and runs the same keystroke-prefix
//! queries as the native bench (`bench_search.rs`), with the same
//! fastest-of rule. Each query is timed as the widget runs it: search with
//! the widget's limit (8) plus building the rows with marked runs.
//! Figures are merged into `target/bench/search.json` as `wasm_chromium_*`.
//!
//! Size: the widget is also built without its `search` feature (a substring
//! filter instead of the engine); the brotli difference of the two wasm
//! files goes to `target/bench/sizes.json` as `widget_search_adds_*`.
//!
//! The variants build in their own target folder, so they never replace
//! the widget that `cargo xtask demo` or `test` serves.

use std::path::Path;
use std::process::Command;

use serde_json::{Map, Value, json};

use crate::bench_search;
use crate::build::{bindgen_and_optimise, widget_cargo};
use crate::sizes::brotli_len;
use crate::steps::{StepError, run};
use crate::tools::Tools;

fn err(e: impl std::fmt::Display) -> StepError {
    StepError::new(e.to_string(), "check disk space and permissions")
}

/// Builds one widget variant (`features`: cargo feature arguments);
/// returns its glue JS and optimised wasm, written to `out`.
fn variant(
    repo: &Path,
    tools: &Tools,
    features: &[&str],
    out: &Path,
) -> Result<(Vec<u8>, Vec<u8>), StepError> {
    let target = repo.join("target/bench-widget/cargo");
    run(
        &mut widget_cargo(repo, &target, features),
        "cargo xtask bench (builds the widget variants in target/bench-widget/cargo)",
    )?;
    let raw = target.join("wasm32-unknown-unknown/release/chorus_widget.wasm");
    bindgen_and_optimise(tools, &raw, out)
}

/// The page Chromium loads: imports the bench build, fetches each corpus
/// and its queries, calls `bench_search`, leaves the figures in `window`.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><script type="module">
import init, { bench_search } from "./chorus_widget.js";
try {
  await init({ module_or_path: "./chorus_widget_opt.wasm" });
  const out = { isolated: self.crossOriginIsolated };
  for (const n of ["1k", "10k"]) {
    const kb = await (await fetch(`./kb-${n}.json`)).text();
    const queries = await (await fetch(`./queries-${n}.json`)).text();
    out[n] = bench_search(kb, queries, 5, 3);
  }
  window.result = out;
} catch (e) {
  window.result = { error: String(e) };
}
</script>"#;

/// Headless Chromium's flags for the benches, as a JS array (the same as
/// `tests/e2e/browser.mjs`: no sandbox as root, no background traffic).
pub const CHROMIUM_ARGS: &str = r#"["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"]"#;

/// The node script that drives Chromium (playwright-core from the tool cache).
fn runner(tools: &Tools, dir: &Path, chromium: &Path) -> String {
    format!(
        r#"import {{ chromium }} from {pw};
import {{ readFileSync }} from "node:fs";
const dir = {dir};
const types = {{ html: "text/html", js: "text/javascript", wasm: "application/wasm", json: "application/json" }};
const browser = await chromium.launch({{
  executablePath: {exe}, headless: true,
  args: {args},
}});
try {{
  const page = await browser.newPage();
  await page.route("http://localhost:9/**", (route) => {{
    const name = new URL(route.request().url()).pathname.slice(1) || "index.html";
    route.fulfill({{
      status: 200,
      headers: {{
        "content-type": types[name.split(".").pop()] ?? "application/octet-stream",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
      }},
      body: readFileSync(`${{dir}}/${{name}}`),
    }});
  }});
  await page.goto("http://localhost:9/index.html");
  await page.waitForFunction(() => window.result, null, {{ timeout: 600000, polling: 500 }});
  console.log(JSON.stringify(await page.evaluate(() => window.result)));
}} finally {{
  await browser.close();
}}
"#,
        pw = json!(tools.node_modules().join("playwright-core/index.mjs")),
        dir = json!(dir),
        exe = json!(chromium),
        args = CHROMIUM_ARGS,
    )
}

/// Rounds to 0.1 and keeps integers as integers, like the native bench.
fn number(v: f64) -> Value {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 && r.abs() < 9e15 {
        json!(r as i64)
    } else {
        json!(r)
    }
}

fn merge(path: &Path, figures: &Map<String, Value>) -> Result<(), StepError> {
    let mut obj = std::fs::read_to_string(path)
        .ok()
        .and_then(|s| serde_json::from_str::<Map<String, Value>>(&s).ok())
        .unwrap_or_default();
    for (k, v) in figures {
        obj.insert(k.clone(), v.clone());
        eprintln!("      {k:<36} {v}");
    }
    std::fs::create_dir_all(path.parent().unwrap_or(Path::new("."))).map_err(err)?;
    let text = serde_json::to_string_pretty(&Value::Object(obj)).map_err(err)?;
    std::fs::write(path, text + "\n").map_err(err)
}

/// Search timings of the widget's wasm in Chromium → `target/bench/search.json`.
pub fn speed(repo: &Path, tools: &Tools, chromium: &Path) -> Result<(), StepError> {
    let dir = repo.join("target/bench-widget/site");
    let (_, _) = variant(repo, tools, &["--features", "bench"], &dir)?;
    std::fs::write(dir.join("index.html"), PAGE).map_err(err)?;
    for (n, name) in [(1_000, "1k"), (10_000, "10k")] {
        let (articles, queries) = bench_search::corpus(n);
        let kb = json!({ "articles": articles, "version": "bench" });
        std::fs::write(dir.join(format!("kb-{name}.json")), kb.to_string()).map_err(err)?;
        std::fs::write(
            dir.join(format!("queries-{name}.json")),
            json!(queries).to_string(),
        )
        .map_err(err)?;
    }
    let script = repo.join("target/bench-widget/run.mjs");
    std::fs::write(&script, runner(tools, &dir, chromium)).map_err(err)?;
    let out = Command::new(tools.node())
        .arg(&script)
        .env("PATH", tools.path_env())
        .output()
        .map_err(err)?;
    let fix = "node target/bench-widget/run.mjs (see its error above)";
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return Err(StepError::new("the browser bench failed", fix));
    }
    let result: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| StepError::new(format!("unreadable browser bench output: {e}"), fix))?;
    if let Some(e) = result.get("error") {
        return Err(StepError::new(format!("bench_search failed: {e}"), fix));
    }
    let mut figures = Map::new();
    figures.insert(
        "wasm_chromium_cross_origin_isolated".into(),
        result["isolated"].clone(),
    );
    for name in ["1k", "10k"] {
        let r = &result[name];
        let f = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
        for (key, v) in [
            ("p50_us", f("query_p50_us")),
            ("p99_us", f("query_p99_us")),
            ("max_us", f("query_max_us")),
            ("mean_us", f("query_mean_us")),
            ("queries", f("queries")),
            ("build_ms", f("build_ms")),
            ("first_build_ms", f("build_first_ms")),
            ("parse_ms", f("parse_ms")),
        ] {
            figures.insert(format!("wasm_chromium_{name}_{key}"), number(v));
        }
    }
    if let Some(v) = figures.get("wasm_chromium_1k_build_ms").cloned() {
        figures.insert("wasm_build_ms".into(), v);
    }
    merge(&repo.join("target/bench/search.json"), &figures)
}

/// Brotli bytes the search engine adds to the widget → `target/bench/sizes.json`.
pub fn search_size(repo: &Path, tools: &Tools) -> Result<(), StepError> {
    let with = variant(
        repo,
        tools,
        &[],
        &repo.join("target/bench-widget/with-search"),
    )?;
    let without = variant(
        repo,
        tools,
        &["--no-default-features"],
        &repo.join("target/bench-widget/without-search"),
    )?;
    let (w, wo) = (brotli_len(&with.1), brotli_len(&without.1));
    let (jw, jwo) = (brotli_len(&with.0), brotli_len(&without.0));
    let mut figures = Map::new();
    figures.insert("widget_wasm_without_search_brotli_bytes".into(), json!(wo));
    figures.insert("widget_wasm_with_search_brotli_bytes".into(), json!(w));
    figures.insert(
        "widget_search_adds_brotli_bytes".into(),
        json!(w as i64 - wo as i64 + jw as i64 - jwo as i64),
    );
    merge(&repo.join("target/bench/sizes.json"), &figures)
}
