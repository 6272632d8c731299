//! `bench_search`: search speed inside the widget's own wasm, in a real
//! browser. Built only with the `bench` feature (never shipped);
//! `cargo xtask bench` loads that build in headless Chromium and calls it.
//!
//! It runs what the widget runs: the `/kb` JSON read by [`crate::api`],
//! [`Finder`] built from it, then every query through the same search call
//! the results list uses. Times come from `performance.now()`; like the
//! native bench, a build's figure is the fastest of `builds` builds and a
//! query's the fastest of `rounds` rounds, because on a shared machine
//! interference only ever adds time.

use wasm_bindgen::prelude::*;

use crate::api;
use crate::find::Finder;

fn set(o: &js_sys::Object, k: &str, v: f64) {
    let _ = js_sys::Reflect::set(o, &JsValue::from_str(k), &JsValue::from_f64(v));
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Indexes `kb_json` (a `/kb` body) and times every query of
/// `queries_json` (a JSON array of strings). Returns `{parse_ms, build_ms,
/// build_first_ms, query_p50_us, query_p99_us, query_max_us,
/// query_mean_us, queries, articles, hits_per_query}`.
#[wasm_bindgen]
pub fn bench_search(
    kb_json: &str,
    queries_json: &str,
    builds: u32,
    rounds: u32,
) -> Result<JsValue, JsValue> {
    let perf = web_sys::window()
        .and_then(|w| w.performance())
        .ok_or("no performance")?;
    let t = perf.now();
    let articles = api::parse_kb(kb_json).ok_or("not a knowledge base")?;
    let parse_ms = perf.now() - t;
    let queries: Vec<String> = js_sys::JSON::parse(queries_json)?
        .dyn_into::<js_sys::Array>()?
        .iter()
        .filter_map(|q| q.as_string())
        .collect();

    let mut build = Vec::new();
    let mut finder = None;
    for _ in 0..builds.max(1) {
        let copy = articles.clone();
        let t = perf.now();
        finder = Some(Finder::indexed(copy));
        build.push(perf.now() - t);
    }
    let finder = finder.ok_or("no build")?;
    let first = build[0];
    build.sort_by(f64::total_cmp);

    let mut hits = 0usize;
    for q in queries.iter().take(200) {
        hits += finder.find(q).len();
    }
    let mut times = vec![f64::INFINITY; queries.len()];
    for _ in 0..rounds.max(1) {
        for (q, best) in queries.iter().zip(&mut times) {
            let t = perf.now();
            let rows = finder.find(q);
            *best = best.min((perf.now() - t) * 1e3);
            hits += rows.len();
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let runs = (rounds.max(1) as usize * queries.len() + queries.len().min(200)).max(1);

    let o = js_sys::Object::new();
    set(&o, "articles", finder.len() as f64);
    set(&o, "queries", queries.len() as f64);
    set(&o, "parse_ms", parse_ms);
    set(&o, "build_ms", build[0]);
    set(&o, "build_first_ms", first);
    set(&o, "query_p50_us", percentile(&times, 0.50));
    set(&o, "query_p99_us", percentile(&times, 0.99));
    set(&o, "query_max_us", percentile(&times, 1.0));
    set(&o, "query_mean_us", mean);
    set(&o, "hits_per_query", hits as f64 / runs as f64);
    Ok(o.into())
}
