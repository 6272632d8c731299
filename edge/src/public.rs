//! The widget's routes other than the ask (`ask.rs`): my questions, feed,
//! suggest, helpful, deflections and missed searches.
//!
//! Public writes need an allowed `Origin` (the brand's list).

use chorus_core::api::{
    Feed, FeedItem, MissedSearches, MyQuestion, MyQuestions, SuggestedArticle, SuggestedGroup,
    Suggestions,
};
use chorus_core::search::{SearchIndex, SearchOptions};
use chorus_core::triage;
use serde::Deserialize;
use worker::{Request, Response, SqlStorageValue};

use crate::brand::{BrandObject, BrandRow};
use crate::error::{ApiError, ApiResult};
use crate::store::{self, GROUP_COLS, GroupRow, QUESTION_COLS, QuestionRow, gid, qid};
use crate::util::{self, json_response, sha256_hex};

/// Most asker tokens in one `Authorization: Asker …` header.
const MAX_ASKER_TOKENS: usize = 50;
/// Feed page size when `limit` is absent, and its bounds.
pub const FEED_DEFAULT_LIMIT: usize = 20;
const FEED_MAX_LIMIT: usize = 50;

/// Who is asking, for triage's rate and repetition rules: the client
/// address (`CF-Connecting-IP`, set by Cloudflare; locally the first
/// `X-Forwarded-For` hop or `local`), hashed so no address is stored.
pub fn client_key(address: &str) -> String {
    sha256_hex(format!("client:{address}").as_bytes())[..32].to_string()
}

/// Asker tokens from `Authorization: Asker t1, t2`.
pub(crate) fn asker_tokens(req: &Request) -> ApiResult<Vec<String>> {
    parse_asker_tokens(req.headers().get("authorization")?.as_deref())
}

/// Asker tokens from an `Authorization` value.
pub(crate) fn parse_asker_tokens(authorization: Option<&str>) -> ApiResult<Vec<String>> {
    let Some(v) = authorization else {
        return Ok(Vec::new());
    };
    let Some(list) = v.strip_prefix("Asker ") else {
        return Ok(Vec::new());
    };
    let tokens: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    if tokens.len() > MAX_ASKER_TOKENS
        || tokens
            .iter()
            .any(|t| t.len() < 16 || t.len() > 100 || !t.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(ApiError::unauthorized(
            "Asker tokens are 16–100 letters and digits, at most 50, separated by commas.",
        ));
    }
    Ok(tokens)
}

/// The request's `Origin` (empty when absent).
fn origin_of(req: &Request) -> ApiResult<String> {
    Ok(req.headers().get("origin")?.unwrap_or_default())
}

#[derive(Deserialize)]
struct Deflection {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    article_id: Option<String>,
}

impl BrandObject {
    /// 403 unless the request's `Origin` is one of the brand's.
    pub fn check_origin(&self, origin: &str, brand: &BrandRow) -> ApiResult<()> {
        if !origin.is_empty() && brand.allowed_origins().iter().any(|o| o == origin) {
            return Ok(());
        }
        Err(ApiError::forbidden(
            "origin_not_allowed",
            if origin.is_empty() {
                "Questions can only be sent from the brand's own site (no Origin header)."
                    .to_string()
            } else {
                format!("Questions can only be sent from the brand's own site, not {origin}.")
            },
        ))
    }

    /// `GET /v1/{brand}/questions/mine`.
    pub fn mine(&self, req: &Request) -> ApiResult<Response> {
        let tokens = asker_tokens(req)?;
        if tokens.is_empty() {
            return Err(ApiError::unauthorized(
                "Send your asker tokens as Authorization: Asker <token>[, <token>…].",
            ));
        }
        let hashes: Vec<SqlStorageValue> = tokens
            .iter()
            .map(|t| sha256_hex(t.as_bytes()).into())
            .collect();
        let marks = vec!["?"; hashes.len()].join(",");
        let rows: Vec<QuestionRow> = self
            .sql
            .exec(
                &format!("SELECT {QUESTION_COLS} FROM questions WHERE asker_hash IN ({marks}) ORDER BY id DESC LIMIT 200"),
                hashes,
            )?
            .to_array()?;
        let mut groups = std::collections::HashMap::new();
        for r in &rows {
            if let std::collections::hash_map::Entry::Vacant(e) = groups.entry(r.group_id) {
                e.insert(store::group(&self.sql, r.group_id)?);
            }
        }
        let answered: Vec<i64> = groups
            .values()
            .flatten()
            .filter(|g| g.answered_at.is_some())
            .map(|g| g.id)
            .collect();
        let answers = store::current_answers(&self.sql, &answered)?;
        let questions = rows
            .iter()
            .map(|r| {
                let g = groups.get(&r.group_id).and_then(Option::as_ref);
                let answer = if r.status == "rejected" {
                    None
                } else {
                    g.and_then(|g| answers.get(&g.id).cloned())
                };
                MyQuestion {
                    question_id: qid(r.id),
                    text: r.text.clone(),
                    group_id: gid(g.map(|g| g.id).unwrap_or(r.group_id)),
                    status: r.status(answer.is_some()),
                    asked_at: r.created_at,
                    asked_count: g.map(|g| g.asked_count.max(0) as u32).unwrap_or(1),
                    answer,
                }
            })
            .collect();
        let mut resp = json_response(200, &MyQuestions { questions })?;
        resp.headers_mut().set("cache-control", "no-store")?;
        Ok(resp)
    }

