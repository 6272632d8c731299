//! Building a [`SearchIndex`]: analysing articles into BM25F postings,
//! the sorted vocabulary and the title word sequences.

use super::*;

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
}
