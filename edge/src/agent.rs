//! Agents' routes (`/v1/{brand}/agent/…`), behind a bearer token of this
//! brand's agents. Every change is written to the audit log with the
//! agent's id and the time. The queue's order and the trending rule are in
//! [`crate::queue`].

use std::collections::{HashMap, HashSet};

use chorus_core::api::{
    AgentPublic, Answer, AnswerInput, AnswerRevision, Answered, ArticleInput, Flag, FlagInput,
    GroupDetail, GroupStatus, KnowledgeBase, Me, MergeInput, PromoteInput, Role, SplitInput,
};
use serde::Deserialize;
use worker::{Method, Request, Response};

use crate::brand::BrandObject;
use crate::dedupe::lang_of;
use crate::error::{ApiError, ApiResult};
use crate::store::{self, GroupRow, gid, qid};
use crate::util::{self, json_response, now_ms};

/// An agent row.
#[derive(Debug, Clone, Deserialize)]
pub struct AgentRow {
    pub id: String,
    pub name: String,
    pub initials: String,
    pub avatar_url: Option<String>,
    pub role: String,
}

impl AgentRow {
    fn public(&self) -> AgentPublic {
        AgentPublic {
            name: self.name.clone(),
            initials: self.initials.clone(),
            avatar_url: self.avatar_url.clone(),
        }
    }
}

