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

mod build;
mod query;
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

/// Slot of `lang` in per-language arrays.
fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::Es => 1,
    }
}

impl SearchIndex {
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
}

#[cfg(test)]
mod tests;
