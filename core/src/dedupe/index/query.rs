//! Retrieval and exact scoring of candidates, and the auto-join verdict.

use std::collections::BTreeMap;

use crate::dedupe::embed::dot;
use crate::dedupe::hash::FxHashMap;
use crate::dedupe::lexical;
use crate::dedupe::score::{self, AUTO_JOIN, AUTO_JOIN_SUPPORTED};
use crate::normalize::Lang;

use super::{
    BITS, BUCKET_SCAN, CHAR_K, EMB_K, EXACT_K, EXACT_LEX_K, Entry, GroupId, JoinReason, LEX_K,
    Query, QuestionId, QuestionIndex, SKETCH_BITS, STOP_K, Scored, TABLES, TERM_SCAN, Verdict,
    Weighed, code, exact_key, top_k,
};

impl QuestionIndex {
    pub(super) fn prepare(&self, text: &str, lang: Lang) -> Query {
        let form = lexical::lexical_form(text);
        let hash = exact_key(&form, text);
        let mut raw = Vec::new();
        lexical::grams(&form, &mut raw);
        let mut grams = Vec::new();
        self.grams.weigh(&raw, &mut grams);
        let mut terms = Vec::new();
        lexical::terms(&form, lang, &mut terms);
        let mut ids = Vec::new();
        let (emb, has_emb) = match &self.model {
            Some(m) => {
                m.token_ids(text, &mut ids);
                let mut v = vec![0.0; m.dims()];
                let ok = m.embed_ids(&ids, &mut v);
                (v, ok)
            }
            None => (Vec::new(), false),
        };
        let (sketch, weak) = if has_emb {
            self.sketch(&emb)
        } else {
            (0, [[0; 2]; TABLES])
        };
        Query {
            form,
            hash,
            lang,
            emb,
            ids,
            has_emb,
            grams,
            terms,
            sketch,
            weak,
        }
    }

    /// Candidate slots from term postings and LSH buckets (sub-linear: bounded
    /// reads per term and per bucket), scored exactly, best first.
    pub(super) fn candidates(&self, q: &Query, floor: f32) -> Vec<Scored> {
        self.candidates_with(q, floor, STOP_K, None)
            .into_iter()
            .map(|x| x.0)
            .collect()
    }

