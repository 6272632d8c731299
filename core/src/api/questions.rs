//! Shapes of the routes beyond the skeleton: suggestions, "my questions",
//! missed searches, and every agent route. Ids are strings on the wire
//! (`g12`, `q345`); times are milliseconds since the Unix epoch.

use serde::{Deserialize, Serialize};

use super::{AgentPublic, Answer, Role};

/// A group suggested while the customer types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedGroup {
    /// Group id; send it back as `group_id` to join it.
    pub group_id: String,
    /// The group's representative question.
    pub question: String,
    /// Similarity in 0..=1.
    pub score: f32,
    /// Whether the group has an answer.
    pub answered: bool,
    /// The answer, when answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// How many people asked it.
    pub asked_count: u32,
}

/// An article suggested while the customer types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedArticle {
    /// Article id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Search score (higher is better; not normalised).
    pub score: f32,
}

/// `GET /v1/{brand}/suggest?q=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Suggestions {
    /// Public groups, best first, answered first on ties.
    pub groups: Vec<SuggestedGroup>,
    /// Knowledge-base articles, best first.
    pub articles: Vec<SuggestedArticle>,
}

/// Where one question stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionStatus {
    /// Waiting for an answer, public.
    Open,
    /// Its group has an answer.
    Answered,
    /// Held back (personal data); answered privately if at all.
    Private,
    /// Spam or abuse; never shown.
    Rejected,
}

/// One of the asker's own questions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyQuestion {
    /// Question id.
    pub question_id: String,
    /// The text as asked.
    pub text: String,
    /// Its group.
    pub group_id: String,
    /// Status.
    pub status: QuestionStatus,
    /// When it was asked.
    pub asked_at: i64,
    /// How many people asked the group's question.
    pub asked_count: u32,
    /// The answer, once there is one (also for private questions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
}

/// `GET /v1/{brand}/questions/mine`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyQuestions {
    /// Newest first.
    pub questions: Vec<MyQuestion>,
}

/// `POST /v1/{brand}/searches/missed`: knowledge-base searches that found nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissedSearches {
    /// 1–50 queries, each 1–200 characters.
    pub queries: Vec<String>,
}

/// A group as agents see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupStatus {
    /// Public, waiting for an answer.
    Open,
    /// Public, answered (in the feed).
    Answered,
    /// Holds personal data: never public, answered privately.
    Private,
    /// Every question in it is flagged spam or troll.
    Flagged,
}

/// One row of the agents' queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSummary {
    /// Group id.
    pub group_id: String,
    /// Representative question (the first asked).
    pub question: String,
    /// Askers in the group.
    pub asked_count: u32,
    /// First question's time.
    pub first_asked_at: i64,
    /// Latest question's time.
    pub last_asked_at: i64,
    /// Status.
    pub status: GroupStatus,
    /// When the promised response time runs out (`null` once answered).
    pub sla_due_at: Option<i64>,
    /// Gaining askers much faster than usual (see ARCHITECTURE.md).
    pub trending: bool,
    /// Language of the first question.
    pub lang: String,
    /// First answer's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_at: Option<i64>,
    /// "Helpful" clicks on the answer.
    #[serde(default)]
    pub helpful: u32,
}

/// `GET /v1/{brand}/agent/groups`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupList {
    /// Groups in the requested order.
    pub groups: Vec<GroupSummary>,
    /// Next page, `null` at the end.
    pub next_cursor: Option<String>,
}

/// A member question as agents see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDetail {
    /// Question id.
    pub question_id: String,
    /// Text as asked (agents see personal data; the public never does).
    pub text: String,
    /// Asker's name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Language.
    pub lang: String,
    /// When it was asked.
    pub asked_at: i64,
    /// Status.
    pub status: QuestionStatus,
    /// Agent or triage flags: `spam`, `troll`, `private`.
    pub flags: Vec<String>,
    /// Kinds of personal data found (`email`, `phone`, `card`, `iban`, …).
    pub personal_data: Vec<String>,
}

