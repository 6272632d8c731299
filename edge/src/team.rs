//! Leads' routes: settings, the team, canned replies, and the route table
//! that also serves the webhooks' routes (`webhooks.rs`).

use chorus_core::api::{
    CannedInput, CannedReply, CreateAgent, Role, Settings, TeamMember, WebhookInput,
};
use serde::Deserialize;
use worker::{Method, Request, Response, SqlStorageValue};

use crate::agent::AgentRow;
use crate::brand::BrandObject;
use crate::error::{ApiError, ApiResult};
use crate::util::{self, json_response, now_ms, random_token};

pub(crate) fn lead_only(me: &AgentRow) -> ApiResult<()> {
    if me.role == "lead" {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "role_not_allowed",
            "Only a lead can change this.",
        ))
    }
}

/// A lead's JSON body (403 for other agents, before the body is read).
async fn lead_json<T: serde::de::DeserializeOwned>(
    me: &AgentRow,
    req: &mut Request,
) -> ApiResult<T> {
    lead_only(me)?;
    util::read_json(req).await
}

#[derive(Deserialize)]
struct CannedRow {
    id: String,
    title: String,
    body: String,
    updated_at: i64,
}

impl BrandObject {
    /// `/v1/{brand}/agent/{settings|agents|canned|webhooks}…`; `None` when
    /// the path is not one of these.
    pub async fn team_route(
        &self,
        req: &mut Request,
        me: &AgentRow,
        rest: &[&str],
    ) -> Option<ApiResult<Response>> {
        let method = req.method();
        Some(match (method, rest) {
            (Method::Get, ["settings"]) => json_response(200, &self.settings()),
            (Method::Put, ["settings"]) => util::read_json(req)
                .await
                .and_then(|s| self.put_settings(me, s)),
            (Method::Get, ["agents"]) => lead_only(me).and_then(|_| self.team()),
            (Method::Post, ["agents"]) => lead_json::<CreateAgent>(me, req)
                .await
                .and_then(|a| self.create_agent_as(&me.id, a)),
            (Method::Delete, ["agents", id]) => {
                lead_only(me).and_then(|_| self.remove_agent(me, id))
            }
            (Method::Get, ["canned"]) => self.canned(),
            (Method::Post, ["canned"]) => lead_json::<CannedInput>(me, req)
                .await
                .and_then(|c| self.save_canned(me, None, c)),
            (Method::Put, ["canned", id]) => lead_json::<CannedInput>(me, req)
                .await
                .and_then(|c| self.save_canned(me, Some(id), c)),
            (Method::Delete, ["canned", id]) => {
                lead_only(me).and_then(|_| self.delete_canned(me, id))
            }
            (Method::Get, ["webhooks"]) => lead_only(me).and_then(|_| self.webhooks()),
            (Method::Post, ["webhooks"]) => lead_json::<WebhookInput>(me, req)
                .await
                .and_then(|w| self.create_webhook(me, w)),
            (Method::Delete, ["webhooks", id]) => {
                lead_only(me).and_then(|_| self.delete_webhook(me, id))
            }
            (Method::Get, ["webhooks", id, "deliveries"]) => {
                lead_only(me).and_then(|_| self.deliveries(id))
            }
            (
                _,
                ["settings"]
                | ["agents"]
                | ["agents", _]
                | ["canned"]
                | ["canned", _]
                | ["webhooks"]
                | ["webhooks", _]
                | ["webhooks", _, "deliveries"],
            ) => Err(ApiError::method_not_allowed()),
            _ => return None,
        })
    }

    fn settings(&self) -> Settings {
        match self.brand() {
            Ok(b) => {
                let c = b.config();
                Settings {
                    name: Some(c.name),
                    color: Some(c.color),
                    languages: Some(c.languages),
                    hours: Some(c.hours),
                    response_target_minutes: Some(c.response_target_minutes),
                    greeting: Some(c.greeting),
                    allowed_origins: Some(b.allowed_origins()),
                    private_followup: Some(b.private_followup.clone()),
                }
            }
            Err(_) => Settings::default(),
        }
    }

