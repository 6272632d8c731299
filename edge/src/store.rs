//! Rows of the brand object's SQLite tables and the small queries every
//! route shares (load a group, its answer, an agent). Ids are SQLite
//! integers inside and `g12` / `q345` strings on the wire.

use chorus_core::api::{
    AgentPublic, Answer, GroupStatus, GroupSummary, QuestionDetail, QuestionStatus,
};
use serde::Deserialize;
use worker::{SqlStorage, SqlStorageValue};

use crate::error::{ApiError, ApiResult};

/// Columns of [`GroupRow`], in order.
pub const GROUP_COLS: &str = "id, status, question, lang, asked_count, first_asked_at, last_asked_at, answered_at, helpful, merged_into, trending_at";

/// A `groups` row.
#[derive(Debug, Clone, Deserialize)]
pub struct GroupRow {
    pub id: i64,
    pub status: String,
    pub question: String,
    pub lang: String,
    pub asked_count: i64,
    pub first_asked_at: i64,
    pub last_asked_at: i64,
    pub answered_at: Option<i64>,
    pub helpful: i64,
    pub merged_into: Option<i64>,
    /// When `group.trending` was last queued for it.
    pub trending_at: Option<i64>,
}

impl GroupRow {
    /// Status as the API names it.
    pub fn status(&self) -> GroupStatus {
        match self.status.as_str() {
            "answered" => GroupStatus::Answered,
            "private" => GroupStatus::Private,
            "flagged" => GroupStatus::Flagged,
            _ => GroupStatus::Open,
        }
    }

    /// Public groups are in the duplicate index, the feed and suggestions.
    pub fn is_public(&self) -> bool {
        matches!(self.status(), GroupStatus::Open | GroupStatus::Answered)
    }

    /// The queue row. `target_ms` is the brand's promised response time;
    /// `trending` is computed by the caller (it needs recent counts).
    pub fn summary(&self, target_ms: i64, trending: bool) -> GroupSummary {
        let waiting = matches!(self.status(), GroupStatus::Open | GroupStatus::Private)
            && self.answered_at.is_none();
        GroupSummary {
            group_id: gid(self.id),
            question: self.question.clone(),
            asked_count: self.asked_count.max(0) as u32,
            first_asked_at: self.first_asked_at,
            last_asked_at: self.last_asked_at,
            status: self.status(),
            sla_due_at: waiting.then_some(self.first_asked_at + target_ms),
            trending,
            lang: self.lang.clone(),
            answered_at: self.answered_at,
            helpful: self.helpful.max(0) as u32,
        }
    }
}

/// Columns of [`QuestionRow`], in order.
pub const QUESTION_COLS: &str = "id, group_id, text, name, lang, created_at, status, flags, pii";

/// A `questions` row.
#[derive(Debug, Clone, Deserialize)]
pub struct QuestionRow {
    pub id: i64,
    pub group_id: i64,
    pub text: String,
    pub name: Option<String>,
    pub lang: String,
    pub created_at: i64,
    /// `open`, `private` or `rejected` (answered comes from the group).
    pub status: String,
    /// Comma-separated flags.
    pub flags: String,
    /// Comma-separated personal-data kinds.
    pub pii: String,
}

impl QuestionRow {
    /// Status, given whether its group has an answer.
    pub fn status(&self, group_answered: bool) -> QuestionStatus {
        match self.status.as_str() {
            "rejected" => QuestionStatus::Rejected,
            "private" => QuestionStatus::Private,
            _ if group_answered => QuestionStatus::Answered,
            _ => QuestionStatus::Open,
        }
    }

    /// What agents see.
    pub fn detail(&self, group_answered: bool) -> QuestionDetail {
        QuestionDetail {
            question_id: qid(self.id),
            text: self.text.clone(),
            name: self.name.clone(),
            lang: self.lang.clone(),
            asked_at: self.created_at,
            status: self.status(group_answered),
            flags: split_list(&self.flags),
            personal_data: split_list(&self.pii),
        }
    }
}

/// `a,b` → `["a", "b"]`.
pub fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

