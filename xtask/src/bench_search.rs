//! `cargo xtask bench-native search`: speed and size of the search index.
//!
//! The widget queries on every keystroke, so the figures that matter are
//! per-keystroke latency (p50/p99), index build time (paid when the widget
//! opens) and memory. Articles are generated from a seeded Zipf-distributed
//! vocabulary of shop-FAQ words plus made-up long-tail words, with titles of
//! 4–10 words and bodies of 60–260 words, so 1,000 and 10,000 articles have
//! the vocabulary growth and posting-list skew of a real knowledge base.
//! Queries are every keystroke prefix (from two characters on) of phrases
//! taken from the articles, some with a typo.
//!
//! On a shared machine, interference only ever adds time: a build's figure
//! is the fastest of five builds, a query's the fastest of three rounds.
//!
//! Memory (`index_bytes_*`) is [`SearchIndex::heap_bytes`]: the capacities of
//! the index's vectors times their element sizes plus the bytes of its
//! strings, without allocator overhead.
//!
//! Writes `target/bench/search.json`: one flat object, units in the names.

use std::path::Path;
use std::time::Instant;

use crate::rng::SplitMix as Rng;
use chorus_core::api::Article;
use chorus_core::search::{SearchIndex, SearchOptions};

/// Real shop-FAQ words, most frequent first (they head the Zipf ranking).
const SHOP_WORDS: &str = "order account payment refund return shipping delivery card \
    password email address item product package tracking number days business store \
    price discount code coupon gift subscription cancel change update delete reset login \
    sign invoice receipt tax customer support service phone chat hours weekend holiday \
    exchange size colour stock available warehouse courier international express standard \
    free cost fee charge bank transfer paypal wallet balance credit debit expired declined \
    security verification app mobile website browser notification newsletter privacy data \
    profile settings language currency country region warranty repair damaged missing \
    wrong late early pickup locker collect signature insurance customs duty label box \
    envelope fragile battery charger cable screen device laptop tablet headphones shoes \
    jacket shirt dress trousers bag watch jewellery furniture kitchen garden toys books \
    loyalty points rewards member premium plan monthly yearly trial renewal upgrade \
    downgrade pause resume transfer ownership family share link device limit";

/// Function words mixed into the text at realistic rates.
const GLUE: &[&str] = &[
    "the", "a", "to", "your", "you", "and", "of", "is", "in", "for", "can", "we", "it", "on",
    "with", "how", "do", "i", "my", "if", "be", "will", "are", "this", "our", "when", "what",
];

/// A vocabulary: the shop words, then pronounceable made-up words.
fn vocabulary(size: usize, rng: &mut Rng) -> Vec<String> {
    let mut words: Vec<String> = SHOP_WORDS.split_whitespace().map(str::to_string).collect();
    let onsets = [
        "b", "c", "d", "f", "g", "l", "m", "n", "p", "r", "s", "t", "v", "st", "pr", "tr", "ch",
    ];
    let vowels = ["a", "e", "i", "o", "u", "ea", "io"];
    let codas = ["", "n", "r", "s", "t", "l", "nd", "st", "ck"];
    let suffixes = ["", "", "s", "ing", "ed", "er", "ation", "ment", "able"];
    while words.len() < size {
        let syllables = 1 + rng.below(3);
        let mut w = String::new();
        for _ in 0..syllables {
            w.push_str(onsets[rng.below(onsets.len())]);
            w.push_str(vowels[rng.below(vowels.len())]);
            w.push_str(codas[rng.below(codas.len())]);
        }
        w.push_str(suffixes[rng.below(suffixes.len())]);
        if w.len() >= 3 {
            words.push(w);
        }
    }
    words
}

/// Zipf sampler (exponent 1) over ranks `0..n`.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize) -> Self {
        let mut acc = 0.0;
        let cumulative = (1..=n)
            .map(|r| {
                acc += 1.0 / r as f64;
                acc
            })
            .collect();
        Zipf { cumulative }
    }
    fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        self.cumulative
            .partition_point(|&c| c < x)
            .min(self.cumulative.len() - 1)
    }
}

fn sentence(words: &[String], zipf: &Zipf, len: usize, rng: &mut Rng) -> String {
    let mut out = String::new();
    for i in 0..len {
        if i > 0 {
            out.push(' ');
        }
        if rng.below(10) < 4 {
            out.push_str(GLUE[rng.below(GLUE.len())]);
        } else {
            out.push_str(&words[zipf.sample(rng)]);
        }
    }
    out
}

fn articles(n: usize, seed: u64) -> Vec<Article> {
    let mut rng = Rng(seed);
    let words = vocabulary(20_000, &mut rng);
    let zipf = Zipf::new(words.len());
    (0..n)
        .map(|i| {
            let title_len = 4 + rng.below(7);
            let mut title = sentence(&words, &zipf, title_len, &mut rng);
            title.push('?');
            let body_words = 60 + rng.below(200);
            let mut body = String::new();
            let mut left = body_words;
            while left > 0 {
                let s = (6 + rng.below(14)).min(left);
                left -= s;
                let mut sent = sentence(&words, &zipf, s, &mut rng);
                if let Some(first) = sent.get(..1) {
                    let upper = first.to_uppercase();
                    sent.replace_range(..1, &upper);
                }
                body.push_str(&sent);
                body.push_str(". ");
            }
            Article {
                id: format!("a{i}"),
                title,
                body,
                tags: Vec::new(),
                lang: "en".into(),
                updated_at: 0,
            }
        })
        .collect()
}

