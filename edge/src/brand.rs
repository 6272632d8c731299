//! `BrandObject`: one SQLite-backed Durable Object per brand.
//!
//! Everything a brand owns lives here: settings, knowledge base, agents,
//! questions and groups, audit log. The Worker (`lib.rs`) authenticates
//! admins, then forwards requests with an internal path:
//! `/admin/...` (already authenticated) or `/v1/{brand}/...` (public/agent).
//! Durable Objects run one event at a time and hold writes until they are
//! durable before the response leaves (output gates), so a response is only
//! ever sent for committed data.

use std::cell::RefCell;
use std::sync::Arc;

use chorus_core::dedupe::{Embedder, QuestionIndex};
use chorus_core::search::SearchIndex;

use chorus_core::api::{Article, BrandConfig, CreateAgent, CreateBrand};
use serde::{Deserialize, Serialize};
use worker::{DurableObject, Env, Method, Request, Response, SqlStorage, State, durable_object};

use crate::error::{ApiError, ApiResult};
use crate::util::{self, json_response, now_ms, random_token, sha256_hex};

/// The brand's settings row.
#[derive(Debug, Clone, Deserialize)]
pub struct BrandRow {
    pub slug: String,
    name: String,
    color: String,
    languages: String,
    hours: String,
    response_target_minutes: f64,
    greeting: String,
    allowed_origins: String,
    pub private_followup: String,
}

