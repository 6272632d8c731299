//! Knowledge-base search: instant, typo-tolerant, English and Spanish.
//!
//! The widget builds a [`SearchIndex`] from the brand's articles in the
//! browser and queries it on every keystroke; the edge uses the same index
//! for `/suggest`. So the index must build in milliseconds, answer in well
//! under a millisecond, fit in wasm, and rank the way a customer expects:
//!
//! - Words are analysed with [`crate::normalize`] in each article's language
//!   (folding, stop words, Snowball stems). A query is analysed with the
//!   pipeline of every language the knowledge base holds, so a Spanish query
//!   finds Spanish articles in a mixed base without a language switch.
//! - Ranking is BM25F: per-field length normalisation, then field weights
//!   title > tags > body, combined before term saturation so a word repeated
//!   in title and body does not count twice. Each query word in an article's
//!   title adds a bonus: FAQ titles are questions, and a query that shares
//!   their words usually asks the same thing. Stop words are indexed too
//!   (weakly, by IDF): `where`, `why`, `how long` carry the question's type.
//! - As-you-type: the last word, while still being typed, also matches as a
//!   prefix; words the knowledge base does not know are matched within one
//!   edit (4+ letters) or two (8+ letters) over the sorted vocabulary
//!   ([`vocab`]). An exact match outranks a prefix match, which outranks a
//!   typo match.
//! - Hits carry a plain-text [`Snippet`] with matched words as byte ranges.
//!
//! Everything is deterministic (ties break by article id) and free of
//! clocks and threads, so it runs unchanged on wasm32.
//!
//! ```
//! use chorus_core::api::Article;
//! use chorus_core::search::{SearchIndex, SearchOptions};
//!
//! let article = |id: &str, title: &str, body: &str, lang: &str| Article {
//!     id: id.into(),
//!     title: title.into(),
//!     body: body.into(),
//!     tags: vec![],
//!     lang: lang.into(),
//!     updated_at: 0,
//! };
//! let index = SearchIndex::new(&[
//!     article("returns", "Returning an item", "Send it back within **30 days**.", "en"),
//!     article("envios", "Tiempos de envío", "Los pedidos llegan en dos días.", "es"),
//! ]);
//! // As the customer types: the last word is a prefix, typos are forgiven.
//! let hits = index.search("how do I retu", 5);
//! assert_eq!(hits[0].id, "returns");
//! assert_eq!(index.search("envio pedidso", 5)[0].id, "envios");
//! // Snippets are plain text with matched words as byte ranges.
//! let hit = &index.search("days", 1)[0];
//! let (a, b) = hit.snippet.highlights[0];
//! assert_eq!(&hit.snippet.text[a..b], "days");
//! // A finished query (e.g. `/suggest` for a submitted question):
//! let opts = SearchOptions { limit: 3, as_you_type: false, ..SearchOptions::default() };
//! assert!(index.search_with("retu", &opts).is_empty());
//! ```

mod snippet;
mod vocab;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

use crate::api::Article;
use crate::normalize::{self, Lang};
pub use snippet::Snippet;
use vocab::Vocab;

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The article's id.
    pub id: String,
    /// Relevance; only meaningful for ordering hits of one query.
    pub score: f32,
    /// An excerpt of the body around the matched words.
    pub snippet: Snippet,
    /// Byte ranges of matched words in the article's title.
    #[serde(default)]
    pub title_highlights: Vec<(usize, usize)>,
}

/// How a query is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Approximate snippet length in bytes.
    pub snippet_bytes: usize,
    /// Treat the last word as still being typed (prefix match) unless the
    /// query ends with a space or punctuation.
    pub as_you_type: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 5,
            snippet_bytes: 160,
            as_you_type: true,
        }
    }
}

