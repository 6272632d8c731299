//! Triage of an incoming question: spam/troll (rejected), personal data
//! (private: never in the public feed) or fine (public).
//!
//! Why here: the edge must decide before it commits a question, the widget
//! can show the same verdict as a pre-submit hint, and the console can redact
//! with the same rules, so one pure, deterministic implementation serves all
//! three. No I/O and no clock: the caller passes the asker's recent activity
//! ([`RateInfo`]) with times it read itself.
//!
//! Precedence: **rejected beats private beats public**.
//! - Rejected first: spam or abuse must not reach anyone, and offering a
//!   spammer a private follow-up would hand them an agent's time. Personal
//!   data is still reported in [`Triage::pii`] so stored text can be redacted.
//! - Private before public: a question carrying personal data must never be
//!   shown in the feed, whatever else it says.
//!
//! Rejection reasons are checked in this order and the first one wins:
//! `rate`, `duplicate`, `blocklist`, `links`, `repetition`, `shouting`,
//! `gibberish`. Repetition, shouting and gibberish look at the text with
//! links and personal data blanked out. Thresholds are the public constants
//! below; the personal-data rules (what counts as a phone number, card, IBAN
//! or e-mail, and which numbers are left alone) are on [`find_pii`].

mod pii;
mod spam;
mod text;

use crate::api::{AskStatus, ErrorBody};
use serde::{Deserialize, Serialize};

pub use pii::{PiiKind, PiiSpan, find_pii, redact, redact_references, reference_spans};
pub use spam::{
    BUILTIN_BLOCKLIST, MAX_LETTER_RUN, MAX_LINKS, MAX_SAME_WORD_RUN, MAX_SYMBOL_RUN,
    MIN_WORDS_WITH_BARE_DOMAIN, MIN_WORDS_WITH_EXPLICIT_LINK, SHOUTING_MIN_LETTERS,
    SHOUTING_UPPER_PERCENT,
};
pub use text::fingerprint;

/// Longest question, in characters (not bytes), after trimming.
pub const MAX_QUESTION_CHARS: usize = 1000;
/// An asker may ask this many questions per minute; the next one is rejected.
pub const MAX_ASKS_PER_MINUTE: u32 = 5;
/// An asker may ask this many questions per hour; the next one is rejected.
pub const MAX_ASKS_PER_HOUR: u32 = 30;
/// The same text from the same asker within this window is a duplicate.
pub const DUPLICATE_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The asker's recent activity, *not counting the question being triaged*.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateInfo {
    /// Questions the asker sent in the last 60 seconds.
    pub asks_last_minute: u32,
    /// Questions the asker sent in the last hour.
    pub asks_last_hour: u32,
    /// Earlier questions by the asker with the same [`fingerprint`] within
    /// [`DUPLICATE_WINDOW_MS`].
    pub same_text_recent: u32,
}

impl RateInfo {
    /// Counts from the asker's history: `(asked_at_ms, text)` of their earlier
    /// questions (any order, older ones are ignored). Times in the future
    /// (clock skew) count as recent.
    pub fn from_history<'t>(
        now_ms: i64,
        text: &str,
        history: impl IntoIterator<Item = (i64, &'t str)>,
    ) -> Self {
        let print = fingerprint(text);
        let mut info = RateInfo::default();
        for (at, earlier) in history {
            let age = now_ms.saturating_sub(at);
            if age < 60_000 {
                info.asks_last_minute += 1;
            }
            if age < 3_600_000 {
                info.asks_last_hour += 1;
            }
            if age < DUPLICATE_WINDOW_MS && !print.is_empty() && fingerprint(earlier) == print {
                info.same_text_recent += 1;
            }
        }
        info
    }
}

/// Everything triage looks at.
#[derive(Debug, Clone, Copy)]
pub struct TriageInput<'a> {
    /// The question, ideally already through [`validate_question`].
    pub text: &'a str,
    /// The asker's recent activity.
    pub rate: RateInfo,
    /// The brand's own blocked words or phrases (any case, accents optional).
    pub extra_blocklist: &'a [String],
}

impl<'a> TriageInput<'a> {
    /// Input with no rate history and no brand words.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            rate: RateInfo::default(),
            extra_blocklist: &[],
        }
    }
}

/// Why a question was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Too many questions from the asker (per minute or per hour).
    Rate,
    /// The asker sent the same text a few minutes ago.
    Duplicate,
    /// A built-in or brand-blocked word or phrase.
    Blocklist,
    /// Too many links, or a link with hardly any question.
    Links,
    /// The same character, word or phrase over and over.
    Repetition,
    /// A long text in capitals.
    Shouting,
    /// Keyboard mashing.
    Gibberish,
}

/// The outcome of triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Fine to publish.
    Public,
    /// Holds personal data: keep out of the public feed, offer a private
    /// follow-up. `kinds` are sorted and distinct.
    Private {
        /// The kinds of personal data found.
        kinds: Vec<PiiKind>,
    },
    /// Spam, abuse or flooding: store for audit only.
    Rejected {
        /// The first rule that fired.
        reason: RejectReason,
    },
}

