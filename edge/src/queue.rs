//! The agents' queue (`GET /v1/{brand}/agent/groups`) and the trending rule.
//!
//! Queue order (`sort=priority`): `asked_count × urgency`, where urgency is
//! the share of the promised response time already used (elapsed / target),
//! clamped to 0.1–3; answered groups have none. Trending: at least
//! [`TRENDING_MIN`] askers in the last hour, and at least
//! [`TRENDING_FACTOR`] × the group's own hourly rate before that hour.

use std::collections::HashMap;

use chorus_core::api::{GroupList, GroupStatus};
use serde::Deserialize;
use worker::{Request, Response, SqlStorageValue};

use crate::agent::query;
use crate::brand::BrandObject;
use crate::error::{ApiError, ApiResult};
use crate::store::{GROUP_COLS, GroupRow};
use crate::util::{json_response, now_ms};

/// Askers in the last hour for a group to trend.
pub const TRENDING_MIN: i64 = 3;
/// How many times its usual hourly rate a trending group gains askers.
pub const TRENDING_FACTOR: f64 = 3.0;
pub(crate) const HOUR_MS: i64 = 3_600_000;

/// Askers of one group in the last hour.
#[derive(Deserialize)]
struct Recent {
    group_id: i64,
    n: i64,
}

impl BrandObject {
    /// Response target in milliseconds.
    pub(crate) fn target_ms(&self) -> ApiResult<i64> {
        Ok(self.brand()?.config().response_target_minutes as i64 * 60_000)
    }

    /// Askers per group in the last hour.
    pub(crate) fn recent_counts(&self) -> ApiResult<HashMap<i64, i64>> {
        let rows: Vec<Recent> = self
            .sql
            .exec(
                "SELECT group_id, COUNT(*) AS n FROM questions WHERE created_at > ? AND status = 'open' GROUP BY group_id",
                vec![(now_ms() - HOUR_MS).into()],
            )?
            .to_array()?;
        Ok(rows.into_iter().map(|r| (r.group_id, r.n)).collect())
    }

    /// The trending rule (see the module docs).
    pub fn is_trending(g: &GroupRow, recent: i64, now: i64) -> bool {
        if recent < TRENDING_MIN {
            return false;
        }
        let before = (g.asked_count - recent).max(0) as f64;
        let hours_before =
            ((now - g.first_asked_at - HOUR_MS).max(HOUR_MS)) as f64 / HOUR_MS as f64;
        recent as f64 >= TRENDING_FACTOR * (before / hours_before)
    }

    pub(crate) fn summary(
        &self,
        g: &GroupRow,
        recent: &HashMap<i64, i64>,
        target: i64,
    ) -> chorus_core::api::GroupSummary {
        let r = recent.get(&g.id).copied().unwrap_or(0);
        g.summary(target, Self::is_trending(g, r, now_ms()))
    }

    pub(crate) fn list_groups(&self, req: &Request) -> ApiResult<Response> {
        let q = query(req)?;
        let status = q.get("status").map(String::as_str).unwrap_or("open");
        let statuses: &[&str] = match status {
            "open" => &["open"],
            "answered" => &["answered"],
            "private" => &["private"],
            "flagged" => &["flagged"],
            "all" => &["open", "answered", "private", "flagged"],
            _ => {
                return Err(ApiError::bad_request(
                    "invalid_status",
                    "status is one of open, answered, private, flagged, all.",
                ));
            }
        };
        let sort = q.get("sort").map(String::as_str).unwrap_or("priority");
        if !matches!(sort, "priority" | "newest" | "largest") {
            return Err(ApiError::bad_request(
                "invalid_sort",
                "sort is one of priority, newest, largest.",
            ));
        }
        let limit = crate::util::limit(q.get("limit").map(String::as_str), 200, 50)?;
        let offset = match q.get("cursor").filter(|c| !c.is_empty()) {
            Some(c) => c.parse::<usize>().map_err(|_| {
                ApiError::bad_request(
                    "invalid_cursor",
                    "This cursor is not one the list returned.",
                )
            })?,
            None => 0,
        };
        let text = q
            .get("q")
            .map(|s| s.trim().to_lowercase())
            .unwrap_or_default();
        if text.chars().count() > 200 {
            return Err(ApiError::bad_request(
                "invalid_query",
                "q can be at most 200 characters.",
            ));
        }
        let marks = vec!["?"; statuses.len()].join(",");
        let mut args: Vec<SqlStorageValue> = statuses.iter().map(|s| (*s).into()).collect();
        let mut sql = format!("SELECT {GROUP_COLS} FROM groups WHERE status IN ({marks})");
        if !text.is_empty() {
            sql.push_str(" AND instr(lower(question), ?) > 0");
            args.push(text.clone().into());
        }
        sql.push_str(" ORDER BY id DESC LIMIT 5000");
        let rows: Vec<GroupRow> = self.sql.exec(&sql, args)?.to_array()?;
        let target = self.target_ms()?.max(60_000);
        let recent = self.recent_counts()?;
        let now = now_ms();
        let mut rows: Vec<(f64, GroupRow)> = rows
            .into_iter()
            .map(|g| {
                let score = match sort {
                    "newest" => g.last_asked_at as f64,
                    "largest" => g.asked_count as f64,
                    _ if g.answered_at.is_some() || g.status() == GroupStatus::Flagged => 0.0,
                    _ => {
                        let urgency =
                            ((now - g.first_asked_at) as f64 / target as f64).clamp(0.1, 3.0);
                        g.asked_count as f64 * urgency
                    }
                };
                (score, g)
            })
            .collect();
        rows.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(a.1.first_asked_at.cmp(&b.1.first_asked_at))
        });
        let page: Vec<_> = rows
            .iter()
            .skip(offset)
            .take(limit)
            .map(|(_, g)| self.summary(g, &recent, target))
            .collect();
        let next = (offset + limit < rows.len()).then(|| (offset + limit).to_string());
        json_response(
            200,
            &GroupList {
                groups: page,
                next_cursor: next,
            },
        )
    }
}
