//! The sorted word list behind as-you-type and typo-tolerant lookups.
//!
//! Prefix and fuzzy matching work on the folded surface words of the
//! knowledge base (not on stems: `returni` must still find `returning`).
//! Keeping the words sorted makes a prefix a binary-searched range, and lets
//! the fuzzy search walk the list as if it were a trie: consecutive words
//! share their common prefix's rows of the edit-distance table, and a whole
//! run of words sharing a prefix is skipped as soon as that prefix is already
//! too far from the query. That visits a small part of the vocabulary instead
//! of scanning every word or every document.

/// Sorted, deduplicated folded words.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocab {
    words: Vec<Box<str>>,
    /// `lcp[i]`: characters word `i` shares with word `i - 1` (capped at 255);
    /// lets the fuzzy walk reuse rows and skip runs without comparing strings.
    lcp: Vec<u8>,
}

impl Vocab {
    /// Builds from words that are already sorted and deduplicated.
    pub(crate) fn from_sorted(words: Vec<Box<str>>) -> Self {
        debug_assert!(words.windows(2).all(|w| w[0] < w[1]));
        let mut lcp = Vec::with_capacity(words.len());
        let mut prev: &str = "";
        for w in &words {
            let shared = prev
                .chars()
                .zip(w.chars())
                .take_while(|(a, b)| a == b)
                .count();
            lcp.push(shared.min(255) as u8);
            prev = w;
        }
        Vocab { words, lcp }
    }

    /// The word with this id.
    pub(crate) fn word(&self, id: u32) -> &str {
        self.words.get(id as usize).map_or("", |w| w)
    }

    /// Ids of the words starting with `prefix` (a contiguous range).
    pub(crate) fn prefix_range(&self, prefix: &str) -> std::ops::Range<u32> {
        let start = self.words.partition_point(|w| (**w) < *prefix);
        let len = self.words[start..].partition_point(|w| w.starts_with(prefix));
        start as u32..(start + len) as u32
    }