    /// `GET /v1/{brand}/feed?cursor=&limit=`: answered public groups, newest answer first.
    pub fn feed(&self, req: &Request) -> ApiResult<Response> {
        let url = req.url()?;
        let mut cursor: Option<(i64, i64)> = None;
        let mut limit = FEED_DEFAULT_LIMIT;
        for (k, v) in url.query_pairs() {
            match k.as_ref() {
                "cursor" if !v.is_empty() => {
                    cursor = Some(parse_cursor(&v).ok_or_else(|| {
                        ApiError::bad_request(
                            "invalid_cursor",
                            "This cursor is not one the feed returned.",
                        )
                    })?);
                }
                "limit" => limit = util::limit(Some(v.as_ref()), FEED_MAX_LIMIT, limit)?,
                _ => {}
            }
        }
        let etag = format!("\"feed-{}\"", self.meta("feed_version")?);
        if util::if_none_match(req, &etag) {
            return util::not_modified(&etag);
        }
        let (a, id) = cursor.unwrap_or((util::MAX_SAFE_INT, util::MAX_SAFE_INT));
        let rows: Vec<GroupRow> = self
            .sql
            .exec(
                &format!(
                    "SELECT {GROUP_COLS} FROM groups WHERE status = 'answered'
                     AND (answered_at < ?1 OR (answered_at = ?1 AND id < ?2))
                     ORDER BY answered_at DESC, id DESC LIMIT ?3"
                ),
                vec![a.into(), id.into(), ((limit + 1) as i64).into()],
            )?
            .to_array()?;
        let more = rows.len() > limit;
        let rows = &rows[..rows.len().min(limit)];
        let answers =
            store::current_answers(&self.sql, &rows.iter().map(|g| g.id).collect::<Vec<_>>())?;
        let items: Vec<FeedItem> = rows
            .iter()
            .filter_map(|g| {
                Some(FeedItem {
                    group_id: gid(g.id),
                    question: g.question.clone(),
                    asked_count: g.asked_count.max(0) as u32,
                    answer: answers.get(&g.id)?.clone(),
                })
            })
            .collect();
        let next_cursor = if more {
            rows.last()
                .map(|g| format!("{}_{}", g.answered_at.unwrap_or(0), g.id))
        } else {
            None
        };
        let mut resp = json_response(200, &Feed { items, next_cursor })?;
        resp.headers_mut().set("etag", &etag)?;
        Ok(resp)
    }

    /// `GET /v1/{brand}/suggest?q=`: public groups and articles like the text.
    pub fn suggest(&self, req: &Request) -> ApiResult<Response> {
        let url = req.url()?;
        let q = url
            .query_pairs()
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default();
        if q.is_empty() || q.chars().count() > 1000 {
            return Err(ApiError::bad_request(
                "invalid_query",
                "q must be 1–1000 characters.",
            ));
        }
        let found = self.with_index(|ix| ix.suggest(&q, 5)).unwrap_or_default();
        let mut groups = Vec::new();
        let ids: Vec<i64> = found.iter().map(|s| s.group as i64).collect();
        let answers = store::current_answers(&self.sql, &ids)?;
        for s in &found {
            let Some(g) = store::group(&self.sql, s.group as i64)?.filter(GroupRow::is_public)
            else {
                continue;
            };
            groups.push(SuggestedGroup {
                group_id: gid(g.id),
                question: g.question.clone(),
                score: s.score,
                answered: g.answered_at.is_some(),
                answer: answers.get(&g.id).cloned(),
                asked_count: g.asked_count.max(0) as u32,
            });
        }
        let articles = self.with_search(|ix, articles| {
            ix.search_with(
                &q,
                &SearchOptions {
                    limit: 5,
                    snippet_bytes: 0,
                    as_you_type: true,
                },
            )
            .into_iter()
            .filter_map(|h| {
                let a = articles.iter().find(|a| a.id == h.id)?;
                Some(SuggestedArticle {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    score: h.score,
                })
            })
            .collect()
        })?;
        let mut resp = json_response(200, &Suggestions { groups, articles })?;
        resp.headers_mut().set("cache-control", "no-store")?;
        Ok(resp)
    }

