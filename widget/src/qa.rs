//! Readers for the replies of the question routes (feed, suggest, ask,
//! my questions) and the JSON bodies sent to them.
//!
//! Like [`crate::api`], JSON is parsed by the browser and read field by
//! field with `Reflect` (no serde_json in the wasm). Every reader is total:
//! a missing or mistyped field drops that entry or takes a default, never
//! panics.

use chorus_core::api::{
    AgentPublic, Answer, AskResponse, AskStatus, FeedItem, MyQuestion, QuestionStatus,
    SuggestedGroup,
};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{get, string};

fn num(v: &JsValue, key: &str) -> Option<f64> {
    get(v, key)?.as_f64().filter(|n| n.is_finite())
}

fn list(v: &JsValue, key: &str) -> Vec<JsValue> {
    get(v, key)
        .and_then(|a| a.dyn_into::<Array>().ok())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

fn count(v: &JsValue) -> u32 {
    num(v, "asked_count")
        .unwrap_or(1.0)
        .clamp(0.0, u32::MAX as f64) as u32
}

/// The `answer` object of `v`, when it has a body.
fn answer(v: &JsValue) -> Option<Answer> {
    let a = get(v, "answer")?;
    let agent = get(&a, "agent");
    let agent_str = |k: &str| agent.as_ref().and_then(|g| string(g, k));
    Some(Answer {
        body: string(&a, "body")?,
        agent: AgentPublic {
            name: agent_str("name").unwrap_or_default(),
            initials: agent_str("initials").unwrap_or_default(),
            avatar_url: None,
        },
        answered_at: num(&a, "answered_at").unwrap_or(0.0) as i64,
    })
}

/// A page of `GET /v1/{brand}/feed`: its items and the next cursor.
pub fn parse_feed(text: &str) -> Option<(Vec<FeedItem>, Option<String>)> {
    let v = JSON::parse(text).ok()?;
    let items = list(&v, "items")
        .iter()
        .filter_map(|x| {
            Some(FeedItem {
                group_id: string(x, "group_id")?,
                question: string(x, "question")?,
                asked_count: count(x),
                answer: answer(x)?,
            })
        })
        .collect();
    Some((items, string(&v, "next_cursor")))
}

/// The groups of `GET /v1/{brand}/suggest` (articles come from the
/// widget's own search).
pub fn parse_suggest(text: &str) -> Option<Vec<SuggestedGroup>> {
    let v = JSON::parse(text).ok()?;
    Some(
        list(&v, "groups")
            .iter()
            .filter_map(|x| {
                let answer = answer(x);
                Some(SuggestedGroup {
                    group_id: string(x, "group_id")?,
                    question: string(x, "question")?,
                    score: num(x, "score").unwrap_or(0.0) as f32,
                    answered: answer.is_some(),
                    answer,
                    asked_count: count(x),
                })
            })
            .collect(),
    )
}

/// The 201 of `POST /v1/{brand}/questions`.
pub fn parse_ask(text: &str) -> Option<AskResponse> {
    let v = JSON::parse(text).ok()?;
    let status = match string(&v, "status")?.as_str() {
        "answered" => AskStatus::Answered,
        "grouped" => AskStatus::Grouped,
        "new" => AskStatus::New,
        "private" => AskStatus::Private,
        "rejected" => AskStatus::Rejected,
        _ => return None,
    };
    Some(AskResponse {
        question_id: string(&v, "question_id")?,
        asker_token: string(&v, "asker_token").unwrap_or_default(),
        group_id: string(&v, "group_id").unwrap_or_default(),
        status,
        answer: answer(&v),
        asked_count: get(&v, "asked_count")
            .and_then(|x| x.as_f64())
            .unwrap_or(0.0) as u32,
    })
}

/// The questions of `GET /v1/{brand}/questions/mine`, newest first.
pub fn parse_mine(text: &str) -> Option<Vec<MyQuestion>> {
    let v = JSON::parse(text).ok()?;
    Some(
        list(&v, "questions")
            .iter()
            .filter_map(|x| {
                let answer = answer(x);
                Some(MyQuestion {
                    question_id: string(x, "question_id")?,
                    text: string(x, "text")?,
                    group_id: string(x, "group_id").unwrap_or_default(),
                    status: match string(x, "status").as_deref() {
                        Some("answered") => QuestionStatus::Answered,
                        Some("private") => QuestionStatus::Private,
                        Some("rejected") => QuestionStatus::Rejected,
                        _ if answer.is_some() => QuestionStatus::Answered,
                        _ => QuestionStatus::Open,
                    },
                    asked_at: num(x, "asked_at").unwrap_or(0.0) as i64,
                    asked_count: count(x),
                    answer,
                })
            })
            .collect(),
    )
}

/// A JSON object of string fields (`None` values left out), as text.
pub fn body(fields: &[(&str, Option<&str>)]) -> String {
    let obj = Object::new();
    for (k, v) in fields {
        if let Some(v) = v {
            let _ = Reflect::set(&obj, &JsValue::from_str(k), &JsValue::from_str(v));
        }
    }
    JSON::stringify(&obj)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
