//! Finding articles for what the customer types.
//!
//! With the `search` feature (the default) this is `chorus_core::search`:
//! ranked, typo-tolerant, prefix-aware, English and Spanish. Without it, a
//! case-insensitive substring filter, so `cargo xtask bench` can measure
//! what the search engine adds to the widget's size.

use chorus_core::api::Article;

/// Text cut into runs; `true` runs are matches, rendered in `<mark>`.
pub type Marked = Vec<(String, bool)>;

/// One result, ready to render.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Article id.
    pub id: String,
    /// The title with matched words marked.
    pub title: Marked,
    /// An excerpt of the body with matched words marked (empty without a query).
    pub snippet: Marked,
}

/// Results shown for an empty query (the start of the knowledge base).
pub const BROWSE_LIMIT: usize = 50;
/// Results shown for a query.
pub const SEARCH_LIMIT: usize = 8;

/// The knowledge base and, with `search`, its index once built.
///
/// Listing the articles (an empty query) needs no index, so the widget
/// shows the knowledge base at once and builds the index on the first
/// query ([`Finder::prepare`]). With the `split` feature the search engine
/// is a separate wasm chunk that is fetched then; until it is ready
/// [`Finder::ready`] is false and a query finds nothing.
pub struct Finder {
    articles: Vec<Article>,
    #[cfg(feature = "search")]
    engine: std::sync::OnceLock<Box<dyn Engine>>,
    #[cfg(feature = "search")]
    preparing: std::sync::atomic::AtomicBool,
}

