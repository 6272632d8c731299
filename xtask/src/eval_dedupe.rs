//! `cargo xtask eval dedupe --intents FILE | --pairs FILE [options]`
//!
//! - `--intents FILE` (`text TAB label`): lines go through a fresh
//!   [`QuestionIndex`] in file order; before each ask, `suggest(text, 3)`.
//!   A join is right when its label equals the label of the joined group's
//!   first question; label `oos` never matches. Last line:
//!   `join_precision=P join_recall=R suggest_recall3=S groups=N`.
//! - `--pairs FILE` (`q1 TAB q2 TAB label`): would q2 auto-join a group that
//!   holds only q1? Last line: `precision=… recall=… f1=… n=N`.
//!
//! Options: `--baseline` also prints a plain char 3–5-gram TF-IDF baseline
//! (cosine to the nearest earlier question; IDF fit on the whole file; the
//! threshold is the one with the best recall at precision ≥ ours and at
//! ≥ 0.95); `--lexical` runs without the embedding model; `--dump FILE`
//! writes candidate features (for calibrating `dedupe::score`);
//! `--model DIR` (default `core/model`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chorus_core::dedupe::{Embedder, QuestionIndex, Verdict};
use chorus_core::normalize;

struct Opts {
    intents: Option<PathBuf>,
    pairs: Option<PathBuf>,
    baseline: bool,
    lexical: bool,
    dump: Option<PathBuf>,
    model: PathBuf,
    oracle: bool,
    dump_pool: Option<PathBuf>,
}

fn parse(args: &[String], repo: &Path) -> Result<Opts, String> {
    let mut o = Opts {
        intents: None,
        pairs: None,
        baseline: false,
        lexical: false,
        dump: None,
        model: repo.join("core/model"),
        oracle: false,
        dump_pool: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "dedupe" => {}
            "--intents" => o.intents = Some(val()?),
            "--pairs" => o.pairs = Some(val()?),
            "--dump" => o.dump = Some(val()?),
            "--dump-pool" => o.dump_pool = Some(val()?),
            "--model" => o.model = val()?,
            "--baseline" => o.baseline = true,
            "--lexical" => o.lexical = true,
            "--oracle" => o.oracle = true,
            other => return Err(format!("eval dedupe: unknown argument {other}")),
        }
    }
    if o.intents.is_none() == o.pairs.is_none() {
        return Err("usage: cargo xtask eval dedupe (--intents FILE | --pairs FILE) [--baseline] [--lexical] [--dump FILE] [--model DIR]".into());
    }
    Ok(o)
}

