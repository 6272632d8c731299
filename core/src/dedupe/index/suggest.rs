//! Suggestions: ranked groups, diversified by maximal marginal relevance.

use crate::dedupe::embed::dot;
use crate::dedupe::lexical;
use crate::dedupe::score::{self, REDUNDANCY, SUGGEST};
use crate::normalize::Lang;

use super::{GroupId, QuestionIndex, SUGGEST_POOL, Suggestion};

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
    /// Up to `k` distinct groups similar to a (partial) question, best first,
    /// scores ≥ [`SUGGEST`]; answered groups first when scores tie (to 0.01).
    /// Groups of any language are suggested.
    pub fn suggest(&self, text: &str, k: usize) -> Vec<Suggestion> {
        if k == 0 || self.live == 0 {
            return Vec::new();
        }
        let lang = crate::normalize::detect_lang(text);
        let q = self.prepare(text, lang);
        let mut scored = self.candidates(&q, SUGGEST);
        for s in &mut scored {
            if self.form_of(&self.entries[s.slot as usize]) == q.form && !q.form.is_empty() {
                s.score = 1.0;
            }
        }
        let ranked: Vec<(GroupId, f32, u32)> = self
            .rank_groups(&scored)
            .into_iter()
            .filter(|x| x.1 >= SUGGEST)
            .take(SUGGEST_POOL.max(k))
            .collect();
        self.diversify(ranked, k)
            .into_iter()
            .map(|(g, score, _)| Suggestion {
                group: g,
                score,
                answered: self.is_answered(g),
            })
            .collect()
    }

    /// Picks `k` of the ranked groups greedily by maximal marginal relevance:
    /// each next pick maximises its score minus [`REDUNDANCY`] × its highest
    /// similarity to a group already picked (their best-matching members
    /// compared with the pair score); ties (to 0.01) go to answered groups.
    /// Two near-identical groups then do not fill two of the few slots: if
    /// the first is wrong, its twin most likely is too.
    fn diversify(&self, mut pool: Vec<(GroupId, f32, u32)>, k: usize) -> Vec<(GroupId, f32, u32)> {
        if pool.len() <= 1 {
            pool.truncate(k);
            return pool;
        }
        // Each member's vector: centred unit embedding, or char n-gram TF-IDF.
        let reps: Vec<Rep> = pool.iter().map(|x| self.rep(x.2)).collect();
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
        let mut raw = Vec::new();
        lexical::grams(self.form_of(e), &mut raw);
        let mut grams = Vec::new();
        self.grams.weigh(&raw, &mut grams);
        Rep { emb, grams }
    }
}
