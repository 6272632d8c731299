//! Webhooks: the leads' routes (list, create, delete, deliveries; routed by
//! `team.rs`) and delivery.
//!
//! Each event (`group.created`, `group.answered`,
//! `group.trending`) becomes one `deliveries` row per subscribed webhook, in
//! the same SQLite transaction as the change itself. The object's alarm
//! POSTs pending rows with `Chorus-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256(secret, "<t>.<body>")>`, `Chorus-Event` and
//! `Chorus-Delivery`; a non-2xx answer or a network error is retried after
//! 2, 4, 8, 16 and 32 s, then the delivery is `failed`. Every attempt is
//! kept on the row (`GET …/webhooks/{id}/deliveries`).

use chorus_core::api::{Delivery, WEBHOOK_EVENTS, Webhook, WebhookInput};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use worker::{Fetch, Headers, Method, Request, RequestInit, Response, SqlStorageValue};

use crate::agent::AgentRow;
use crate::brand::BrandObject;
use crate::error::{ApiError, ApiResult};
use crate::util::{self, hex, json_response, now_ms, random_token};

/// Attempts before a delivery is `failed`.
pub const MAX_ATTEMPTS: i64 = 6;
/// Deliveries sent per alarm run.
const BATCH: i64 = 20;

/// `t=…,v1=…` for `body` at unix second `t`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex(&mac.finalize().into_bytes()))
}

#[derive(Deserialize)]
struct WebhookRow {
    id: String,
    url: String,
    events: String,
    created_at: i64,
}

#[derive(Deserialize)]
struct DueRow {
    id: i64,
    event: String,
    payload: String,
    attempts: i64,
    url: Option<String>,
    secret: Option<String>,
}

#[derive(Deserialize)]
struct NextRow {
    next_at: Option<i64>,
}
impl BrandObject {
    pub(crate) fn webhooks(&self) -> ApiResult<Response> {
        let rows: Vec<WebhookRow> = self
            .sql
            .exec(
                "SELECT id, url, events, created_at FROM webhooks ORDER BY created_at",
                None,
            )?
            .to_array()?;
        let hooks: Vec<Webhook> = rows
            .into_iter()
            .map(|w| Webhook {
                id: w.id,
                url: w.url,
                events: crate::store::split_list(&w.events),
                created_at: w.created_at,
                secret: None,
            })
            .collect();
        json_response(200, &serde_json::json!({ "webhooks": hooks }))
    }

    pub(crate) fn create_webhook(&self, me: &AgentRow, w: WebhookInput) -> ApiResult<Response> {
        util::validate_http_url("url", &w.url)?;
        if w.url.len() > 500 {
            return Err(ApiError::bad_request(
                "invalid_url",
                "url can be at most 500 characters.",
            ));
        }
        let mut events: Vec<String> = Vec::new();
        for e in &w.events {
            if !WEBHOOK_EVENTS.contains(&e.as_str()) {
                return Err(ApiError::bad_request(
                    "invalid_event",
                    format!("Events are {}.", WEBHOOK_EVENTS.join(", ")),
                ));
            }
            if !events.contains(e) {
                events.push(e.clone());
            }
        }
        if events.is_empty() {
            return Err(ApiError::bad_request(
                "invalid_event",
                "Subscribe to at least one event.",
            ));
        }
        let hooks = crate::store::count(&self.sql, "SELECT COUNT(*) AS n FROM webhooks", vec![])?;
        if hooks >= 10 {
            return Err(ApiError::conflict(
                "too_many_webhooks",
                "A brand can have at most 10 webhooks.",
            ));
        }
        let id = format!("wh_{}", &random_token()[..12]);
        let secret = format!("whsec_{}", random_token());
        let now = now_ms();
        self.sql.exec(
            "INSERT INTO webhooks (id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?)",
            vec![
                id.clone().into(),
                w.url.clone().into(),
                events.join(",").into(),
                secret.clone().into(),
                now.into(),
            ],
        )?;
        self.hooks.take();
        self.audit(&me.id, "webhook.create", &id, &w.url)?;
        json_response(
            201,
            &Webhook {
                id,
                url: w.url,
                events,
                created_at: now,
                secret: Some(secret),
            },
        )
    }

    pub(crate) fn delete_webhook(&self, me: &AgentRow, id: &str) -> ApiResult<Response> {
        if !crate::store::exists(&self.sql, "webhooks", id)? {
            return Err(ApiError::not_found(
                "unknown_webhook",
                "There is no such webhook.",
            ));
        }
        self.sql
            .exec("DELETE FROM webhooks WHERE id = ?", vec![id.into()])?;
        self.hooks.take();
        self.sql.exec(
            "UPDATE deliveries SET status = 'failed', last_error = 'webhook deleted', next_at = NULL WHERE webhook_id = ? AND status = 'pending'",
            vec![id.into()],
        )?;
        self.audit(&me.id, "webhook.delete", id, "")?;
        Ok(Response::empty()?.with_status(204))
    }