/// Loads the committed model (also used by the bench).
pub fn load_model(dir: &Path) -> Result<(Arc<Embedder>, f64), String> {
    let table = std::fs::read(dir.join("chorus-static-256.bin"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let vocab = std::fs::read_to_string(dir.join("vocab.txt"))
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let t = Instant::now();
    let m = Embedder::from_bytes(&table, &vocab).map_err(|e| e.to_string())?;
    Ok((Arc::new(m), t.elapsed().as_secs_f64() * 1e3))
}

fn read_tsv(path: &Path, cols: usize) -> Result<Vec<Vec<String>>, String> {
    let s = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(s.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.splitn(cols, '\t').map(str::to_string).collect::<Vec<_>>())
        .filter(|v| v.len() == cols)
        .collect())
}

/// Entry point called by `cargo xtask`; `args` are the arguments after the subcommand.
pub fn run(args: &[String], repo: &Path) -> Result<(), String> {
    let o = parse(args, repo)?;
    let model = if o.lexical {
        None
    } else {
        let (m, ms) = load_model(&o.model)?;
        eprintln!("model loaded in {ms:.1} ms");
        Some(m)
    };
    if let Some(p) = &o.intents {
        intents(&read_tsv(p, 2)?, model, &o)
    } else if let Some(p) = &o.pairs {
        pairs(&read_tsv(p, 3)?, model, &o)
    } else {
        unreachable!()
    }
}

fn intents(rows: &[Vec<String>], model: Option<Arc<Embedder>>, o: &Opts) -> Result<(), String> {
    let t0 = Instant::now();
    let mut ix = QuestionIndex::new(model);
    let mut first_label: BTreeMap<u64, String> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    let (mut joins, mut right, mut eligible, mut s_hit) = (0usize, 0usize, 0usize, 0usize);
    let mut exact = 0usize;
    let mut propagated = 0usize;
    let mut next_group = 1u64;
    let mut dump = String::new();
    let mut pool = String::new();
    let mut part = [(0usize, 0usize); 4];
    let mut oracle_hits = vec![0usize; ORACLE_SCORES.len()];
    for (i, r) in rows.iter().enumerate() {
        let (text, label) = (r[0].as_str(), r[1].as_str());
        let lang = normalize::detect_lang(text);
        let ok = |g: u64| label != "oos" && first_label.get(&g).is_some_and(|l| l == label);
        let elig = label != "oos" && seen.contains(label);
        if elig {
            eligible += 1;
            let hit = ix.suggest(text, 3).iter().any(|s| ok(s.group));
            if hit {
                s_hit += 1;
            }
            // Parts: even lines, odd lines, first half, second half.
            for (k, inside) in [
                i % 2 == 0,
                i % 2 == 1,
                2 * i < rows.len(),
                2 * i >= rows.len(),
            ]
            .into_iter()
            .enumerate()
            {
                if inside {
                    part[k].0 += 1;
                    part[k].1 += usize::from(hit);
                }
            }
            if o.dump_pool.is_some() {
                for r in ix.debug_suggest_pool(text, 15) {
                    let _ = write!(pool, "{i}\t{}", u8::from(ok(r.group)));
                    for x in r.f {
                        let _ = write!(pool, "\t{x:.5}");
                    }
                    let _ = write!(pool, "\t{}", u8::from(ix.is_answered(r.group)));
                    let sims: Vec<String> = r.sims.iter().map(|x| format!("{x:.4}")).collect();
                    let _ = writeln!(pool, "\t{}", sims.join(","));
                }
            }
            if o.oracle {
                let all = ix.debug_score_all(text, lang);
                for (k, f) in ORACLE_SCORES.iter().enumerate() {
                    let mut best: BTreeMap<u64, f32> = BTreeMap::new();
                    for &(_, g, cos, c, sc) in &all {
                        let v = f(cos, c, sc);
                        let b = best.entry(g).or_insert(f32::NEG_INFINITY);
                        if v > *b {
                            *b = v;
                        }
                    }
                    let mut v: Vec<(u64, f32)> = best.into_iter().collect();
                    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                    if v.iter().take(3).any(|x| ok(x.0)) {
                        oracle_hits[k] += 1;
                    }
                }
            }
        }
        if o.dump.is_some() {
            for (q, g, cos, c, sc) in ix.debug_candidates(text, lang).into_iter().take(10) {
                let same = label != "oos" && rows[q as usize][1] == label;
                let (raw, tc) = ix.debug_extra(text, lang, q);
                let _ = writeln!(
                    dump,
                    "{i}\t{q}\t{g}\t{}\t{c:.4}\t{sc:.4}\t{}\t{}\t{raw:.4}\t{tc:.4}",
                    cos.map_or(-1.0, |x| x),
                    u8::from(same),
                    u8::from(ok(g))
                );
            }
        }
        let v = ix.ask(i as u64, text, lang, next_group);
        match v {
            Verdict::Join {
                group,
                reason,
                matched,
                ..
            } => {
                joins += 1;
                if !ok(group) && rows[matched as usize][1] == label {
                    propagated += 1;
                }
                if !ok(group) && std::env::var_os("SHOW_WRONG").is_some() {
                    eprintln!(
                        "WRONG [{label}] {text} -> [{}] {}",
                        rows[matched as usize][1], rows[matched as usize][0]
                    );
                }
                if reason == chorus_core::dedupe::JoinReason::Exact {
                    exact += 1;
                }
                if ok(group) {
                    right += 1;
                }
            }
            Verdict::New => {
                first_label.insert(next_group, label.to_string());
                next_group += 1;
            }
        }
        seen.insert(label);
    }
    if let Some(p) = &o.dump {
        std::fs::write(p, dump).map_err(|e| e.to_string())?;
    }
    if let Some(p) = &o.dump_pool {
        std::fs::write(p, pool).map_err(|e| e.to_string())?;
    }
    let p = ratio(right, joins);
    let r = ratio(right, eligible);
    let s = ratio(s_hit, eligible);
    eprintln!(
        "{} questions in {:.2}s: joins={joins} (exact {exact}) right={right} eligible={eligible} wrong_via_same_label_member={propagated}",
        rows.len(),
        t0.elapsed().as_secs_f64()
    );
    eprintln!(
        "suggest_recall3 on parts: even {:.4} odd {:.4} first half {:.4} second half {:.4}",
        ratio(part[0].1, part[0].0),
        ratio(part[1].1, part[1].0),
        ratio(part[2].1, part[2].0),
        ratio(part[3].1, part[3].0)
    );
    if o.oracle {
        for (k, h) in oracle_hits.iter().enumerate() {
            eprintln!(
                "oracle score {k}: suggest_recall3={:.4}",
                ratio(*h, eligible)
            );
        }
    }
    if o.baseline {
        baseline_intents(rows, p);
    }
    println!(
        "join_precision={p:.4} join_recall={r:.4} suggest_recall3={s:.4} groups={}",
        ix.group_count()
    );
    Ok(())
}

type OracleScore = fn(Option<f32>, f32, f32) -> f32;
/// Group scores tried by `--oracle` (max over every member, no retrieval).
const ORACLE_SCORES: &[OracleScore] = &[
    |_, _, sc| sc,
    |cos, _, _| cos.unwrap_or(-1.0),
    |_, c, _| c,
    |cos, c, _| cos.unwrap_or(0.0) + 0.5 * c,
    |cos, c, _| cos.unwrap_or(0.0) + 0.25 * c,
];

fn pairs(rows: &[Vec<String>], model: Option<Arc<Embedder>>, o: &Opts) -> Result<(), String> {
    let (mut tp, mut fp, mut fneg) = (0usize, 0usize, 0usize);
    let mut dump = String::new();
    for r in rows {
        let label = r[2].trim() == "1";
        let mut ix = QuestionIndex::new(model.clone());
        let l1 = normalize::detect_lang(&r[0]);
        let l2 = normalize::detect_lang(&r[1]);
        ix.insert(1, &r[0], l1, 1);
        if o.dump.is_some() {
            let f = ix.debug_candidates(&r[1], l2);
            let (cos, c) = f
                .first()
                .map_or((-1.0, 0.0), |x| (x.2.unwrap_or(-1.0), x.3));
            let _ = writeln!(dump, "{cos}\t{c:.4}\t{}", u8::from(label));
        }
        let joined = ix.decide(&r[1], l2).group() == Some(1);
        if joined && !label && std::env::var_os("SHOW_WRONG").is_some() {
            eprintln!("WRONG {} -> {}", r[1], r[0]);
        }
        match (joined, label) {
            (true, true) => tp += 1,
            (true, false) => fp += 1,
            (false, true) => fneg += 1,
            _ => {}
        }
    }
    if let Some(p) = &o.dump {
        std::fs::write(p, dump).map_err(|e| e.to_string())?;
    }
    // Suggestion sanity check on foreign data: every distinct q1 in one index
    // (a group each); for each positive pair, is q2's q1 among suggest(q2, 3)?
    {
        let mut ix = QuestionIndex::new(model.clone());
        let mut ids: HashMap<&str, u64> = HashMap::new();
        for r in rows {
            if !ids.contains_key(r[0].as_str()) {
                let id = ids.len() as u64;
                ix.insert(id, &r[0], normalize::detect_lang(&r[0]), id);
                ids.insert(&r[0], id);
            }
        }
        let (mut n, mut hit) = (0usize, 0usize);
        for r in rows.iter().filter(|r| r[2].trim() == "1") {
            n += 1;
            let want = ids[r[0].as_str()];
            hit += usize::from(ix.suggest(&r[1], 3).iter().any(|s| s.group == want));
        }
        eprintln!(
            "pair suggest check: q2 -> its q1 among {} q1s in suggest(q2, 3): {:.4} (n={n})",
            ids.len(),
            ratio(hit, n)
        );
    }
    let p = ratio(tp, tp + fp);
    let r = ratio(tp, tp + fneg);
    if o.baseline {
        baseline_pairs(rows, p);
    }
    println!(
        "precision={p:.4} recall={r:.4} f1={:.4} n={}",
        f1(p, r),
        rows.len()
    );
    Ok(())
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    }
}