/// Ranking parameters. Public so the evaluation can report what it ran with;
/// the defaults are what the product uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ranking {
    /// BM25 term-frequency saturation.
    pub k1: f32,
    /// Field weights: title, tags, body.
    pub weights: [f32; 3],
    /// Length normalisation per field: title, tags, body.
    pub b: [f32; 3],
    /// Weight of a prefix match relative to an exact one.
    pub prefix: f32,
    /// Weight of a one-edit match.
    pub fuzzy1: f32,
    /// Weight of a two-edit match.
    pub fuzzy2: f32,
    /// Extra share of the score for an article whose title holds all query words.
    pub title_bonus: f32,
    /// Weight of a stop word of the query (0: ignored). Stop words carry
    /// the question's type (`where`, `why`, `how long`), which FAQ titles share.
    pub stop_weight: f32,
    /// Also look for typo matches of a known word found in at most this many
    /// articles (a word that rare may itself be a typo). Unknown words are
    /// always looked up with typos.
    pub fuzzy_rare_df: u32,
    /// Extra share of the score when the title holds the query's adjacent
    /// word pairs in order (all pairs: the full share).
    pub phrase_bonus: f32,
    /// Prefix expansions kept for the word being typed, most frequent first.
    pub prefix_terms: usize,
}

impl Default for Ranking {
    fn default() -> Self {
        // Tuned on two public FAQ sets (web-app help, COVID-19): see
        // `cargo xtask eval search`. Generic values, no per-word rules.
        Ranking {
            k1: 3.0,
            weights: [3.0, 2.0, 1.0],
            b: [0.75, 0.5, 0.75],
            prefix: 0.8,
            fuzzy1: 0.6,
            fuzzy2: 0.45,
            title_bonus: 2.0,
            stop_weight: 1.0,
            fuzzy_rare_df: 1,
            prefix_terms: 24,
            phrase_bonus: 0.5,
        }
    }
}

/// Words longer than this (bytes, folded) are not indexed: URLs, hashes, junk.
const MAX_WORD_BYTES: usize = 40;
/// Query words considered; the rest of a pasted essay is ignored.
const MAX_QUERY_WORDS: usize = 32;
/// Typo alternatives kept per query word.
const MAX_FUZZY_TERMS: usize = 24;
const NO_TERM: u32 = u32::MAX;
/// Marks a stop-word term in the build-time surface cache.
const STOP_BIT: u32 = 1 << 31;
/// Marks, on a posting's doc id, that the term occurs in the title.
const TITLE_BIT: u32 = 1 << 31;
const TITLE: usize = 0;
const TAGS: usize = 1;
const BODY: usize = 2;

/// A small, fast, deterministic hasher (FxHash) for build-time maps.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A stored article: what snippets and ids need.
#[derive(Debug, Clone)]
struct Doc {
    id: String,
    title: String,
    /// The body as plain text (Markdown markers removed).
    body: String,
}

/// An immutable search index over a set of articles.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    docs: Vec<Doc>,
    /// Which languages occur (indexed by `Lang as usize`).
    langs: [bool; 2],
    /// Sorted stems; a term id is an index here.
    terms: Vec<Box<str>>,
    idf: Vec<f32>,
    /// Postings of term `t`: `post_start[t]..post_start[t + 1]`; a doc id
    /// with `TITLE_BIT` set has the term in its title.
    post_start: Vec<u32>,
    post_doc: Vec<u32>,
    /// Saturated BM25F term weight of each posting (multiply by idf).
    post_tf: Vec<f32>,
    /// Folded surface words, for prefix and typo lookups.
    vocab: Vocab,
    /// For each surface word, its term per language (or `NO_TERM`).
    surface_terms: Vec<[u32; 2]>,
    /// Surface words of term `t`: `ts_start[t]..ts_start[t + 1]` in `ts_ids`.
    ts_start: Vec<u32>,
    ts_ids: Vec<u32>,
    /// Title terms of doc `d` in order: `title_seq[title_start[d]..title_start[d + 1]]`.
    title_seq: Vec<u32>,
    title_start: Vec<u32>,
    ranking: Ranking,
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Es => 1,
    }
}

/// Interns `s` in `map`, returning its id.
fn intern(map: &mut FxMap<Box<str>, u32>, s: &str) -> u32 {
    if let Some(&id) = map.get(s) {
        return id;
    }
    let id = map.len() as u32;
    map.insert(Box::from(s), id);
    id
}