    pub(crate) fn deliveries(&self, id: &str) -> ApiResult<Response> {
        if !crate::store::exists(&self.sql, "webhooks", id)? {
            return Err(ApiError::not_found(
                "unknown_webhook",
                "There is no such webhook.",
            ));
        }
        let rows: Vec<Delivery> = self
            .sql
            .exec(
                "SELECT id, event, status, attempts, last_status, last_error, next_at, created_at, delivered_at
                 FROM deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT 100",
                vec![id.into()],
            )?
            .to_array()?;
        json_response(200, &serde_json::json!({ "deliveries": rows }))
    }

    /// Queues `event` for every webhook subscribed to it (same transaction
    /// as the caller's change); the alarm sends it.
    pub fn enqueue_event(&self, event: &str, data: serde_json::Value) -> ApiResult<()> {
        if self.hooks.borrow().is_none() {
            let rows: Vec<WebhookRow> = self
                .sql
                .exec("SELECT id, url, events, created_at FROM webhooks", None)?
                .to_array()?;
            *self.hooks.borrow_mut() = Some(rows.into_iter().map(|w| (w.id, w.events)).collect());
        }
        let subscribed: Vec<String> = self
            .hooks
            .borrow()
            .iter()
            .flatten()
            .filter(|(_, events)| events.split(',').any(|e| e == event))
            .map(|(id, _)| id.clone())
            .collect();
        if subscribed.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let brand = self.brand()?.slug;
        let payload =
            serde_json::json!({ "event": event, "brand": brand, "at": now, "data": data })
                .to_string();
        for id in subscribed {
            self.sql.exec(
                "INSERT INTO deliveries (webhook_id, event, payload, status, attempts, next_at, created_at)
                 VALUES (?, ?, ?, 'pending', 0, ?, ?)",
                vec![id.into(), event.into(), payload.clone().into(), now.into(), now.into()],
            )?;
            self.alarm_wanted.set(true);
        }
        Ok(())
    }

    /// Sends due deliveries; returns the delay until the next one, if any.
    pub async fn deliver_due(&self) -> ApiResult<Option<i64>> {
        let now = now_ms();
        let due: Vec<DueRow> = self
            .sql
            .exec(
                "SELECT d.id AS id, d.event AS event, d.payload AS payload, d.attempts AS attempts,
                 w.url AS url, w.secret AS secret
                 FROM deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id
                 WHERE d.status = 'pending' AND d.next_at <= ? ORDER BY d.next_at LIMIT ?",
                vec![now.into(), BATCH.into()],
            )?
            .to_array()?;
        for d in due {
            let (Some(url), Some(secret)) = (d.url, d.secret) else {
                self.sql.exec(
                    "UPDATE deliveries SET status = 'failed', last_error = 'webhook deleted', next_at = NULL WHERE id = ?",
                    vec![d.id.into()],
                )?;
                continue;
            };
            let t = now_ms() / 1000;
            let headers = Headers::new();
            headers.set("content-type", "application/json")?;
            headers.set("user-agent", "Chorus-Webhooks/1")?;
            headers.set("chorus-event", &d.event)?;
            headers.set("chorus-delivery", &d.id.to_string())?;
            headers.set("chorus-signature", &signature(&secret, t, &d.payload))?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post)
                .with_headers(headers)
                .with_body(Some(d.payload.clone().into()));
            let result = match Request::new_with_init(&url, &init) {
                Ok(r) => Fetch::Request(r)
                    .send()
                    .await
                    .map(|resp| resp.status_code()),
                Err(e) => Err(e),
            };
            let attempts = d.attempts + 1;
            match result {
                Ok(s) if (200..300).contains(&s) => {
                    self.sql.exec(
                        "UPDATE deliveries SET status = 'delivered', attempts = ?, last_status = ?, last_error = NULL,
                         next_at = NULL, delivered_at = ? WHERE id = ?",
                        vec![attempts.into(), (s as i64).into(), now_ms().into(), d.id.into()],
                    )?;
                }
                other => {
                    let (status, error) = match other {
                        Ok(s) => (SqlStorageValue::from(s as i64), format!("HTTP {s}")),
                        Err(e) => (
                            SqlStorageValue::Null,
                            e.to_string().chars().take(200).collect(),
                        ),
                    };
                    let (state, next) = if attempts >= MAX_ATTEMPTS {
                        ("failed", SqlStorageValue::Null)
                    } else {
                        (
                            "pending",
                            SqlStorageValue::from(now_ms() + 1000 * (1 << attempts)),
                        )
                    };
                    self.sql.exec(
                        "UPDATE deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_at = ? WHERE id = ?",
                        vec![state.into(), attempts.into(), status, error.into(), next, d.id.into()],
                    )?;
                }
            }
        }
        let next: Vec<NextRow> = self
            .sql
            .exec(
                "SELECT MIN(next_at) AS next_at FROM deliveries WHERE status = 'pending'",
                None,
            )?
            .to_array()?;
        Ok(next
            .first()
            .and_then(|n| n.next_at)
            .map(|at| (at - now_ms()).max(10)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Python: hmac.new(b"whsec_test", b'1700000000.{"a":1}', sha256).hexdigest()
        assert_eq!(
            signature("whsec_test", 1_700_000_000, r#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }
}