// ---------------------------------------------------------------------------
// Plain char TF-IDF baseline (char 3–5 grams of the lower-cased text with
// single spaces, sublinear tf, smoothed IDF fit on the whole file, cosine).

fn char_grams(text: &str) -> Vec<String> {
    let t: String = text
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let chars: Vec<char> = format!(" {t} ").chars().collect();
    let mut out = Vec::new();
    for n in 3..=5 {
        if chars.len() >= n {
            for w in chars.windows(n) {
                out.push(w.iter().collect());
            }
        }
    }
    out
}

struct Tfidf {
    vecs: Vec<Vec<(u32, f32)>>,
}

impl Tfidf {
    fn fit(texts: &[&str]) -> Self {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        let mut docs: Vec<Vec<(u32, f32)>> = Vec::new();
        for t in texts {
            let mut counts: BTreeMap<u32, f32> = BTreeMap::new();
            for g in char_grams(t) {
                let n = ids.len() as u32;
                let id = *ids.entry(g).or_insert(n);
                if id as usize == df.len() {
                    df.push(0);
                }
                *counts.entry(id).or_insert(0.0) += 1.0;
            }
            for &id in counts.keys() {
                df[id as usize] += 1;
            }
            docs.push(counts.into_iter().collect());
        }
        let n = texts.len() as f32;
        let vecs = docs
            .into_iter()
            .map(|d| {
                let mut v: Vec<(u32, f32)> = d
                    .into_iter()
                    .map(|(id, tf)| {
                        let idf = ((n + 1.0) / (df[id as usize] as f32 + 1.0)).ln() + 1.0;
                        (id, (1.0 + tf.ln()) * idf)
                    })
                    .collect();
                let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-12);
                v.iter_mut().for_each(|x| x.1 /= norm);
                v
            })
            .collect();
        Tfidf { vecs }
    }

    fn cos(&self, a: usize, b: usize) -> f32 {
        let (x, y) = (&self.vecs[a], &self.vecs[b]);
        let (mut i, mut j, mut s) = (0, 0, 0.0);
        while i < x.len() && j < y.len() {
            if x[i].0 < y[j].0 {
                i += 1;
            } else if x[i].0 > y[j].0 {
                j += 1;
            } else {
                s += x[i].1 * y[j].1;
                i += 1;
                j += 1;
            }
        }
        s
    }
}

