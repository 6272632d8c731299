//! The console's view of the agent API: one fetch helper and typed calls.
//!
//! Every call carries `Authorization: Bearer <agent token>`; failures keep
//! the HTTP status and the API's stable error code so views can say what
//! went wrong (401 → sign in again) instead of a generic "failed".

use chorus_core::api::{
    AnswerInput, Answered, Article, ArticleInput, AuditPage, CannedInput, CreateAgent,
    CreatedAgent, Delivery, ErrorBody, Flag, FlagInput, GroupDetail, GroupList, KnowledgeBase, Me,
    MergeInput, Metrics, PromoteInput, QuestionDetail, Settings, SplitInput, TeamMember, Webhook,
    WebhookInput,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// A failed call: HTTP status (0 when the network failed), code and message.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status, 0 for network errors.
    pub status: u16,
    /// The API's stable code (`unauthorized`, `not_found`, …) or `network`.
    pub code: String,
    /// Human message from the server.
    pub message: String,
}

impl ApiError {
    fn network(e: JsValue) -> Self {
        Self {
            status: 0,
            code: "network".into(),
            message: e
                .as_string()
                .or_else(|| {
                    e.dyn_ref::<js_sys::Error>()
                        .map(|e| String::from(e.message()))
                })
                .unwrap_or_else(|| "network error".into()),
        }
    }
}

/// Where and as whom the console talks to the API. Cheap to clone.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// API origin (the page's own origin: the Worker serves both).
    pub base: String,
    /// Brand slug.
    pub brand: String,
    /// Agent bearer token.
    pub token: String,
}

/// A saved reply of the team (`GET /agent/canned`); `{name}` stands for the
/// asker's name.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Canned {
    /// Id.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Markdown subset.
    pub body: String,
}

#[derive(serde::Deserialize)]
struct CannedList {
    replies: Vec<Canned>,
}

#[derive(serde::Deserialize)]
struct TeamList {
    agents: Vec<TeamMember>,
}

#[derive(serde::Deserialize)]
struct WebhookList {
    webhooks: Vec<Webhook>,
}

