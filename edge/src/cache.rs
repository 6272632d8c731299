//! The shared read cache: `config`, `kb` and the feed's first page of each
//! brand go through the Workers Cache API, so a busy brand's readers do not
//! all reach its object. Entries live [`TTL_SECONDS`]; a write through this
//! Worker purges the ones it changed (the object says which, in
//! [`CHANGED_HEADER`]). (The Cache API is per data centre: elsewhere a
//! change shows within the TTL.) In front of it, each isolate keeps the
//! same reads in memory for [`ISOLATE_TTL_MS`], so a hot read costs no
//! cache round trip at all (`x-chorus-cache: hit-isolate`).
//!
//! Clients get `Cache-Control: no-cache` plus the object's ETag, so
//! browsers revalidate (304) instead of showing stale answers.

use worker::{Cache, Env, Headers, Request, RequestInit, Response};

use crate::error::ApiResult;
use crate::util;

/// Seconds a cached read may be served.
pub const TTL_SECONDS: u32 = 10;
const HOST: &str = "https://cache.chorus.internal";
const CACHED: [&str; 3] = ["config", "kb", "feed"];

/// The key of one brand's cached read, in the Cache API and in memory.
fn entry_key(brand: &str, what: &str) -> String {
    format!("{HOST}/v1/{brand}/{what}")
}

/// The cache key of a cacheable read (no query string), else `None`.
pub fn key(req: &Request, brand: &str, rest: &[&str]) -> ApiResult<Option<String>> {
    let url = req.url()?;
    if url.query().is_some_and(|q| !q.is_empty()) {
        return Ok(None);
    }
    Ok(match rest {
        [what] if CACHED.contains(what) => Some(entry_key(brand, what)),
        _ => None,
    })
}

/// Seconds an isolate keeps a read in its own memory, in front of the
/// Cache API. Writes through this isolate drop it at once; other isolates
/// (in production there are many) may show it this much longer.
pub const ISOLATE_TTL_MS: i64 = 2_000;
/// Reads larger than this are left to the Cache API alone.
const ISOLATE_MAX_BODY: usize = 256 * 1024;
/// Entries kept per isolate before expired ones are dropped.
const ISOLATE_MAX_ENTRIES: usize = 64;

/// A read kept in the isolate's memory.
#[derive(Clone)]
struct Kept {
    at_ms: i64,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Kept {
    /// A response carrying this read, with `extra` headers set over its own.
    fn response_with(&self, status: u16, extra: &[(&str, &str)]) -> ApiResult<Response> {
        let h = Headers::new();
        for (k, v) in &self.headers {
            h.set(k, v)?;
        }
        for (k, v) in extra {
            h.set(k, v)?;
        }
        Ok(Response::builder()
            .with_status(status)
            .with_headers(h)
            .fixed(self.body.clone()))
    }

    fn response(&self, status: u16) -> ApiResult<Response> {
        self.response_with(status, &[])
    }
}

thread_local! {
    static ISOLATE: std::cell::RefCell<std::collections::HashMap<String, Kept>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn isolate_get(key: &str, now: i64) -> Option<Kept> {
    ISOLATE.with(|m| {
        let m = m.borrow();
        let k = m.get(key)?;
        (now - k.at_ms < ISOLATE_TTL_MS && now >= k.at_ms).then(|| k.clone())
    })
}

fn isolate_put(key: &str, kept: Kept) {
    if kept.body.len() > ISOLATE_MAX_BODY {
        return;
    }
    let now = kept.at_ms;
    ISOLATE.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= ISOLATE_MAX_ENTRIES {
            m.retain(|_, k| now - k.at_ms < ISOLATE_TTL_MS);
            if m.len() >= ISOLATE_MAX_ENTRIES {
                m.clear();
            }
        }
        m.insert(key.to_string(), kept);
    });
}

fn isolate_drop(key: &str) {
    ISOLATE.with(|m| {
        m.borrow_mut().remove(key);
    });
}

