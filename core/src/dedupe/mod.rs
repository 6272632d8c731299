//! Duplicate detection: recognise a question asked before and group it.
//!
//! - [`Embedder`]: the distilled static embedding (`core/model/`), loaded from
//!   bytes with a hand-written BERT WordPiece tokenizer (no `tokenizers`).
//! - [`QuestionIndex`]: one brand's questions and groups. Exact repeats (folded
//!   text hash) join at once; near repeats are found through term postings and
//!   random-hyperplane LSH buckets (sub-linear), scored by a calibrated
//!   combination of embedding cosine and char n-gram TF-IDF cosine against every
//!   retrieved member of a group (not one representative), and auto-joined when
//!   the score reaches [`AUTO_JOIN`]; [`QuestionIndex::suggest`] lists groups
//!   scoring at least [`SUGGEST`].
//! - A question never auto-joins a group of another language; Spanish is
//!   matched lexically (the teacher is English only).
//!
//! Everything is deterministic: seeded hyperplanes, Fx hashing for lookups,
//! `BTreeMap`s and explicit tie-breaks wherever order reaches a result.

mod embed;
mod hash;
mod index;
mod lexical;
mod score;
mod wordpiece;

pub use embed::{Embedder, Error, MAX_TOKENS};
pub use index::{GroupId, JoinReason, QuestionId, QuestionIndex, Row, Suggestion, Verdict};
pub use score::{AUTO_JOIN, SUGGEST, combine};

#[cfg(test)]
mod tests;