#[derive(serde::Deserialize)]
struct DeliveryList {
    deliveries: Vec<Delivery>,
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl Client {
    /// A client for the page's own origin.
    pub fn new(brand: &str, token: &str) -> Self {
        let base = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default();
        Self {
            base,
            brand: brand.to_string(),
            token: token.to_string(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<String, ApiError> {
        let window = web_sys::window().ok_or_else(|| ApiError::network("no window".into()))?;
        let headers = Headers::new().map_err(ApiError::network)?;
        headers
            .set("authorization", &format!("Bearer {}", self.token))
            .map_err(ApiError::network)?;
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(b) = body {
            headers
                .set("content-type", "application/json")
                .map_err(ApiError::network)?;
            init.set_body(&JsValue::from_str(&b));
        }
        init.set_headers(&headers);
        let url = format!("{}/v1/{}/agent{}", self.base, self.brand, path);
        let resp: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(ApiError::network)?
            .dyn_into()
            .map_err(ApiError::network)?;
        let text = JsFuture::from(resp.text().map_err(ApiError::network)?)
            .await
            .map_err(ApiError::network)?
            .as_string()
            .unwrap_or_default();
        if !resp.ok() {
            let (code, message) = serde_json::from_str::<ErrorBody>(&text)
                .map(|e| (e.error.code, e.error.message))
                .unwrap_or_else(|_| ("http".into(), format!("HTTP {}", resp.status())));
            return Err(ApiError {
                status: resp.status(),
                code,
                message,
            });
        }
        Ok(text)
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<T, ApiError> {
        let text = self.send(method, path, body).await?;
        serde_json::from_str(&text).map_err(|e| ApiError {
            status: 200,
            code: "bad_response".into(),
            message: e.to_string(),
        })
    }

    async fn with<T: DeserializeOwned, B: Serialize>(
        &self,
        method: &str,
        path: &str,
        body: &B,
    ) -> Result<T, ApiError> {
        let json = serde_json::to_string(body).unwrap_or_default();
        self.call(method, path, Some(json)).await
    }

    /// `GET /agent/me`.
    pub async fn me(&self) -> Result<Me, ApiError> {
        self.call("GET", "/me", None).await
    }

    /// `GET /agent/groups?…`.
    pub async fn groups(
        &self,
        status: &str,
        sort: &str,
        q: &str,
        cursor: Option<&str>,
    ) -> Result<GroupList, ApiError> {
        let mut path = format!(
            "/groups?status={}&sort={}&limit=100",
            enc(status),
            enc(sort)
        );
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", enc(q.trim())));
        }
        if let Some(c) = cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        self.call("GET", &path, None).await
    }

    /// `GET /agent/groups/{id}`.
    pub async fn group(&self, id: &str) -> Result<GroupDetail, ApiError> {
        self.call("GET", &format!("/groups/{}", enc(id)), None)
            .await
    }

    /// `POST` (first answer) or `PUT` (edit) `/agent/groups/{id}/answer`.
    pub async fn answer(&self, id: &str, body: &str, edit: bool) -> Result<Answered, ApiError> {
        let input = AnswerInput {
            body: body.to_string(),
        };
        let method = if edit { "PUT" } else { "POST" };
        self.with(method, &format!("/groups/{}/answer", enc(id)), &input)
            .await
    }

    /// `POST /agent/groups/{id}/merge`.
    pub async fn merge(&self, id: &str, from: Vec<String>) -> Result<GroupDetail, ApiError> {
        self.with(
            "POST",
            &format!("/groups/{}/merge", enc(id)),
            &MergeInput { from },
        )
        .await
    }

    /// `POST /agent/groups/{id}/split` → the new group.
    pub async fn split(
        &self,
        id: &str,
        question_ids: Vec<String>,
    ) -> Result<GroupDetail, ApiError> {
        self.with(
            "POST",
            &format!("/groups/{}/split", enc(id)),
            &SplitInput { question_ids },
        )
        .await
    }

    /// `POST /agent/questions/{id}/flag`.
    pub async fn flag(&self, question: &str, flag: Flag) -> Result<QuestionDetail, ApiError> {
        self.with(
            "POST",
            &format!("/questions/{}/flag", enc(question)),
            &FlagInput { flag },
        )
        .await
    }

    /// `POST /agent/groups/{id}/promote`.
    pub async fn promote(&self, id: &str, input: &PromoteInput) -> Result<Article, ApiError> {
        self.with("POST", &format!("/groups/{}/promote", enc(id)), input)
            .await
    }

    /// `GET /agent/canned`: the team's saved replies.
    pub async fn canned(&self) -> Result<Vec<Canned>, ApiError> {
        self.call::<CannedList>("GET", "/canned", None)
            .await
            .map(|l| l.replies)
    }

    /// `GET /agent/kb`.
    pub async fn kb(&self) -> Result<KnowledgeBase, ApiError> {
        self.call("GET", "/kb", None).await
    }

    /// `POST /agent/kb` (new) or `PUT /agent/kb/{id}` (edit).
    pub async fn save_article(
        &self,
        id: Option<&str>,
        input: &ArticleInput,
    ) -> Result<Article, ApiError> {
        match id {
            Some(id) => self.with("PUT", &format!("/kb/{}", enc(id)), input).await,
            None => self.with("POST", "/kb", input).await,
        }
    }

    /// `DELETE /agent/kb/{id}`.
    pub async fn delete_article(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/kb/{}", enc(id)), None)
            .await
            .map(|_| ())
    }

    /// `GET /agent/metrics?from=&to=`.
    pub async fn metrics(&self, from: &str, to: &str) -> Result<Metrics, ApiError> {
        self.call(
            "GET",
            &format!("/metrics?from={}&to={}", enc(from), enc(to)),
            None,
        )
        .await
    }

    /// `GET /agent/audit?cursor=&actor=&action=`.
    pub async fn audit(
        &self,
        cursor: Option<&str>,
        actor: &str,
        action: &str,
    ) -> Result<AuditPage, ApiError> {
        let mut q = Vec::new();
        if let Some(c) = cursor {
            q.push(format!("cursor={}", enc(c)));
        }
        if !actor.trim().is_empty() {
            q.push(format!("actor={}", enc(actor.trim())));
        }
        if !action.trim().is_empty() {
            q.push(format!("action={}", enc(action.trim())));
        }
        let path = if q.is_empty() {
            "/audit".to_string()
        } else {
            format!("/audit?{}", q.join("&"))
        };
        self.call("GET", &path, None).await
    }

    /// `POST /agent/canned` (new) or `PUT /agent/canned/{id}` (lead only).
    pub async fn save_canned(
        &self,
        id: Option<&str>,
        input: &CannedInput,
    ) -> Result<Canned, ApiError> {
        match id {
            Some(id) => {
                self.with("PUT", &format!("/canned/{}", enc(id)), input)
                    .await
            }
            None => self.with("POST", "/canned", input).await,
        }
    }

    /// `DELETE /agent/canned/{id}` (lead only).
    pub async fn delete_canned(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/canned/{}", enc(id)), None)
            .await
            .map(|_| ())
    }

    /// `GET /agent/settings`.
    pub async fn settings(&self) -> Result<Settings, ApiError> {
        self.call("GET", "/settings", None).await
    }

    /// `PUT /agent/settings` (lead only): the fields that are `Some`.
    pub async fn put_settings(&self, input: &Settings) -> Result<Settings, ApiError> {
        self.with("PUT", "/settings", input).await
    }

    /// `GET /agent/agents` (lead only).
    pub async fn team(&self) -> Result<Vec<TeamMember>, ApiError> {
        self.call::<TeamList>("GET", "/agents", None)
            .await
            .map(|l| l.agents)
    }

    /// `POST /agent/agents` (lead only); the token is in this answer only.
    pub async fn create_agent(&self, input: &CreateAgent) -> Result<CreatedAgent, ApiError> {
        self.with("POST", "/agents", input).await
    }

    /// `DELETE /agent/agents/{id}` (lead only).
    pub async fn remove_agent(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/agents/{}", enc(id)), None)
            .await
            .map(|_| ())
    }

    /// `GET /agent/webhooks` (lead only).
    pub async fn webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        self.call::<WebhookList>("GET", "/webhooks", None)
            .await
            .map(|l| l.webhooks)
    }

    /// `POST /agent/webhooks` (lead only); the secret is in this answer only.
    pub async fn create_webhook(&self, input: &WebhookInput) -> Result<Webhook, ApiError> {
        self.with("POST", "/webhooks", input).await
    }

    /// `DELETE /agent/webhooks/{id}` (lead only).
    pub async fn delete_webhook(&self, id: &str) -> Result<(), ApiError> {
        self.send("DELETE", &format!("/webhooks/{}", enc(id)), None)
            .await
            .map(|_| ())
    }

    /// `GET /agent/webhooks/{id}/deliveries` (lead only): the last 100.
    pub async fn deliveries(&self, id: &str) -> Result<Vec<Delivery>, ApiError> {
        self.call::<DeliveryList>("GET", &format!("/webhooks/{}/deliveries", enc(id)), None)
            .await
            .map(|l| l.deliveries)
    }
}
