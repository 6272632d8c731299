//! [`QuestionIndex`]: one brand's questions and groups, in memory.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::normalize::Lang;

use super::embed::Embedder;
use super::features::feature_stamp;
use super::hash::{FxHashMap, fnv64};
use super::lexical::{self, GramStats};

mod edit;
mod query;
mod rebuild;
mod sketch;
mod suggest;

pub use suggest::PoolRow;

pub(crate) use sketch::{dot_i16, lsh_planes};

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
    ids: Vec<u16>,
    has_emb: bool,
    grams: Vec<(u32, f32)>,
    terms: Vec<u32>,
    sketch: u64,
    /// Per table, the two least certain bits (multi-probe).
    weak: [[u8; 2]; TABLES],
}

/// Char n-gram TF-IDF vectors of fully scored candidates, by slot.
type Weighed = Vec<(u32, Vec<(u32, f32)>)>;

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