    fn put_settings(&self, me: &AgentRow, s: Settings) -> ApiResult<Response> {
        lead_only(me)?;
        let mut sets: Vec<&str> = Vec::new();
        let mut args: Vec<SqlStorageValue> = Vec::new();
        if let Some(n) = &s.name {
            sets.push("name = ?");
            args.push(util::bounded("name", n.trim(), 1, 100)?.into());
        }
        if let Some(c) = &s.color {
            sets.push("color = ?");
            args.push(util::validate_color(c)?.into());
        }
        if let Some(l) = &s.languages {
            sets.push("languages = ?");
            args.push(
                serde_json::to_string(&util::validate_languages(l)?)
                    .unwrap_or_default()
                    .into(),
            );
        }
        if let Some(h) = &s.hours {
            sets.push("hours = ?");
            args.push(util::bounded("hours", h.trim(), 0, 200)?.into());
        }
        if let Some(t) = s.response_target_minutes {
            if !(1..=10_080).contains(&t) {
                return Err(ApiError::bad_request(
                    "invalid_response_target",
                    "response_target_minutes must be between 1 and 10080 (one week).",
                ));
            }
            sets.push("response_target_minutes = ?");
            args.push((t as i64).into());
        }
        if let Some(g) = &s.greeting {
            sets.push("greeting = ?");
            args.push(util::bounded("greeting", g.trim(), 0, 300)?.into());
        }
        if let Some(o) = &s.allowed_origins {
            if o.len() > 20 {
                return Err(ApiError::bad_request(
                    "invalid_origin",
                    "At most 20 origins.",
                ));
            }
            let mut out = Vec::new();
            for x in o {
                out.push(util::validate_origin(x)?);
            }
            sets.push("allowed_origins = ?");
            args.push(serde_json::to_string(&out).unwrap_or_default().into());
        }
        if let Some(p) = &s.private_followup {
            sets.push("private_followup = ?");
            args.push(util::bounded("private_followup", p.trim(), 0, 300)?.into());
        }
        if !sets.is_empty() {
            self.sql.exec(
                &format!("UPDATE brand SET {} WHERE id = 1", sets.join(", ")),
                args,
            )?;
            self.reload_brand()?;
            self.audit(&me.id, "settings.update", "brand", &sets.len().to_string())?;
        }
        json_response(200, &self.settings())
    }

    fn team(&self) -> ApiResult<Response> {
        let rows: Vec<AgentRow> = self
            .sql
            .exec(
                "SELECT id, name, initials, avatar_url, role FROM agents ORDER BY created_at",
                None,
            )?
            .to_array()?;
        let agents: Vec<TeamMember> = rows
            .into_iter()
            .map(|a| TeamMember {
                agent_id: a.id,
                name: a.name,
                initials: a.initials,
                avatar_url: a.avatar_url,
                role: if a.role == "lead" {
                    Role::Lead
                } else {
                    Role::Agent
                },
            })
            .collect();
        json_response(200, &serde_json::json!({ "agents": agents }))
    }

    fn remove_agent(&self, me: &AgentRow, id: &str) -> ApiResult<Response> {
        if id == me.id {
            return Err(ApiError::conflict(
                "cannot_remove_self",
                "A lead cannot remove themselves.",
            ));
        }
        if !crate::store::exists(&self.sql, "agents", id)? {
            return Err(ApiError::not_found(
                "unknown_agent",
                "There is no such agent.",
            ));
        }
        // Their answers stay, signed "Support team" (store.rs).
        self.sql
            .exec("DELETE FROM agents WHERE id = ?", vec![id.into()])?;
        self.audit(&me.id, "agent.remove", id, "")?;
        Ok(Response::empty()?.with_status(204))
    }

    fn canned(&self) -> ApiResult<Response> {
        let rows: Vec<CannedRow> = self
            .sql
            .exec(
                "SELECT id, title, body, updated_at FROM canned ORDER BY title",
                None,
            )?
            .to_array()?;
        let replies: Vec<CannedReply> = rows
            .into_iter()
            .map(|r| CannedReply {
                id: r.id,
                title: r.title,
                body: r.body,
                updated_at: r.updated_at,
            })
            .collect();
        json_response(200, &serde_json::json!({ "replies": replies }))
    }

    fn save_canned(&self, me: &AgentRow, id: Option<&str>, c: CannedInput) -> ApiResult<Response> {
        let title = util::bounded("title", c.title.trim(), 1, 100)?.to_string();
        let body = util::bounded("body", c.body.trim(), 1, 10_000)?.to_string();
        let now = now_ms();
        let id = match id {
            Some(id) => {
                if !crate::store::exists(&self.sql, "canned", id)? {
                    return Err(ApiError::not_found(
                        "unknown_reply",
                        "There is no such canned reply.",
                    ));
                }
                self.sql.exec(
                    "UPDATE canned SET title = ?, body = ?, updated_at = ? WHERE id = ?",
                    vec![
                        title.clone().into(),
                        body.clone().into(),
                        now.into(),
                        id.into(),
                    ],
                )?;
                id.to_string()
            }
            None => {
                let id = format!("cr_{}", &random_token()[..12]);
                self.sql.exec(
                    "INSERT INTO canned (id, title, body, created_by, updated_at) VALUES (?, ?, ?, ?, ?)",
                    vec![id.clone().into(), title.clone().into(), body.clone().into(), me.id.clone().into(), now.into()],
                )?;
                id
            }
        };
        self.audit(&me.id, "canned.save", &id, &title)?;
        json_response(
            201,
            &CannedReply {
                id,
                title,
                body,
                updated_at: now,
            },
        )
    }

    fn delete_canned(&self, me: &AgentRow, id: &str) -> ApiResult<Response> {
        if !crate::store::exists(&self.sql, "canned", id)? {
            return Err(ApiError::not_found(
                "unknown_reply",
                "There is no such canned reply.",
            ));
        }
        self.sql
            .exec("DELETE FROM canned WHERE id = ?", vec![id.into()])?;
        self.audit(&me.id, "canned.delete", id, "")?;
        Ok(Response::empty()?.with_status(204))
    }
}
