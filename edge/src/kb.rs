//! The brand's knowledge base in its object: articles in SQLite, the
//! version that makes `GET /v1/{brand}/kb`'s ETag, the admin's bulk import,
//! and the agents' article routes (create, edit, delete, promote an answer).

use chorus_core::api::{Article, ArticleInput, KnowledgeBase, PromoteInput};
use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use crate::agent::AgentRow;
use crate::brand::{BrandObject, BrandRow};
use crate::error::{ApiError, ApiResult};
use crate::store::{self, gid};
use crate::util::{self, json_response, now_ms};

#[derive(Deserialize)]
struct ArticleRow {
    id: String,
    title: String,
    body: String,
    tags: String,
    lang: String,
    updated_at: f64,
}

impl From<ArticleRow> for Article {
    fn from(r: ArticleRow) -> Self {
        Article {
            id: r.id,
            title: r.title,
            body: r.body,
            tags: serde_json::from_str(&r.tags).unwrap_or_default(),
            lang: r.lang,
            updated_at: r.updated_at as i64,
        }
    }
}

/// `PUT /v1/admin/brands/{brand}/kb`: bulk import (used by `cargo xtask demo`).
#[derive(Debug, Deserialize, Serialize)]
pub(crate) struct KbImport {
    articles: Vec<ArticleInput>,
    /// Delete articles not in this import.
    #[serde(default)]
    replace: bool,
}

/// An article's language when it names none: the brand's first.
fn default_lang(brand: &BrandRow) -> String {
    brand
        .config()
        .languages
        .first()
        .cloned()
        .unwrap_or_else(|| "en".into())
}

impl BrandObject {
    pub(crate) fn kb_version(&self) -> ApiResult<String> {
        self.meta("kb_version")
    }

    pub(crate) fn bump_kb_version(&self) -> ApiResult<()> {
        self.bump("kb_version")
    }

    /// Inserts or replaces one (validated) article.
    pub(crate) fn upsert_article(
        &self,
        id: &str,
        a: &ArticleInput,
        default_lang: &str,
        now: i64,
    ) -> ApiResult<()> {
        self.sql.exec(
            "INSERT INTO articles (id, title, body, tags, lang, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET title = excluded.title, body = excluded.body, tags = excluded.tags,
             lang = excluded.lang, updated_at = excluded.updated_at",
            vec![
                id.into(),
                a.title.clone().into(),
                a.body.clone().into(),
                serde_json::to_string(&a.tags).unwrap_or_default().into(),
                a.lang.as_deref().unwrap_or(default_lang).into(),
                now.into(),
                now.into(),
            ],
        )?;
        Ok(())
    }

    /// Every article, by id.
    pub(crate) fn articles(&self) -> ApiResult<Vec<Article>> {
        let rows: Vec<ArticleRow> = self
            .sql
            .exec(
                "SELECT id, title, body, tags, lang, updated_at FROM articles ORDER BY id",
                None,
            )?
            .to_array()?;
        Ok(rows.into_iter().map(Article::from).collect())
    }

    pub(crate) fn get_kb(&self, req: &Request) -> ApiResult<Response> {
        let version = self.kb_version()?;
        let etag = format!("\"kb-{version}\"");
        if util::if_none_match(req, &etag) {
            return util::not_modified(&etag);
        }
        let kb = KnowledgeBase {
            articles: self.articles()?,
            version,
        };
        let mut resp = json_response(200, &kb)?;
        resp.headers_mut().set("etag", &etag)?;
        Ok(resp)
    }

    pub(crate) fn import_kb(&self, body: KbImport) -> ApiResult<Response> {
        let brand = self.brand()?;
        let default_lang = default_lang(&brand);
        if body.articles.len() > 10_000 {
            return Err(ApiError::bad_request(
                "too_many_articles",
                "At most 10000 articles per import.",
            ));
        }
        let mut checked = Vec::with_capacity(body.articles.len());
        for a in body.articles {
            checked.push(util::validate_article(a, &default_lang)?);
        }
        let now = now_ms();
        if body.replace {
            self.sql.exec("DELETE FROM articles", None)?;
        }
        for (id, a) in &checked {
            self.upsert_article(id, a, &default_lang, now)?;
        }
        self.bump_kb_version()?;
        self.audit(
            "admin",
            "kb.import",
            &brand.slug,
            &checked.len().to_string(),
        )?;
        json_response(
            200,
            &serde_json::json!({"imported": checked.len(), "version": self.kb_version()?}),
        )
    }

    pub(crate) fn save_article(
        &self,
        me: &AgentRow,
        id: Option<&str>,
        input: ArticleInput,
    ) -> ApiResult<Response> {
        let default_lang = default_lang(&self.brand()?);
        let input = match id {
            Some(id) => ArticleInput {
                id: Some(id.to_string()),
                ..input
            },
            None => input,
        };
        let (aid, a) = util::validate_article(input, &default_lang)?;
        let exists = crate::store::exists(&self.sql, "articles", &aid)?;
        match (id.is_some(), exists) {
            (true, false) => {
                return Err(ApiError::not_found(
                    "unknown_article",
                    "There is no such article.",
                ));
            }
            (false, true) => {
                return Err(ApiError::conflict(
                    "article_exists",
                    "An article with this id exists; PUT to change it.",
                ));
            }
            _ => {}
        }
        self.upsert_article(&aid, &a, &default_lang, now_ms())?;
        self.bump_kb_version()?;
        self.audit(
            &me.id,
            if exists { "kb.update" } else { "kb.create" },
            &aid,
            &a.title,
        )?;
        let article = self
            .articles()?
            .into_iter()
            .find(|x| x.id == aid)
            .ok_or_else(|| ApiError::internal("kb", "missing"))?;
        json_response(if exists { 200 } else { 201 }, &article)
    }

    pub(crate) fn delete_article(&self, me: &AgentRow, id: &str) -> ApiResult<Response> {
        if !crate::store::exists(&self.sql, "articles", id)? {
            return Err(ApiError::not_found(
                "unknown_article",
                "There is no such article.",
            ));
        }
        self.sql
            .exec("DELETE FROM articles WHERE id = ?", vec![id.into()])?;
        self.bump_kb_version()?;
        self.audit(&me.id, "kb.delete", id, "")?;
        Ok(Response::empty()?.with_status(204))
    }

    pub(crate) fn promote(
        &self,
        me: &AgentRow,
        id: &str,
        input: PromoteInput,
    ) -> ApiResult<Response> {
        let g = store::group_or_404(&self.sql, store::parse_gid(id)?)?;
        if !g.is_public() {
            return Err(ApiError::conflict(
                "group_not_public",
                "Only a public group can become an article.",
            ));
        }
        let Some(answer) = store::current_answer(&self.sql, g.id)? else {
            return Err(ApiError::conflict(
                "not_answered",
                "Answer the group before promoting it.",
            ));
        };
        let title = input
            .title
            .unwrap_or_else(|| g.question.chars().take(200).collect());
        let resp = self.save_article(
            me,
            None,
            ArticleInput {
                id: None,
                title,
                body: answer.body,
                tags: input.tags,
                lang: Some(g.lang.clone()),
            },
        )?;
        self.audit(&me.id, "group.promote", &gid(g.id), "")?;
        Ok(resp)
    }
}
