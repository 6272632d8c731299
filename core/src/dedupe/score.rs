//! The combined similarity of a new question and one stored question, and
//! the two named thresholds.
//!
//! `score = sigmoid(W_EMB·cos + W_CHAR·char + W_BOTH·cos·char + BIAS)` when both questions are
//! English (embedding cosine available), else the lexical-only
//! `sigmoid(W_CHAR_LEX·char + BIAS_LEX)` (Spanish: the teacher model is English only).
//! `cos` is the cosine of the static embeddings, `char` the cosine of char
//! 3–5-gram TF-IDF vectors (IDF over the brand's stored questions).

// Coefficients: logistic regression (Newton, no regularisation) of "same
// intent" on the retrieved candidate pairs (top 10 per question, 99,620
// pairs) of a streaming run over banking77-dev.intents.tsv
// (`cargo xtask eval dedupe --intents … --dump FILE`, fit with
// `scripts/distill/fit_score.py`).

/// Weight of the embedding cosine.
pub const W_EMB: f32 = 6.841;
/// Weight of the char n-gram cosine.
pub const W_CHAR: f32 = 1.552;
/// Weight of the product embedding cosine × char cosine.
pub const W_BOTH: f32 = 3.591;
/// Bias of the combined model.
pub const BIAS: f32 = -6.381;
/// Weight of the char n-gram cosine when no embedding applies (fit the same
/// way on char cosine alone: 6.24; the bias is then moved so that
/// [`AUTO_JOIN`] falls at char cosine 0.80, where that fit's streaming join
/// precision was 0.95+).
pub const W_CHAR_LEX: f32 = 6.238;
/// Bias of the lexical-only model.
pub const BIAS_LEX: f32 = -1.81;

/// Auto-join threshold: a new question joins a group when its best member
/// scores at least this (join precision ≥ 0.95 on banking77-dev, with margin).
pub const AUTO_JOIN: f32 = 0.96;
/// Suggestion threshold: groups scoring at least this are suggested (recall first).
pub const SUGGEST: f32 = 0.05;

/// Combined score in `[0, 1]`.
pub fn combine(cos: Option<f32>, char_cos: f32) -> f32 {
    let z = match cos {
        Some(e) => W_EMB * e + W_CHAR * char_cos + W_BOTH * e * char_cos + BIAS,
        None => W_CHAR_LEX * char_cos + BIAS_LEX,
    };
    if z.is_nan() {
        return 0.0;
    }
    1.0 / (1.0 + (-z).exp())
}
