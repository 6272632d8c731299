//! chorus-edge: the Chorus Cloudflare Worker.
//!
//! The Worker is stateless: it answers CORS preflights, checks the admin
//! token, serves the built static assets (demo site, `embed.js`, the
//! widget) with the right cache and CORS headers, and forwards every brand
//! route to that brand's Durable Object ([`brand::BrandObject`]), where the
//! data lives.

mod agent;
mod ask;
mod brand;
mod cache;
mod dedupe;
mod error;
mod import;
mod kb;
mod limits;
mod metrics;
mod public;
mod queue;
mod rpc;
mod schema;
mod store;
mod team;
mod util;
mod webhooks;

pub use brand::BrandObject;

use error::{ApiError, ApiResult};
use worker::{Context, Env, Headers, Method, Request, RequestInit, Response, event, web_sys};

/// The OpenAPI 3.1 document of v1 (kept in sync by tests/api/openapi.test.mjs).
const OPENAPI: &str = include_str!("../api/openapi.json");

/// Runs once, when the module is instantiated (before any request).
///
/// wasm-bindgen's futures schedule their polling with `queueMicrotask`
/// when the global has it, else with `Promise.then`. In workerd every
/// `queueMicrotask` call wraps its callback in a C++-backed function that
/// only a full collection frees, and every await of a request schedules
/// one: a V8 sampling heap profile of the ask run put 28 % of the bytes
/// that outlived young collections there, which brings the full
/// collections (36–95 ms pauses measured) sooner. With the global's
/// `queueMicrotask` hidden before the first future runs, wasm-bindgen
/// takes the `Promise.then` path, whose garbage dies young. Nothing else
/// in this Worker calls `queueMicrotask`.
#[event(start)]
fn start() {
    let _ = js_sys::Reflect::set(
        &js_sys::global(),
        &"queueMicrotask".into(),
        &wasm_bindgen::JsValue::UNDEFINED,
    );
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<web_sys::Response> {
    let path = req.path();
    let result = if path == "/v1" || path.starts_with("/v1/") {
        api(req, &env).await
    } else {
        assets(req, &env).await.map(Out::Response)
    };
    Ok(match result {
        Ok(Out::Response(r)) => r.into(),
        Ok(Out::Ask(reply)) => reply.into_raw(&API_HEADERS),
        Err(e) => with_api_headers(e.into_response()).into(),
    })
}

/// What the Worker answers with.
enum Out {
    /// A response built with workers-rs.
    Response(Response),
    /// The ask's reply from the brand's object, made straight into the
    /// runtime's `Response` (its header fields given as a list, so the
    /// runtime builds one `Headers` rather than copying a second).
    Ask(rpc::Reply),
}

/// The header fields every API response carries ([`with_api_headers`]).
const API_HEADERS: [(&str, &str); 3] = [
    ("access-control-allow-origin", "*"),
    (
        "access-control-expose-headers",
        "etag, retry-after, x-chorus-cache, idempotent-replay",
    ),
    ("vary", "origin"),
];

/// Every API response may be read by any origin (writes are checked apart).
/// Set where a response is built: by the brand's object on all of its own
/// (so the Worker passes them on without copying them), and here on the
/// Worker's.
pub(crate) fn with_api_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (k, v) in API_HEADERS {
        let _ = h.set(k, v);
    }
    resp
}

async fn api(req: Request, env: &Env) -> ApiResult<Out> {
    if req.method() == Method::Options {
        return preflight().map(Out::Response);
    }
    let path = req.path();
    let segs: Vec<String> = path
        .trim_start_matches("/v1")
        .trim_matches('/')
        .split('/')
        .map(str::to_string)
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let resp = match segs.as_slice() {
        ["openapi.json"] if req.method() == Method::Get => {
            let mut r = Response::ok(OPENAPI)?;
            r.headers_mut()
                .set("content-type", "application/json; charset=utf-8")?;
            r.headers_mut()
                .set("cache-control", "public, max-age=300")?;
            return Ok(Out::Response(with_api_headers(r)));
        }
        ["admin", rest @ ..] => {
            let brand = match rest {
                ["brands", b, ..] => Some(b.to_string()),
                _ => None,
            };
            let resp = admin(req, env, rest).await?;
            if let Some(b) = brand {
                cache::purge(&b).await;
            }
            resp
        }
        [brand, "questions"] if util::is_valid_slug(brand) && req.method() == Method::Post => {
            return ask(req, env, brand).await.map(Out::Ask);
        }
        [brand, rest @ ..] if util::is_valid_slug(brand) && !rest.is_empty() => {
            brand_route(req, env, brand, rest).await?
        }
        [brand, ..] if !util::is_valid_slug(brand) => {
            return Err(ApiError::not_found(
                "unknown_brand",
                "There is no brand with this name.",
            ));
        }
        _ => return Err(ApiError::not_found("not_found", "No such route.")),
    };
    // The object's responses carry the API headers already.
    Ok(Out::Response(resp))
}

