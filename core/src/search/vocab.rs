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
///
/// The words are stored back to back in one string: the fuzzy walk reads
/// most of them in order, and one contiguous block keeps that a sequential
/// scan instead of a pointer chase through thousands of small allocations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Vocab {
    /// All words, concatenated in sorted order.
    text: String,
    /// `ends[i]`: byte offset in `text` where word `i` ends (it starts
    /// where word `i - 1` ends).
    ends: Vec<u32>,
    /// `lcp[i]`: characters word `i` shares with word `i - 1` (capped at 255);
    /// lets the fuzzy walk reuse rows and skip runs without comparing strings.
    lcp: Vec<u8>,
    /// `skip[i]`: the first word after `i` with `lcp` below `lcp[i]` (or
    /// the word count). Words in between share at least `lcp[i]` chars with
    /// their predecessor, so a pruned run is crossed in a few jumps instead
    /// of word by word.
    skip: Vec<u32>,
    /// Characters in the longest word.
    max_chars: usize,
}

impl Vocab {
    /// Builds from words that are already sorted and deduplicated.
    pub(crate) fn from_sorted(words: Vec<Box<str>>) -> Self {
        debug_assert!(words.windows(2).all(|w| w[0] < w[1]));
        let mut text = String::with_capacity(words.iter().map(|w| w.len()).sum());
        let mut ends = Vec::with_capacity(words.len());
        let mut lcp = Vec::with_capacity(words.len());
        let mut prev: &str = "";
        let mut max_chars = 0;
        for w in &words {
            max_chars = max_chars.max(w.chars().count());
            let shared = prev
                .chars()
                .zip(w.chars())
                .take_while(|(a, b)| a == b)
                .count();
            lcp.push(shared.min(255) as u8);
            text.push_str(w);
            ends.push(text.len() as u32);
            prev = w;
        }
        // Next smaller value to the right, with a stack of open positions.
        let mut skip = vec![lcp.len() as u32; lcp.len()];
        let mut open: Vec<u32> = Vec::new();
        for (j, &l) in lcp.iter().enumerate() {
            while let Some(&top) = open.last() {
                if lcp[top as usize] <= l {
                    break;
                }
                skip[top as usize] = j as u32;
                open.pop();
            }
            open.push(j as u32);
        }
        Vocab {
            text,
            ends,
            lcp,
            skip,
            max_chars,
        }
    }

