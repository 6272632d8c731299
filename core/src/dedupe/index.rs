//! [`QuestionIndex`]: one brand's questions and groups, in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::normalize::Lang;

use super::embed::{Embedder, dot};
use super::features::{self, Feat, feature_stamp};
use super::hash::{FxHashMap, fnv64};
use super::lexical::{self, GramStats};
use super::score::{self, AUTO_JOIN, AUTO_JOIN_SUPPORTED, REDUNDANCY, SUGGEST};

/// A question's id: the edge's SQLite `questions.id` (INTEGER PRIMARY KEY).
pub type QuestionId = u64;
/// A group's id: the edge's SQLite `groups.id`. The index never invents one:
/// the caller allocates ids for new groups (see [`QuestionIndex::insert`]).
pub type GroupId = u64;

/// Why a question joins an existing group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinReason {
    /// Same text after folding case, diacritics, punctuation and spacing.
    Exact,
    /// Similar enough (combined score ≥ [`AUTO_JOIN`]).
    Near,
}

/// What the index decides for a new question.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Join `group`. `score` is 1.0 for exact repeats, else the combined score;
    /// `matched` is the stored question that matched best.
    Join {
        /// The group to join.
        group: GroupId,
        /// Combined score in `[0, 1]`.
        score: f32,
        /// Exact or near repeat.
        reason: JoinReason,
        /// The most similar stored question of that group.
        matched: QuestionId,
    },
    /// No group is close enough: start a new one.
    New,
}

impl Verdict {
    /// The group to join, if any.
    pub fn group(&self) -> Option<GroupId> {
        match self {
            Verdict::Join { group, .. } => Some(*group),
            Verdict::New => None,
        }
    }
}

/// One suggested group for a (partial) question.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The group.
    pub group: GroupId,
    /// Combined score in `[0, 1]` (≥ [`SUGGEST`]).
    pub score: f32,
    /// Whether the group has an answer (answered groups rank first on ties).
    pub answered: bool,
}

/// One stored question, as the edge keeps it in SQLite (for [`QuestionIndex::from_rows`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<'a> {
    /// Question id.
    pub question: QuestionId,
    /// Its current group.
    pub group: GroupId,
    /// The question text as asked.
    pub text: &'a str,
    /// Its language.
    pub lang: Lang,
    /// Whether its group is answered (any row of the group may carry it).
    pub answered: bool,
}

/// One stored question with its stored features, for
/// [`QuestionIndex::from_stored`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredRow<'a> {
    /// Question id.
    pub question: QuestionId,
    /// Its current group.
    pub group: GroupId,
    /// Its language.
    pub lang: Lang,
    /// Whether its group is answered (any row of the group may carry it).
    pub answered: bool,
    /// Its features as [`QuestionIndex::features`] encoded them (empty
    /// when none are stored).
    pub features: &'a str,
    /// The question text: only read when `features` are missing or stale
    /// (may be empty when [`features_current`](super::features_current)).
    pub text: &'a str,
}

/// Groups (best first) among which [`QuestionIndex::suggest`] picks its `k`.
const SUGGEST_POOL: usize = 10;
/// LSH tables and bits per table (random hyperplanes, seeded).
const TABLES: usize = 4;
const BITS: usize = 10;
/// Sign bits kept per question (the LSH codes are its low TABLES × BITS
/// bits); their Hamming distance pre-ranks candidates before exact scoring.
const SKETCH_BITS: usize = 64;
/// Candidates (by Hamming distance, then lexical score) whose exact
/// embedding cosine is computed.
const EXACT_K: usize = 32;
/// Lexical candidates always scored exactly (typos, names, numbers).
const EXACT_LEX_K: usize = 8;
/// Most recent live entries read per probed LSH bucket.
const BUCKET_SCAN: usize = 192;
/// Most recent entries read per term posting list.
const TERM_SCAN: usize = 768;
/// Candidates kept from each retrieval path before exact scoring.
const LEX_K: usize = 40;
const EMB_K: usize = 40;
/// Candidates whose char n-gram cosine is computed (best score upper bounds).
const CHAR_K: usize = 32;
/// Exact scores that must beat the next upper bound to stop scoring.
const STOP_K: usize = 8;
/// Seed of the hyperplane generator (fixed: hashing must never change).
const LSH_SEED: u64 = 0x0C40_5EED_2026_0001;

