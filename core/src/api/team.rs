//! Leads' routes: brand settings, the team's agents, canned replies and
//! webhooks (`/v1/{brand}/agent/settings|agents|canned|webhooks`).

use serde::{Deserialize, Serialize};

/// `GET|PUT /v1/{brand}/agent/settings` (PUT: lead only; every field optional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// UI languages, first is the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    /// Opening hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<String>,
    /// Promised response time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_target_minutes: Option<u32>,
    /// Greeting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    /// Origins allowed to write.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_origins: Option<Vec<String>>,
    /// Where customers with personal data are sent (an e-mail, a URL or a sentence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_followup: Option<String>,
}

/// A team member as leads see them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Agent id.
    pub agent_id: String,
    /// Name.
    pub name: String,
    /// Initials.
    pub initials: String,
    /// Photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
    /// `agent` or `lead`.
    pub role: super::Role,
}

/// A saved reply; `{name}` is replaced by the asker's name when used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedReply {
    /// Id.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Markdown subset.
    pub body: String,
    /// Last change.
    pub updated_at: i64,
}

/// `POST|PUT /v1/{brand}/agent/canned[/{id}]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CannedInput {
    /// 1–100 characters.
    pub title: String,
    /// 1–10000 characters.
    pub body: String,
}

/// Events a webhook can subscribe to.
pub const WEBHOOK_EVENTS: [&str; 3] = ["group.created", "group.answered", "group.trending"];

/// A webhook (its secret is shown once, at creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<String>,
    /// When it was created.
    pub created_at: i64,
    /// Only at creation: the HMAC-SHA256 key of `Chorus-Signature`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// `POST /v1/{brand}/agent/webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookInput {
    /// http(s) URL.
    pub url: String,
    /// Some of [`WEBHOOK_EVENTS`].
    pub events: Vec<String>,
}

/// One delivery attempt record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Id (also the `Chorus-Delivery` header).
    pub id: i64,
    /// Event name.
    pub event: String,
    /// `pending`, `delivered` or `failed` (after the last retry).
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// HTTP status of the last attempt.
    pub last_status: Option<i64>,
    /// Error of the last attempt.
    pub last_error: Option<String>,
    /// Next attempt (pending only).
    pub next_at: Option<i64>,
    /// When the event happened.
    pub created_at: i64,
    /// When it was delivered.
    pub delivered_at: Option<i64>,
}