fn preflight() -> ApiResult<Response> {
    let h = Headers::new();
    h.set("access-control-allow-origin", "*")?;
    h.set(
        "access-control-allow-methods",
        "GET, POST, PUT, DELETE, OPTIONS",
    )?;
    h.set(
        "access-control-allow-headers",
        "content-type, authorization, idempotency-key, if-none-match",
    )?;
    h.set("access-control-max-age", "86400")?;
    Ok(Response::builder().with_status(204).with_headers(h).empty())
}

/// Admin routes: the Worker checks the token, then the brand's object acts.
async fn admin(mut req: Request, env: &Env, rest: &[&str]) -> ApiResult<Response> {
    check_admin(&req, env)?;
    match (req.method(), rest) {
        (Method::Post, ["brands"]) => {
            let body: serde_json::Value = util::read_json(&mut req).await?;
            let slug = body
                .get("slug")
                .and_then(|s| s.as_str())
                .ok_or_else(|| ApiError::bad_request("invalid_slug", "slug is required."))?
                .to_string();
            util::validate_slug(&slug)?;
            forward_json(env, &slug, "/admin/create", Method::Post, &body).await
        }
        (Method::Post, ["brands", brand, "agents"]) => {
            util::validate_slug(brand)?;
            let body: serde_json::Value = util::read_json(&mut req).await?;
            forward_json(env, brand, "/admin/agents", Method::Post, &body).await
        }
        (Method::Put, ["brands", brand, "kb"]) => {
            util::validate_slug(brand)?;
            let body: serde_json::Value =
                util::read_json_limited(&mut req, util::MAX_IMPORT_BYTES).await?;
            forward_json(env, brand, "/admin/kb", Method::Put, &body).await
        }
        (Method::Put, ["brands", brand, "questions"]) => {
            util::validate_slug(brand)?;
            let body: serde_json::Value =
                util::read_json_limited(&mut req, util::MAX_IMPORT_BYTES).await?;
            forward_json(env, brand, "/admin/questions", Method::Put, &body).await
        }
        (_, ["brands"] | ["brands", _, "agents" | "kb" | "questions"]) => {
            Err(ApiError::method_not_allowed())
        }
        _ => Err(ApiError::not_found("not_found", "No such route.")),
    }
}

fn check_admin(req: &Request, env: &Env) -> ApiResult<()> {
    let expected = env
        .secret("CHORUS_ADMIN_TOKEN")
        .map(|s| s.to_string())
        .or_else(|_| env.var("CHORUS_ADMIN_TOKEN").map(|s| s.to_string()))
        .map_err(|_| {
            ApiError::unauthorized("Admin routes are disabled: CHORUS_ADMIN_TOKEN is not set.")
        })?;
    let given = req.headers().get("authorization")?.unwrap_or_default();
    let token = given.strip_prefix("Bearer ").unwrap_or("");
    // Compare hashes so the comparison time does not depend on the secret.
    if expected.is_empty()
        || util::sha256_hex(token.as_bytes()) != util::sha256_hex(expected.as_bytes())
    {
        return Err(ApiError::unauthorized("A valid admin token is required."));
    }
    Ok(())
}

pub(crate) fn stub(env: &Env, brand: &str) -> ApiResult<worker::Stub> {
    Ok(env.durable_object("BRAND")?.get_by_name(brand)?)
}

async fn forward_json(
    env: &Env,
    brand: &str,
    path: &str,
    method: Method,
    body: &serde_json::Value,
) -> ApiResult<Response> {
    let h = Headers::new();
    h.set("content-type", "application/json")?;
    let mut init = RequestInit::new();
    init.with_method(method)
        .with_headers(h)
        .with_body(Some(serde_json::to_string(body).unwrap_or_default().into()));
    let req = Request::new_with_init(&format!("https://brand.internal{path}"), &init)?;
    Ok(stub(env, brand)?.fetch_with_request(req).await?)
}