/// An `answers` row joined with its agent.
#[derive(Debug, Clone, Deserialize)]
pub struct AnswerRow {
    pub group_id: i64,
    pub body: String,
    pub at: i64,
    pub name: Option<String>,
    pub initials: Option<String>,
    pub avatar_url: Option<String>,
}

impl AnswerRow {
    /// The agent as the public sees them (a deleted agent shows as the team).
    pub fn agent(&self) -> AgentPublic {
        AgentPublic {
            name: self.name.clone().unwrap_or_else(|| "Support team".into()),
            initials: self.initials.clone().unwrap_or_else(|| "ST".into()),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

const ANSWER_SELECT: &str =
    "SELECT a.group_id AS group_id, a.body AS body, a.at AS at, g.name AS name,
     g.initials AS initials, g.avatar_url AS avatar_url
     FROM answers a LEFT JOIN agents g ON g.id = a.agent_id";

/// `g12`.
pub fn gid(id: i64) -> String {
    format!("g{id}")
}

/// `q345`.
pub fn qid(id: i64) -> String {
    format!("q{id}")
}

fn parse_id(s: &str, prefix: char) -> Option<i64> {
    let n = s.strip_prefix(prefix)?;
    if n.is_empty() || n.len() > 15 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok()
}

/// Parses `g12`; 404 `unknown_group` otherwise.
pub fn parse_gid(s: &str) -> ApiResult<i64> {
    parse_id(s, 'g').ok_or_else(unknown_group)
}

/// Parses `q345`; 404 `unknown_question` otherwise.
pub fn parse_qid(s: &str) -> ApiResult<i64> {
    parse_id(s, 'q')
        .ok_or_else(|| ApiError::not_found("unknown_question", "There is no such question."))
}

/// 404 for a group id that does not exist.
pub fn unknown_group() -> ApiError {
    ApiError::not_found("unknown_group", "There is no such group.")
}

/// Loads one group, following merges to the group that absorbed it.
pub fn group(sql: &SqlStorage, id: i64) -> ApiResult<Option<GroupRow>> {
    let mut id = id;
    for _ in 0..16 {
        let rows: Vec<GroupRow> = sql
            .exec(
                &format!("SELECT {GROUP_COLS} FROM groups WHERE id = ?"),
                vec![id.into()],
            )?
            .to_array()?;
        match rows.into_iter().next() {
            Some(GroupRow {
                merged_into: Some(to),
                ..
            }) => id = to,
            other => return Ok(other),
        }
    }
    Ok(None)
}

/// Like [`group`], 404 when missing.
pub fn group_or_404(sql: &SqlStorage, id: i64) -> ApiResult<GroupRow> {
    group(sql, id)?.ok_or_else(unknown_group)
}

/// The group's current answer (its latest version).
pub fn current_answer(sql: &SqlStorage, group: i64) -> ApiResult<Option<Answer>> {
    let rows: Vec<AnswerRow> = sql
        .exec(
            &format!("{ANSWER_SELECT} WHERE a.group_id = ? ORDER BY a.id DESC LIMIT 1"),
            vec![group.into()],
        )?
        .to_array()?;
    Ok(rows.into_iter().next().map(|r| Answer {
        body: r.body.clone(),
        agent: r.agent(),
        answered_at: r.at,
    }))
}

/// Every version of the group's answer, oldest first.
pub fn answer_versions(sql: &SqlStorage, group: i64) -> ApiResult<Vec<AnswerRow>> {
    Ok(sql
        .exec(
            &format!("{ANSWER_SELECT} WHERE a.group_id = ? ORDER BY a.id"),
            vec![group.into()],
        )?
        .to_array()?)
}

/// Current answers of several groups at once.
pub fn current_answers(
    sql: &SqlStorage,
    groups: &[i64],
) -> ApiResult<std::collections::HashMap<i64, Answer>> {
    let mut out = std::collections::HashMap::new();
    if groups.is_empty() {
        return Ok(out);
    }
    let marks = vec!["?"; groups.len()].join(",");
    let rows: Vec<AnswerRow> = sql
        .exec(
            &format!(
                "{ANSWER_SELECT} WHERE a.id IN (SELECT MAX(id) FROM answers WHERE group_id IN ({marks}) GROUP BY group_id)"
            ),
            groups.iter().map(|g| SqlStorageValue::from(*g)).collect::<Vec<_>>(),
        )?
        .to_array()?;
    for r in rows {
        out.insert(
            r.group_id,
            Answer {
                body: r.body.clone(),
                agent: r.agent(),
                answered_at: r.at,
            },
        );
    }
    Ok(out)
}

/// Member questions of a group, oldest first.
pub fn members(sql: &SqlStorage, group: i64) -> ApiResult<Vec<QuestionRow>> {
    Ok(sql
        .exec(
            &format!("SELECT {QUESTION_COLS} FROM questions WHERE group_id = ? ORDER BY id"),
            vec![group.into()],
        )?
        .to_array()?)
}

/// One question, 404 when missing.
pub fn question_or_404(sql: &SqlStorage, id: i64) -> ApiResult<QuestionRow> {
    let rows: Vec<QuestionRow> = sql
        .exec(
            &format!("SELECT {QUESTION_COLS} FROM questions WHERE id = ?"),
            vec![id.into()],
        )?
        .to_array()?;
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::not_found("unknown_question", "There is no such question."))
}

/// Recomputes a group's count, first/last times and representative
/// question from its members (after merge, split, flag). A group left
/// empty is deleted.
pub fn refresh_group(sql: &SqlStorage, group: i64) -> ApiResult<()> {
    #[derive(Deserialize)]
    struct Agg {
        n: i64,
        first: Option<i64>,
        last: Option<i64>,
    }
    let agg: Vec<Agg> = sql
        .exec(
            "SELECT COUNT(*) AS n, MIN(created_at) AS first, MAX(created_at) AS last FROM questions WHERE group_id = ?",
            vec![group.into()],
        )?
        .to_array()?;
    let Some(a) = agg.into_iter().next() else {
        return Ok(());
    };
    if a.n == 0 {
        sql.exec("DELETE FROM groups WHERE id = ?", vec![group.into()])?;
        return Ok(());
    }
    sql.exec(
        "UPDATE groups SET asked_count = ?1, first_asked_at = ?2, last_asked_at = ?3,
         question = COALESCE((SELECT text FROM questions WHERE group_id = ?4 ORDER BY id LIMIT 1), question),
         lang = COALESCE((SELECT lang FROM questions WHERE group_id = ?4 ORDER BY id LIMIT 1), lang)
         WHERE id = ?4",
        vec![
            a.n.into(),
            a.first.unwrap_or(0).into(),
            a.last.unwrap_or(0).into(),
            group.into(),
        ],
    )?;
    Ok(())
}

#[derive(Deserialize)]
struct Count {
    n: i64,
}

/// Whether `table` has a row with this text `id` (`table` is one of ours, never input).
/// A new group of one question (`text` in `lang`, asked at `at`); its id.
pub fn new_group(
    sql: &SqlStorage,
    status: &str,
    text: &str,
    lang: &str,
    at: i64,
) -> ApiResult<i64> {
    insert(
        sql,
        "INSERT INTO groups (status, question, lang, asked_count, first_asked_at, last_asked_at)
         VALUES (?, ?, ?, 1, ?, ?)",
        vec![
            status.into(),
            text.into(),
            lang.into(),
            at.into(),
            at.into(),
        ],
    )
}

pub fn exists(sql: &SqlStorage, table: &'static str, id: &str) -> ApiResult<bool> {
    Ok(count(
        sql,
        &format!("SELECT COUNT(*) AS n FROM {table} WHERE id = ?"),
        vec![id.into()],
    )? > 0)
}

/// `SELECT COUNT(*) AS n …` → n.
/// Runs one `INSERT` (`query`, without a `RETURNING` clause) and returns
/// the new row's `id` from the same statement.
pub fn insert(sql: &SqlStorage, query: &str, args: Vec<SqlStorageValue>) -> ApiResult<i64> {
    count(sql, &format!("{query} RETURNING id AS n"), args)
}

pub fn count(sql: &SqlStorage, query: &str, args: Vec<SqlStorageValue>) -> ApiResult<i64> {
    let rows: Vec<Count> = sql.exec(query, args)?.to_array()?;
    Ok(rows.first().map(|c| c.n).unwrap_or(0))
}