#[derive(Debug, Clone)]
struct Entry {
    id: QuestionId,
    group: GroupId,
    /// Placement order: bumped on insert and on every move (join/merge/split),
    /// so the latest agent decision wins for exact repeats.
    seq: u32,
    /// Next older slot with the same exact key (`NONE` ends the chain).
    next_same: u32,
    hash: u64,
    form_off: u32,
    tok_off: u32,
    form_len: u16,
    tok_len: u16,
    /// Sign bits of the embedding (see `SKETCH_BITS`).
    sketch: u64,
    lang: Lang,
    has_emb: bool,
    live: bool,
}

#[derive(Debug, Clone, Default)]
struct Group {
    /// Slots in join order; `members[0]` is the group's first question.
    members: Vec<u32>,
    answered: bool,
}

/// A prepared query.
struct Query {
    form: String,
    hash: u64,
    lang: Lang,
    emb: Vec<f32>,
    has_emb: bool,
    grams: Vec<(u32, f32)>,
    terms: Vec<u32>,
    sketch: u64,
    /// Per table, the two least certain bits (multi-probe).
    weak: [[u8; 2]; TABLES],
}

/// One scored stored question.
#[derive(Debug, Clone, Copy)]
struct Scored {
    slot: u32,
    score: f32,
}

/// Duplicate index of one brand: questions, their groups and the retrieval
/// structures (term postings, LSH buckets, exact-text map).
///
/// Typical edge use (commit first, then apply):
/// ```ignore
/// let v = index.decide(text, lang);            // 1. verdict
/// let group = match v.group() { Some(g) => g, None => db.new_group()? };
/// db.insert_question(qid, group, text)?;       // 2. commit to SQLite
/// index.insert(qid, text, lang, group);        // 3. apply in memory
/// ```
#[derive(Debug, Clone)]
pub struct QuestionIndex {
    model: Option<Arc<Embedder>>,
    /// The [`feature_stamp`] of the features this index holds.
    stamp: u32,
    entries: Vec<Entry>,
    forms: String,
    toks: Vec<u16>,
    by_id: FxHashMap<QuestionId, u32>,
    /// Exact-text key → most recently inserted slot; older slots with the
    /// same key follow `Entry::next_same`.
    exact: FxHashMap<u64, u32>,
    postings: FxHashMap<u32, Vec<u32>>,
    buckets: Vec<Vec<u32>>,
    grams: GramStats,
    groups: BTreeMap<GroupId, Group>,
    negatives: BTreeSet<(QuestionId, GroupId)>,
    next_seq: u32,
    live: usize,
}

/// The seeded hyperplanes of the LSH sketch for `dims`-dimensional
/// embeddings: a quarter of the sum of four uniform bytes per entry
/// (roughly Gaussian, in i8 range; integer dot products are exact on every
/// platform). Fixed: hashing must never change.
pub(crate) fn lsh_planes(dims: usize) -> Vec<i16> {
    let mut st = LSH_SEED;
    (0..SKETCH_BITS * dims)
        .map(|_| {
            let mut s = 0i32;
            for _ in 0..4 {
                s += (xorshift(&mut st) >> 56) as i32 - 128;
            }
            (s / 4) as i16
        })
        .collect()
}

/// Key of exact repeats: the folded words, or for texts without any word
/// (emoji, symbols) the trimmed text itself.
fn exact_key(form: &str, text: &str) -> u64 {
    if form.is_empty() {
        let raw = super::embed::truncate_chars(text.trim(), 4 * lexical::MAX_FORM_BYTES);
        fnv64(raw.as_bytes()) ^ 0x9E37_79B9_7F4A_7C15
    } else {
        fnv64(form.as_bytes())
    }
}

/// Integer dot product (exact on every platform: the same integer products
/// summed in any order). No partial sum overflows here: by Cauchy–Schwarz it
/// is at most ‖x‖·‖plane‖ ≤ 2·4096 · 128·√4096 ≈ 6.7e7.
#[inline]
fn dot_i16(a: &[i16], b: &[i16]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        dot_i16_sse2(a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        a.iter()
            .zip(b)
            .map(|(&x, &w)| i32::from(x) * i32::from(w))
            .sum()
    }
}