impl Finder {
    /// The knowledge base, not indexed yet.
    pub fn new(articles: Vec<Article>) -> Self {
        Self {
            articles,
            #[cfg(feature = "search")]
            engine: std::sync::OnceLock::new(),
            #[cfg(feature = "search")]
            preparing: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The knowledge base, indexed now (the bench times this).
    #[cfg(feature = "bench")]
    pub fn indexed(articles: Vec<Article>) -> Self {
        let f = Self::new(articles);
        let _ = f.engine.set(engine(&f.articles));
        f
    }

    /// Number of articles.
    #[cfg(feature = "bench")]
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// Whether a query can be answered (the index is built).
    pub fn ready(&self) -> bool {
        #[cfg(feature = "search")]
        return self.engine.get().is_some();
        #[cfg(not(feature = "search"))]
        true
    }

    /// Builds the index (loading the search chunk first with `split`);
    /// returns whether this call built it (false: ready or under way).
    pub async fn prepare(&self) -> bool {
        #[cfg(feature = "search")]
        {
            use std::sync::atomic::Ordering;
            if self.ready() || self.preparing.swap(true, Ordering::Relaxed) {
                return false;
            }
            #[cfg(feature = "split")]
            let e = engine_chunk(&self.articles).await;
            #[cfg(not(feature = "split"))]
            let e = engine(&self.articles);
            let _ = self.engine.set(e);
            true
        }
        #[cfg(not(feature = "search"))]
        false
    }

    /// The article with this id.
    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// Ranked results for `query`; an empty query lists the first articles.
    /// Before the index is ready ([`Finder::ready`]) a query finds nothing.
    pub fn find(&self, query: &str) -> Vec<Row> {
        if query.trim().is_empty() {
            return self
                .articles
                .iter()
                .take(BROWSE_LIMIT)
                .map(|a| Row {
                    id: a.id.clone(),
                    title: vec![(a.title.clone(), false)],
                    snippet: Vec::new(),
                })
                .collect();
        }
        self.search(query)
    }

    #[cfg(feature = "search")]
    fn search(&self, query: &str) -> Vec<Row> {
        match self.engine.get() {
            Some(e) => e.search(&self.articles, query),
            None => Vec::new(),
        }
    }

    #[cfg(not(feature = "search"))]
    fn search(&self, query: &str) -> Vec<Row> {
        let q = query.trim().to_lowercase();
        self.articles
            .iter()
            .filter(|a| a.title.to_lowercase().contains(&q) || a.body.to_lowercase().contains(&q))
            .take(SEARCH_LIMIT)
            .map(|a| Row {
                id: a.id.clone(),
                title: vec![(a.title.clone(), false)],
                snippet: Vec::new(),
            })
            .collect()
    }
}

/// A built search index, behind a trait object so that, with `split`, its
/// code is reached only through [`engine_chunk`] and lands in that chunk.
#[cfg(feature = "search")]
pub trait Engine: Send + Sync {
    /// Ranked rows of `articles` (the ones indexed) for `query`.
    fn search(&self, articles: &[Article], query: &str) -> Vec<Row>;
}

#[cfg(feature = "search")]
struct Index(chorus_core::search::SearchIndex);

#[cfg(feature = "search")]
impl Engine for Index {
    fn search(&self, articles: &[Article], query: &str) -> Vec<Row> {
        use chorus_core::search::SearchOptions;
        let opts = SearchOptions {
            limit: SEARCH_LIMIT,
            snippet_bytes: 140,
            as_you_type: true,
        };
        self.0
            .search_with(query, &opts)
            .into_iter()
            .filter_map(|hit| {
                let a = articles.iter().find(|a| a.id == hit.id)?;
                Some(Row {
                    title: mark(&a.title, &hit.title_highlights),
                    snippet: mark(&hit.snippet.text, &hit.snippet.highlights),
                    id: hit.id,
                })
            })
            .collect()
    }
}

/// Indexes `articles` (the expensive step; done once per ETag).
#[cfg(feature = "search")]
fn engine(articles: &[Article]) -> Box<dyn Engine> {
    Box::new(Index(chorus_core::search::SearchIndex::new(articles)))
}

/// [`engine`] in the `search` wasm chunk, fetched on the first call.
#[cfg(all(feature = "search", feature = "split"))]
#[leptos::wasm_split::wasm_split(search, wasm_split_path = ::leptos::wasm_split)]
fn engine_chunk(articles: &[Article]) -> Box<dyn Engine> {
    engine(articles)
}

/// Cuts `text` at the byte ranges `marks`. Ranges that are out of bounds,
/// not on character boundaries or overlapping an earlier one are ignored,
/// so bad ranges can never panic or garble the text.
#[cfg_attr(not(feature = "search"), allow(dead_code))]
pub fn mark(text: &str, marks: &[(usize, usize)]) -> Marked {
    let mut sorted = marks.to_vec();
    sorted.sort_unstable();
    let mut out = Vec::new();
    let mut at = 0;
    for (a, b) in sorted {
        if a < at
            || a >= b
            || b > text.len()
            || !text.is_char_boundary(a)
            || !text.is_char_boundary(b)
        {
            continue;
        }
        if a > at {
            out.push((text[at..a].to_string(), false));
        }
        out.push((text[a..b].to_string(), true));
        at = b;
    }
    if at < text.len() || out.is_empty() {
        out.push((text[at..].to_string(), false));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_ranges_and_keeps_all_text() {
        let m = mark("Devolución de pedidos", &[(0, 11)]);
        assert_eq!(
            m,
            vec![("Devolución".into(), true), (" de pedidos".into(), false)]
        );
    }

    #[test]
    fn bad_ranges_are_ignored() {
        let t = "añb";
        // 2 is inside 'ñ'; (5, 9) is past the end; (1, 1) is empty; overlap.
        let m = mark(t, &[(2, 3), (3, 9), (1, 1), (0, 1), (0, 3)]);
        assert_eq!(m, vec![("a".into(), true), ("ñb".into(), false)]);
        let joined: String = m.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, t);
    }

    #[test]
    fn empty_text_gives_one_empty_run() {
        assert_eq!(mark("", &[(0, 1)]), vec![(String::new(), false)]);
    }
}
