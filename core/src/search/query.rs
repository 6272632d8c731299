//! Answering a query: analysis into clauses of alternative terms (exact,
//! prefix, typo), BM25F scoring, title bonus, ranking and snippets.

use super::*;

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
