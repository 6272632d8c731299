//! `GET /agent/metrics` (per UTC day, from the `events` table) and
//! `GET /agent/audit`.
//!
//! Events: `asked` (every accepted, non-spam question), `joined` (it joined
//! an existing group), `answered` (a group's first answer; value = ms from
//! the group's first question), `first_response` (per question reached by a
//! group's first answer, or joining an answered group: value = ms waited,
//! 0 when the answer was already there), `reached` (askers an answer
//! reached), `helpful`, `deflection`, `missed` (detail = the query).

use std::collections::HashMap;

use chorus_core::api::{AuditEntry, AuditPage, ContentGap, DayMetrics, Metrics};
use serde::Deserialize;
use worker::{Response, SqlStorageValue};

use crate::brand::BrandObject;
use crate::error::{ApiError, ApiResult};
use crate::store;
use crate::util::{self, json_response, now_ms};

const DAY_MS: i64 = 86_400_000;
/// Longest range one request may ask for.
const MAX_DAYS: i64 = 366;

/// Days since 1970-01-01 → (year, month, day) (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` → days since the epoch (a real calendar date only).
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s[..4].parse().ok()?;
    let m: u32 = s[5..7].parse().ok()?;
    let d: u32 = s[8..].parse().ok()?;
    if !(1..=12).contains(&m) || d == 0 || d > 31 {
        return None;
    }
    let days = days_from_civil(y, m, d);
    (civil_from_days(days) == (y, m, d)).then_some(days)
}

/// Days since the epoch → `YYYY-MM-DD`.
pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

#[derive(Deserialize)]
struct EventRow {
    at: i64,
    kind: String,
    value: Option<i64>,
}

#[derive(Deserialize)]
struct GapRow {
    query: String,
    n: i64,
}

#[derive(Deserialize)]
struct TopRow {
    group_id: i64,
}

#[derive(Default)]
struct Day {
    opened: u32,
    answered: u32,
    first: Vec<i64>,
    to_answer: Vec<i64>,
    deflections: u32,
    helpful: u32,
    joined: u32,
    reached: i64,
    missed: u32,
}

