//! Rebuilding an index from stored rows (with or without stored features),
//! the model attached afterwards, and the bulk-load scratch state.

use std::sync::Arc;

use crate::dedupe::embed::Embedder;
use crate::dedupe::features::{self, Feat, feature_stamp};
use crate::dedupe::hash::FxHashMap;
use crate::dedupe::lexical;
use crate::normalize::Lang;

use super::{GroupId, QuestionId, QuestionIndex, Row, StoredRow, Verdict};

/// Scratch buffers and deferred work of inserts. A bulk load
/// ([`QuestionIndex::from_rows`]) defers the n-gram document frequencies and
/// the term postings and builds them in bulk; a single insert applies them
/// at once.
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) bulk: bool,
    /// Word → term memo (bulk loads only).
    pub(super) memo: FxHashMap<u64, u32>,
    pub(super) raw: Vec<u32>,
    pub(super) emb: Vec<f32>,
    pub(super) acc: Vec<i32>,
    /// Distinct grams of the documents not yet counted, and their number.
    pub(super) grams: Vec<u32>,
    pub(super) gram_set: lexical::GramSet,
    pub(super) gram_docs: u32,
    /// Deferred postings: `term << 32 | slot`.
    pub(super) postings: Vec<u64>,
}

/// Distinct grams collected before they are counted in one batch.
pub(super) const BULK_GRAMS: usize = 1 << 21;