/// For each question, its 20 most similar earlier questions (descending).
fn earlier_neighbours(tf: &Tfidf) -> Vec<Vec<(usize, f32)>> {
    let n = tf.vecs.len();
    let mut post: HashMap<u32, Vec<(usize, f32)>> = HashMap::new();
    let mut acc = vec![0.0f32; n];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut touched = Vec::new();
        for &(g, w) in &tf.vecs[i] {
            if let Some(p) = post.get(&g) {
                for &(j, wj) in p {
                    if acc[j] == 0.0 {
                        touched.push(j);
                    }
                    acc[j] += w * wj;
                }
            }
        }
        let mut nb: Vec<(usize, f32)> = touched.iter().map(|&j| (j, acc[j])).collect();
        for &j in &touched {
            acc[j] = 0.0;
        }
        nb.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        nb.truncate(20);
        out.push(nb);
        for &(g, w) in &tf.vecs[i] {
            post.entry(g).or_default().push((i, w));
        }
    }
    out
}

fn baseline_intents(rows: &[Vec<String>], our_p: f64) {
    let texts: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let labels: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    let tf = Tfidf::fit(&texts);
    let nb = earlier_neighbours(&tf);
    let run = |t: f32| {
        let mut group = vec![0usize; rows.len()];
        let mut seen: HashSet<&str> = HashSet::new();
        let (mut joins, mut right, mut elig, mut sh) = (0usize, 0usize, 0usize, 0usize);
        for i in 0..rows.len() {
            let l = labels[i];
            let e = l != "oos" && seen.contains(l);
            let ok = |g: usize| l != "oos" && labels[g] == l;
            if e {
                elig += 1;
                let mut gs: Vec<usize> = Vec::new();
                for &(j, _) in &nb[i] {
                    if !gs.contains(&group[j]) {
                        gs.push(group[j]);
                    }
                    if gs.len() == 3 {
                        break;
                    }
                }
                if gs.iter().any(|&g| ok(g)) {
                    sh += 1;
                }
            }
            match nb[i].first() {
                Some(&(j, c)) if c >= t => {
                    joins += 1;
                    group[i] = group[j];
                    if ok(group[j]) {
                        right += 1;
                    }
                }
                _ => group[i] = i,
            }
            seen.insert(l);
        }
        (ratio(right, joins), ratio(right, elig), ratio(sh, elig))
    };
    for target in [our_p, 0.95, 0.90] {
        let mut best = (0.0, 0.0, 0.0, 1.0f32);
        let mut t = 0.30f32;
        while t <= 1.0 {
            let (p, r, s) = run(t);
            if p >= target && r > best.1 {
                best = (p, r, s, t);
            }
            t += 0.01;
        }
        println!(
            "baseline_char_tfidf target_p={target:.3} threshold={:.2} join_precision={:.4} join_recall={:.4} suggest_recall3={:.4}",
            best.3, best.0, best.1, best.2
        );
    }
}

fn baseline_pairs(rows: &[Vec<String>], our_p: f64) {
    let mut texts: Vec<&str> = Vec::new();
    for r in rows {
        texts.push(&r[0]);
        texts.push(&r[1]);
    }
    let tf = Tfidf::fit(&texts);
    let scored: Vec<(f32, bool)> = (0..rows.len())
        .map(|i| (tf.cos(2 * i, 2 * i + 1), rows[i][2].trim() == "1"))
        .collect();
    let pos = scored.iter().filter(|x| x.1).count();
    for target in [our_p, 0.95] {
        let mut best = (0.0, 0.0, 1.0f32);
        let mut t = 0.2f32;
        while t <= 1.0 {
            let tp = scored.iter().filter(|x| x.0 >= t && x.1).count();
            let fp = scored.iter().filter(|x| x.0 >= t && !x.1).count();
            let p = ratio(tp, tp + fp);
            let r = ratio(tp, pos);
            if p >= target && r > best.1 {
                best = (p, r, t);
            }
            t += 0.01;
        }
        println!(
            "baseline_char_tfidf target_p={target:.3} threshold={:.2} precision={:.4} recall={:.4} f1={:.4}",
            best.2,
            best.0,
            best.1,
            f1(best.0, best.1)
        );
    }
}