impl BrandObject {
    /// `GET /v1/{brand}/agent/metrics?from=&to=` (UTC days, inclusive; default the last 14).
    pub fn metrics(&self, q: &HashMap<String, String>) -> ApiResult<Response> {
        let today = now_ms().div_euclid(DAY_MS);
        let bad = |which: &str| {
            ApiError::bad_request(
                "invalid_date",
                format!("{which} must be a date as YYYY-MM-DD."),
            )
        };
        let to = match q.get("to").filter(|s| !s.is_empty()) {
            Some(s) => parse_date(s).ok_or_else(|| bad("to"))?,
            None => today,
        };
        let from = match q.get("from").filter(|s| !s.is_empty()) {
            Some(s) => parse_date(s).ok_or_else(|| bad("from"))?,
            None => to - 13,
        };
        if from > to || to - from >= MAX_DAYS {
            return Err(ApiError::bad_request(
                "invalid_range",
                "from must not be after to, and the range is at most 366 days.",
            ));
        }
        let (start, end) = (from * DAY_MS, (to + 1) * DAY_MS);
        let events: Vec<EventRow> = self
            .sql
            .exec(
                "SELECT at, kind, value FROM events WHERE at >= ? AND at < ? AND kind != 'missed'",
                vec![start.into(), end.into()],
            )?
            .to_array()?;
        let mut days: Vec<Day> = (from..=to).map(|_| Day::default()).collect();
        for e in events {
            let Some(d) = days.get_mut((e.at.div_euclid(DAY_MS) - from) as usize) else {
                continue;
            };
            let v = e.value.unwrap_or(0).max(0);
            match e.kind.as_str() {
                "asked" => d.opened += 1,
                "joined" => d.joined += 1,
                "answered" => {
                    d.answered += 1;
                    d.to_answer.push(v);
                }
                "first_response" => d.first.push(v),
                "reached" => d.reached += v,
                "helpful" => {
                    d.helpful += 1;
                    d.deflections += 1;
                }
                "deflection" => d.deflections += 1,
                _ => {}
            }
        }
        let missed: Vec<EventRow> = self
            .sql
            .exec(
                "SELECT at, kind, value FROM events WHERE at >= ? AND at < ? AND kind = 'missed'",
                vec![start.into(), end.into()],
            )?
            .to_array()?;
        for e in missed {
            if let Some(d) = days.get_mut((e.at.div_euclid(DAY_MS) - from) as usize) {
                d.missed += 1;
            }
        }
        let days: Vec<DayMetrics> = days
            .into_iter()
            .enumerate()
            .map(|(i, mut d)| {
                d.first.sort_unstable();
                d.to_answer.sort_unstable();
                DayMetrics {
                    date: format_date(from + i as i64),
                    opened: d.opened,
                    answered: d.answered,
                    first_response_p50_ms: percentile(&d.first, 50.0),
                    first_response_p90_ms: percentile(&d.first, 90.0),
                    time_to_answer_p50_ms: percentile(&d.to_answer, 50.0),
                    time_to_answer_p90_ms: percentile(&d.to_answer, 90.0),
                    deflections: d.deflections,
                    helpful: d.helpful,
                    duplicates_joined: d.joined,
                    askers_per_answer: (d.answered > 0)
                        .then(|| d.reached as f64 / d.answered as f64),
                    missed_searches: d.missed,
                }
            })
            .collect();
        let gaps: Vec<GapRow> = self
            .sql
            .exec(
                "SELECT detail AS query, COUNT(*) AS n FROM events WHERE kind = 'missed' AND at >= ? AND at < ?
                 GROUP BY detail ORDER BY n DESC, detail LIMIT 20",
                vec![start.into(), end.into()],
            )?
            .to_array()?;
        let top: Vec<TopRow> = self
            .sql
            .exec(
                "SELECT group_id FROM questions WHERE created_at >= ? AND created_at < ? AND status != 'rejected'
                 GROUP BY group_id ORDER BY COUNT(*) DESC, group_id LIMIT 10",
                vec![start.into(), end.into()],
            )?
            .to_array()?;
        let target = self.brand()?.config().response_target_minutes;
        let mut top_groups = Vec::new();
        for t in top {
            if let Some(g) = store::group(&self.sql, t.group_id)? {
                top_groups.push(g.summary(target as i64 * 60_000, false));
            }
        }
        json_response(
            200,
            &Metrics {
                from: format_date(from),
                to: format_date(to),
                response_target_minutes: target,
                days,
                top_groups,
                gaps: gaps
                    .into_iter()
                    .map(|g| ContentGap {
                        query: g.query,
                        count: g.n.max(0) as u32,
                    })
                    .collect(),
            },
        )
    }

    /// `GET /v1/{brand}/agent/audit?cursor=&actor=&action=&limit=`, newest first.
    pub fn audit_page(&self, q: &HashMap<String, String>) -> ApiResult<Response> {
        let before = match q.get("cursor").filter(|c| !c.is_empty()) {
            Some(c) => c.parse::<i64>().map_err(|_| {
                ApiError::bad_request(
                    "invalid_cursor",
                    "This cursor is not one the audit log returned.",
                )
            })?,
            None => util::MAX_SAFE_INT,
        };
        let limit = util::limit(q.get("limit").map(String::as_str), 500, 100)? as i64;
        let mut sql =
            String::from("SELECT id, at, actor, action, target, detail FROM audit WHERE id < ?");
        let mut args: Vec<SqlStorageValue> = vec![before.into()];
        if let Some(a) = q.get("actor").filter(|s| !s.is_empty()) {
            sql.push_str(" AND actor = ?");
            args.push(a.clone().into());
        }
        if let Some(a) = q.get("action").filter(|s| !s.is_empty()) {
            // `group` matches group.answer, group.merge, …
            sql.push_str(" AND (action = ? OR action LIKE ? ESCAPE '\\')");
            args.push(a.clone().into());
            let escaped = a
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            args.push(format!("{escaped}.%").into());
        }
        sql.push_str(" ORDER BY id DESC LIMIT ?");
        args.push((limit + 1).into());
        let mut items: Vec<AuditEntry> = self.sql.exec(&sql, args)?.to_array()?;
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|e| e.id.to_string())
        } else {
            None
        };
        json_response(200, &AuditPage { items, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_impossible_ones() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(format_date(parse_date("2024-02-29").unwrap()), "2024-02-29");
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("26-1-1"), None);
        assert_eq!(format_date(20_415), "2025-11-23");
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 90.0), Some(90));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 90.0), Some(7));
    }
}