pub(crate) fn query(req: &Request) -> ApiResult<HashMap<String, String>> {
    Ok(req
        .url()?
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

fn not_found() -> ApiError {
    ApiError::not_found("not_found", "No such route.")
}

impl BrandObject {
    /// The agent behind `Authorization: Bearer …`, or 401.
    fn agent(&self, req: &Request) -> ApiResult<AgentRow> {
        let h = req.headers().get("authorization")?.unwrap_or_default();
        let token = h.strip_prefix("Bearer ").unwrap_or("").trim();
        if token.is_empty() || token.len() > 200 {
            return Err(ApiError::unauthorized(
                "An agent token of this brand is required.",
            ));
        }
        let rows: Vec<AgentRow> = self
            .sql
            .exec(
                "SELECT id, name, initials, avatar_url, role FROM agents WHERE token_hash = ?",
                vec![util::sha256_hex(token.as_bytes()).into()],
            )?
            .to_array()?;
        rows.into_iter()
            .next()
            .ok_or_else(|| ApiError::unauthorized("An agent token of this brand is required."))
    }

    /// Dispatches `/v1/{brand}/agent/{rest…}`.
    pub async fn agent_route(&self, mut req: Request, rest: &[&str]) -> ApiResult<Response> {
        let me = self.agent(&req)?;
        if let Some(r) = self.team_route(&mut req, &me, rest).await {
            return r;
        }
        let method = req.method();
        match (method.clone(), rest) {
            (Method::Get, ["me"]) => json_response(
                200,
                &Me {
                    agent_id: me.id.clone(),
                    name: me.name.clone(),
                    initials: me.initials.clone(),
                    avatar_url: me.avatar_url.clone(),
                    role: if me.role == "lead" {
                        Role::Lead
                    } else {
                        Role::Agent
                    },
                    brand: self.brand()?.slug,
                },
            ),
            (Method::Get, ["groups"]) => self.list_groups(&req),
            (Method::Get, ["groups", id]) => {
                let g = store::group_or_404(&self.sql, store::parse_gid(id)?)?;
                json_response(200, &self.detail(&g)?)
            }
            (Method::Post | Method::Put, ["groups", id, "answer"]) => {
                let body: AnswerInput = util::read_json(&mut req).await?;
                self.answer(&me, id, body, method == Method::Put)
            }
            (Method::Post, ["groups", id, "merge"]) => {
                let body: MergeInput = util::read_json(&mut req).await?;
                self.merge(&me, id, body)
            }
            (Method::Post, ["groups", id, "split"]) => {
                let body: SplitInput = util::read_json(&mut req).await?;
                self.split(&me, id, body)
            }
            (Method::Post, ["groups", id, "promote"]) => {
                let body: PromoteInput = util::read_json(&mut req).await?;
                self.promote(&me, id, body)
            }
            (Method::Post, ["questions", id, "flag"]) => {
                let body: FlagInput = util::read_json(&mut req).await?;
                self.flag(&me, id, body.flag)
            }
            (Method::Get, ["kb"]) => json_response(
                200,
                &KnowledgeBase {
                    articles: self.articles()?,
                    version: self.kb_version()?,
                },
            ),
            (Method::Post, ["kb"]) => {
                let body: ArticleInput = util::read_json(&mut req).await?;
                self.save_article(&me, None, body)
            }
            (Method::Put, ["kb", id]) => {
                let body: ArticleInput = util::read_json(&mut req).await?;
                self.save_article(&me, Some(id), body)
            }
            (Method::Delete, ["kb", id]) => self.delete_article(&me, id),
            (Method::Get, ["metrics"]) => self.metrics(&query(&req)?),
            (Method::Get, ["audit"]) => self.audit_page(&query(&req)?),
            (
                _,
                ["me"]
                | ["groups"]
                | ["groups", _]
                | ["groups", _, "answer" | "merge" | "split" | "promote"]
                | ["questions", _, "flag"]
                | ["kb"]
                | ["kb", _]
                | ["metrics"]
                | ["audit"],
            ) => Err(ApiError::method_not_allowed()),
            _ => Err(not_found()),
        }
    }

    /// The group with its members, answer and history.
    fn detail(&self, g: &GroupRow) -> ApiResult<GroupDetail> {
        let recent = self.recent_counts()?;
        let target = self.target_ms()?;
        let members = store::members(&self.sql, g.id)?;
        let versions = store::answer_versions(&self.sql, g.id)?;
        let answered = !versions.is_empty();
        let mut history: Vec<AnswerRevision> = versions
            .iter()
            .map(|v| AnswerRevision {
                body: v.body.clone(),
                agent: v.agent(),
                at: v.at,
            })
            .collect();
        let answer = history.pop().map(|r| Answer {
            body: r.body,
            agent: r.agent,
            answered_at: r.at,
        });
        Ok(GroupDetail {
            group: self.summary(g, &recent, target),
            questions: members.iter().map(|q| q.detail(answered)).collect(),
            answer,
            history,
        })
    }

    fn answer(
        &self,
        me: &AgentRow,
        id: &str,
        input: AnswerInput,
        edit: bool,
    ) -> ApiResult<Response> {
        let g = store::group_or_404(&self.sql, store::parse_gid(id)?)?;
        let body = util::bounded("body", input.body.trim(), 1, 10_000)?.to_string();
        if g.status() == GroupStatus::Flagged {
            return Err(ApiError::conflict(
                "group_flagged",
                "Clear the flag before answering this group.",
            ));
        }
        let had = store::current_answer(&self.sql, g.id)?.is_some();
        if edit && !had {
            return Err(ApiError::conflict(
                "not_answered",
                "This group has no answer to edit; POST one.",
            ));
        }
        if !edit && had {
            return Err(ApiError::conflict(
                "already_answered",
                "This group is answered; edit the answer with PUT.",
            ));
        }
        let now = now_ms();
        self.sql.exec(
            "INSERT INTO answers (group_id, body, agent_id, at) VALUES (?, ?, ?, ?)",
            vec![
                g.id.into(),
                body.clone().into(),
                me.id.clone().into(),
                now.into(),
            ],
        )?;
        let members = store::members(&self.sql, g.id)?;
        let reached = members.iter().filter(|q| q.status != "rejected").count() as i64;
        if !edit {
            let status = if g.status() == GroupStatus::Private {
                "private"
            } else {
                "answered"
            };
            self.sql.exec(
                "UPDATE groups SET status = ?, answered_at = ? WHERE id = ?",
                vec![status.into(), now.into(), g.id.into()],
            )?;
            self.event("answered", Some(g.id), Some(now - g.first_asked_at), None)?;
            self.event("reached", Some(g.id), Some(reached), None)?;
            for q in members.iter().filter(|q| q.status != "rejected") {
                self.event("first_response", Some(g.id), Some(now - q.created_at), None)?;
            }
            if g.is_public() {
                self.with_index(|ix| ix.set_answered(g.id as u64, true));
                self.enqueue_event(
                    "group.answered",
                    serde_json::json!({
                        "group_id": gid(g.id), "question": g.question, "asked_count": g.asked_count,
                        "answer": { "body": body, "agent": me.public() }, "reached": reached,
                    }),
                )?;
            }
        }
        self.audit(
            &me.id,
            if edit {
                "group.answer.edit"
            } else {
                "group.answer"
            },
            &gid(g.id),
            &format!("{reached} askers"),
        )?;
        self.bump("feed_version")?;
        json_response(
            if edit { 200 } else { 201 },
            &Answered {
                group_id: gid(g.id),
                answer: Answer {
                    body,
                    agent: me.public(),
                    answered_at: now,
                },
                reached: reached as u32,
            },
        )
    }

    fn merge(&self, me: &AgentRow, id: &str, input: MergeInput) -> ApiResult<Response> {
        let target = store::group_or_404(&self.sql, store::parse_gid(id)?)?;
        if input.from.is_empty() || input.from.len() > 50 {
            return Err(ApiError::bad_request(
                "invalid_merge",
                "from lists 1–50 group ids.",
            ));
        }
        if !target.is_public() {
            return Err(ApiError::conflict(
                "group_not_public",
                "Only public groups can be merged.",
            ));
        }
        let mut sources: Vec<GroupRow> = Vec::new();
        let mut seen = HashSet::new();
        for f in &input.from {
            let g = store::group_or_404(&self.sql, store::parse_gid(f)?)?;
            if g.id == target.id {
                return Err(ApiError::bad_request(
                    "invalid_merge",
                    "A group cannot be merged into itself.",
                ));
            }
            if !g.is_public() {
                return Err(ApiError::conflict(
                    "group_not_public",
                    "Only public groups can be merged.",
                ));
            }
            if seen.insert(g.id) {
                sources.push(g);
            }
        }
        let target_answered = target.answered_at.is_some();
        // Without an answer of its own, the target takes the newest answer
        // among the sources (and its history).
        let donor = if target_answered {
            None
        } else {
            sources
                .iter()
                .filter(|g| g.answered_at.is_some())
                .max_by_key(|g| g.answered_at)
        };
        for s in &sources {
            self.sql.exec(
                "UPDATE questions SET group_id = ? WHERE group_id = ?",
                vec![target.id.into(), s.id.into()],
            )?;
            self.sql.exec(
                "UPDATE groups SET status = 'merged', merged_into = ? WHERE id = ?",
                vec![target.id.into(), s.id.into()],
            )?;
            self.sql.exec(
                "UPDATE groups SET merged_into = ?1 WHERE merged_into = ?2",
                vec![target.id.into(), s.id.into()],
            )?;
        }
        if let Some(d) = donor {
            self.sql.exec(
                "UPDATE answers SET group_id = ? WHERE group_id = ?",
                vec![target.id.into(), d.id.into()],
            )?;
            self.sql.exec(
                "UPDATE groups SET status = 'answered', answered_at = ?, helpful = helpful + ? WHERE id = ?",
                vec![d.answered_at.unwrap_or(0).into(), d.helpful.into(), target.id.into()],
            )?;
        }
        store::refresh_group(&self.sql, target.id)?;
        let mut ids = vec![target.id as u64];
        ids.extend(sources.iter().map(|s| s.id as u64));
        let answered_now = target_answered || donor.is_some();
        self.with_index(|ix| {
            ix.merge(&ids);
            ix.set_answered(target.id as u64, answered_now);
        });
        let from: Vec<String> = sources.iter().map(|s| gid(s.id)).collect();
        self.audit(
            &me.id,
            "group.merge",
            &gid(target.id),
            &format!("from {}", from.join(",")),
        )?;
        self.bump("feed_version")?;
        let g = store::group_or_404(&self.sql, target.id)?;
        json_response(200, &self.detail(&g)?)
    }

    fn split(&self, me: &AgentRow, id: &str, input: SplitInput) -> ApiResult<Response> {
        let g = store::group_or_404(&self.sql, store::parse_gid(id)?)?;
        if input.question_ids.is_empty() || input.question_ids.len() > 200 {
            return Err(ApiError::bad_request(
                "invalid_split",
                "question_ids lists 1–200 question ids.",
            ));
        }
        let members = store::members(&self.sql, g.id)?;
        let mut moving = Vec::new();
        for q in &input.question_ids {
            let n = store::parse_qid(q)?;
            let Some(m) = members.iter().find(|m| m.id == n) else {
                return Err(ApiError::bad_request(
                    "not_in_group",
                    format!("{q} is not a question of this group."),
                ));
            };
            if !moving.iter().any(|x: &&store::QuestionRow| x.id == n) {
                moving.push(m);
            }
        }
        if moving.len() == members.len() {
            return Err(ApiError::conflict(
                "split_all",
                "Leave at least one question in the group.",
            ));
        }
        let first = moving
            .iter()
            .min_by_key(|q| q.id)
            .copied()
            .ok_or_else(|| ApiError::internal("split", "empty"))?;
        let status = if g.status() == GroupStatus::Private {
            "private"
        } else {
            "open"
        };
        // Its count and times are recomputed once the questions have moved.
        let new = store::new_group(
            &self.sql,
            status,
            &first.text,
            &first.lang,
            first.created_at,
        )?;
        for q in &moving {
            self.sql.exec(
                "UPDATE questions SET group_id = ? WHERE id = ?",
                vec![new.into(), q.id.into()],
            )?;
            self.sql.exec(
                "INSERT OR IGNORE INTO negatives (question_id, group_id) VALUES (?, ?)",
                vec![q.id.into(), g.id.into()],
            )?;
        }
        store::refresh_group(&self.sql, g.id)?;
        store::refresh_group(&self.sql, new)?;
        let ids: Vec<u64> = moving
            .iter()
            .filter(|q| q.status == "open")
            .map(|q| q.id as u64)
            .collect();
        self.with_index(|ix| ix.split(&ids, new as u64));
        let qs: Vec<String> = moving.iter().map(|q| qid(q.id)).collect();
        self.audit(
            &me.id,
            "group.split",
            &gid(g.id),
            &format!("{} → {}", qs.join(","), gid(new)),
        )?;
        self.bump("feed_version")?;
        let created = store::group_or_404(&self.sql, new)?;
        json_response(201, &self.detail(&created)?)
    }

    fn flag(&self, me: &AgentRow, id: &str, flag: Flag) -> ApiResult<Response> {
        let q = store::question_or_404(&self.sql, store::parse_qid(id)?)?;
        let old = store::group_or_404(&self.sql, q.group_id)?;
        let (status, flags, group_status) = match flag {
            Flag::Spam => ("rejected", "spam", "flagged"),
            Flag::Troll => ("rejected", "troll", "flagged"),
            Flag::Private => ("private", "private", "private"),
            Flag::Clear => ("open", "", "open"),
        };
        let members = store::members(&self.sql, old.id)?.len();
        let group = if flag == Flag::Clear {
            // A flagged or private question lives alone in its group: the
            // group becomes a public open one again.
            if !old.is_public() && members == 1 {
                let status = if old.answered_at.is_some() {
                    "answered"
                } else {
                    "open"
                };
                self.sql.exec(
                    "UPDATE groups SET status = ? WHERE id = ?",
                    vec![status.into(), old.id.into()],
                )?;
            }
            old.id
        } else if members == 1 {
            self.sql.exec(
                "UPDATE groups SET status = ? WHERE id = ?",
                vec![group_status.into(), old.id.into()],
            )?;
            old.id
        } else {
            // Out of the public group, into one of its own.
            let g = store::new_group(&self.sql, group_status, &q.text, &q.lang, q.created_at)?;
            self.sql.exec(
                "UPDATE questions SET group_id = ? WHERE id = ?",
                vec![g.into(), q.id.into()],
            )?;
            store::refresh_group(&self.sql, old.id)?;
            g
        };
        self.sql.exec(
            "UPDATE questions SET status = ?, flags = ? WHERE id = ?",
            vec![status.into(), flags.into(), q.id.into()],
        )?;
        let public = store::group_or_404(&self.sql, group)?;
        self.with_index(|ix| {
            ix.remove(q.id as u64);
            if status == "open" && public.is_public() {
                ix.insert(q.id as u64, &q.text, lang_of(&q.lang), group as u64);
                ix.set_answered(group as u64, public.answered_at.is_some());
            }
        });
        let flag_name = match flag {
            Flag::Spam => "spam",
            Flag::Troll => "troll",
            Flag::Private => "private",
            Flag::Clear => "clear",
        };
        self.audit(&me.id, "question.flag", &qid(q.id), flag_name)?;
        self.bump("feed_version")?;
        let q = store::question_or_404(&self.sql, q.id)?;
        json_response(200, &q.detail(public.answered_at.is_some()))
    }
}
