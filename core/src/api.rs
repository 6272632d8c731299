//! The HTTP contract of `shared/API.md` (version 1) as serde types.
//!
//! The edge serialises these, the widget and console deserialise them, and the
//! tests pin their JSON shape, so a field renamed here is caught before it
//! breaks an outside integration.

use serde::{Deserialize, Serialize};

mod questions;
mod team;
pub use questions::*;
pub use team::*;

/// `{"error": {"code", "message"}}`: every error the API returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error itself.
    pub error: ErrorDetail,
}

/// A stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, snake_case, documented in API.md (e.g. `question_too_long`).
    pub code: String,
    /// A sentence for humans; may change between releases.
    pub message: String,
}

impl ErrorBody {
    /// Builds an error body from a code and a message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}

/// Opening hours as shown to customers, e.g. `Mon–Fri 9:00–18:00 CET`.
pub type Hours = String;

/// `GET /v1/{brand}/config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrandConfig {
    /// Public slug, `[a-z0-9-]{2,40}`.
    pub brand: String,
    /// Display name.
    pub name: String,
    /// Brand colour as `#rrggbb`.
    pub color: String,
    /// UI languages the brand offers, first is the default (`en`, `es`).
    pub languages: Vec<String>,
    /// Opening hours, free text.
    pub hours: Hours,
    /// The response time the brand promises, in minutes.
    pub response_target_minutes: u32,
    /// Greeting shown at the top of the widget.
    pub greeting: String,
}

/// One knowledge-base article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id (a slug or a generated id).
    pub id: String,
    /// Title, plain text.
    pub title: String,
    /// Body in the Markdown subset (paragraphs, lists, links, bold, italic, code).
    pub body: String,
    /// Free tags, used by search with a weight between title and body.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Language of the article (`en`, `es`).
    #[serde(default = "default_lang")]
    pub lang: String,
    /// Last change, milliseconds since the Unix epoch.
    #[serde(default)]
    pub updated_at: i64,
}

fn default_lang() -> String {
    "en".to_string()
}

/// `GET /v1/{brand}/kb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    /// Every published article.
    pub articles: Vec<Article>,
    /// Changes whenever any article changes; also the ETag.
    pub version: String,
}

/// An article as written by an agent or imported by an admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleInput {
    /// Optional stable id; generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Title, 1–200 characters.
    pub title: String,
    /// Body, 1–20000 characters.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Language, defaults to the brand's first language.
    #[serde(default)]
    pub lang: Option<String>,
}

/// `POST /v1/admin/brands`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateBrand {
    /// Public slug, `[a-z0-9-]{2,40}`.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Origins allowed to write (e.g. `https://shop.example`).
    pub allowed_origins: Vec<String>,
    /// `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
    /// UI languages.
    #[serde(default)]
    pub languages: Option<Vec<String>>,
    /// Opening hours.
    #[serde(default)]
    pub hours: Option<Hours>,
    /// Promised response time.
    #[serde(default)]
    pub response_target_minutes: Option<u32>,
    /// Greeting.
    #[serde(default)]
    pub greeting: Option<String>,
}

/// Agent roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Answers questions.
    Agent,
    /// Also manages agents, canned replies and settings.
    Lead,
}

/// `POST /v1/admin/brands/{brand}/agents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateAgent {
    /// Display name shown under answers.
    pub name: String,
    /// Initials; derived from the name when absent.
    #[serde(default)]
    pub initials: Option<String>,
    /// Photo URL (http/https).
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Role.
    pub role: Role,
}

/// Response of `POST /v1/admin/brands/{brand}/agents`; the token is shown once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreatedAgent {
    /// Agent id.
    pub agent_id: String,
    /// Bearer token; only its SHA-256 is stored.
    pub token: String,
}

/// The public face of an agent under an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentPublic {
    /// Display name.
    pub name: String,
    /// Initials.
    pub initials: String,
    /// Photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// An answer to a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// Markdown subset.
    pub body: String,
    /// Who answered.
    pub agent: AgentPublic,
    /// Milliseconds since the Unix epoch.
    pub answered_at: i64,
}

/// One entry of the public feed: a group, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedItem {
    /// Group id.
    pub group_id: String,
    /// The group's representative question text.
    pub question: String,
    /// How many people asked it.
    pub asked_count: u32,
    /// The answer.
    pub answer: Answer,
}

/// `GET /v1/{brand}/feed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    /// Newest answer first.
    pub items: Vec<FeedItem>,
    /// Pass back as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `POST /v1/{brand}/questions` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskRequest {
    /// 1–1000 characters after trimming.
    pub text: String,
    /// Optional display name of the asker.
    #[serde(default)]
    pub name: Option<String>,
    /// `en` / `es`; detected when absent.
    #[serde(default)]
    pub lang: Option<String>,
    /// The customer confirmed this suggested group as the same question.
    #[serde(default)]
    pub group_id: Option<String>,
}

/// What happened to an asked question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AskStatus {
    /// Joined a group that already has an answer (returned at once).
    Answered,
    /// Joined an open group.
    Grouped,
    /// Started a new group.
    New,
    /// Held back from the public feed: personal data.
    Private,
    /// Spam or abuse.
    Rejected,
}

/// `POST /v1/{brand}/questions` response (201).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskResponse {
    /// Question id.
    pub question_id: String,
    /// Keep this to follow the question; only its hash is stored.
    pub asker_token: String,
    /// The group the question belongs to.
    pub group_id: String,
    /// Outcome.
    pub status: AskStatus,
    /// The group's answer when `status` is `answered`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<Answer>,
    /// Chorus extension: how many people asked the group's question, this
    /// asker included (1 for a new, private or rejected question).
    #[serde(default)]
    pub asked_count: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_the_documented_shape() {
        let json = serde_json::to_value(ErrorBody::new("question_too_long", "Too long.")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "question_too_long", "message": "Too long."}})
        );
    }

    #[test]
    fn ask_status_serialises_lowercase() {
        let r = AskResponse {
            question_id: "q1".into(),
            asker_token: "t".into(),
            group_id: "g1".into(),
            status: AskStatus::Grouped,
            answer: None,
            asked_count: 2,
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["status"], "grouped");
        assert!(json.get("answer").is_none(), "absent answer is omitted");
    }

    #[test]
    fn article_defaults_language_and_tags() {
        let a: Article = serde_json::from_str(r#"{"id":"a","title":"T","body":"B"}"#).unwrap();
        assert_eq!(a.lang, "en");
        assert!(a.tags.is_empty());
    }
}