/// Sorts interned strings, returning them in order and old id → new id
/// (`NO_TERM` for ids not in `pairs`; `ids` is the number of old ids).
fn sort_interned(mut pairs: Vec<(Box<str>, u32)>, ids: usize) -> (Vec<Box<str>>, Vec<u32>) {
    pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut remap = vec![NO_TERM; ids];
    let mut words = Vec::with_capacity(pairs.len());
    for (new, (w, old)) in pairs.into_iter().enumerate() {
        remap[old as usize] = new as u32;
        words.push(w);
    }
    (words, remap)
}

/// What a query has gathered for one article.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    /// Sum over query words of each word's best match.
    total: f32,
    /// The current query word's best match.
    best: f32,
    /// Query words (not stop words) found in the title.
    in_title: u16,
    seen: bool,
    /// Whether the current query word's match is in the title.
    best_title: bool,
}

/// One query word and the index terms it may match, each with a weight.
#[derive(Debug, Default)]
struct Clause {
    /// `(term, weight, is a stop word)`.
    alts: Vec<(u32, f32, bool)>,
    /// Position of the word in the query.
    pos: usize,
}

impl Clause {
    fn add(&mut self, term: u32, weight: f32) {
        self.add_as(term, weight, false);
    }

    fn add_as(&mut self, term: u32, weight: f32, stop: bool) {
        if let Some(a) = self.alts.iter_mut().find(|a| a.0 == term) {
            a.1 = a.1.max(weight);
        } else {
            self.alts.push((term, weight, stop));
        }
    }
}

impl SearchIndex {
    /// Builds an index over `articles` with the default ranking.
    pub fn new(articles: &[Article]) -> Self {
        Self::with_ranking(articles, Ranking::default())
    }