/// [`dot_i16`] with SSE2 `pmaddwd` (8 products per instruction; SSE2 is
/// part of the x86-64 baseline, so no runtime detection is needed).
#[cfg(target_arch = "x86_64")]
#[inline]
fn dot_i16_sse2(a: &[i16], b: &[i16]) -> i32 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_loadu_si128, _mm_madd_epi16, _mm_setzero_si128,
        _mm_storeu_si128,
    };
    let n = a.len().min(b.len());
    let full = n / 8 * 8;
    let mut lanes = [0i32; 4];
    // SAFETY: SSE2 is always available on x86_64; every load reads 8 i16
    // inside `a[..full]` / `b[..full]` (unaligned loads), the store writes
    // 4 i32 into `lanes`.
    unsafe {
        let mut acc = _mm_setzero_si128();
        let mut i = 0;
        while i < full {
            let x = _mm_loadu_si128(a.as_ptr().add(i).cast::<__m128i>());
            let y = _mm_loadu_si128(b.as_ptr().add(i).cast::<__m128i>());
            acc = _mm_add_epi32(acc, _mm_madd_epi16(x, y));
            i += 8;
        }
        _mm_storeu_si128(lanes.as_mut_ptr().cast::<__m128i>(), acc);
    }
    let rest: i32 = a[full..n]
        .iter()
        .zip(&b[full..n])
        .map(|(&x, &w)| i32::from(x) * i32::from(w))
        .sum();
    lanes.iter().sum::<i32>() + rest
}

/// `t.round()` (half away from zero) as an integer for |t| < 2^23, without
/// the `roundf` library call.
#[inline]
fn round_i32(t: f32) -> i32 {
    let i = t as i32;
    let f = t - i as f32;
    if f >= 0.5 {
        i + 1
    } else if f <= -0.5 {
        i - 1
    } else {
        i
    }
}

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

/// Scratch buffers and deferred work of inserts. A bulk load
/// ([`QuestionIndex::from_rows`]) defers the n-gram document frequencies and
/// the term postings and builds them in bulk; a single insert applies them
/// at once.
#[derive(Default)]
struct Scratch {
    bulk: bool,
    /// Word → term memo (bulk loads only).
    memo: FxHashMap<u64, u32>,
    raw: Vec<u32>,
    emb: Vec<f32>,
    acc: Vec<i32>,
    /// Distinct grams of the documents not yet counted, and their number.
    grams: Vec<u32>,
    gram_set: lexical::GramSet,
    gram_docs: u32,
    /// Deferred postings: `term << 32 | slot`.
    postings: Vec<u64>,
}

/// Distinct grams collected before they are counted in one batch.
const BULK_GRAMS: usize = 1 << 21;

/// End of an exact-key chain.
const NONE: u32 = u32::MAX;

/// Keeps the `k` smallest items under `cmp`, sorted (a total order: ties
/// are broken inside `cmp`).
fn top_k<T>(v: &mut Vec<T>, k: usize, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) {
    if v.len() > k {
        if k == 0 {
            v.clear();
            return;
        }
        v.select_nth_unstable_by(k - 1, &cmp);
        v.truncate(k);
    }
    v.sort_by(cmp);
}

/// The LSH bucket code of table `t` (bits `t·BITS ..` of the sketch).
#[inline]
fn code(sketch: u64, t: usize) -> u16 {
    ((sketch >> (t * BITS)) & ((1 << BITS) - 1)) as u16
}

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

impl QuestionIndex {
    /// An empty index. With `model = None` only the lexical signal is used
    /// (tests, or a Worker that has not loaded the model).
    pub fn new(model: Option<Arc<Embedder>>) -> Self {
        let stamp = feature_stamp(model.as_deref());
        Self {
            model,
            stamp,
            entries: Vec::new(),
            forms: String::new(),
            toks: Vec::new(),
            by_id: FxHashMap::default(),
            exact: FxHashMap::default(),
            postings: FxHashMap::default(),
            buckets: vec![Vec::new(); TABLES << BITS],
            grams: GramStats::default(),
            groups: BTreeMap::new(),
            negatives: BTreeSet::new(),
            next_seq: 0,
            live: 0,
        }
    }

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