    /// Number of words.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The word with this id.
    #[inline]
    pub(crate) fn word(&self, id: u32) -> &str {
        let i = id as usize;
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start as usize..end as usize]
    }

    /// Ids of the words starting with `prefix` (a contiguous range).
    pub(crate) fn prefix_range(&self, prefix: &str) -> std::ops::Range<u32> {
        let n = self.len() as u32;
        let first = |pred: &dyn Fn(&str) -> bool| {
            // The first id in `0..n` whose word fails `pred` (which holds
            // for a prefix of the ids).
            let (mut lo, mut hi) = (0u32, n);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if pred(self.word(mid)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        let start = first(&|w| w < prefix);
        let end = first(&|w| w < prefix || w.starts_with(prefix));
        start..end
    }

    /// Bytes held, for memory estimates.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.text.capacity()
            + self.ends.capacity() * std::mem::size_of::<u32>()
            + self.lcp.capacity()
            + self.skip.capacity() * std::mem::size_of::<u32>()
    }

    /// Words within `max_dist` edits of `query` (Levenshtein with adjacent
    /// transpositions counted as one edit), as `(id, distance)` in word
    /// order. With `prefix`, a word matches when one of its prefixes is
    /// within `max_dist` (the query is still being typed).
    pub(crate) fn fuzzy(&self, query: &str, max_dist: u8, prefix: bool) -> Vec<(u32, u8)> {
        let q: Vec<char> = query.chars().collect();
        let q: &[char] = &q;
        let m = q.len();
        let k = usize::from(max_dist);
        // Distances are kept as `min(distance, k + 1)`: every step of the
        // recurrence (+1, min) commutes with that cap, so values up to `k`
        // stay exact. A cell more than `k` columns off the diagonal is
        // always `k + 1`, so only the band `depth - k ..= depth + k` of a
        // row is computed (5 cells instead of the query's length for k = 2).
        let cap = max_dist.saturating_add(1);
        let width = m + 1;
        let mut out = Vec::new();
        if m == 0 {
            return out;
        }
        // Buffers sized for the longest word and used as plain slices (no
        // growth in the loop: in a size-optimised wasm build every `Vec`
        // push or index is a call).
        let max_depth = self.max_chars;
        // Row `d` at `rows[d * width..][..width]`: distances after `d`
        // chars of the path. Only the band and its two neighbours are
        // written; cells further out may hold another word's values and
        // are never read.
        let mut rows_buf: Vec<u8> = vec![cap; width * (max_depth + 1)];
        let rows: &mut [u8] = &mut rows_buf;
        for (j, cell) in rows[..width].iter_mut().enumerate() {
            *cell = (j.min(255) as u8).min(cap);
        }
        // Best distance of any prefix of the path to the whole query.
        let mut best_buf: Vec<u8> = vec![0; max_depth + 1];
        let best_prefix: &mut [u8] = &mut best_buf;
        best_prefix[0] = rows[m];
        let mut path_buf: Vec<char> = vec!['\0'; max_depth];
        let path: &mut [char] = &mut path_buf;
        let mut plen = 0usize;
        let lcp: &[u8] = &self.lcp;
        let skip: &[u32] = &self.skip;
        let ends: &[u32] = &self.ends;
        let n = ends.len();
        let mut i = 0usize;
        while i < n {
            let word_start = if i == 0 { 0 } else { ends[i - 1] as usize };
            let word = &self.text[word_start..ends[i] as usize];
            // Reuse the rows of the prefix shared with the path (the path
            // is always a prefix of the previous word).
            let shared = usize::from(lcp[i]);
            let mut depth = plen.min(shared);
            if shared == 255 {
                depth = path[..plen]
                    .iter()
                    .zip(word.chars())
                    .take_while(|(a, b)| **a == *b)
                    .count();
            }
            plen = depth;
            let mut skipped = false;
            for c in word.chars().skip(depth) {
                let prev = depth * width;
                let row = prev + width;
                let r = depth + 1;
                let lo = r.saturating_sub(k).max(1);
                let hi = (r + k).min(m);
                rows[row] = (r.min(255) as u8).min(cap);
                if lo <= m + 1 {
                    rows[row + lo - 1] = if lo == 1 { rows[row] } else { cap };
                }
                let mut row_min = rows[row];
                let last = if depth >= 1 { path[depth - 1] } else { '\0' };
                for j in lo..=hi {
                    let sub = rows[prev + j - 1].saturating_add(u8::from(q[j - 1] != c));
                    let del = rows[prev + j].saturating_add(1);
                    let ins = rows[row + j - 1].saturating_add(1);
                    let mut v = sub.min(del).min(ins);
                    if depth >= 1 && j >= 2 && q[j - 1] == last && q[j - 2] == c {
                        v = v.min(rows[prev - width + j - 2].saturating_add(1));
                    }
                    let v = v.min(cap);
                    rows[row + j] = v;
                    row_min = row_min.min(v);
                }
                if hi < m {
                    rows[row + hi + 1] = cap;
                }
                path[depth] = c;
                depth = r;
                plen = r;
                let here = if r + k >= m && r <= m + k {
                    rows[row + m]
                } else {
                    cap
                };
                let bp = best_prefix[depth - 1].min(here);
                best_prefix[depth] = bp;
                if row_min > max_dist {
                    // No extension of this path can come back within `k`.
                    let mut end = i + 1;
                    while end < n && usize::from(lcp[end]) >= depth {
                        end = skip[end] as usize;
                    }
                    if prefix && bp <= max_dist {
                        for id in i..end {
                            out.push((id as u32, bp));
                        }
                    }
                    i = end;
                    skipped = true;
                    break;
                }
            }
            if skipped {
                // Back up to the pruned node's parent: its rows are still
                // valid for the words after the skipped run.
                plen = plen.saturating_sub(1);
                continue;
            }
            let d = if prefix {
                best_prefix[depth]
            } else if depth + k >= m && depth <= m + k {
                rows[depth * width + m]
            } else {
                cap
            };
            if d <= max_dist {
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

    /// Random words over a small alphabet (so near misses are common),
    /// long queries (wider than the band), both modes, k 0..=3.
    #[test]
    fn fuzzy_agrees_with_reference_on_random_words() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let alphabet: Vec<char> = "abcdeñ".chars().collect();
        let word = |next: &mut dyn FnMut(usize) -> usize, max: usize| -> String {
            let len = 1 + next(max);
            (0..len).map(|_| alphabet[next(alphabet.len())]).collect()
        };
        for _ in 0..10 {
            let words: Vec<String> = (0..120).map(|_| word(&mut next, 12)).collect();
            let v = vocab(&words.iter().map(String::as_str).collect::<Vec<_>>());
            for _ in 0..8 {
                let q = word(&mut next, 14);
                for k in 0..=3u8 {
                    for prefix in [false, true] {
                        let got = names(&v, &v.fuzzy(&q, k, prefix));
                        let mut want: Vec<(String, u8)> = Vec::new();
                        for id in 0..v.len() as u32 {
                            let w = v.word(id);
                            let d = if prefix {
                                let chars: Vec<char> = w.chars().collect();
                                (0..=chars.len())
                                    .map(|n| osa(&q, &chars[..n].iter().collect::<String>()))
                                    .min()
                                    .unwrap_or(usize::MAX)
                            } else {
                                osa(&q, w)
                            };
                            if d <= k as usize {
                                want.push((w.to_string(), d as u8));
                            }
                        }
                        assert_eq!(got, want, "query {q} k {k} prefix {prefix}");
                    }
                }
            }
        }
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