    /// Builds an index with explicit ranking parameters.
    pub fn with_ranking(articles: &[Article], ranking: Ranking) -> Self {
        let mut surf_map: FxMap<Box<str>, u32> = FxMap::default();
        let mut surf_terms: Vec<[u32; 2]> = Vec::new();
        let mut term_map: FxMap<Box<str>, u32> = FxMap::default();
        let mut langs = [false; 2];
        // (term, doc, tf per field), in doc order.
        let mut raw: Vec<(u32, u32, [u16; 3])> = Vec::new();
        let mut lens: Vec<[u32; 3]> = Vec::with_capacity(articles.len());
        let mut docs = Vec::with_capacity(articles.len());
        let mut doc_terms: Vec<u64> = Vec::new();
        // Title terms in order (for phrase matches), per doc.
        let mut title_seq: Vec<u32> = Vec::new();
        let mut title_start: Vec<u32> = vec![0];

        for (d, a) in articles.iter().enumerate() {
            let lang = Lang::from_code(&a.lang)
                .unwrap_or_else(|| normalize::detect_lang(&format!("{} {}", a.title, a.body)));
            let li = lang_index(lang);
            langs[li] = true;
            let body = snippet::plain_text(&a.body);
            let tags = a.tags.join(" ; ");
            let mut len = [0u32; 3];
            doc_terms.clear();
            for (field, text) in [(TITLE, a.title.as_str()), (TAGS, &tags), (BODY, &body)] {
                normalize::for_each_token(text, |w, _, _| {
                    if w.len() > MAX_WORD_BYTES {
                        return;
                    }
                    let sid = intern(&mut surf_map, w) as usize;
                    if sid == surf_terms.len() {
                        surf_terms.push([NO_TERM; 2]);
                    }
                    let mut t = surf_terms[sid][li];
                    if t == NO_TERM {
                        // Stop words are indexed unstemmed, flagged so they
                        // are never offered as prefix or typo candidates.
                        t = if normalize::is_stop_word(w, lang) {
                            intern(&mut term_map, w) | STOP_BIT
                        } else {
                            intern(&mut term_map, &normalize::stem_folded(w, lang))
                        };
                        surf_terms[sid][li] = t;
                    }
                    // One u64 per occurrence: a single sort instance in wasm.
                    doc_terms.push(u64::from(t) << 8 | field as u64);
                    if field == TITLE && title_seq.len() < u32::MAX as usize {
                        title_seq.push(t & !STOP_BIT);
                    }
                    len[field] += 1;
                });
            }
            title_start.push(title_seq.len() as u32);
            doc_terms.sort_unstable();
            let mut i = 0;
            while i < doc_terms.len() {
                let t = (doc_terms[i] >> 8) as u32;
                let mut tf = [0u16; 3];
                while i < doc_terms.len() && (doc_terms[i] >> 8) as u32 == t {
                    let f = (doc_terms[i] & 0xFF) as usize;
                    tf[f] = tf[f].saturating_add(1);
                    i += 1;
                }
                // (the stop flag stays on `t` until the postings are laid out)
                raw.push((t, d as u32, tf));
            }
            lens.push(len);
            docs.push(Doc {
                id: a.id.clone(),
                title: a.title.clone(),
                body,
            });
        }

        let n_docs = docs.len().max(1) as f32;
        let mut avg = [0f32; 3];
        for l in &lens {
            for f in 0..3 {
                avg[f] += l[f] as f32;
            }
        }
        for a in &mut avg {
            *a = (*a / n_docs).max(1.0);
        }

        let n_old_terms = term_map.len();
        let (terms, term_remap) = sort_interned(term_map.into_iter().collect(), n_old_terms);
        // Only content words go to the prefix/typo vocabulary.
        let content = |ts: &[u32; 2]| ts.iter().any(|&t| t != NO_TERM && t & STOP_BIT == 0);
        let kept: Vec<(Box<str>, u32)> = surf_map
            .into_iter()
            .filter(|(_, old)| content(&surf_terms[*old as usize]))
            .collect();
        let (surfaces, surf_remap) = sort_interned(kept, surf_terms.len());
        let n_terms = terms.len();
        for t in &mut title_seq {
            *t = term_remap[*t as usize];
        }

        // Postings by term (counting sort keeps doc order inside a term).
        let mut post_start = vec![0u32; n_terms + 1];
        for &(t, _, _) in &raw {
            post_start[term_remap[(t & !STOP_BIT) as usize] as usize + 1] += 1;
        }
        for t in 0..n_terms {
            post_start[t + 1] += post_start[t];
        }
        let mut fill: Vec<u32> = post_start[..n_terms].to_vec();
        let mut post_doc = vec![0u32; raw.len()];
        let mut post_tf = vec![0f32; raw.len()];
        for &(t, d, tf) in &raw {
            let t = term_remap[(t & !STOP_BIT) as usize] as usize;
            let at = fill[t] as usize;
            fill[t] += 1;
            post_doc[at] = d | if tf[TITLE] > 0 { TITLE_BIT } else { 0 };
            // BM25F: per-field length normalisation, field weights, then
            // one saturation for the combined frequency.
            let l = lens[d as usize];
            let mut x = 0f32;
            for f in 0..3 {
                let denom = 1.0 - ranking.b[f] + ranking.b[f] * l[f] as f32 / avg[f];
                x += ranking.weights[f] * tf[f] as f32 / denom.max(1e-3);
            }
            post_tf[at] = x * (ranking.k1 + 1.0) / (ranking.k1 + x).max(1e-6);
        }
        drop(raw);
        let idf = (0..n_terms)
            .map(|t| {
                let df = (post_start[t + 1] - post_start[t]) as f32;
                (1.0 + (n_docs - df + 0.5) / (df + 0.5)).ln()
            })
            .collect();

        // Surface word → terms, and back.
        let mut surface_terms = vec![[NO_TERM; 2]; surfaces.len()];
        for (old, ts) in surf_terms.iter().enumerate() {
            let new = surf_remap[old];
            if new == NO_TERM {
                continue;
            }
            let mut mapped = [NO_TERM; 2];
            for l in 0..2 {
                if ts[l] != NO_TERM && ts[l] & STOP_BIT == 0 {
                    mapped[l] = term_remap[ts[l] as usize];
                }
            }
            surface_terms[new as usize] = mapped;
        }
        let mut pairs: Vec<u64> = Vec::with_capacity(surfaces.len());
        for (s, ts) in surface_terms.iter().enumerate() {
            for &t in ts {
                if t != NO_TERM {
                    pairs.push(u64::from(t) << 32 | s as u64);
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut ts_start = vec![0u32; n_terms + 1];
        for &p in &pairs {
            ts_start[(p >> 32) as usize + 1] += 1;
        }
        for t in 0..n_terms {
            ts_start[t + 1] += ts_start[t];
        }
        let ts_ids = pairs.into_iter().map(|p| p as u32).collect();

        SearchIndex {
            docs,
            langs,
            terms,
            idf,
            post_start,
            post_doc,
            post_tf,
            vocab: Vocab::from_sorted(surfaces),
            surface_terms,
            ts_start,
            ts_ids,
            title_seq,
            title_start,
            ranking,
        }
    }

    /// Number of indexed articles.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether the index holds no article.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Number of distinct indexed terms (stems).
    pub fn term_count(&self) -> usize {
        self.terms.len()
    }

    /// Estimated heap memory of the index in bytes: the capacities of all
    /// vectors times their element sizes, plus the bytes of every owned
    /// string. Allocator overhead is not counted.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let docs = self.docs.capacity() * size_of::<Doc>()
            + self
                .docs
                .iter()
                .map(|d| d.id.capacity() + d.title.capacity() + d.body.capacity())
                .sum::<usize>();
        let terms = self.terms.capacity() * size_of::<Box<str>>()
            + self.terms.iter().map(|t| t.len()).sum::<usize>();
        docs + terms
            + self.idf.capacity() * size_of::<f32>()
            + self.post_start.capacity() * size_of::<u32>()
            + self.post_doc.capacity() * size_of::<u32>()
            + self.post_tf.capacity() * size_of::<f32>()
            + self.vocab.heap_bytes()
            + self.surface_terms.capacity() * size_of::<[u32; 2]>()
            + self.ts_start.capacity() * size_of::<u32>()
            + self.ts_ids.capacity() * size_of::<u32>()
            + self.title_seq.capacity() * size_of::<u32>()
            + self.title_start.capacity() * size_of::<u32>()
    }

    /// The best `limit` hits for `query` with default options.
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(
            query,
            &SearchOptions {
                limit,
                ..SearchOptions::default()
            },
        )
    }

    fn term_id(&self, stem: &str) -> Option<u32> {
        self.terms
            .binary_search_by(|t| (**t).cmp(stem))
            .ok()
            .map(|i| i as u32)
    }

    fn df(&self, term: u32) -> u32 {
        let t = term as usize;
        self.post_start[t + 1] - self.post_start[t]
    }

    /// The terms of the analysis languages that surface word `s` maps to.
    fn surface_term_ids(&self, s: u32) -> impl Iterator<Item = u32> + '_ {
        let ts = self
            .surface_terms
            .get(s as usize)
            .copied()
            .unwrap_or([NO_TERM; 2]);
        (0..2).filter_map(move |l| (self.langs[l] && ts[l] != NO_TERM).then_some(ts[l]))
    }

