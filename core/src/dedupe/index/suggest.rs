//! Suggestions: ranked groups, diversified by maximal marginal relevance.

use crate::dedupe::embed::dot;
use crate::dedupe::lexical;
use crate::dedupe::score::{self, REDUNDANCY, SUGGEST};
use crate::normalize::Lang;

use super::{GroupId, QuestionIndex, STOP_K, SUGGEST_POOL, Scored, Suggestion, Weighed};

/// A stored question's vectors for [`QuestionIndex::diversify`]: centred
/// unit embedding (English with a model) and char n-gram TF-IDF.
struct Rep {
    emb: Option<Vec<f32>>,
    grams: Vec<(u32, f32)>,
}

/// Similarity of two stored questions in `[0, 1]`: the same pair score
/// ([`score::combine`]) a query gets against a stored question.
fn rep_sim(a: &Rep, b: &Rep) -> f32 {
    let cos = match (&a.emb, &b.emb) {
        (Some(x), Some(y)) => Some(dot(x, y)),
        _ => None,
    };
    score::combine(cos, lexical::cosine(&a.grams, &b.grams))
}

impl QuestionIndex {
    /// Up to `k` distinct groups similar to a (partial) question, best first:
    /// groups whose best member's pair score ([`score::combine`]) and rank
    /// score ([`score::rank`], the suggestion's `score`) are both ≥
    /// [`SUGGEST`]; answered groups first when scores tie (to 0.01).
    /// Groups of any language are suggested.
    pub fn suggest(&self, text: &str, k: usize) -> Vec<Suggestion> {
        if k == 0 || self.live == 0 {
            return Vec::new();
        }
        let lang = crate::normalize::detect_lang(text);
        let q = self.prepare(text, lang);
        let mut kept = Vec::new();
        let mut scored: Vec<Scored> = self
            .candidates_with(&q, SUGGEST, STOP_K, Some(&mut kept))
            .into_iter()
            .map(|x| x.0)
            .collect();
        scored.retain(|s| s.score >= SUGGEST);
        // Re-rank for suggestions: the pair score plus the share of the
        // query's term weight each candidate shares and the soft token
        // alignment of the two questions (`score::rank`).
        let mut align = Vec::new();
        if let Some(m) = self.model.as_ref().filter(|_| q.has_emb) {
            let toks: Vec<&[u16]> = scored
                .iter()
                .map(|s| self.toks_of(&self.entries[s.slot as usize]))
                .collect();
            m.soft_align(&q.ids, &toks, &mut align);
        }
        let cover = self.term_cover(&q);
        for (i, s) in scored.iter_mut().enumerate() {
            if self.form_of(&self.entries[s.slot as usize]) == q.form && !q.form.is_empty() {
                s.score = 1.0;
            } else {
                let a = align.get(i).copied().unwrap_or(0.0);
                s.score = score::rank(s.score, cover(s.slot), a);
            }
        }
        let ranked: Vec<(GroupId, f32, u32)> = self
            .rank_groups(&scored)
            .into_iter()
            .filter(|x| x.1 >= SUGGEST)
            .take(SUGGEST_POOL.max(k))
            .collect();
        self.diversify(ranked, k, &kept)
            .into_iter()
            .map(|(g, score, _)| Suggestion {
                group: g,
                score,
                answered: self.is_answered(g),
            })
            .collect()
    }

    /// Share of the query's stemmed-term IDF weight that a stored question
    /// shares (postings are sorted by slot: one binary search per term).
    fn term_cover(&self, q: &super::Query) -> impl Fn(u32) -> f32 + '_ {
        let n = self.live.max(1) as f32;
        let lists: Vec<(Option<&Vec<u32>>, f32)> = q
            .terms
            .iter()
            .map(|t| {
                let p = self.postings.get(t);
                let df = p.map_or(0, Vec::len) as f32;
                (p, ((n + 1.0) / (df + 1.0)).ln() + 1.0)
            })
            .collect();
        let total: f32 = lists.iter().map(|x| x.1).sum();
        move |slot| {
            if total <= 0.0 {
                return 0.0;
            }
            let shared: f32 = lists
                .iter()
                .filter(|(p, _)| p.is_some_and(|p| p.binary_search(&slot).is_ok()))
                .map(|x| x.1)
                .sum();
            shared / total
        }
    }

    /// Picks `k` of the ranked groups greedily by maximal marginal relevance:
    /// each next pick maximises its score minus [`REDUNDANCY`] × its highest
    /// similarity to a group already picked (their best-matching members
    /// compared with the pair score); ties (to 0.01) go to answered groups.
    /// Two near-identical groups then do not fill two of the few slots: if
    /// the first is wrong, its twin most likely is too.
    fn diversify(
        &self,
        mut pool: Vec<(GroupId, f32, u32)>,
        k: usize,
        kept: &Weighed,
    ) -> Vec<(GroupId, f32, u32)> {
        if pool.len() <= 1 {
            pool.truncate(k);
            return pool;
        }
        // Each member's vector: centred unit embedding, or char n-gram TF-IDF.
        let reps: Vec<Rep> = pool
            .iter()
            .map(|x| {
                let grams = kept.iter().find(|k| k.0 == x.2).map(|k| k.1.clone());
                self.rep_with(x.2, grams)
            })
            .collect();
        let mut picked: Vec<usize> = Vec::with_capacity(k);
        let mut penalty = vec![0.0f32; pool.len()];
        let mut left: Vec<usize> = (0..pool.len()).collect();
        while picked.len() < k && !left.is_empty() {
            let key = |i: usize| {
                let adj = pool[i].1 - REDUNDANCY * penalty[i];
                (
                    (adj * 100.0).round() as i32,
                    self.is_answered(pool[i].0),
                    adj,
                )
            };
            let (pos, &best) = left
                .iter()
                .enumerate()
                .max_by(|a, b| {
                    let (ka, kb) = (key(*a.1), key(*b.1));
                    ka.0.cmp(&kb.0)
                        .then(ka.1.cmp(&kb.1))
                        .then(ka.2.total_cmp(&kb.2))
                        .then(b.1.cmp(a.1))
                })
                .expect("non-empty");
            left.remove(pos);
            for &i in &left {
                penalty[i] = penalty[i].max(rep_sim(&reps[i], &reps[best]));
            }
            picked.push(best);
        }
        picked.into_iter().map(|i| pool[i]).collect()
    }

    fn rep(&self, slot: u32) -> Rep {
        self.rep_with(slot, None)
    }

    /// [`rep`](Self::rep) with the question's char n-gram vector when it is
    /// already weighed (same index state, so the same vector).
    fn rep_with(&self, slot: u32, grams: Option<Vec<(u32, f32)>>) -> Rep {
        let e = &self.entries[slot as usize];
        let mut emb = None;
        if let Some(m) = self
            .model
            .as_ref()
            .filter(|_| e.has_emb && e.lang == Lang::En)
        {
            let mut v = vec![0.0f32; m.dims()];
            if m.embed_ids(self.toks_of(e), &mut v) {
                for (x, c) in v.iter_mut().zip(m.centre()) {
                    *x -= c;
                }
                if crate::dedupe::embed::normalize(&mut v) {
                    emb = Some(v);
                }
            }
        }
        let grams = grams.unwrap_or_else(|| {
            let mut raw = Vec::new();
            lexical::grams(self.form_of(e), &mut raw);
            let mut w = Vec::new();
            self.grams.weigh(&raw, &mut w);
            w
        });
        Rep { emb, grams }
    }
}