impl BrandRow {
    pub fn config(&self) -> BrandConfig {
        BrandConfig {
            brand: self.slug.clone(),
            name: self.name.clone(),
            color: self.color.clone(),
            languages: serde_json::from_str(&self.languages).unwrap_or_else(|_| vec!["en".into()]),
            hours: self.hours.clone(),
            response_target_minutes: self.response_target_minutes as u32,
            greeting: self.greeting.clone(),
        }
    }
    pub fn allowed_origins(&self) -> Vec<String> {
        serde_json::from_str(&self.allowed_origins).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct MetaRow {
    value: String,
}

/// One brand's object.
#[durable_object]
pub struct BrandObject {
    pub(crate) sql: SqlStorage,
    storage: worker::Storage,
    /// Set when a webhook delivery was queued; the alarm is armed after the response.
    pub(crate) alarm_wanted: std::cell::Cell<bool>,
    /// Which cached public reads ([`crate::cache`] bits) the current write
    /// changed; reported to the Worker in a header so it purges only those.
    pub(crate) changed: std::cell::Cell<u8>,
    pub(crate) env: Env,
    /// Set when the schema could not be applied; every request then fails with 500.
    broken: Option<String>,
    brand: RefCell<Option<BrandRow>>,
    /// The duplicate index of public questions (built on first use).
    pub(crate) index: RefCell<Option<QuestionIndex>>,
    /// The embedding table, fetched once from the assets.
    pub(crate) model: RefCell<Option<Arc<Embedder>>>,
    /// Knowledge-base search for `/suggest`: (kb version, index, articles).
    pub(crate) search: RefCell<Option<(String, SearchIndex, Vec<Article>)>>,
    /// The phases of the last wake-up (`Server-Timing` entries), until a
    /// response reports them.
    pub(crate) wake: RefCell<Option<String>>,
    /// The webhooks' (id, subscribed events), read once and dropped when one
    /// is created or deleted: every new group consults them.
    pub(crate) hooks: RefCell<Option<Vec<(String, String)>>>,
}

impl DurableObject for BrandObject {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        let broken = crate::schema::migrate(&sql).err().map(|e| e.to_string());
        let this = Self {
            sql,
            storage: state.storage(),
            alarm_wanted: std::cell::Cell::new(false),
            changed: std::cell::Cell::new(0),
            env,
            broken,
            brand: RefCell::new(None),
            index: RefCell::new(None),
            model: RefCell::new(None),
            search: RefCell::new(None),
            wake: RefCell::new(None),
            hooks: RefCell::new(None),
        };
        if this.broken.is_none() {
            let _ = this.load_brand();
        }
        this
    }

    async fn fetch(&self, req: Request) -> worker::Result<Response> {
        if let Some(e) = &self.broken {
            return Ok(crate::with_api_headers(
                ApiError::internal("migration", e).into_response(),
            ));
        }
        let write = !matches!(req.method(), Method::Get | Method::Head);
        let mut resp = match self.route(req).await {
            Ok(r) => r,
            Err(e) => e.into_response(),
        };
        if write {
            let names = crate::cache::changed_names(self.changed.replace(0));
            if !names.is_empty() {
                let _ = resp.headers_mut().set(crate::cache::CHANGED_HEADER, &names);
            }
        }
        if self.alarm_wanted.take() {
            self.arm_alarm(50).await;
        }
        Ok(crate::with_api_headers(resp))
    }

    async fn alarm(&self) -> worker::Result<Response> {
        match self.deliver_due().await {
            Ok(Some(delay)) => self.arm_alarm(delay).await,
            Ok(None) => {}
            Err(e) => {
                worker::console_error!("webhook deliveries: {}", e.message);
                self.arm_alarm(5_000).await;
            }
        }
        Response::ok("")
    }
}

/// The object's RPC methods ([`crate::rpc`]).
#[wasm_bindgen::prelude::wasm_bindgen(wasm_bindgen_futures = worker::wasm_bindgen_futures)]
impl BrandObject {
    /// `ask(call)`: the ask ([`BrandObject::ask`]) for the Worker, replying
    /// `[status, body, changed, name, value, …]`.
    #[wasm_bindgen(js_name = ask)]
    pub async fn rpc_ask(&self, call: wasm_bindgen::JsValue) -> wasm_bindgen::JsValue {
        let result = match (&self.broken, crate::rpc::AskCall::from_js(&call)) {
            (Some(e), _) => Err(ApiError::internal("migration", e)),
            (None, None) => Err(ApiError::internal("rpc", "malformed ask call")),
            (None, Some(call)) => self.ask(call).await,
        };
        let mut reply = result.unwrap_or_else(crate::rpc::Reply::error);
        reply.changed = self.changed.replace(0);
        if self.alarm_wanted.take() {
            self.arm_alarm(50).await;
        }
        reply.to_js()
    }
}

impl BrandObject {
    /// Arms the alarm `delay_ms` from now unless one is due sooner.
    async fn arm_alarm(&self, delay_ms: i64) {
        let at = now_ms() + delay_ms;
        let current = self.storage.get_alarm().await.ok().flatten();
        if current.is_none_or(|c| c > at)
            && let Err(e) = self.storage.set_alarm(delay_ms).await
        {
            worker::console_error!("cannot set the alarm: {e}");
        }
    }

    /// Re-reads the settings row (after a change).
    pub(crate) fn reload_brand(&self) -> ApiResult<()> {
        self.changed.set(self.changed.get() | crate::cache::CONFIG);
        self.load_brand().map(|_| ())
    }

    fn load_brand(&self) -> ApiResult<Option<BrandRow>> {
        let rows: Vec<BrandRow> = self
            .sql
            .exec(
                "SELECT slug, name, color, languages, hours, response_target_minutes, greeting, allowed_origins, private_followup FROM brand WHERE id = 1",
                None,
            )?
            .to_array()?;
        let row = rows.into_iter().next();
        *self.brand.borrow_mut() = row.clone();
        Ok(row)
    }

    pub(crate) fn brand(&self) -> ApiResult<BrandRow> {
        if let Some(b) = self.brand.borrow().as_ref() {
            return Ok(b.clone());
        }
        self.load_brand()?.ok_or_else(|| {
            ApiError::not_found("unknown_brand", "There is no brand with this name.")
        })
    }