impl Verdict {
    /// The API status this verdict forces, if any (`Public` leaves the choice
    /// between `new`, `grouped` and `answered` to duplicate detection).
    pub fn forced_status(&self) -> Option<AskStatus> {
        match self {
            Verdict::Public => None,
            Verdict::Private { .. } => Some(AskStatus::Private),
            Verdict::Rejected { .. } => Some(AskStatus::Rejected),
        }
    }
}

/// Triage result: the verdict plus what was found, for the response and audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// Rejected beats private beats public.
    pub verdict: Verdict,
    /// Every piece of personal data found (also when rejected), sorted.
    pub pii: Vec<PiiSpan>,
    /// A short human explanation of a rejection for the audit log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Triages one question. Never panics; any string is accepted (an empty one
/// is public: validation is [`validate_question`]'s job).
pub fn triage(input: TriageInput<'_>) -> Triage {
    let text = input.text;
    let pii = find_pii(text);
    let (reason, detail) = match rejection(&input, &pii) {
        Some((reason, detail)) => (Some(reason), Some(detail)),
        None => (None, None),
    };
    let verdict = match reason {
        Some(reason) => Verdict::Rejected { reason },
        None if !pii.is_empty() => {
            let mut kinds: Vec<PiiKind> = pii.iter().map(|s| s.kind).collect();
            kinds.sort();
            kinds.dedup();
            Verdict::Private { kinds }
        }
        None => Verdict::Public,
    };
    Triage {
        verdict,
        pii,
        detail,
    }
}

fn rejection(input: &TriageInput<'_>, pii: &[PiiSpan]) -> Option<(RejectReason, String)> {
    let rate = input.rate;
    if rate.asks_last_minute >= MAX_ASKS_PER_MINUTE {
        return Some((
            RejectReason::Rate,
            format!("{} questions in the last minute", rate.asks_last_minute),
        ));
    }
    if rate.asks_last_hour >= MAX_ASKS_PER_HOUR {
        return Some((
            RejectReason::Rate,
            format!("{} questions in the last hour", rate.asks_last_hour),
        ));
    }
    if rate.same_text_recent > 0 {
        return Some((
            RejectReason::Duplicate,
            "same text asked a few minutes ago".to_string(),
        ));
    }
    let text = input.text;
    let all_words = text::words(text);
    if let Some(d) = spam::check_blocklist(&all_words, input.extra_blocklist) {
        return Some((RejectReason::Blocklist, d));
    }
    let links = spam::find_links(text);
    // Blank out links and personal data: their characters are not prose.
    let mut bytes = text.as_bytes().to_vec();
    let ranges = links
        .iter()
        .map(|l| l.range.clone())
        .chain(pii.iter().map(|s| s.range()));
    for r in ranges {
        if let Some(slice) = bytes.get_mut(r) {
            slice.fill(b' ');
        }
    }
    let prose = String::from_utf8(bytes).unwrap_or_default();
    let prose_words = text::words(&prose);
    if let Some(d) = spam::check_links(&links, prose_words.len()) {
        return Some((RejectReason::Links, d));
    }
    if let Some(d) = spam::check_repetition(&prose, &prose_words) {
        return Some((RejectReason::Repetition, d));
    }
    if let Some(d) = spam::check_shouting(&prose_words) {
        return Some((RejectReason::Shouting, d));
    }
    if let Some(d) = spam::check_gibberish(&prose_words) {
        return Some((RejectReason::Gibberish, d));
    }
    None
}

/// Why a question's text is not acceptable at all (HTTP 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationError {
    /// Nothing but whitespace.
    Empty,
    /// More than [`MAX_QUESTION_CHARS`] characters after trimming.
    TooLong {
        /// Characters after trimming.
        chars: usize,
    },
}

impl ValidationError {
    /// Stable machine code for the API error body.
    pub fn code(&self) -> &'static str {
        match self {
            ValidationError::Empty => "question_empty",
            ValidationError::TooLong { .. } => "question_too_long",
        }
    }

    /// Human message for the API error body.
    pub fn message(&self) -> String {
        match self {
            ValidationError::Empty => "A question cannot be empty.".to_string(),
            ValidationError::TooLong { .. } => {
                format!("A question can be at most {MAX_QUESTION_CHARS} characters.")
            }
        }
    }

    /// The `{"error": {code, message}}` body to send with status 400.
    pub fn to_error_body(&self) -> ErrorBody {
        ErrorBody::new(self.code(), self.message())
    }
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for ValidationError {}

/// Whitespace and invisible characters trimmed from both ends of a question.
fn is_trimmed(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Trims a question and checks it has 1–1000 characters (Unicode scalar
/// values, not bytes). Returns the trimmed text to store.
pub fn validate_question(text: &str) -> Result<&str, ValidationError> {
    let trimmed = text.trim_matches(is_trimmed);
    if trimmed.is_empty() {
        return Err(ValidationError::Empty);
    }
    if trimmed.chars().nth(MAX_QUESTION_CHARS).is_some() {
        return Err(ValidationError::TooLong {
            chars: trimmed.chars().count(),
        });
    }
    Ok(trimmed)
}

#[cfg(test)]
mod tests;
