//! `PUT /v1/admin/brands/{brand}/questions`: bring a brand's question
//! history from another help desk (already grouped by the caller's labels).
//! Rows go straight to SQLite with their duplicate-detection features; the
//! duplicate index is dropped and rebuilt from SQLite on the next request,
//! exactly as when the object wakes.

use std::collections::HashMap;

use chorus_core::dedupe::QuestionIndex;
use serde::Deserialize;
use worker::{Response, SqlStorageValue};

use crate::brand::BrandObject;
use crate::dedupe::lang_of;
use crate::error::{ApiError, ApiResult};
use crate::util::{self, json_response, now_ms, sha256_hex};

/// Most questions in one import request.
pub const MAX_IMPORT_QUESTIONS: usize = 50_000;

/// One imported question.
#[derive(Debug, Deserialize)]
pub struct ImportedQuestion {
    text: String,
    #[serde(default)]
    lang: Option<String>,
    /// Questions with the same label form one group (within this import).
    #[serde(default)]
    group: Option<String>,
    /// When it was asked (ms since the epoch); now when absent.
    #[serde(default)]
    asked_at: Option<i64>,
}

/// The import body.
#[derive(Debug, Deserialize)]
pub struct QuestionImport {
    questions: Vec<ImportedQuestion>,
}

impl BrandObject {
    /// Stores the questions and their groups; answers 200 `{imported, groups}`.
    pub fn import_questions(&self, body: QuestionImport) -> ApiResult<Response> {
        self.brand()?;
        if body.questions.is_empty() || body.questions.len() > MAX_IMPORT_QUESTIONS {
            return Err(ApiError::bad_request(
                "invalid_import",
                format!("Send 1–{MAX_IMPORT_QUESTIONS} questions per import."),
            ));
        }
        let now = now_ms();
        let mut checked = Vec::with_capacity(body.questions.len());
        for (i, q) in body.questions.iter().enumerate() {
            let text = chorus_core::triage::validate_question(&q.text).map_err(|e| {
                ApiError::bad_request(e.code(), format!("questions[{i}]: {}", e.message()))
            })?;
            let lang = match q.lang.as_deref() {
                Some(l) if util::LANGUAGES.contains(&l) => l,
                Some(_) => {
                    return Err(ApiError::bad_request(
                        "invalid_language",
                        format!("questions[{i}]: lang is en or es."),
                    ));
                }
                None if chorus_core::normalize::detect_lang(text)
                    == chorus_core::normalize::Lang::Es =>
                {
                    "es"
                }
                None => "en",
            };
            let at = q.asked_at.unwrap_or(now).clamp(0, now);
            checked.push((text, lang, q.group.as_deref(), at));
        }
        // Each question's duplicate-detection features, stored with it so the
        // rebuild after the import need not compute them (with the model when
        // loaded; else they are computed and written back at that rebuild).
        let model = self.model.borrow().clone();
        let featurer = model.map(|m| QuestionIndex::new(Some(m)));
        if let Some(f) = &featurer {
            self.set_stored_stamp(f.stamp())?;
        }
        let mut groups: HashMap<&str, i64> = HashMap::new();
        let asker = sha256_hex(b"imported");
        for (text, lang, label, at) in &checked {
            let existing = label.and_then(|l| groups.get(l).copied());
            let group = match existing {
                Some(g) => {
                    self.sql.exec(
                        "UPDATE groups SET asked_count = asked_count + 1,
                         first_asked_at = MIN(first_asked_at, ?1), last_asked_at = MAX(last_asked_at, ?1) WHERE id = ?2",
                        vec![(*at).into(), g.into()],
                    )?;
                    g
                }
                None => {
                    let g = crate::store::insert(
                        &self.sql,
                        "INSERT INTO groups (status, question, lang, asked_count, first_asked_at, last_asked_at)
                         VALUES ('open', ?, ?, 1, ?, ?)",
                        vec![(*text).into(), (*lang).into(), (*at).into(), (*at).into()],
                                        )?;
                    if let Some(l) = label {
                        groups.insert(l, g);
                    }
                    g
                }
            };
            let features = featurer
                .as_ref()
                .map(|f| SqlStorageValue::from(f.features(text, lang_of(lang))))
                .unwrap_or(SqlStorageValue::Null);
            self.sql.exec(
                "INSERT INTO questions (group_id, text, lang, asker_hash, client, created_at, status, features)
                 VALUES (?, ?, ?, ?, 'import', ?, 'open', ?)",
                vec![group.into(), (*text).into(), (*lang).into(), asker.clone().into(), (*at).into(), features],
            )?;
        }
        // Rebuilt from SQLite on the next request, as on wake-up.
        *self.index.borrow_mut() = None;
        self.audit("admin", "questions.import", "", &checked.len().to_string())?;
        json_response(
            200,
            &serde_json::json!({ "imported": checked.len(), "groups": self.group_total()? }),
        )
    }

    fn group_total(&self) -> ApiResult<i64> {
        crate::store::count(&self.sql, "SELECT COUNT(*) AS n FROM groups", vec![])
    }
}