impl QuestionIndex {
    /// Rebuilds an index from stored rows. Feed rows in creation order
    /// (e.g. `ORDER BY questions.id`): a group's first row is its first
    /// question. Then replay split constraints with [`QuestionIndex::add_negative`].
    pub fn from_rows<'a>(
        model: Option<Arc<Embedder>>,
        rows: impl IntoIterator<Item = Row<'a>>,
    ) -> Self {
        let stamp = feature_stamp(model.as_deref());
        Self::from_stored(
            model,
            stamp,
            rows.into_iter().map(|r| StoredRow {
                question: r.question,
                group: r.group,
                lang: r.lang,
                answered: r.answered,
                features: "",
                text: r.text,
            }),
        )
    }

    /// Rebuilds an index from stored rows and their stored features (as
    /// [`features`](Self::features) encoded them), in creation order as
    /// [`from_rows`](Self::from_rows). A row's features are used when they
    /// carry `stamp` and the row's language; otherwise they are recomputed
    /// from its text with `model`. The result equals [`from_rows`](Self::from_rows)
    /// of the same rows.
    ///
    /// `stamp` is normally `feature_stamp(model)`. To rebuild before the
    /// model is loaded, pass `model = None` and the stamp of the model the
    /// features were computed with: then every row's features must be
    /// current (rows with stale features would be indexed without their
    /// embedding), and [`attach_model`](Self::attach_model) must succeed
    /// before the index is queried or inserted into.
    pub fn from_stored<'a>(
        model: Option<Arc<Embedder>>,
        stamp: u32,
        rows: impl IntoIterator<Item = StoredRow<'a>>,
    ) -> Self {
        let mut ix = Self::new(model);
        let compute_stamp = ix.stamp;
        ix.stamp = stamp;
        let rows = rows.into_iter();
        let hint = rows.size_hint().0;
        ix.entries.reserve(hint);
        ix.by_id.reserve(hint);
        ix.exact.reserve(hint);
        let mut sc = Scratch {
            bulk: true,
            ..Scratch::default()
        };
        let mut feat = Feat::default();
        let mut bin = Vec::new();
        for r in rows {
            if !features::decode(r.features, stamp, r.lang, &mut feat, &mut bin) {
                ix.compute(r.text, r.lang, &mut feat, &mut sc);
                if compute_stamp != stamp {
                    // Computed without the features' model: this index
                    // cannot be trusted; `attach_model` refuses it.
                    ix.stamp = compute_stamp;
                }
            }
            ix.insert_feat(r.question, r.lang, r.group, &feat, &mut sc);
            if r.answered {
                ix.set_answered(r.group, true);
            }
        }
        ix.flush_grams(&mut sc);
        // Postings in bulk: sorted by term then slot (oldest first, as
        // single inserts append), each list allocated once at its size.
        sc.postings.sort_unstable();
        let mut terms = 0usize;
        for run in sc.postings.chunk_by(|a, b| a >> 32 == b >> 32) {
            terms += usize::from(!run.is_empty());
        }
        ix.postings.reserve(terms);
        for run in sc.postings.chunk_by(|a, b| a >> 32 == b >> 32) {
            let list = ix.postings.entry((run[0] >> 32) as u32).or_default();
            list.reserve_exact(run.len());
            list.extend(run.iter().map(|&x| x as u32));
        }
        ix.shrink_to_fit();
        ix
    }

    /// The [`feature_stamp`] of the features this index computes and holds.
    pub fn stamp(&self) -> u32 {
        self.stamp
    }

    /// Whether the index has its embedding model.
    pub fn has_model(&self) -> bool {
        self.model.is_some()
    }

    /// Gives an index rebuilt without its model ([`from_stored`](Self::from_stored)
    /// with `model = None`) the model its stored features were computed
    /// with. Returns false, leaving the index unchanged, when the model's
    /// stamp differs (the features are stale: rebuild from the text).
    pub fn attach_model(&mut self, model: Arc<Embedder>) -> bool {
        if self.model.is_some() || feature_stamp(Some(&model)) != self.stamp {
            return false;
        }
        self.model = Some(model);
        true
    }

    /// A question's features as this index computes them (its model and
    /// normalisation), encoded for storage next to the question row
    /// (printable ASCII; see `features.rs`).
    pub fn features(&self, text: &str, lang: Lang) -> String {
        let mut f = Feat::default();
        self.compute(text, lang, &mut f, &mut Scratch::default());
        features::encode(&f, self.stamp, lang)
    }

    /// [`decide`](Self::decide) and [`features`](Self::features) of one
    /// question, with its text analysed once (the ask path needs both).
    pub fn decide_with_features(&self, text: &str, lang: Lang) -> (Verdict, String) {
        let q = self.prepare(text, lang);
        let verdict = self.decide_prepared(&q);
        let f = Feat {
            form: q.form,
            terms: q.terms,
            toks: q.ids,
            sketch: q.sketch,
            has_emb: q.has_emb,
            exact: q.hash,
        };
        (verdict, features::encode(&f, self.stamp, lang))
    }

    /// [`insert`](Self::insert) with the question's stored features: used
    /// when they are current (else recomputed from `text`).
    pub fn insert_features(
        &mut self,
        question: QuestionId,
        text: &str,
        lang: Lang,
        group: GroupId,
        stored: &str,
    ) {
        let mut f = Feat::default();
        let mut sc = Scratch::default();
        if !features::decode(stored, self.stamp, lang, &mut f, &mut Vec::new()) {
            self.compute(text, lang, &mut f, &mut sc);
        }
        self.insert_feat(question, lang, group, &f, &mut sc);
    }

    pub(super) fn flush_grams(&mut self, sc: &mut Scratch) {
        if sc.gram_docs > 0 || !sc.grams.is_empty() {
            self.grams.add_bulk(&mut sc.grams, sc.gram_docs);
            sc.gram_docs = 0;
        }
    }

    /// Releases spare capacity (after a bulk load).
    pub fn shrink_to_fit(&mut self) {
        self.entries.shrink_to_fit();
        self.forms.shrink_to_fit();
        self.toks.shrink_to_fit();
        for p in self.postings.values_mut() {
            p.shrink_to_fit();
        }
        for b in &mut self.buckets {
            b.shrink_to_fit();
        }
        for g in self.groups.values_mut() {
            g.members.shrink_to_fit();
        }
    }
}