/// Serves a cacheable read from the isolate's memory, else the Cache API,
/// else the object (and keeps it in both).
pub async fn serve(req: Request, env: &Env, brand: &str, key: &str) -> ApiResult<Response> {
    let inm = req.headers().get("if-none-match")?;
    let now = util::now_ms();
    let (kept, state) = if let Some(k) = isolate_get(key, now) {
        (k, "hit-isolate")
    } else {
        let cache = Cache::default();
        let kept = match cache.get(key, true).await {
            Ok(Some(mut hit)) => Some(Kept {
                at_ms: now,
                headers: hit.headers().entries().collect(),
                body: hit.bytes().await?,
            }),
            _ => None,
        };
        let (kept, state) = match kept {
            Some(k) => (k, "hit"),
            None => {
                // Ask for the full body: the cache needs it even when this
                // client already has it.
                let headers = req.headers().clone();
                headers.delete("if-none-match")?;
                let mut init = RequestInit::new();
                init.with_method(req.method()).with_headers(headers);
                let inner = Request::new_with_init(req.url()?.as_ref(), &init)?;
                let mut fresh = crate::forward(inner, env, brand).await?;
                if fresh.status_code() != 200 {
                    return Ok(fresh);
                }
                let mut headers: Vec<(String, String)> = fresh
                    .headers()
                    .entries()
                    .filter(|(k, _)| k != "cache-control")
                    .collect();
                headers.push((
                    "cache-control".into(),
                    format!("public, max-age={TTL_SECONDS}"),
                ));
                let kept = Kept {
                    at_ms: now,
                    headers,
                    body: fresh.bytes().await?,
                };
                if let Err(e) = cache.put(key, kept.response(200)?).await {
                    worker::console_error!("cache put failed: {e}");
                }
                (kept, "miss")
            }
        };
        isolate_put(key, kept.clone());
        (kept, state)
    };
    let etag = kept
        .headers
        .iter()
        .find(|(k, _)| k == "etag")
        .map(|(_, v)| v.clone());
    if let (Some(etag), Some(inm)) = (&etag, &inm)
        && util::etag_matches(inm, etag)
    {
        let mut r = crate::with_api_headers(util::not_modified(etag)?);
        r.headers_mut().set("x-chorus-cache", state)?;
        r.headers_mut().set("cache-control", "no-cache")?;
        return Ok(r);
    }
    kept.response_with(
        200,
        &[("cache-control", "no-cache"), ("x-chorus-cache", state)],
    )
}

/// The header by which the brand's object tells this Worker which cached
/// reads a write changed (comma-separated names of [`CACHED`], possibly
/// none; absent when nothing changed). Internal: the Worker strips it
/// (`brand_route`).
pub const CHANGED_HEADER: &str = "x-chorus-changed";

/// Bits of [`CACHED`] in a "changed" mask, in the same order.
pub const CONFIG: u8 = 1;
pub const KB: u8 = 2;
pub const FEED: u8 = 4;

/// `"config,kb,feed"`-style names of a changed mask (empty when nothing).
pub fn changed_names(mask: u8) -> String {
    CACHED
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// The mask named by a [`CHANGED_HEADER`] value (unknown names ignored).
pub fn changed_mask(names: &str) -> u8 {
    names
        .split(',')
        .filter_map(|n| CACHED.iter().position(|c| *c == n.trim()))
        .fold(0, |m, i| m | (1 << i))
}

/// Drops all of a brand's cached reads (after a write).
pub async fn purge(brand: &str) {
    purge_only(brand, u8::MAX).await;
}

/// Drops the cached reads of a brand that `mask` names. A new question
/// changes none of them (the feed lists answered groups), so the ask path
/// costs no cache round trip unless it joins an answered group.
pub async fn purge_only(brand: &str, mask: u8) {
    let cache = Cache::default();
    for (i, what) in CACHED.iter().enumerate() {
        if mask & (1 << i) != 0 {
            let key = entry_key(brand, what);
            isolate_drop(&key);
            let _ = cache.delete(key, true).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_names_round_trip() {
        assert_eq!(changed_names(0), "");
        assert_eq!(changed_names(FEED), "feed");
        assert_eq!(changed_names(CONFIG | FEED), "config,feed");
        assert_eq!(changed_mask(""), 0);
        assert_eq!(changed_mask("feed"), FEED);
        assert_eq!(changed_mask("kb, config"), KB | CONFIG);
        assert_eq!(changed_mask("bogus"), 0);
        for m in 0..8 {
            assert_eq!(changed_mask(&changed_names(m)), m);
        }
    }
}