    /// `floor`: candidates whose score cannot reach it are not fully scored.
    /// `keep` receives each fully scored candidate's char n-gram TF-IDF
    /// vector (reused by the suggestions' diversification).
    pub(super) fn candidates_with(
        &self,
        q: &Query,
        floor: f32,
        stop_k: usize,
        mut keep: Option<&mut Weighed>,
    ) -> Vec<(Scored, Option<f32>, f32)> {
        let mut lex: FxHashMap<u32, f32> = FxHashMap::default();
        // Sized for every posting read (growing it cost a rehash or two).
        let reads: usize = q
            .terms
            .iter()
            .filter_map(|t| self.postings.get(t))
            .map(|p| p.len().min(TERM_SCAN))
            .sum();
        lex.reserve(reads);
        let n = self.live.max(1) as f32;
        for t in &q.terms {
            let Some(p) = self.postings.get(t) else {
                continue;
            };
            let idf = ((n + 1.0) / (p.len() as f32 + 1.0)).ln() + 1.0;
            for &s in p.iter().rev().take(TERM_SCAN) {
                *lex.entry(s).or_insert(0.0) += idf;
            }
        }
        // Liveness is checked only on the survivors (reading every entry
        // would cost a cache miss per posting).
        let mut lex: Vec<(u32, f32)> = lex.into_iter().collect();
        top_k(&mut lex, 2 * LEX_K, |a, b| {
            b.1.total_cmp(&a.1).then(b.0.cmp(&a.0))
        });
        lex.retain(|&(s, _)| self.entries[s as usize].live);
        lex.truncate(LEX_K);
        let lex_score: FxHashMap<u32, f32> = lex.iter().copied().collect();

        let mut picked: Vec<u32> = lex.iter().map(|x| x.0).collect();
        if q.has_emb {
            let mut hits: FxHashMap<u32, u32> = FxHashMap::default();
            hits.reserve(TABLES * 3 * BUCKET_SCAN);
            for t in 0..TABLES {
                let c = code(q.sketch, t);
                let probes = [
                    (c, 2u32),
                    (c ^ (1 << q.weak[t][0]), 1),
                    (c ^ (1 << q.weak[t][1]), 1),
                ];
                for (code, w) in probes {
                    let b = &self.buckets[(t << BITS) | code as usize];
                    // Dead slots (removed questions) are filtered later.
                    for &s in b.iter().rev().take(BUCKET_SCAN) {
                        *hits.entry(s).or_insert(0) += w;
                    }
                }
            }
            let mut emb: Vec<(u32, u32)> = hits.into_iter().collect();
            top_k(&mut emb, EMB_K, |a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
            picked.extend(emb.iter().map(|x| x.0));
        }
        // Exact matches of the folded text are always candidates.
        picked.extend(self.exact_slots(q.hash));
        picked.sort_unstable();
        picked.dedup();

        // Stage 1: pre-rank by sketch Hamming distance (lexical score breaks
        // ties), keep EXACT_K plus the EXACT_LEX_K best lexical ones, and
        // compute their exact embedding cosine (~15 table rows each).
        let mut pre: Vec<(u32, u32, f32)> = picked
            .into_iter()
            .filter(|&s| self.entries[s as usize].live)
            .map(|s| {
                let e = &self.entries[s as usize];
                let ham = if q.has_emb && e.has_emb {
                    (q.sketch ^ e.sketch).count_ones()
                } else {
                    SKETCH_BITS as u32
                };
                (s, ham, lex_score.get(&s).copied().unwrap_or(0.0))
            })
            .collect();
        pre.sort_by(|a, b| a.1.cmp(&b.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(&b.0)));
        let mut chosen: Vec<u32> = pre.iter().take(EXACT_K).map(|x| x.0).collect();
        let mut by_lex: Vec<&(u32, u32, f32)> = pre.iter().skip(EXACT_K).collect();
        by_lex.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        chosen.extend(by_lex.iter().take(EXACT_LEX_K).map(|x| x.0));
        let m = self.model.as_ref().filter(|_| q.has_emb);
        let q_c = m.map_or(0.0, |m| dot(&q.emb, m.centre()));
        let mut acc = vec![0i32; q.emb.len()];
        let mut stage: Vec<(u32, Option<f32>, f32, f32)> = Vec::with_capacity(chosen.len());
        for s in chosen {
            let e = &self.entries[s as usize];
            let cos = match m {
                Some(m) if q.lang == Lang::En && e.lang == Lang::En => {
                    m.centred_cos_ids(&q.emb, q_c, self.toks_of(e), &mut acc)
                }
                _ => None,
            };
            let lex_rank = lex_score.get(&s).copied().unwrap_or(0.0);
            stage.push((s, cos, lex_rank, score::combine(cos, 1.0)));
        }
        // Stage 2: char n-gram cosine for the most promising ones only, by the
        // score's upper bound (char cosine 1), then lexical evidence.
        stage.sort_by(|a, b| {
            b.3.total_cmp(&a.3)
                .then(b.2.total_cmp(&a.2))
                .then(a.0.cmp(&b.0))
        });
        stage.truncate(CHAR_K);
        let mut raw = Vec::new();
        let mut w = Vec::new();
        let mut out: Vec<(Scored, Option<f32>, f32)> = Vec::with_capacity(stage.len());
        // Branch and bound: once `stop_k` exact scores beat the next upper
        // bound, nothing further can enter the top `stop_k`.
        let mut top: Vec<f32> = Vec::with_capacity(stop_k + 1);
        for (s, cos, _, ub) in stage {
            if ub < floor || (top.len() == stop_k && ub < top[stop_k - 1]) {
                break;
            }
            let e = &self.entries[s as usize];
            lexical::grams(self.form_of(e), &mut raw);
            self.grams.weigh(&raw, &mut w);
            let c = lexical::cosine(&q.grams, &w);
            if let Some(k) = keep.as_deref_mut() {
                k.push((s, w.clone()));
            }
            let score = score::combine(cos, c);
            let at = top.partition_point(|&x| x >= score);
            top.insert(at, score);
            top.truncate(stop_k);
            out.push((Scored { slot: s, score }, cos, c));
        }
        out.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then(a.0.slot.cmp(&b.0.slot))
        });
        out
    }

    /// Every live question scored exactly (no retrieval; linear time): the
    /// retrieval-free upper bound for diagnostics. Same tuples as
    /// [`debug_candidates`](Self::debug_candidates), best first.
    #[doc(hidden)]
    pub fn debug_score_all(
        &self,
        text: &str,
        lang: Lang,
    ) -> Vec<(QuestionId, GroupId, Option<f32>, f32, f32)> {
        let q = self.prepare(text, lang);
        let m = self.model.as_ref().filter(|_| q.has_emb);
        let q_c = m.map_or(0.0, |m| dot(&q.emb, m.centre()));
        let mut acc = vec![0i32; q.emb.len()];
        let (mut raw, mut w) = (Vec::new(), Vec::new());
        let mut out: Vec<_> = self
            .entries
            .iter()
            .filter(|e| e.live)
            .map(|e| {
                let cos = match m {
                    Some(m) if q.lang == Lang::En && e.lang == Lang::En => {
                        m.centred_cos_ids(&q.emb, q_c, self.toks_of(e), &mut acc)
                    }
                    _ => None,
                };
                lexical::grams(self.form_of(e), &mut raw);
                self.grams.weigh(&raw, &mut w);
                let c = lexical::cosine(&q.grams, &w);
                (e.id, e.group, cos, c, score::combine(cos, c))
            })
            .collect();
        out.sort_by(|a, b| b.4.total_cmp(&a.4).then(a.0.cmp(&b.0)));
        out
    }

    /// Candidate features for calibration and diagnostics: for each retrieved
    /// stored question, (question, group, embedding cosine, char cosine, score).
    #[doc(hidden)]
    pub fn debug_candidates(
        &self,
        text: &str,
        lang: Lang,
    ) -> Vec<(QuestionId, GroupId, Option<f32>, f32, f32)> {
        let q = self.prepare(text, lang);
        self.candidates_with(&q, 0.0, STOP_K, None)
            .into_iter()
            .map(|(s, cos, c)| {
                let e = &self.entries[s.slot as usize];
                (e.id, e.group, cos, c, s.score)
            })
            .collect()
    }

    /// Extra diagnostics for one stored question: (raw embedding cosine,
    /// stemmed-term TF-IDF cosine).
    #[doc(hidden)]
    pub fn debug_extra(&self, text: &str, lang: Lang, question: QuestionId) -> (f32, f32) {
        let q = self.prepare(text, lang);
        let Some(slot) = self.slot(question) else {
            return (0.0, 0.0);
        };
        let e = &self.entries[slot as usize];
        let raw = match &self.model {
            Some(m) if q.has_emb => {
                let mut acc = vec![0i32; m.dims()];
                m.cos_ids(&q.emb, self.toks_of(e), &mut acc).unwrap_or(0.0)
            }
            _ => 0.0,
        };
        (raw, self.term_cosine(&q, e))
    }

    /// Smoothed IDF of a stemmed term among the live questions.
    fn term_idf(&self, term: u32) -> f32 {
        let n = self.live as f32;
        let df = self.postings.get(&term).map_or(0, Vec::len) as f32;
        ((n + 1.0) / (df + 1.0)).ln() + 1.0
    }

    /// TF-IDF cosine of the query's stemmed terms and stored question `e`'s
    /// (diagnostics only: it re-derives `e`'s terms from its text).
    pub(super) fn term_cosine(&self, q: &Query, e: &Entry) -> f32 {
        let mut t = Vec::new();
        lexical::terms(self.form_of(e), e.lang, &mut t);
        let w = |x: &u32| self.term_idf(*x).powi(2);
        let qa: f32 = q.terms.iter().map(w).sum();
        let ca: f32 = t.iter().map(w).sum();
        let sh: f32 = q
            .terms
            .iter()
            .filter(|x| t.binary_search(x).is_ok())
            .map(w)
            .sum();
        if qa > 0.0 && ca > 0.0 {
            sh / (qa * ca).sqrt()
        } else {
            0.0
        }
    }

    /// Per group: best member score and slot, best group first; ties go to
    /// answered groups, then the lower group id.
    pub(super) fn rank_groups(&self, scored: &[Scored]) -> Vec<(GroupId, f32, u32)> {
        let mut best: BTreeMap<GroupId, (f32, u32)> = BTreeMap::new();
        for s in scored {
            let g = self.entries[s.slot as usize].group;
            let b = best.entry(g).or_insert((f32::NEG_INFINITY, s.slot));
            if s.score > b.0 {
                *b = (s.score, s.slot);
            }
        }
        let mut v: Vec<(GroupId, f32, u32)> =
            best.into_iter().map(|(g, (sc, sl))| (g, sc, sl)).collect();
        v.sort_by(|a, b| {
            let qa = (a.1 * 100.0).round() as i32;
            let qb = (b.1 * 100.0).round() as i32;
            qb.cmp(&qa)
                .then(self.is_answered(b.0).cmp(&self.is_answered(a.0)))
                .then(b.1.total_cmp(&a.1))
                .then(a.0.cmp(&b.0))
        });
        v
    }

    /// The verdict for a new question in `lang`, without changing the index.
    pub fn decide(&self, text: &str, lang: Lang) -> Verdict {
        let q = self.prepare(text, lang);
        self.decide_prepared(&q)
    }

    pub(super) fn decide_prepared(&self, q: &Query) -> Verdict {
        {
            {
                let best = self
                    .exact_slots(q.hash)
                    .map(|s| &self.entries[s as usize])
                    .filter(|e| e.live && e.lang == q.lang && self.form_of(e) == q.form)
                    .max_by_key(|e| e.seq);
                if let Some(e) = best {
                    return Verdict::Join {
                        group: e.group,
                        score: 1.0,
                        reason: JoinReason::Exact,
                        matched: e.id,
                    };
                }
            }
        }
        let t2 = AUTO_JOIN_SUPPORTED;
        let scored = self.candidates(q, t2);
        let strong: Vec<&Scored> = scored.iter().filter(|s| s.score >= t2).collect();
        if strong.is_empty() {
            return Verdict::New;
        }
        for (g, sc, slot) in self.rank_groups(&scored) {
            if sc < t2 {
                break;
            }
            if sc < AUTO_JOIN {
                let support = strong
                    .iter()
                    .filter(|s| self.entries[s.slot as usize].group == g)
                    .count();
                if support < 2 {
                    continue;
                }
            }
            if self.group_lang(g) != Some(q.lang) {
                continue;
            }
            let blocked = strong.iter().any(|s| {
                let e = &self.entries[s.slot as usize];
                e.group != g && self.negatives.contains(&(e.id, g))
            });
            if blocked {
                continue;
            }
            return Verdict::Join {
                group: g,
                score: sc,
                reason: JoinReason::Near,
                matched: self.entries[slot as usize].id,
            };
        }
        Verdict::New
    }
}