/// Every keystroke prefix (2+ characters) of phrases from the articles;
/// one phrase in four carries a typo. At least `min` queries.
fn keystroke_queries(articles: &[Article], min: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    while out.len() < min {
        let a = &articles[rng.below(articles.len())];
        let source = if rng.below(2) == 0 { &a.title } else { &a.body };
        let words: Vec<&str> = source
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            continue;
        }
        let start = rng.below(words.len());
        let len = (2 + rng.below(4)).min(words.len() - start);
        let mut phrase = words[start..start + len].join(" ").to_lowercase();
        if rng.below(4) == 0 && phrase.len() > 4 {
            // Swap two neighbouring letters somewhere after the first.
            let mut c: Vec<char> = phrase.chars().collect();
            let at = 1 + rng.below(c.len() - 2);
            c.swap(at, at + 1);
            phrase = c.into_iter().collect();
        }
        let chars: Vec<(usize, char)> = phrase.char_indices().collect();
        for k in 2..=chars.len() {
            let end = chars.get(k).map_or(phrase.len(), |c| c.0);
            out.push(phrase[..end].to_string());
        }
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// The articles and keystroke queries of the `n`-article bench; the widget
/// bench in Chromium (`bench_widget.rs`) runs exactly these too.
pub fn corpus(n: usize) -> (Vec<Article>, Vec<String>) {
    let arts = articles(n, 0xC0FFEE + n as u64);
    let queries = keystroke_queries(&arts, 2_000, 99 + n as u64);
    (arts, queries)
}

/// Builds and queries one corpus size; returns named figures.
fn bench(n: usize, suffix: &str) -> Vec<(String, f64)> {
    let (arts, queries) = corpus(n);
    // Build: the fastest of five (the machine is shared; slower runs
    // measure the neighbours, not the index).
    let mut builds = Vec::new();
    let mut index = SearchIndex::default();
    for _ in 0..5 {
        let t = Instant::now();
        index = SearchIndex::new(&arts);
        builds.push(t.elapsed().as_secs_f64() * 1e3);
    }
    builds.sort_by(f64::total_cmp);
    let opts = SearchOptions::default();
    // Warm up caches once, then time every query.
    let mut hits = 0usize;
    for q in queries.iter().take(200) {
        hits += index.search_with(q, &opts).len();
    }
    // Each query's time is its fastest of three rounds, for the same reason.
    let mut times = vec![f64::INFINITY; queries.len()];
    for _ in 0..3 {
        for (q, best) in queries.iter().zip(&mut times) {
            let t = Instant::now();
            let r = index.search_with(q, &opts);
            *best = best.min(t.elapsed().as_secs_f64() * 1e6);
            hits += r.len();
        }
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
    let bytes = index.heap_bytes() as f64;
    let text_bytes: usize = arts.iter().map(|a| a.title.len() + a.body.len()).sum();
    eprintln!(
        "{n} articles ({:.1} MB text, {} terms): build {:.1} ms, {} queries, {:.1} hits/query",
        text_bytes as f64 / 1e6,
        index.term_count(),
        builds[0],
        queries.len(),
        hits as f64 / (3 * queries.len() + 200) as f64
    );
    vec![
        (format!("query_p50_us_{suffix}"), percentile(&times, 0.50)),
        (format!("query_p99_us_{suffix}"), percentile(&times, 0.99)),
        (format!("query_max_us_{suffix}"), percentile(&times, 1.0)),
        (format!("query_mean_us_{suffix}"), mean),
        (format!("queries_{suffix}"), times.len() as f64),
        (format!("build_ms_{suffix}"), builds[0]),
        (format!("index_bytes_{suffix}"), bytes),
        (format!("text_bytes_{suffix}"), text_bytes as f64),
    ]
}

/// Entry point called by `cargo xtask`; `args` are the arguments after the subcommand.
pub fn run(args: &[String], repo: &Path) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!(
            "unexpected argument {a:?}; usage: cargo xtask bench-native search"
        ));
    }
    let mut figures = bench(1_000, "1k");
    figures.extend(bench(10_000, "10k"));
    let mut obj = serde_json::Map::new();
    for (k, v) in &figures {
        let rounded = (v * 10.0).round() / 10.0;
        let value = if rounded.fract() == 0.0 && rounded.abs() < 9e15 {
            serde_json::json!(rounded as i64)
        } else {
            serde_json::json!(rounded)
        };
        obj.insert(k.clone(), value);
        println!("{k}={rounded}");
    }
    let dir = repo.join("target").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join("search.json");
    let json = serde_json::to_string_pretty(&serde_json::Value::Object(obj))
        .map_err(|e| format!("cannot encode figures: {e}"))?;
    std::fs::write(&path, json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}
