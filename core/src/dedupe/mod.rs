//! Duplicate detection: recognise a question asked before and group it.
//!
//! - [`Embedder`]: the distilled static embedding (`core/model/`: a 256-d
//!   int8 table distilled from all-MiniLM-L6-v2 and its WordPiece
//!   vocabulary), loaded from bytes with a hand-written BERT WordPiece
//!   tokenizer (no `tokenizers`, no randomness, no I/O).
//! - [`QuestionIndex`]: one brand's questions and groups. Exact repeats
//!   (same folded words: case, accents, punctuation and spacing ignored) join
//!   at once; near repeats are retrieved sub-linearly (stemmed-term postings,
//!   read newest first with a cap, plus 4 × 10-bit random-hyperplane LSH
//!   tables with multi-probe), pre-ranked by a 64-bit sign sketch, and scored
//!   by [`combine`]: a logistic combination of the centred embedding cosine
//!   and the char 3–5-gram TF-IDF cosine, against every retrieved member of a
//!   group (not one representative). A question auto-joins the best group
//!   scoring ≥ [`AUTO_JOIN`] (or ≥ [`AUTO_JOIN_SUPPORTED`] on two of its
//!   members); [`QuestionIndex::suggest`] lists groups scoring ≥ [`SUGGEST`],
//!   ranked by [`rank`] (the pair score, the share of the query's term
//!   weight a member shares and a soft token alignment in the embedding
//!   table) and diversified (maximal marginal relevance, [`REDUNDANCY`]) so
//!   near-twin groups do not take several of the few slots.
//! - A question never auto-joins a group of another language (a group's
//!   language is its first question's); Spanish (or any pair that is not
//!   English–English) is matched on char n-grams alone, with Spanish stemming
//!   for retrieval.
//!
//! # Use from the edge (one index per brand, in the Durable Object)
//!
//! ```ignore
//! use std::sync::Arc;
//! use chorus_core::dedupe::{Embedder, QuestionIndex, Row, Verdict};
//! // Once per isolate, lazily on first use (~75 ms in wasm, ~20 ms native):
//! let model = Arc::new(Embedder::from_bytes(
//!     include_bytes!("../../core/model/chorus-static-256.bin"),
//!     include_str!("../../core/model/vocab.txt"),
//! )?);
//! // On wake: rebuild from SQLite, rows in creation order (ORDER BY id),
//! // then replay the stored split constraints.
//! let mut ix = QuestionIndex::from_rows(Some(model), rows.iter().map(|r| Row {
//!     question: r.id, group: r.group_id, text: &r.text, lang: r.lang,
//!     answered: r.group_answered,
//! }));
//! for (q, g) in stored_negatives { ix.add_negative(q, g); }
//! // New question: 1. decide, 2. commit to SQLite, 3. apply.
//! let v = ix.decide(text, lang);
//! let group = match v { Verdict::Join { group, .. } => group, Verdict::New => db_new_group()? };
//! db_insert_question(qid, group)?;
//! ix.insert(qid, text, lang, group);
//! // Typing: ix.suggest(partial, 3) → answered groups first on ties.
//! // Agents: ix.set_answered(g, true); ix.join(q, g); ix.merge(&[keep, other]);
//! //         ix.split(&[q1, q2], new_group_id) (persist the pairs of
//! //         ix.negatives() so a rebuild keeps them); ix.remove(q).
//! ```
//!
//! Ids are the edge's SQLite integer ids (`u64`); the index never allocates
//! group ids: the caller passes the id of a new group ([`QuestionIndex::insert`],
//! [`QuestionIndex::ask`], [`QuestionIndex::split`]).
//!
//! Everything is deterministic: seeded integer hyperplanes, integer embedding
//! sums, Fx hashing for lookups only, `BTreeMap`s and explicit tie-breaks
//! wherever order reaches a result. No threads, clocks or I/O; builds for
//! `wasm32-unknown-unknown`.

mod embed;
mod features;
mod hash;
mod index;
mod lexical;
mod score;
mod wordpiece;

pub use embed::{Embedder, Error, MAX_TOKENS};
pub use features::{FEATURES_VERSION, feature_stamp, features_current};
pub use index::{
    GroupId, JoinReason, PoolRow, QuestionId, QuestionIndex, Row, StoredRow, Suggestion, Verdict,
};
pub use score::{
    AUTO_JOIN, AUTO_JOIN_SUPPORTED, RANK_ALIGN, RANK_BIAS, RANK_TERMS, REDUNDANCY, SUGGEST,
    combine, rank,
};

#[cfg(test)]
mod tests;