/// A brand's public or agent route: rate limits, the shared read cache,
/// then the brand's object. A successful write purges the cached reads.
async fn brand_route(req: Request, env: &Env, brand: &str, rest: &[&str]) -> ApiResult<Response> {
    let method = req.method();
    let public_write = method == Method::Post && rest.first() != Some(&"agent");
    if public_write {
        limits::check(env, limits::WRITES, &req, brand).await?;
    } else if rest == ["suggest"] {
        limits::check(env, limits::READS, &req, brand).await?;
    }
    if method == Method::Get
        && let Some(key) = cache::key(&req, brand, rest)?
    {
        return cache::serve(req, env, brand, &key).await;
    }
    let resp = forward(req, env, brand).await?;
    if method == Method::Get || method == Method::Head {
        return Ok(resp);
    }
    // A public write's reply names what it changed, if anything (today's
    // here, helpful clicks, deflections and missed searches, change no
    // cached read; the ask's reply says it in `rpc::Reply::changed`);
    // agents' successful writes are rare and purge everything. The name is internal: a reply
    // that carries it is copied without it (a fetched response's headers
    // are immutable).
    let changed = resp.headers().get(cache::CHANGED_HEADER)?;
    let mask = match &changed {
        Some(names) if public_write => cache::changed_mask(names),
        Some(_) => u8::MAX,
        None if public_write || resp.status_code() >= 400 => 0,
        None => u8::MAX,
    };
    if mask != 0 {
        cache::purge_only(brand, mask).await;
    }
    if changed.is_none() {
        return Ok(resp);
    }
    let mut resp = copy_response(resp)?;
    resp.headers_mut().delete(cache::CHANGED_HEADER)?;
    Ok(resp)
}

/// `POST /v1/{brand}/questions`: the rate limit, then the brand's object
/// over RPC (`rpc.rs` says why); what the ask changed, if anything, is
/// purged from the read cache.
async fn ask(req: Request, env: &Env, brand: &str) -> ApiResult<rpc::Reply> {
    limits::check(env, limits::WRITES, &req, brand).await?;
    let call = rpc::AskCall::read(req, util::MAX_BODY_BYTES).await?;
    let reply = rpc::ask(env, brand, &call).await?;
    if reply.changed != 0 {
        cache::purge_only(brand, reply.changed).await;
    }
    Ok(reply)
}

/// Forwards a public/agent request to the brand's object. A body of a
/// declared size within the limit goes on as it came: the object routes by
/// path, and the request's headers and body stream are handed over rather
/// than copied through this Worker's memory. Any other body is read here
/// first: refusing it before the upload ends would cut the client's
/// connection.
pub(crate) async fn forward(req: Request, env: &Env, brand: &str) -> ApiResult<Response> {
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|l| l.parse::<usize>().ok());
    let read_here = !matches!(req.method(), Method::Get | Method::Head)
        && declared.is_none_or(|n| n > util::MAX_BODY_BYTES);
    if !read_here {
        return Ok(stub(env, brand)?.fetch_with_request(req).await?);
    }
    let mut init = RequestInit::new();
    init.with_method(req.method())
        .with_headers(req.headers().clone());
    let mut req = req;
    let bytes = req.bytes().await.unwrap_or_default();
    if bytes.len() > util::MAX_BODY_BYTES {
        return Err(ApiError::new(
            413,
            "body_too_large",
            "The body can be at most 16 KB.",
        ));
    }
    init.with_body(Some(js_sys::Uint8Array::from(bytes.as_slice()).into()));
    let inner = Request::new_with_init(req.url()?.as_ref(), &init)?;
    Ok(stub(env, brand)?.fetch_with_request(inner).await?)
}

/// A mutable copy of a response (fetched responses have immutable headers).
pub(crate) fn copy_response(mut resp: Response) -> ApiResult<Response> {
    let headers = Headers::new();
    for (k, v) in resp.headers().entries() {
        headers.set(&k, &v)?;
    }
    let status = resp.status_code();
    let builder = Response::builder()
        .with_status(status)
        .with_headers(headers);
    if status == 204 || status == 304 {
        return Ok(builder.empty());
    }
    // A response built here holds its bytes; one from a fetch, a stream.
    Ok(match resp.body() {
        worker::ResponseBody::Body(bytes) => builder.fixed(bytes.clone()),
        worker::ResponseBody::Empty => builder.empty(),
        worker::ResponseBody::Stream(_) => match resp.stream() {
            Ok(s) => builder.from_stream(s)?,
            Err(_) => builder.empty(),
        },
    })
}

/// Static assets: the demo site, `embed.js` and the content-hashed widget files.
async fn assets(req: Request, env: &Env) -> ApiResult<Response> {
    let path = req.path();
    let resp = env.assets("ASSETS")?.fetch_request(req).await?;
    let mut resp = copy_response(resp)?;
    let h = resp.headers_mut();
    // The widget is loaded from brands' own origins.
    h.set("access-control-allow-origin", "*")?;
    h.set("cross-origin-resource-policy", "cross-origin")?;
    if path.starts_with("/w/") || path.starts_with("/console/c-") {
        // Content-hashed names: cache forever.
        h.set("cache-control", "public, max-age=31536000, immutable")?;
    } else if path == "/embed.js" {
        h.set("cache-control", "public, max-age=300")?;
    } else if path == "/console" || path.starts_with("/console/") {
        // The agents' console is never framed by another site (clickjacking).
        h.set("x-frame-options", "DENY")?;
        h.set("content-security-policy", "frame-ancestors 'none'")?;
        h.set("cache-control", "no-cache")?;
    }
    Ok(resp)
}