    async fn route(&self, mut req: Request) -> ApiResult<Response> {
        let url = req.url()?;
        let path = url.path().to_string();
        let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = req.method();
        match segs.as_slice() {
            ["admin", "create"] => {
                let body: CreateBrand = util::read_json(&mut req).await?;
                self.create_brand(body)
            }
            ["admin", "agents"] => {
                let body: CreateAgent = util::read_json(&mut req).await?;
                self.create_agent(body)
            }
            ["admin", "kb"] => {
                let body: crate::kb::KbImport =
                    util::read_json_limited(&mut req, util::MAX_IMPORT_BYTES).await?;
                self.import_kb(body)
            }
            ["admin", "questions"] => {
                let body: crate::import::QuestionImport =
                    util::read_json_limited(&mut req, util::MAX_IMPORT_BYTES).await?;
                // The model computes the stored features of the imported rows.
                self.load_model().await;
                self.import_questions(body)
            }
            ["v1", _brand, rest @ ..] => {
                let brand = self.brand()?;
                match (method, rest) {
                    (Method::Get, ["config"]) => json_response(
                        200,
                        &PublicConfig {
                            config: brand.config(),
                            private_followup: brand.private_followup.clone(),
                        },
                    ),
                    (Method::Get, ["kb"]) => self.get_kb(&req),
                    (Method::Get, ["feed"]) => self.feed(&req),
                    (Method::Get, ["suggest"]) => {
                        self.ensure_index().await?;
                        self.suggest(&req)
                    }
                    // (`POST questions`, the ask, comes over RPC: `rpc_ask`.)
                    (Method::Get, ["questions", "mine"]) => self.mine(&req),
                    (Method::Post, ["groups", id, "helpful"]) => self.helpful(&req, id),
                    (Method::Post, ["deflections"]) => self.deflection(req).await,
                    (Method::Post, ["searches", "missed"]) => self.missed(req).await,
                    (_, ["agent", rest @ ..]) => {
                        self.ensure_index().await?;
                        self.agent_route(req, rest).await
                    }
                    (
                        _,
                        ["config"]
                        | ["kb"]
                        | ["feed"]
                        | ["suggest"]
                        | ["questions"]
                        | ["questions", "mine"]
                        | ["groups", _, "helpful"]
                        | ["deflections"]
                        | ["searches", "missed"],
                    ) => Err(ApiError::method_not_allowed()),
                    _ => Err(ApiError::not_found("not_found", "No such route.")),
                }
            }
            _ => Err(ApiError::not_found("not_found", "No such route.")),
        }
    }

    fn create_brand(&self, b: CreateBrand) -> ApiResult<Response> {
        util::validate_slug(&b.slug)?;
        if self.brand.borrow().is_some() || self.load_brand()?.is_some() {
            return Err(ApiError::conflict(
                "brand_exists",
                "A brand with this slug already exists.",
            ));
        }
        let name = util::bounded("name", b.name.trim(), 1, 100)?;
        let mut origins = Vec::new();
        for o in &b.allowed_origins {
            origins.push(util::validate_origin(o)?);
        }
        let color = match b.color {
            Some(c) => util::validate_color(&c)?,
            None => "#2563eb".to_string(),
        };
        let languages = match b.languages {
            Some(l) => util::validate_languages(&l)?,
            None => vec!["en".to_string()],
        };
        let hours = util::bounded("hours", b.hours.as_deref().unwrap_or("").trim(), 0, 200)?;
        let target = b.response_target_minutes.unwrap_or(240);
        if !(1..=10_080).contains(&target) {
            return Err(ApiError::bad_request(
                "invalid_response_target",
                "response_target_minutes must be between 1 and 10080 (one week).",
            ));
        }
        let greeting = match b.greeting {
            Some(g) => util::bounded("greeting", g.trim(), 0, 300)?.to_string(),
            None => format!("Hi! How can {name} help?"),
        };
        self.sql.exec(
            "INSERT INTO brand (id, slug, name, color, languages, hours, response_target_minutes, greeting, allowed_origins, created_at)
             VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            vec![
                b.slug.clone().into(),
                name.into(),
                color.into(),
                serde_json::to_string(&languages).unwrap_or_default().into(),
                hours.into(),
                (target as i64).into(),
                greeting.into(),
                serde_json::to_string(&origins).unwrap_or_default().into(),
                now_ms().into(),
            ],
        )?;
        self.audit("admin", "brand.create", &b.slug, "")?;
        let brand = self
            .load_brand()?
            .ok_or_else(|| ApiError::internal("create_brand", "row missing after insert"))?;
        json_response(201, &brand.config())
    }

