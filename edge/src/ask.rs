//! `POST /v1/{brand}/questions`, the ask: a question is validated,
//! triaged, matched against the duplicate index, committed to SQLite, and
//! only then added to the in-memory index and acknowledged. Also the
//! trending announcement and the metric events it writes.

use chorus_core::api::{AskRequest, AskResponse, AskStatus};
use chorus_core::dedupe::Verdict as DupVerdict;
use chorus_core::normalize::detect_lang;
use chorus_core::triage::{self, RateInfo, TriageInput, Verdict};
use serde::Deserialize;
use worker::SqlStorageValue;

use crate::brand::BrandObject;
use crate::dedupe::lang_of;
use crate::error::{ApiError, ApiResult};
use crate::public::{client_key, parse_asker_tokens};
use crate::queue::HOUR_MS;
use crate::rpc::{AskCall, Reply};
use crate::store::{self, GroupRow, gid, qid};
use crate::util::{self, now_ms, random_token, sha256_hex};

/// Largest `Idempotency-Key`.
const MAX_IDEMPOTENCY_KEY: usize = 100;

/// A metric event: kind, group, value, detail.
pub type Event<'a> = (&'a str, Option<i64>, Option<i64>, Option<&'a str>);

#[derive(Deserialize)]
struct StoredResponse {
    status: i64,
    body: String,
}

#[derive(Deserialize)]
struct HistoryRow {
    created_at: i64,
    text: String,
}

