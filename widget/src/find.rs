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

/// The knowledge base and, with `search`, its index.
pub struct Finder {
    articles: Vec<Article>,
    #[cfg(feature = "search")]
    index: chorus_core::search::SearchIndex,
}

impl Finder {
    /// Indexes `articles` (the expensive step; done once per ETag).
    pub fn new(articles: Vec<Article>) -> Self {
        Self {
            #[cfg(feature = "search")]
            index: chorus_core::search::SearchIndex::new(&articles),
            articles,
        }
    }

    /// Number of articles.
    #[cfg(feature = "bench")]
    pub fn len(&self) -> usize {
        self.articles.len()
    }

    /// The article with this id.
    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }

    /// Ranked results for `query`; an empty query lists the first articles.
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
        use chorus_core::search::SearchOptions;
        let opts = SearchOptions {
            limit: SEARCH_LIMIT,
            snippet_bytes: 140,
            as_you_type: true,
        };
        self.index
            .search_with(query, &opts)
            .into_iter()
            .filter_map(|hit| {
                let a = self.article(&hit.id)?;
                Some(Row {
                    title: mark(&a.title, &hit.title_highlights),
                    snippet: mark(&hit.snippet.text, &hit.snippet.highlights),
                    id: hit.id,
                })
            })
            .collect()
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
