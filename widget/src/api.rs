//! The widget's view of the v1 API: one fetch helper and readers for the
//! JSON it returns.
//!
//! JSON is parsed by the browser (`JSON.parse`) and read field by field
//! with `Reflect`: in the skeleton widget, serde_json and the float
//! formatting it pulled in were ~37 KB of 272 KB raw wasm (measured with
//! the name section), for three small documents.

use chorus_core::api::{Article, BrandConfig};
use js_sys::{Array, JSON, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, RequestInit, Response};

/// A failed call, ready to show to the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(pub String);

fn js_err(e: JsValue) -> ApiError {
    ApiError(e.as_string().unwrap_or_else(|| "network error".to_string()))
}

/// What came back: status, ETag (when exposed) and the body as text.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status (304 for a successful revalidation).
    pub status: u16,
    /// The `ETag` header, when the edge sent (and exposed) one.
    pub etag: Option<String>,
    /// The body; empty for 304.
    pub text: String,
}

impl Reply {
    /// The API's error message for a non-2xx reply, else `HTTP n`.
    pub fn error(&self) -> ApiError {
        let msg = JSON::parse(&self.text)
            .ok()
            .and_then(|v| get(&v, "error"))
            .and_then(|e| string(&e, "message"));
        ApiError(msg.unwrap_or_else(|| format!("HTTP {}", self.status)))
    }
}

/// Starts one request to `base + path` at once (not on the next poll, so
/// it still goes out from a `pagehide` handler). `headers` are name/value
/// pairs; `body` is sent as is. `keepalive` lets it outlive the page.
pub fn start(
    base: &str,
    path: &str,
    method: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    keepalive: bool,
) -> Result<js_sys::Promise, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError("no window".into()))?;
    let init = RequestInit::new();
    init.set_method(method);
    if !headers.is_empty() {
        let h = Headers::new().map_err(js_err)?;
        for (k, v) in headers {
            h.append(k, v).map_err(js_err)?;
        }
        init.set_headers(&h);
    }
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(b));
    }
    if keepalive {
        // web-sys 0.3 has no stable setter for `keepalive`.
        let _ = Reflect::set(&init, &JsValue::from_str("keepalive"), &JsValue::TRUE);
    }
    Ok(window.fetch_with_str_and_init(&format!("{base}{path}"), &init))
}

/// A request started by [`start`], read to the end.
pub async fn finish(pending: js_sys::Promise) -> Result<Reply, ApiError> {
    let resp: Response = JsFuture::from(pending)
        .await
        .map_err(js_err)?
        .dyn_into()
        .map_err(js_err)?;
    let etag = resp.headers().get("etag").ok().flatten();
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    Ok(Reply {
        status: resp.status(),
        etag,
        text,
    })
}

/// `GET base + path`, with `If-None-Match` when an ETag is known.
pub async fn get_text(base: &str, path: &str, etag: Option<&str>) -> Result<Reply, ApiError> {
    let headers: Vec<(&str, &str)> = etag.map(|e| ("if-none-match", e)).into_iter().collect();
    finish(start(base, path, "GET", &headers, None, false)?).await
}

/// A present (not undefined, not null) property of a parsed JSON value.
pub(crate) fn get(v: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(v, &JsValue::from_str(key))
        .ok()
        .filter(|x| !x.is_undefined() && !x.is_null())
}

/// A string property.
pub(crate) fn string(v: &JsValue, key: &str) -> Option<String> {
    get(v, key)?.as_string()
}

fn strings(v: &JsValue, key: &str) -> Vec<String> {
    get(v, key)
        .and_then(|a| a.dyn_into::<Array>().ok())
        .map(|a| a.iter().filter_map(|x| x.as_string()).collect())
        .unwrap_or_default()
}

/// `GET /v1/{brand}/kb` body → its articles. Articles without an id or a
/// title are skipped; `None` when the text is not a knowledge base.
pub fn parse_kb(text: &str) -> Option<Vec<Article>> {
    let v = JSON::parse(text).ok()?;
    let list: Array = get(&v, "articles")?.dyn_into().ok()?;
    Some(
        list.iter()
            .filter_map(|a| {
                Some(Article {
                    id: string(&a, "id")?,
                    title: string(&a, "title")?,
                    body: string(&a, "body").unwrap_or_default(),
                    tags: strings(&a, "tags"),
                    lang: string(&a, "lang").unwrap_or_else(|| "en".into()),
                    updated_at: get(&a, "updated_at")
                        .and_then(|x| x.as_f64())
                        .unwrap_or(0.0) as i64,
                })
            })
            .collect(),
    )
}

/// `GET /v1/{brand}/config` body → the brand's config (missing fields empty).
pub fn parse_config(text: &str) -> Option<BrandConfig> {
    let v = JSON::parse(text).ok()?;
    Some(BrandConfig {
        brand: string(&v, "brand")?,
        name: string(&v, "name").unwrap_or_default(),
        color: string(&v, "color").unwrap_or_default(),
        languages: strings(&v, "languages"),
        hours: string(&v, "hours").unwrap_or_default(),
        response_target_minutes: get(&v, "response_target_minutes")
            .and_then(|x| x.as_f64())
            .unwrap_or(0.0) as u32,
        greeting: string(&v, "greeting").unwrap_or_default(),
    })
}

/// `{"queries": [...]}` as JSON text.
pub fn missed_body(queries: &[String]) -> String {
    let list: Array = queries.iter().map(|q| JsValue::from_str(q)).collect();
    let obj = js_sys::Object::new();
    let _ = Reflect::set(&obj, &JsValue::from_str("queries"), &list);
    JSON::stringify(&obj)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