impl BrandObject {
    /// `POST /v1/{brand}/questions`, called by the Worker over RPC
    /// ([`crate::rpc`]).
    pub async fn ask(&self, call: AskCall) -> ApiResult<Reply> {
        let brand = self.brand()?;
        self.check_origin(&call.origin, &brand)?;
        let idem = match call.idempotency_key {
            Some(k) => {
                let ok = (1..=MAX_IDEMPOTENCY_KEY).contains(&k.len())
                    && k.bytes().all(|b| (0x21..=0x7e).contains(&b));
                if !ok {
                    return Err(ApiError::bad_request(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1–100 printable ASCII characters without spaces.",
                    ));
                }
                Some(k)
            }
            None => None,
        };
        util::json_content_type(&call.content_type)?;
        let body: AskRequest = util::parse_json(&call.body, util::MAX_BODY_BYTES)?;
        self.ensure_index().await?;
        let started = now_ms();
        // From here on nothing awaits: the ask is one atomic step of the object.
        if let Some(k) = &idem {
            let prev: Vec<StoredResponse> = self
                .sql
                .exec(
                    "SELECT status, body FROM idempotency WHERE key = ? AND at > ?",
                    vec![k.clone().into(), (now_ms() - 86_400_000).into()],
                )?
                .to_array()?;
            if let Some(p) = prev.into_iter().next() {
                return Ok(
                    Reply::json(p.status as u16, p.body).with_header("idempotent-replay", "true")
                );
            }
        }
        let text = triage::validate_question(&body.text)
            .map_err(|e| ApiError::bad_request(e.code(), e.message()))?;
        let name = match body.name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(util::bounded("name", n, 1, 80)?.to_string()),
        };
        let lang = match body.lang.as_deref() {
            None => {
                if detect_lang(text) == chorus_core::normalize::Lang::Es {
                    "es"
                } else {
                    "en"
                }
            }
            Some(l) if util::LANGUAGES.contains(&l) => l,
            Some(l) => {
                return Err(ApiError::bad_request(
                    "invalid_language",
                    format!(
                        "'{}' is not a supported language (en, es).",
                        l.chars().take(20).collect::<String>()
                    ),
                ));
            }
        }
        .to_string();
        let chosen = match &body.group_id {
            Some(g) => Some(store::parse_gid(g)?),
            None => None,
        };
        let client = client_key(&call.client);
        let given = parse_asker_tokens(call.authorization.as_deref())?
            .into_iter()
            .next();
        let known_asker = given.is_some();
        let token = given.unwrap_or_else(random_token);
        let asker = sha256_hex(token.as_bytes());
        let now = now_ms();
        // The last hour's questions from this client, and from this asker
        // unless the token was made just now (it has asked nothing yet).
        let history: Vec<HistoryRow> = if known_asker {
            self.sql.exec(
                "SELECT created_at, text FROM questions WHERE client = ?1 AND created_at > ?2
                 UNION SELECT created_at, text FROM questions WHERE asker_hash = ?3 AND created_at > ?2",
                vec![client.clone().into(), (now - HOUR_MS).into(), asker.clone().into()],
            )?
        } else {
            self.sql.exec(
                "SELECT created_at, text FROM questions WHERE client = ?1 AND created_at > ?2",
                vec![client.clone().into(), (now - HOUR_MS).into()],
            )?
        }
        .to_array()?;
        let rate = RateInfo::from_history(
            now,
            text,
            history.iter().map(|h| (h.created_at, h.text.as_str())),
        );
        let verdict = triage::triage(TriageInput {
            text,
            rate,
            extra_blocklist: &[],
        });
        let pii: Vec<String> = verdict
            .pii
            .iter()
            .map(|p| {
                serde_json::to_value(p.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();

        // Metric events of this ask, written in one statement at the end.
        let mut events: Vec<Event> = Vec::new();
        let mut asked_count = 1u32;
        let mut features: Option<String> = None;
        let (group, status, answer, q_status, flags) = match &verdict.verdict {
            Verdict::Rejected { reason } => {
                let g = store::new_group(&self.sql, "flagged", text, &lang, now)?;
                let reason = serde_json::to_value(reason)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                self.audit("triage", "question.reject", &gid(g), &reason)?;
                (g, AskStatus::Rejected, None, "rejected", "spam".to_string())
            }
            Verdict::Private { .. } => {
                let g = store::new_group(&self.sql, "private", text, &lang, now)?;
                (
                    g,
                    AskStatus::Private,
                    None,
                    "private",
                    "private".to_string(),
                )
            }
            Verdict::Public => {
                let target = match chosen {
                    Some(c) => {
                        let g = store::group_or_404(&self.sql, c)?;
                        if !g.is_public() {
                            return Err(store::unknown_group());
                        }
                        Some(g.id)
                    }
                    None => self
                        .with_index(|ix| {
                            let (v, f) = ix.decide_with_features(text, lang_of(&lang));
                            features = Some(f);
                            match v {
                                DupVerdict::Join { group, .. } => Some(group as i64),
                                DupVerdict::New => None,
                            }
                        })
                        .flatten(),
                };
                // The index only holds public groups, but a group can have
                // changed since; re-read it.
                let target = match target {
                    Some(t) => store::group(&self.sql, t)?.filter(GroupRow::is_public),
                    None => None,
                };
                match target {
                    Some(g) => {
                        asked_count = (g.asked_count + 1).max(1) as u32;
                        self.sql.exec(
                            "UPDATE groups SET asked_count = asked_count + 1, last_asked_at = ? WHERE id = ?",
                            vec![now.into(), g.id.into()],
                        )?;
                        events.push(("joined", Some(g.id), None, None));
                        self.notify_trending(&g, now)?;
                        if g.answered_at.is_some() {
                            let a = store::current_answer(&self.sql, g.id)?;
                            events.push(("first_response", Some(g.id), Some(0), None));
                            self.bump("feed_version")?;
                            (g.id, AskStatus::Answered, a, "open", String::new())
                        } else {
                            (g.id, AskStatus::Grouped, None, "open", String::new())
                        }
                    }
                    None => {
                        let g = store::new_group(&self.sql, "open", text, &lang, now)?;
                        self.enqueue_event(
                            "group.created",
                            serde_json::json!({ "group_id": gid(g), "question": text, "lang": lang, "asked_count": 1 }),
                        )?;
                        (g, AskStatus::New, None, "open", String::new())
                    }
                }
            }
        };
        // Its duplicate-detection features, stored with it so a wake-up
        // need not recompute them (taken from the verdict's analysis when
        // the index decided).
        let features = match features {
            Some(f) => f,
            None => self
                .with_index(|ix| ix.features(text, lang_of(&lang)))
                .unwrap_or_default(),
        };
        let question = crate::store::insert(
            &self.sql,
            "INSERT INTO questions (group_id, text, name, lang, asker_hash, client, created_at, status, flags, pii, features)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                group.into(),
                text.into(),
                name.map(SqlStorageValue::from).unwrap_or(SqlStorageValue::Null),
                lang.clone().into(),
                asker.into(),
                client.into(),
                now.into(),
                q_status.into(),
                flags.into(),
                pii.join(",").into(),
                features.as_str().into(),
            ],
                )?;
        if status != AskStatus::Rejected {
            events.push(("asked", Some(group), None, None));
        }
        self.events(&events)?;
        let resp = AskResponse {
            question_id: qid(question),
            asker_token: token,
            group_id: gid(group),
            status,
            answer,
            asked_count,
        };
        let json = serde_json::to_string(&resp).map_err(|e| ApiError::internal("serialise", e))?;
        if let Some(k) = idem {
            self.sql.exec(
                "INSERT INTO idempotency (key, status, body, at) VALUES (?, 201, ?, ?)",
                vec![k.into(), json.clone().into(), now.into()],
            )?;
        }
        // Committed (the object's output gate holds the response until the
        // writes are durable); now the in-memory index follows.
        if q_status == "open" {
            self.with_index(|ix| {
                ix.insert_features(
                    question as u64,
                    text,
                    lang_of(&lang),
                    group as u64,
                    &features,
                )
            });
            if status == AskStatus::Answered {
                self.with_index(|ix| ix.set_answered(group as u64, true));
            }
        }
        // Normalise + triage + dedupe + SQLite, timed inside the object
        // (and the wake-up, when this request paid for it).
        let mut timing = format!("ask;dur={}", now_ms() - started);
        if let Some(wake) = self.wake.borrow_mut().take() {
            timing.push_str(", ");
            timing.push_str(&wake);
        }
        Ok(Reply::json(201, json).with_header("server-timing", timing))
    }

    /// Queues `group.trending` the first time in an hour a group trends
    /// (`g` as read before this ask joined it). A group announced within the
    /// hour costs nothing more; otherwise one range of the
    /// `questions_by_group_time` index is counted.
    fn notify_trending(&self, g: &GroupRow, now: i64) -> ApiResult<()> {
        if g.trending_at.is_some_and(|t| t > now - HOUR_MS) {
            return Ok(());
        }
        let recent = store::count(
            &self.sql,
            "SELECT COUNT(*) AS n FROM questions WHERE group_id = ? AND status = 'open' AND created_at > ?",
            vec![g.id.into(), (now - HOUR_MS).into()],
        )? + 1;
        let mut after = g.clone();
        after.asked_count += 1;
        if !BrandObject::is_trending(&after, recent, now) {
            return Ok(());
        }
        self.sql.exec(
            "UPDATE groups SET trending_at = ? WHERE id = ?",
            vec![now.into(), g.id.into()],
        )?;
        self.event("trending", Some(g.id), Some(recent), None)?;
        self.enqueue_event(
            "group.trending",
            serde_json::json!({ "group_id": gid(g.id), "question": g.question, "asked_count": after.asked_count, "askers_last_hour": recent }),
        )
    }

    /// Appends a metric event.
    pub fn event(
        &self,
        kind: &str,
        group: Option<i64>,
        value: Option<i64>,
        detail: Option<&str>,
    ) -> ApiResult<()> {
        self.events(&[(kind, group, value, detail)])
    }

    /// Appends metric events, all in one statement.
    pub fn events(&self, rows: &[Event]) -> ApiResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let now = now_ms();
        let opt = |v: Option<SqlStorageValue>| v.unwrap_or(SqlStorageValue::Null);
        let mut sql =
            String::from("INSERT INTO events (at, kind, group_id, value, detail) VALUES ");
        let mut args = Vec::with_capacity(rows.len() * 5);
        for (i, &(kind, group, value, detail)) in rows.iter().enumerate() {
            sql.push_str(if i == 0 {
                "(?, ?, ?, ?, ?)"
            } else {
                ", (?, ?, ?, ?, ?)"
            });
            args.extend([
                now.into(),
                kind.into(),
                opt(group.map(SqlStorageValue::from)),
                opt(value.map(SqlStorageValue::from)),
                opt(detail.map(SqlStorageValue::from)),
            ]);
        }
        self.sql.exec(&sql, args)?;
        Ok(())
    }
}