/// Features of one group of the suggestion pool (diagnostics).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct PoolRow {
    /// The group.
    pub group: GroupId,
    /// Scores: best member pair score, its embedding cosine and char cosine,
    /// best member embedding cosine, best char cosine, second-best member
    /// score, scored members, group size, best stemmed-term cosine,
    /// centroid cosine (up to 8 members), length ratio of the best member.
    pub f: [f32; 11],
    /// Pair score of this group's best member against each pool group's.
    pub sims: Vec<f32>,
}

impl QuestionIndex {
    /// The suggestion pool (before diversification) with per-group features.
    #[doc(hidden)]
    pub fn debug_suggest_pool(&self, text: &str, n: usize) -> Vec<PoolRow> {
        if self.live == 0 {
            return Vec::new();
        }
        let lang = crate::normalize::detect_lang(text);
        let q = self.prepare(text, lang);
        let mut all = self.candidates_with(&q, SUGGEST, STOP_K, None);
        for s in &mut all {
            if self.form_of(&self.entries[s.0.slot as usize]) == q.form && !q.form.is_empty() {
                s.0.score = 1.0;
            }
        }
        let scored: Vec<Scored> = all.iter().map(|x| x.0).collect();
        let ranked: Vec<(GroupId, f32, u32)> = self
            .rank_groups(&scored)
            .into_iter()
            .filter(|x| x.1 >= SUGGEST)
            .take(n)
            .collect();
        let reps: Vec<Rep> = ranked.iter().map(|x| self.rep(x.2)).collect();
        let mut qv = q.emb.clone();
        if let Some(m) = self.model.as_ref().filter(|_| q.has_emb) {
            for (x, c) in qv.iter_mut().zip(m.centre()) {
                *x -= c;
            }
            crate::dedupe::embed::normalize(&mut qv);
        }
        let mut out = Vec::new();
        for (i, &(g, s1, slot)) in ranked.iter().enumerate() {
            let mine: Vec<&(Scored, Option<f32>, f32)> = all
                .iter()
                .filter(|x| self.entries[x.0.slot as usize].group == g)
                .collect();
            let best = mine.iter().find(|x| x.0.slot == slot).expect("best member");
            let maxcos = mine.iter().filter_map(|x| x.1).fold(-1.0f32, f32::max);
            let maxchar = mine.iter().map(|x| x.2).fold(0.0f32, f32::max);
            let mut ss: Vec<f32> = mine.iter().map(|x| x.0.score).collect();
            ss.sort_by(|a, b| b.total_cmp(a));
            let s2 = ss.get(1).copied().unwrap_or(0.0);
            let members = &self.groups[&g].members;
            let tc = mine
                .iter()
                .map(|x| self.term_cosine(&q, &self.entries[x.0.slot as usize]))
                .fold(0.0f32, f32::max);
            let mut cen = vec![0.0f32; qv.len()];
            let mut any = false;
            for &s in members.iter().rev().take(8) {
                if let Some(v) = self.rep(s).emb {
                    any = true;
                    for (c, x) in cen.iter_mut().zip(&v) {
                        *c += x;
                    }
                }
            }
            let cc = if any && q.has_emb && crate::dedupe::embed::normalize(&mut cen) {
                dot(&cen, &qv)
            } else {
                -1.0
            };
            let e = &self.entries[slot as usize];
            let lr = (q.form.len().max(1) as f32 / (e.form_len.max(1) as f32)).ln();
            let sims = (0..ranked.len())
                .map(|j| {
                    if j == i {
                        1.0
                    } else {
                        rep_sim(&reps[i], &reps[j])
                    }
                })
                .collect();
            out.push(PoolRow {
                group: g,
                f: [
                    s1,
                    best.1.unwrap_or(-1.0),
                    best.2,
                    maxcos,
                    maxchar,
                    s2,
                    mine.len() as f32,
                    members.len() as f32,
                    tc,
                    cc,
                    lr,
                ],
                sims,
            });
        }
        let _ = Lang::En;
        out
    }
}