/// One version of a group's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerRevision {
    /// Text of this version.
    pub body: String,
    /// Who wrote it.
    pub agent: AgentPublic,
    /// When.
    pub at: i64,
}

/// `GET /v1/{brand}/agent/groups/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDetail {
    /// The group.
    pub group: GroupSummary,
    /// Every member question, oldest first.
    pub questions: Vec<QuestionDetail>,
    /// Current answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Earlier versions of the answer, oldest first.
    pub history: Vec<AnswerRevision>,
}

/// `POST|PUT /v1/{brand}/agent/groups/{id}/answer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerInput {
    /// Markdown subset, 1–10000 characters.
    pub body: String,
}

/// Response of posting or editing an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    /// The group.
    pub group_id: String,
    /// The answer now shown.
    pub answer: Answer,
    /// Askers it reached.
    pub reached: u32,
}

/// `POST /v1/{brand}/agent/groups/{id}/merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeInput {
    /// Groups folded into this one.
    pub from: Vec<String>,
}

/// `POST /v1/{brand}/agent/groups/{id}/split`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitInput {
    /// Member questions that move to a new group.
    pub question_ids: Vec<String>,
}

/// Flags an agent can set on a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flag {
    /// Advertising or junk: hidden.
    Spam,
    /// Abuse: hidden.
    Troll,
    /// Personal data: moved to a private group.
    Private,
    /// Removes every flag.
    Clear,
}

/// `POST /v1/{brand}/agent/questions/{id}/flag`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlagInput {
    /// The flag.
    pub flag: Flag,
}

/// `POST /v1/{brand}/agent/groups/{id}/promote`: optional overrides.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PromoteInput {
    /// Title; the group's question when absent.
    #[serde(default)]
    pub title: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `GET /v1/{brand}/agent/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Agent id.
    pub agent_id: String,
    /// Name.
    pub name: String,
    /// Initials.
    pub initials: String,
    /// Photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// Role.
    pub role: Role,
    /// The brand's slug.
    pub brand: String,
}

/// One day of `GET /v1/{brand}/agent/metrics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayMetrics {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Questions asked (every asker counts).
    pub opened: u32,
    /// Groups that got their first answer.
    pub answered: u32,
    /// Question → first answer of its group, over questions answered that day.
    pub first_response_p50_ms: Option<i64>,
    /// 90th percentile of the same.
    pub first_response_p90_ms: Option<i64>,
    /// Group created → first answer, over groups answered that day.
    pub time_to_answer_p50_ms: Option<i64>,
    /// 90th percentile of the same.
    pub time_to_answer_p90_ms: Option<i64>,
    /// Suggestions that ended without an ask, plus "helpful" clicks.
    pub deflections: u32,
    /// "Helpful" clicks alone.
    pub helpful: u32,
    /// Questions that joined an existing group.
    pub duplicates_joined: u32,
    /// Askers reached per answer given that day.
    pub askers_per_answer: Option<f64>,
    /// Knowledge-base searches with no result.
    pub missed_searches: u32,
}

/// A search that found nothing, with how often.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentGap {
    /// Normalised query.
    pub query: String,
    /// Times searched in the range.
    pub count: u32,
}

/// `GET /v1/{brand}/agent/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// First day.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// The brand's promised response time.
    pub response_target_minutes: u32,
    /// One entry per day, oldest first, including empty days.
    pub days: Vec<DayMetrics>,
    /// Largest groups asked in the range.
    pub top_groups: Vec<GroupSummary>,
    /// Most frequent missed searches in the range.
    pub gaps: Vec<ContentGap>,
}

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Increasing id.
    pub id: i64,
    /// When.
    pub at: i64,
    /// `admin` or an agent id.
    pub actor: String,
    /// What, e.g. `group.answer`, `group.merge`.
    pub action: String,
    /// The object acted on.
    pub target: String,
    /// Extra detail.
    pub detail: String,
}

/// `GET /v1/{brand}/agent/audit?cursor=&actor=&action=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<AuditEntry>,
    /// Next page, `null` at the end.
    pub next_cursor: Option<String>,
}
