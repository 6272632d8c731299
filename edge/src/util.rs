//! Small HTTP and validation helpers shared by the Worker and the brand object.

use chorus_core::api::ArticleInput;
use serde::{Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;
use worker::{Headers, Request, Response};

use crate::error::{ApiError, ApiResult};

/// Largest accepted request body (API.md: 16 KB for questions; imports get more).
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Largest integer JavaScript (and so a SQLite binding) carries exactly.
pub const MAX_SAFE_INT: i64 = (1 << 53) - 1;

/// Largest admin import body.
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// 128 random bits as 32 hex characters, from the platform's CSPRNG.
pub fn random_token() -> String {
    let mut buf = [0u8; 16];
    get_random_values(&mut buf);
    hex(&buf)
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}

/// A JSON response with `status`.
pub fn json_response<T: Serialize>(status: u16, value: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::internal("serialise", e))?;
    let headers = Headers::new();
    headers.set("content-type", "application/json; charset=utf-8")?;
    Ok(Response::builder()
        .with_status(status)
        .with_headers(headers)
        .fixed(body))
}

/// Reads a bounded JSON body: 415 when not JSON, 413 when too large, 400 when malformed.
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    read_json_limited(req, MAX_BODY_BYTES).await
}

/// Like [`read_json`] with an explicit size limit.
pub async fn read_json_limited<T: DeserializeOwned>(
    req: &mut Request,
    limit: usize,
) -> ApiResult<T> {
    json_content_type(&req.headers().get("content-type")?.unwrap_or_default())?;
    if let Some(len) = req
        .headers()
        .get("content-length")?
        .and_then(|l| l.parse::<usize>().ok())
        && len > limit
    {
        return Err(too_large(limit));
    }
    let bytes = req.bytes().await.map_err(|_| {
        ApiError::bad_request("unreadable_body", "The request body could not be read.")
    })?;
    parse_json(&bytes, limit)
}

/// 415 unless `content_type` is JSON.
pub fn json_content_type(content_type: &str) -> ApiResult<()> {
    if content_type
        .to_ascii_lowercase()
        .starts_with("application/json")
    {
        return Ok(());
    }
    Err(ApiError::new(
        415,
        "unsupported_media_type",
        "Send the body as JSON with Content-Type: application/json.",
    ))
}

/// A body already read: 413 over `limit`, 400 when not UTF-8 or not the
/// expected JSON.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], limit: usize) -> ApiResult<T> {
    if bytes.len() > limit {
        return Err(too_large(limit));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| ApiError::bad_request("invalid_utf8", "The body is not valid UTF-8."))?;
    serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(
            "invalid_json",
            format!("The body is not the expected JSON: {e}."),
        )
    })
}

/// 413 for a body over `limit` bytes.
pub(crate) fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        413,
        "body_too_large",
        format!("The body can be at most {} KB.", limit / 1024),
    )
}

/// `[a-z0-9-]{2,40}`.
pub fn is_valid_slug(s: &str) -> bool {
    (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// 400 unless `s` is a valid brand slug.
pub fn validate_slug(s: &str) -> ApiResult<()> {
    if is_valid_slug(s) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid_slug",
            "A brand slug is 2–40 characters of a–z, 0–9 and '-'.",
        ))
    }
}

/// A trimmed string of `min..=max` characters.
pub fn bounded<'a>(field: &str, s: &'a str, min: usize, max: usize) -> ApiResult<&'a str> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(ApiError::bad_request(
            "invalid_field",
            format!("{field} must be {min}–{max} characters."),
        ));
    }
    Ok(s)
}

/// `scheme://host[:port]` with http or https and nothing after it.
pub fn validate_origin(o: &str) -> ApiResult<String> {
    let bad = || {
        ApiError::bad_request(
            "invalid_origin",
            format!("'{o}' is not an origin like https://shop.example."),
        )
    };
    let url = worker::Url::parse(o).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    let origin = url.origin().ascii_serialization();
    if origin.trim_end_matches('/') != o.trim_end_matches('/') {
        return Err(bad());
    }
    Ok(origin)
}