    fn create_agent(&self, a: CreateAgent) -> ApiResult<Response> {
        self.create_agent_as("admin", a)
    }

    /// Creates an agent on behalf of `actor` (the admin or a lead).
    pub(crate) fn create_agent_as(&self, actor: &str, a: CreateAgent) -> ApiResult<Response> {
        self.brand()?;
        let name = util::bounded("name", a.name.trim(), 1, 100)?.to_string();
        let initials = match a.initials {
            Some(i) => util::bounded("initials", i.trim(), 1, 3)?.to_string(),
            None => util::initials(&name),
        };
        if let Some(u) = &a.avatar_url {
            util::validate_http_url("avatar_url", u)?;
        }
        let id = format!("ag_{}", &random_token()[..16]);
        let token = format!("chorus_agent_{}", random_token());
        let role = match a.role {
            chorus_core::api::Role::Agent => "agent",
            chorus_core::api::Role::Lead => "lead",
        };
        self.sql.exec(
            "INSERT INTO agents (id, token_hash, name, initials, avatar_url, role, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vec![
                id.clone().into(),
                sha256_hex(token.as_bytes()).into(),
                name.into(),
                initials.into(),
                a.avatar_url.map(Into::into).unwrap_or(worker::SqlStorageValue::Null),
                role.into(),
                now_ms().into(),
            ],
        )?;
        self.audit(actor, "agent.create", &id, role)?;
        json_response(
            201,
            &chorus_core::api::CreatedAgent {
                agent_id: id,
                token,
            },
        )
    }

    /// A counter kept in `meta` (`kb_version`, `feed_version`); "0" when unset.
    pub(crate) fn meta(&self, key: &str) -> ApiResult<String> {
        let rows: Vec<MetaRow> = self
            .sql
            .exec("SELECT value FROM meta WHERE key = ?", vec![key.into()])?
            .to_array()?;
        Ok(rows
            .into_iter()
            .next()
            .map(|r| r.value)
            .unwrap_or_else(|| "0".into()))
    }

    /// Increments a `meta` counter (ETags derive from them).
    pub(crate) fn bump(&self, key: &str) -> ApiResult<()> {
        let bit = match key {
            "feed_version" => crate::cache::FEED,
            "kb_version" => crate::cache::KB,
            _ => 0,
        };
        self.changed.set(self.changed.get() | bit);
        let next = self.meta(key)?.parse::<u64>().unwrap_or(0) + 1;
        self.sql.exec(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            vec![key.into(), next.to_string().into()],
        )?;
        Ok(())
    }

    pub(crate) fn audit(
        &self,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
    ) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
            vec![
                now_ms().into(),
                actor.into(),
                action.into(),
                target.into(),
                detail.into(),
            ],
        )?;
        Ok(())
    }

    /// Allowed origins, for the Worker's write checks.
    #[allow(dead_code)]
    fn origins(&self) -> ApiResult<Vec<String>> {
        Ok(self.brand()?.allowed_origins())
    }
}

/// `GET /v1/{brand}/config`: API.md's fields plus the private follow-up.
#[derive(Serialize)]
struct PublicConfig {
    #[serde(flatten)]
    config: BrandConfig,
    private_followup: String,
}