    fn flush_grams(&mut self, sc: &mut Scratch) {
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

    /// Number of live questions.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the index holds no live question.
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Number of non-empty groups.
    pub fn group_count(&self) -> usize {
        self.groups.len()
    }

    /// The group of a stored question.
    pub fn group_of(&self, q: QuestionId) -> Option<GroupId> {
        self.slot(q).map(|s| self.entries[s as usize].group)
    }

    /// A group's questions in join order (first question first).
    pub fn members(&self, g: GroupId) -> Vec<QuestionId> {
        self.groups.get(&g).map_or_else(Vec::new, |gr| {
            gr.members
                .iter()
                .map(|&s| self.entries[s as usize].id)
                .collect()
        })
    }

    /// All non-empty groups, ascending.
    pub fn groups(&self) -> Vec<GroupId> {
        self.groups.keys().copied().collect()
    }

    /// Whether a group is marked answered.
    pub fn is_answered(&self, g: GroupId) -> bool {
        self.groups.get(&g).is_some_and(|gr| gr.answered)
    }

    /// The recorded "not this group" constraints (question, group), ascending.
    pub fn negatives(&self) -> Vec<(QuestionId, GroupId)> {
        self.negatives.iter().copied().collect()
    }

    /// Slots whose exact key is `hash`, newest first.
    fn exact_slots(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let mut cur = self.exact.get(&hash).copied().unwrap_or(NONE);
        std::iter::from_fn(move || {
            if cur == NONE {
                return None;
            }
            let s = cur;
            cur = self.entries[s as usize].next_same;
            Some(s)
        })
    }

    fn slot(&self, q: QuestionId) -> Option<u32> {
        self.by_id.get(&q).copied()
    }

    fn form_of(&self, e: &Entry) -> &str {
        let (o, l) = (e.form_off as usize, e.form_len as usize);
        &self.forms[o..o + l]
    }

    fn toks_of(&self, e: &Entry) -> &[u16] {
        let (o, l) = (e.tok_off as usize, e.tok_len as usize);
        &self.toks[o..o + l]
    }

    fn group_lang(&self, g: GroupId) -> Option<Lang> {
        let gr = self.groups.get(&g)?;
        gr.members.first().map(|&s| self.entries[s as usize].lang)
    }

    /// 64 sign bits of the centred embedding against the seeded hyperplanes,
    /// and per LSH table its two least certain bits.
    fn sketch(&self, emb: &[f32]) -> (u64, [[u8; 2]; TABLES]) {
        let mut margins = [0i32; SKETCH_BITS];
        let bits = self.project(emb, &mut margins);
        let mut weak = [[0u8; 2]; TABLES];
        for (t, w) in weak.iter_mut().enumerate() {
            let mut m = [(0i32, 0u8); BITS];
            for (b, x) in m.iter_mut().enumerate() {
                *x = (margins[t * BITS + b], b as u8);
            }
            m.sort_unstable();
            *w = [m[0].1, m[1].1];
        }
        (bits, weak)
    }

    /// The sign bits of [`sketch`](Self::sketch), with each plane's margin.
    fn project(&self, emb: &[f32], margins: &mut [i32; SKETCH_BITS]) -> u64 {
        let mut bits = 0u64;
        let Some(m) = &self.model else {
            return bits;
        };
        let d = m.dims();
        let centre = m.centre();
        let planes = m.planes();
        // The centred vector in fixed point (|x| ≤ 2, so ×4096 fits i16).
        let mut x = vec![0i16; d];
        for (xi, (e, c)) in x.iter_mut().zip(emb.iter().zip(centre)) {
            *xi = round_i32(((e - c) * 4096.0).clamp(-32767.0, 32767.0)) as i16;
        }
        for (b, mg) in margins.iter_mut().enumerate() {
            let p = &planes[b * d..(b + 1) * d];
            let v = dot_i16(&x, p);
            if v > 0 {
                bits |= 1 << b;
            }
            *mg = v.saturating_abs();
        }
        bits
    }

    fn prepare(&self, text: &str, lang: Lang) -> Query {
        let form = lexical::lexical_form(text);
        let hash = exact_key(&form, text);
        let mut raw = Vec::new();
        lexical::grams(&form, &mut raw);
        let mut grams = Vec::new();
        self.grams.weigh(&raw, &mut grams);
        let mut terms = Vec::new();
        lexical::terms(&form, lang, &mut terms);
        let (emb, has_emb) = match &self.model {
            Some(m) => {
                let mut ids = Vec::new();
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
            has_emb,
            grams,
            terms,
            sketch,
            weak,
        }
    }

    /// Candidate slots from term postings and LSH buckets (sub-linear: bounded
    /// reads per term and per bucket), scored exactly, best first.
    fn candidates(&self, q: &Query, floor: f32) -> Vec<Scored> {
        self.candidates_with(q, floor, STOP_K)
            .into_iter()
            .map(|x| x.0)
            .collect()
    }

    /// `floor`: candidates whose score cannot reach it are not fully scored.
    fn candidates_with(
        &self,
        q: &Query,
        floor: f32,
        stop_k: usize,
    ) -> Vec<(Scored, Option<f32>, f32)> {
        let mut lex: FxHashMap<u32, f32> = FxHashMap::default();
        lex.reserve(q.terms.len() * 64);
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
        self.candidates_with(&q, 0.0, STOP_K)
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
        let mut t = Vec::new();
        lexical::terms(self.form_of(e), e.lang, &mut t);
        let n = self.live as f32;
        let idf = |x: &u32| {
            let df = self.postings.get(x).map_or(0, Vec::len) as f32;
            ((n + 1.0) / (df + 1.0)).ln() + 1.0
        };
        let qa: f32 = q.terms.iter().map(|x| idf(x).powi(2)).sum();
        let ca: f32 = t.iter().map(|x| idf(x).powi(2)).sum();
        let sh: f32 = q
            .terms
            .iter()
            .filter(|x| t.binary_search(x).is_ok())
            .map(|x| idf(x).powi(2))
            .sum();
        let tc = if qa > 0.0 && ca > 0.0 {
            sh / (qa * ca).sqrt()
        } else {
            0.0
        };
        (raw, tc)
    }

    /// Per group: best member score and slot, best group first; ties go to
    /// answered groups, then the lower group id.
    fn rank_groups(&self, scored: &[Scored]) -> Vec<(GroupId, f32, u32)> {
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

    fn decide_prepared(&self, q: &Query) -> Verdict {
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
                if super::embed::normalize(&mut v) {
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

    /// [`decide`](Self::decide) then [`insert`](Self::insert): the question
    /// joins the verdict's group, or `new_group` when the verdict is `New`.
    pub fn ask(
        &mut self,
        question: QuestionId,
        text: &str,
        lang: Lang,
        new_group: GroupId,
    ) -> Verdict {
        let q = self.prepare(text, lang);
        let v = self.decide_prepared(&q);
        let g = v.group().unwrap_or(new_group);
        self.insert(question, text, lang, g);
        v
    }

    /// Stores a question in `group` (creating the group if new). Inserting an
    /// id that is already stored replaces it.
    pub fn insert(&mut self, question: QuestionId, text: &str, lang: Lang, group: GroupId) {
        self.insert_with(question, text, lang, group, &mut Scratch::default());
    }

    fn insert_with(
        &mut self,
        question: QuestionId,
        text: &str,
        lang: Lang,
        group: GroupId,
        sc: &mut Scratch,
    ) {
        let mut f = Feat::default();
        self.compute(text, lang, &mut f, sc);
        self.insert_feat(question, lang, group, &f, sc);
    }

    /// A question's features with this index's model and normalisation.
    fn compute(&self, text: &str, lang: Lang, f: &mut Feat, sc: &mut Scratch) {
        f.form = lexical::lexical_form(text);
        f.exact = exact_key(&f.form, text);
        if sc.bulk {
            lexical::terms_memo(&f.form, lang, &mut f.terms, &mut sc.memo);
        } else {
            lexical::terms(&f.form, lang, &mut f.terms);
        }
        f.toks.clear();
        f.sketch = 0;
        f.has_emb = false;
        if let Some(m) = &self.model {
            m.token_ids(text, &mut f.toks);
            sc.emb.resize(m.dims(), 0.0);
            sc.acc.resize(m.dims(), 0);
            if m.embed_ids_with(&f.toks, &mut sc.emb, &mut sc.acc) {
                f.sketch = self.project(&sc.emb, &mut [0; SKETCH_BITS]);
                f.has_emb = true;
            }
        }
    }

    /// Stores a question with its features (computed or decoded).
    fn insert_feat(
        &mut self,
        question: QuestionId,
        lang: Lang,
        group: GroupId,
        f: &Feat,
        sc: &mut Scratch,
    ) {
        if self.by_id.contains_key(&question) {
            // `remove` uncounts the old text's grams: count pending ones first.
            self.flush_grams(sc);
            self.remove(question);
        }
        let form = f.form.as_str();
        let hash = if form.is_empty() {
            f.exact
        } else {
            fnv64(form.as_bytes())
        };
        if sc.bulk {
            lexical::push_unique_grams(form, &mut sc.grams, &mut sc.gram_set);
            sc.gram_docs += 1;
            if sc.grams.len() >= BULK_GRAMS {
                self.flush_grams(sc);
            }
        } else {
            lexical::grams(form, &mut sc.raw);
            self.grams.update(&sc.raw, true);
        }

        let slot = u32::try_from(self.entries.len()).expect("fewer than 2^32 questions");
        let form_off = u32::try_from(self.forms.len()).expect("form arena under 4 GiB");
        self.forms.push_str(form);
        let tok_off = u32::try_from(self.toks.len()).expect("token arena under 4 GiB");
        self.toks.extend_from_slice(&f.toks);
        let (sketch, has_emb) = (f.sketch, f.has_emb);
        let tok_len = f.toks.len() as u16;
        if sc.bulk {
            sc.postings.extend(
                f.terms
                    .iter()
                    .map(|&t| (u64::from(t) << 32) | u64::from(slot)),
            );
        } else {
            for t in &f.terms {
                self.postings.entry(*t).or_default().push(slot);
            }
        }
        if has_emb {
            for t in 0..TABLES {
                self.buckets[(t << BITS) | code(sketch, t) as usize].push(slot);
            }
        }
        let next_same = self.exact.insert(hash, slot).unwrap_or(NONE);
        self.entries.push(Entry {
            id: question,
            group,
            seq: self.next_seq,
            next_same,
            hash,
            form_off,
            tok_off,
            form_len: form.len() as u16,
            tok_len,
            sketch,
            has_emb,
            lang,
            live: true,
        });
        self.next_seq += 1;
        self.by_id.insert(question, slot);
        self.groups.entry(group).or_default().members.push(slot);
        self.live += 1;
    }

    /// Removes a question (e.g. deleted as spam). Unknown ids are ignored.
    pub fn remove(&mut self, question: QuestionId) {
        let Some(slot) = self.by_id.remove(&question) else {
            return;
        };
        let e = self.entries[slot as usize].clone();
        let mut raw = Vec::new();
        lexical::grams(self.form_of(&e), &mut raw);
        self.grams.update(&raw, false);
        // Unlink the slot from its exact-key chain.
        if self.exact.get(&e.hash) == Some(&slot) {
            if e.next_same == NONE {
                self.exact.remove(&e.hash);
            } else {
                self.exact.insert(e.hash, e.next_same);
            }
        } else {
            let mut cur = self.exact.get(&e.hash).copied().unwrap_or(NONE);
            while cur != NONE {
                let next = self.entries[cur as usize].next_same;
                if next == slot {
                    self.entries[cur as usize].next_same = e.next_same;
                    break;
                }
                cur = next;
            }
        }
        self.detach(slot, e.group);
        self.entries[slot as usize].live = false;
        self.live -= 1;
        // Postings and buckets keep the dead slot; reads skip it and
        // `compact` (or a rebuild) drops it.
        self.negatives.retain(|&(q, _)| q != question);
    }

    fn detach(&mut self, slot: u32, g: GroupId) {
        if let Some(gr) = self.groups.get_mut(&g) {
            gr.members.retain(|&s| s != slot);
            if gr.members.is_empty() {
                self.groups.remove(&g);
            }
        }
    }

    fn place(&mut self, slot: u32, g: GroupId) {
        let old = self.entries[slot as usize].group;
        if old == g {
            return;
        }
        self.detach(slot, old);
        let e = &mut self.entries[slot as usize];
        e.group = g;
        e.seq = self.next_seq;
        self.next_seq += 1;
        self.groups.entry(g).or_default().members.push(slot);
    }

    /// Moves a stored question into `group` (an agent's "this belongs there").
    /// Returns false for an unknown question.
    pub fn join(&mut self, question: QuestionId, group: GroupId) -> bool {
        let Some(slot) = self.slot(question) else {
            return false;
        };
        self.negatives.remove(&(question, group));
        self.place(slot, group);
        true
    }

    /// Merges `groups` into the first one listed; returns it (None if empty).
    /// Members keep their order: the target's, then each other group's.
    pub fn merge(&mut self, groups: &[GroupId]) -> Option<GroupId> {
        let (&target, rest) = groups.split_first()?;
        let answered = groups.iter().any(|g| self.is_answered(*g));
        for &g in rest {
            if g == target {
                continue;
            }
            let Some(gr) = self.groups.remove(&g) else {
                continue;
            };
            for s in gr.members {
                let e = &mut self.entries[s as usize];
                e.group = target;
                e.seq = self.next_seq;
                self.next_seq += 1;
                self.groups.entry(target).or_default().members.push(s);
            }
        }
        if let Some(gr) = self.groups.get_mut(&target) {
            gr.answered = answered;
        }
        // Constraints against the merged groups no longer make sense.
        let members: BTreeSet<QuestionId> = self.members(target).into_iter().collect();
        self.negatives
            .retain(|&(q, g)| !(members.contains(&q) && (g == target || groups.contains(&g))));
        Some(target)
    }

    /// Moves `questions` into `new_group` (allocated by the caller), recording
    /// (question, old group) negatives so that the next similar question is
    /// not auto-joined back into the old group. Unknown ids are skipped.
    pub fn split(&mut self, questions: &[QuestionId], new_group: GroupId) {
        for &q in questions {
            let Some(slot) = self.slot(q) else { continue };
            let old = self.entries[slot as usize].group;
            if old != new_group {
                self.negatives.insert((q, old));
            }
            self.negatives.remove(&(q, new_group));
            self.place(slot, new_group);
        }
    }

    /// Records that `question` must not pull similar questions into `group`
    /// (what [`split`](Self::split) records; replay stored ones after a rebuild).
    pub fn add_negative(&mut self, question: QuestionId, group: GroupId) {
        self.negatives.insert((question, group));
    }

    /// Marks a group answered or not (answered groups rank first in suggestions).
    pub fn set_answered(&mut self, group: GroupId, answered: bool) {
        if let Some(g) = self.groups.get_mut(&group) {
            g.answered = answered;
        }
    }

    /// Approximate heap bytes held by the index (excluding the shared model).
    pub fn heap_bytes(&self) -> usize {
        self.heap_breakdown().iter().map(|x| x.1).sum()
    }

    /// [`heap_bytes`](Self::heap_bytes) by structure (approximate: hash
    /// tables counted at capacity with one control byte per slot).
    #[doc(hidden)]
    pub fn heap_breakdown(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let vec_heap = |v: &Vec<u32>| v.capacity() * 4;
        vec![
            ("entries", self.entries.capacity() * size_of::<Entry>()),
            ("forms", self.forms.capacity()),
            ("tokens", self.toks.capacity() * 2),
            (
                "by_id",
                self.by_id.capacity() * (size_of::<(u64, u32)>() + 1),
            ),
            (
                "exact",
                self.exact.capacity() * (size_of::<(u64, u32)>() + 1),
            ),
            (
                "postings",
                self.postings.capacity() * (size_of::<(u32, Vec<u32>)>() + 1)
                    + self.postings.values().map(vec_heap).sum::<usize>(),
            ),
            (
                "buckets",
                self.buckets.len() * size_of::<Vec<u32>>()
                    + self.buckets.iter().map(vec_heap).sum::<usize>(),
            ),
            ("gram_df", self.grams.heap_bytes()),
            (
                "groups",
                self.groups.len() * (size_of::<(GroupId, Group)>() + 16)
                    + self
                        .groups
                        .values()
                        .map(|g| g.members.capacity() * 4)
                        .sum::<usize>(),
            ),
        ]
    }
}