/// An http(s) URL.
pub fn validate_http_url(field: &str, u: &str) -> ApiResult<()> {
    match worker::Url::parse(u) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && u.len() <= 500 => Ok(()),
        _ => Err(ApiError::bad_request(
            "invalid_url",
            format!("{field} must be an http or https URL."),
        )),
    }
}

/// `#rrggbb`, lowercased.
pub fn validate_color(c: &str) -> ApiResult<String> {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(ApiError::bad_request(
            "invalid_color",
            "color must look like #1a2b3c.",
        ))
    }
}

/// Supported UI languages.
pub const LANGUAGES: &[&str] = &["en", "es"];

/// A non-empty list of supported languages without repeats.
pub fn validate_languages(l: &[String]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for x in l {
        if !LANGUAGES.contains(&x.as_str()) {
            return Err(ApiError::bad_request(
                "invalid_language",
                format!("'{x}' is not a supported language (en, es)."),
            ));
        }
        if !out.contains(x) {
            out.push(x.clone());
        }
    }
    if out.is_empty() {
        return Err(ApiError::bad_request(
            "invalid_language",
            "languages must not be empty.",
        ));
    }
    Ok(out)
}

/// Initials from a display name: first letters of the first two words.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// Checks an article and returns it with its id (given or derived from the title).
pub fn validate_article(a: ArticleInput, default_lang: &str) -> ApiResult<(String, ArticleInput)> {
    let title = bounded("title", a.title.trim(), 1, 200)?.to_string();
    let body = bounded("body", a.body.trim(), 1, 20_000)?.to_string();
    if a.tags.len() > 20
        || a.tags
            .iter()
            .any(|t| t.trim().is_empty() || t.chars().count() > 40)
    {
        return Err(ApiError::bad_request(
            "invalid_tags",
            "At most 20 tags of 1–40 characters each.",
        ));
    }
    let lang = match a.lang {
        Some(l) if LANGUAGES.contains(&l.as_str()) => l,
        Some(l) => {
            return Err(ApiError::bad_request(
                "invalid_language",
                format!("'{l}' is not a supported language (en, es)."),
            ));
        }
        None => default_lang.to_string(),
    };
    let id = match a.id {
        Some(id) => {
            if !chorus_core::markdown::is_article_id(&id) {
                return Err(ApiError::bad_request(
                    "invalid_id",
                    "An article id is 1–80 characters of letters, digits, '-' and '_'.",
                ));
            }
            id
        }
        None => format!("a_{}", &random_token()[..12]),
    };
    Ok((
        id.clone(),
        ArticleInput {
            id: Some(id),
            title,
            body,
            tags: a.tags.into_iter().map(|t| t.trim().to_string()).collect(),
            lang: Some(lang),
        },
    ))
}

/// True when the request's `If-None-Match` carries `etag` (or `*`).
/// A page size from the `limit` query parameter: 1–`max`, `default` when
/// absent.
pub fn limit(value: Option<&str>, max: usize, default: usize) -> ApiResult<usize> {
    let Some(v) = value else {
        return Ok(default);
    };
    v.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_limit",
                format!("limit must be a number from 1 to {max}."),
            )
        })
}

pub fn if_none_match(req: &Request, etag: &str) -> bool {
    match req.headers().get("if-none-match") {
        Ok(Some(v)) => etag_matches(&v, etag),
        _ => false,
    }
}

/// True when an `If-None-Match` value names `etag` (or is `*`).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match.split(',').any(|t| {
        let t = t.trim();
        t == "*" || t == etag || t.strip_prefix("W/") == Some(etag)
    })
}

/// 304 with the ETag.
pub fn not_modified(etag: &str) -> ApiResult<Response> {
    let headers = Headers::new();
    headers.set("etag", etag)?;
    Ok(Response::builder()
        .with_status(304)
        .with_headers(headers)
        .empty())
}
