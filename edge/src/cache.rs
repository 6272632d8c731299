//! The shared read cache: `config`, `kb` and the feed's first page of each
//! brand go through the Workers Cache API, so a busy brand's readers do not
//! all reach its object. Entries live [`TTL_SECONDS`]; any successful write
//! to the brand through this Worker purges them at once. (The Cache API is
//! per data centre: elsewhere a change shows within the TTL.)
//!
//! Clients get `Cache-Control: no-cache` plus the object's ETag, so
//! browsers revalidate (304) instead of showing stale answers.

use worker::{Cache, Env, Request, RequestInit, Response};

use crate::error::ApiResult;
use crate::util;

/// Seconds a cached read may be served.
pub const TTL_SECONDS: u32 = 10;
const HOST: &str = "https://cache.chorus.internal";
const CACHED: [&str; 3] = ["config", "kb", "feed"];

/// The cache key of a cacheable read (no query string), else `None`.
pub fn key(req: &Request, brand: &str, rest: &[&str]) -> ApiResult<Option<String>> {
    let url = req.url()?;
    if url.query().is_some_and(|q| !q.is_empty()) {
        return Ok(None);
    }
    Ok(match rest {
        [what] if CACHED.contains(what) => Some(format!("{HOST}/v1/{brand}/{what}")),
        _ => None,
    })
}

/// Serves a cacheable read from the cache, or from the object (and caches it).
pub async fn serve(req: Request, env: &Env, brand: &str, key: &str) -> ApiResult<Response> {
    let inm = req.headers().get("if-none-match")?;
    let cache = Cache::default();
    let (resp, state) = match cache.get(key, true).await {
        Ok(Some(hit)) => (hit, "hit"),
        _ => {
            // Ask for the full body: the cache needs it even when this
            // client already has it.
            let headers = req.headers().clone();
            headers.delete("if-none-match")?;
            let mut init = RequestInit::new();
            init.with_method(req.method()).with_headers(headers);
            let inner = Request::new_with_init(req.url()?.as_ref(), &init)?;
            let fresh = crate::forward(inner, env, brand).await?;
            if fresh.status_code() != 200 {
                return Ok(fresh);
            }
            let mut stored = crate::copy_response(fresh)?;
            stored
                .headers_mut()
                .set("cache-control", &format!("public, max-age={TTL_SECONDS}"))?;
            if let Err(e) = cache.put(key, stored.cloned()?).await {
                worker::console_error!("cache put failed: {e}");
            }
            (stored, "miss")
        }
    };
    let etag = resp.headers().get("etag")?;
    if let (Some(etag), Some(inm)) = (&etag, &inm)
        && util::etag_matches(inm, etag)
    {
        let mut r = util::not_modified(etag)?;
        r.headers_mut().set("x-chorus-cache", state)?;
        r.headers_mut().set("cache-control", "no-cache")?;
        return Ok(r);
    }
    let mut out = crate::copy_response(resp)?;
    out.headers_mut().set("cache-control", "no-cache")?;
    out.headers_mut().set("x-chorus-cache", state)?;
    Ok(out)
}

/// Drops a brand's cached reads (after a write).
pub async fn purge(brand: &str) {
    let cache = Cache::default();
    for what in CACHED {
        let _ = cache
            .delete(format!("{HOST}/v1/{brand}/{what}"), true)
            .await;
    }
}