    /// Turns the query into clauses of weighted alternative terms.
    fn analyse(&self, query: &str, as_you_type: bool) -> Vec<Clause> {
        let mut words: Vec<(String, usize)> = Vec::new();
        normalize::for_each_token(query, |w, _, end| {
            if words.len() < MAX_QUERY_WORDS {
                words.push((w.to_string(), end));
            }
        });
        let open_last = as_you_type
            && words
                .last()
                .is_some_and(|&(_, end)| end == query.len() && words.len() <= MAX_QUERY_WORDS);
        let n = words.len();
        let r = self.ranking;
        let mut clauses = Vec::with_capacity(n);
        for (i, (w, _)) in words.iter().enumerate() {
            let open = open_last && i + 1 == n;
            let mut clause = Clause {
                pos: i,
                ..Clause::default()
            };
            let mut stop_everywhere = true;
            // A function word of any of the base's languages is one in the
            // query too: "el" must not match an English stem "el".
            let is_stop = Lang::ALL
                .into_iter()
                .any(|l| self.langs[lang_index(l)] && normalize::is_stop_word(w, l));
            for lang in Lang::ALL {
                if !self.langs[lang_index(lang)] {
                    continue;
                }
                if is_stop {
                    if r.stop_weight > 0.0
                        && let Some(t) = self.term_id(w)
                    {
                        clause.add_as(t, r.stop_weight, true);
                    }
                    continue;
                }
                stop_everywhere = false;
                if w.len() > MAX_WORD_BYTES {
                    continue;
                }
                if let Some(t) = self.term_id(&normalize::stem_folded(w, lang)) {
                    clause.add(t, 1.0);
                }
            }
            let chars = w.chars().count();
            if stop_everywhere && !open && clause.alts.is_empty() {
                continue;
            }
            if open && (chars >= 2 || n == 1) {
                let range = self.vocab.prefix_range(w);
                // Most frequent first: key = (!df, term).
                let mut cands: Vec<u64> = Vec::new();
                for s in range {
                    if self.vocab.word(s).len() == w.len() {
                        continue; // the word itself: already exact
                    }
                    for t in self.surface_term_ids(s) {
                        cands.push(u64::from(u32::MAX - self.df(t)) << 32 | u64::from(t));
                    }
                }
                if cands.len() > r.prefix_terms && r.prefix_terms > 0 {
                    cands.select_nth_unstable(r.prefix_terms - 1);
                    cands.truncate(r.prefix_terms);
                }
                cands.sort_unstable();
                for &c in cands.iter().take(r.prefix_terms) {
                    clause.add(c as u32, r.prefix);
                }
            }
            if (4..=MAX_WORD_BYTES).contains(&chars)
                && clause
                    .alts
                    .iter()
                    .all(|a| a.2 || a.1 < 1.0 || self.df(a.0) <= r.fuzzy_rare_df)
            {
                let k = if chars >= 8 { 2 } else { 1 };
                // Fewest edits, then most frequent: key = (edits, !df, term).
                let mut cands: Vec<u64> = Vec::new();
                for (s, d) in self.vocab.fuzzy(w, k, open) {
                    if d == 0 {
                        continue;
                    }
                    for t in self.surface_term_ids(s) {
                        let rarity = u64::from(u32::MAX - self.df(t)) & 0xFF_FFFF;
                        cands.push(u64::from(d) << 56 | rarity << 32 | u64::from(t));
                    }
                }
                cands.sort_unstable();
                for &c in cands.iter().take(MAX_FUZZY_TERMS) {
                    let d = (c >> 56) as u8;
                    clause.add(c as u32, if d <= 1 { r.fuzzy1 } else { r.fuzzy2 });
                }
            }
            if !clause.alts.is_empty() {
                clauses.push(clause);
            }
        }
        clauses
    }