    /// Bytes held, for memory estimates.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.words.capacity() * std::mem::size_of::<Box<str>>()
            + self.words.iter().map(|w| w.len()).sum::<usize>()
            + self.lcp.capacity()
    }

    /// Words within `max_dist` edits of `query` (Levenshtein with adjacent
    /// transpositions counted as one edit), as `(id, distance)` in word
    /// order. With `prefix`, a word matches when one of its prefixes is
    /// within `max_dist` (the query is still being typed).
    pub(crate) fn fuzzy(&self, query: &str, max_dist: u8, prefix: bool) -> Vec<(u32, u8)> {
        let q: Vec<char> = query.chars().collect();
        let m = q.len();
        let k = max_dist;
        let width = m + 1;
        let mut out = Vec::new();
        if m == 0 {
            return out;
        }
        // rows[d * width ..][..width]: distances after `d` chars of the path.
        let mut rows: Vec<u8> = (0..=m).map(|j| j.min(255) as u8).collect();
        // Best distance of any prefix of the path to the whole query.
        let mut best_prefix: Vec<u8> = vec![rows[m]];
        let mut path: Vec<char> = Vec::new();
        let mut i = 0usize;
        while i < self.words.len() {
            let word = &self.words[i];
            // Reuse the rows of the prefix shared with the path (the path
            // is always a prefix of the previous word).
            let shared = usize::from(self.lcp[i]);
            let mut depth = path.len().min(shared);
            if shared == 255 {
                depth = path
                    .iter()
                    .zip(word.chars())
                    .take_while(|(a, b)| **a == *b)
                    .count();
            }
            path.truncate(depth);
            rows.truncate((depth + 1) * width);
            best_prefix.truncate(depth + 1);
            let mut skipped = false;
            for c in word.chars().skip(depth) {
                let base = depth * width;
                let mut row_min = u8::MAX;
                rows.push((depth + 1).min(255) as u8);
                for j in 1..=m {
                    let sub = rows[base + j - 1].saturating_add(u8::from(q[j - 1] != c));
                    let del = rows[base + j].saturating_add(1);
                    let ins = rows[base + width + j - 1].saturating_add(1);
                    let mut v = sub.min(del).min(ins);
                    if depth >= 1 && j >= 2 && q[j - 1] == path[depth - 1] && q[j - 2] == c {
                        v = v.min(rows[base - width + j - 2].saturating_add(1));
                    }
                    let v = v.min(254);
                    rows.push(v);
                    row_min = row_min.min(v);
                }
                row_min = row_min.min(rows[base + width]);
                path.push(c);
                depth += 1;
                let here = rows[depth * width + m];
                let bp = best_prefix[depth - 1].min(here);
                best_prefix.push(bp);
                if row_min > k {
                    // No extension of this path can come back within `k`.
                    let mut run = 1;
                    while i + run < self.words.len() && usize::from(self.lcp[i + run]) >= depth {
                        run += 1;
                    }
                    if prefix && bp <= k {
                        for id in i..i + run {
                            out.push((id as u32, bp));
                        }
                    }
                    i += run.max(1);
                    skipped = true;
                    break;
                }
            }
            if skipped {
                // Back up to the pruned node's parent: its rows are still
                // valid for the words after the skipped run.
                let keep = path.len().saturating_sub(1);
                path.truncate(keep);
                rows.truncate((keep + 1) * width);
                best_prefix.truncate(keep + 1);
                continue;
            }
            let d = if prefix {
                best_prefix[depth]
            } else {
                rows[depth * width + m]
            };
            if d <= k {
                out.push((i as u32, d));
            }
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(words: &[&str]) -> Vocab {
        let mut w: Vec<Box<str>> = words.iter().map(|w| Box::from(*w)).collect();
        w.sort();
        w.dedup();
        Vocab::from_sorted(w)
    }

    fn names(v: &Vocab, hits: &[(u32, u8)]) -> Vec<(String, u8)> {
        hits.iter()
            .map(|&(i, d)| (v.word(i).to_string(), d))
            .collect()
    }

    /// Plain dynamic-programming OSA distance, the reference for the walk.
    fn osa(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn prefix_range_is_exact() {
        let v = vocab(&["ret", "return", "returning", "rev", "a", "zz"]);
        let r = v.prefix_range("ret");
        let got: Vec<&str> = r.map(|i| v.word(i)).collect();
        assert_eq!(got, ["ret", "return", "returning"]);
        assert!(v.prefix_range("x").is_empty());
        assert_eq!(v.prefix_range("").len(), 6);
    }

    #[test]
    fn fuzzy_finds_substitution_insertion_deletion_transposition() {
        let v = vocab(&["account", "accounts", "amount", "discount", "count"]);
        let one: Vec<String> = names(&v, &v.fuzzy("acount", 1, false))
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(one, ["account", "amount", "count"]);
        assert_eq!(
            names(&v, &v.fuzzy("accuont", 1, false)),
            [("account".into(), 1)]
        );
        assert_eq!(
            names(&v, &v.fuzzy("acxount", 1, false)),
            [("account".into(), 1)]
        );
        let two: Vec<String> = names(&v, &v.fuzzy("acount", 2, false))
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(two, ["account", "accounts", "amount", "count"]);
    }

    #[test]
    fn fuzzy_prefix_matches_words_being_typed() {
        let v = vocab(&["password", "passport", "pasta"]);
        let got = names(&v, &v.fuzzy("paswo", 1, true));
        assert_eq!(got, [("password".into(), 1)]);
    }

    #[test]
    fn fuzzy_agrees_with_reference_distance() {
        let words = [
            "order",
            "orders",
            "ordered",
            "border",
            "recorder",
            "odor",
            "rodeo",
            "older",
            "oder",
            "ordre",
            "envio",
            "envios",
            "enviar",
            "devolucion",
            "devolver",
            "ñ",
            "ab",
            "ba",
        ];
        let v = vocab(&words);
        for q in [
            "order",
            "ordr",
            "roder",
            "envoi",
            "devlucion",
            "ab",
            "x",
            "ñ",
        ] {
            for k in 0..=2u8 {
                let got: Vec<String> = names(&v, &v.fuzzy(q, k, false))
                    .into_iter()
                    .map(|(w, d)| {
                        assert_eq!(osa(q, &w), d as usize, "{q} vs {w}");
                        w
                    })
                    .collect();
                let mut want: Vec<String> = words
                    .iter()
                    .filter(|w| osa(q, w) <= k as usize)
                    .map(|w| w.to_string())
                    .collect();
                want.sort();
                want.dedup();
                assert_eq!(got, want, "query {q} k {k}");
            }
        }
    }
}