    /// Runs `f` on the knowledge-base search index, rebuilt when the kb changes.
    fn with_search<T>(
        &self,
        f: impl FnOnce(&SearchIndex, &[chorus_core::api::Article]) -> T,
    ) -> ApiResult<T> {
        let version = self.kb_version()?;
        let stale = self
            .search
            .borrow()
            .as_ref()
            .is_none_or(|(v, _, _)| *v != version);
        if stale {
            let articles = self.articles()?;
            let ix = SearchIndex::new(&articles);
            *self.search.borrow_mut() = Some((version, ix, articles));
        }
        let cell = self.search.borrow();
        let (_, ix, articles) = cell
            .as_ref()
            .ok_or_else(|| ApiError::internal("search", "index missing"))?;
        Ok(f(ix, articles))
    }

    /// `POST /v1/{brand}/groups/{id}/helpful`.
    pub fn helpful(&self, req: &Request, group: &str) -> ApiResult<Response> {
        let brand = self.brand()?;
        self.check_origin(&origin_of(req)?, &brand)?;
        let g = store::group_or_404(&self.sql, store::parse_gid(group)?)?;
        if !g.is_public() {
            return Err(store::unknown_group());
        }
        if g.answered_at.is_none() {
            return Err(ApiError::conflict(
                "not_answered",
                "This question has no answer yet.",
            ));
        }
        let client = client_key(&crate::limits::client_address(req));
        let seen = store::count(
            &self.sql,
            "SELECT COUNT(*) AS n FROM events WHERE kind = 'helpful' AND group_id = ? AND detail = ?",
            vec![g.id.into(), client.clone().into()],
        )?;
        let mut helpful = g.helpful;
        if seen == 0 {
            self.sql.exec(
                "UPDATE groups SET helpful = helpful + 1 WHERE id = ?",
                vec![g.id.into()],
            )?;
            self.event("helpful", Some(g.id), None, Some(&client))?;
            helpful += 1;
        }
        json_response(
            200,
            &serde_json::json!({ "group_id": gid(g.id), "helpful": helpful }),
        )
    }

    /// `POST /v1/{brand}/deflections`: the customer read a suggestion and did not ask.
    pub async fn deflection(&self, mut req: Request) -> ApiResult<Response> {
        let brand = self.brand()?;
        self.check_origin(&origin_of(&req)?, &brand)?;
        let d: Deflection = util::read_json(&mut req).await?;
        let group = match d.group_id.as_deref() {
            Some(g) => Some(store::group_or_404(&self.sql, store::parse_gid(g)?)?.id),
            None => None,
        };
        let article = d
            .article_id
            .as_deref()
            .map(|a| a.chars().take(80).collect::<String>());
        if group.is_none() && article.is_none() {
            return Err(ApiError::bad_request(
                "invalid_deflection",
                "Send group_id or article_id.",
            ));
        }
        self.event("deflection", group, None, article.as_deref())?;
        json_response(202, &serde_json::json!({ "accepted": 1 }))
    }

    /// `POST /v1/{brand}/searches/missed`: knowledge-base searches with no result.
    pub async fn missed(&self, mut req: Request) -> ApiResult<Response> {
        let brand = self.brand()?;
        self.check_origin(&origin_of(&req)?, &brand)?;
        let m: MissedSearches = util::read_json(&mut req).await?;
        if m.queries.is_empty() || m.queries.len() > 50 {
            return Err(ApiError::bad_request(
                "invalid_queries",
                "Send 1–50 queries.",
            ));
        }
        let mut clean = Vec::with_capacity(m.queries.len());
        for q in &m.queries {
            let q = q
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let n = q.chars().count();
            if n == 0 || n > 200 {
                return Err(ApiError::bad_request(
                    "invalid_queries",
                    "Each query has 1–200 characters.",
                ));
            }
            // Searches are free text: keep personal data out of the metrics.
            clean.push(triage::redact(&q));
        }
        clean.sort();
        clean.dedup();
        for q in &clean {
            self.event("missed", None, None, Some(q))?;
        }
        json_response(202, &serde_json::json!({ "accepted": clean.len() }))
    }
}

/// `1700000000000_12` → (answered_at, group id).
fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('_')?;
    if a.len() > 16 || b.len() > 16 {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}