    /// How many pairs of adjacent query words appear next to each other, in
    /// the same order, in the title of `doc`.
    fn title_pairs(&self, doc: usize, clauses: &[Clause]) -> usize {
        let (Some(&a), Some(&b)) = (self.title_start.get(doc), self.title_start.get(doc + 1))
        else {
            return 0;
        };
        let seq = &self.title_seq[a as usize..b as usize];
        let has = |c: &Clause, t: u32| c.alts.iter().any(|x| x.0 == t);
        clauses
            .windows(2)
            .filter(|w| w[1].pos == w[0].pos + 1)
            .filter(|w| seq.windows(2).any(|s| has(&w[0], s[0]) && has(&w[1], s[1])))
            .count()
    }

    /// The best hits for `query`, best first, ties broken by article id.
    pub fn search_with(&self, query: &str, opts: &SearchOptions) -> Vec<SearchHit> {
        if self.docs.is_empty() || opts.limit == 0 {
            return Vec::new();
        }
        let clauses = self.analyse(query, opts.as_you_type);
        // Stop words alone ("how do I") name no topic: nothing to suggest yet.
        if !clauses.iter().any(|c| c.alts.iter().any(|a| !a.2)) {
            return Vec::new();
        }
        let r = self.ranking;
        let n = self.docs.len();
        // Per-article accumulators in one array of plain slices (in a
        // size-optimised wasm build each `Vec` index is a call).
        let mut acc_buf = vec![Acc::default(); n];
        let acc: &mut [Acc] = &mut acc_buf;
        let mut touched: Vec<u32> = Vec::new();
        let mut all_touched: Vec<u32> = Vec::new();
        let (post_start, post_doc, post_tf, idfs): (&[u32], &[u32], &[f32], &[f32]) =
            (&self.post_start, &self.post_doc, &self.post_tf, &self.idf);
        for clause in &clauses {
            for &(t, weight, stop) in &clause.alts {
                let idf = idfs[t as usize] * weight;
                let range = post_start[t as usize] as usize..post_start[t as usize + 1] as usize;
                for (&dt, &tf) in post_doc[range.clone()].iter().zip(&post_tf[range]) {
                    let s = idf * tf;
                    let d = (dt & !TITLE_BIT) as usize;
                    if s.is_nan() || s <= 0.0 {
                        continue;
                    }
                    let a = &mut acc[d];
                    if a.best == 0.0 {
                        touched.push(d as u32);
                    }
                    if s > a.best {
                        a.best = s;
                    }
                    if dt & TITLE_BIT != 0 && !stop {
                        a.best_title = true;
                    }
                }
            }
            for &d in &touched {
                let a = &mut acc[d as usize];
                if !a.seen {
                    a.seen = true;
                    all_touched.push(d);
                }
                a.total += a.best;
                a.in_title += u16::from(a.best_title);
                a.best = 0.0;
                a.best_title = false;
            }
            touched.clear();
        }
        let content = clauses
            .iter()
            .filter(|c| c.alts.iter().any(|a| !a.2))
            .count()
            .max(1) as f32;
        // Best first, ties by id; `limit` is small, so keep a sorted top
        // list by insertion instead of sorting every touched article.
        let before = |a: &(f32, u32), b: &(f32, u32)| match b.0.total_cmp(&a.0) {
            std::cmp::Ordering::Equal => self.docs[a.1 as usize].id < self.docs[b.1 as usize].id,
            o => o == std::cmp::Ordering::Less,
        };
        let keep_best = |out: &mut Vec<(f32, u32)>, cand: (f32, u32), k: usize| {
            if out.len() == k && out.last().is_some_and(|w| !before(&cand, w)) {
                return;
            }
            let at = out
                .iter()
                .position(|x| before(&cand, x))
                .unwrap_or(out.len());
            out.insert(at, cand);
            out.truncate(k);
        };
        // A pool of the best by words matched, re-ranked with title phrases.
        let pool_size = (opts.limit * 4).max(20);
        let mut pool: Vec<(f32, u32)> = Vec::with_capacity(pool_size + 1);
        for &d in &all_touched {
            let a = &acc[d as usize];
            let t = f32::from(a.in_title);
            keep_best(
                &mut pool,
                (a.total * (1.0 + r.title_bonus * t / content), d),
                pool_size,
            );
        }
        let pairs = clauses
            .windows(2)
            .filter(|w| w[1].pos == w[0].pos + 1)
            .count();
        let mut scored: Vec<(f32, u32)> = Vec::with_capacity(opts.limit + 1);
        for (score, d) in pool {
            let mut bonus = 1.0;
            if pairs > 0 && r.phrase_bonus > 0.0 {
                let p = self.title_pairs(d as usize, &clauses) as f32;
                bonus += r.phrase_bonus * p / pairs as f32;
            }
            keep_best(&mut scored, (score * bonus, d), opts.limit);
        }

        // Surface words of every matched term, for highlighting.
        let mut marks: Vec<&str> = Vec::new();
        for clause in &clauses {
            for &(t, _, _) in &clause.alts {
                let t = t as usize;
                for &s in &self.ts_ids[self.ts_start[t] as usize..self.ts_start[t + 1] as usize] {
                    marks.push(self.vocab.word(s));
                }
            }
        }
        let marks = snippet::MarkSet::new(marks);
        scored
            .into_iter()
            .map(|(score, d)| {
                let doc = &self.docs[d as usize];
                let ranges = snippet::matched_ranges(&doc.body, &marks);
                SearchHit {
                    id: doc.id.clone(),
                    score,
                    snippet: snippet::excerpt(&doc.body, &ranges, opts.snippet_bytes),
                    title_highlights: snippet::matched_ranges(&doc.title, &marks),
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
