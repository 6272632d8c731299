//! Per-client rate limits with the Workers Rate Limiting binding (it works
//! in local workerd too). The key is the brand plus the client address
//! (`CF-Connecting-IP`, set by Cloudflare; locally the first
//! `X-Forwarded-For` hop, else `local`). A missing binding (an old
//! deployment config) disables the limit rather than failing requests.

use worker::{Env, Request};

use crate::error::{ApiError, ApiResult};

/// Public writes (ask, helpful, deflections, missed searches): see wrangler.toml.
pub const WRITES: &str = "WRITES";
/// As-you-type suggestions.
pub const READS: &str = "READS";

/// 429 with `Retry-After` when the client is over `binding`'s limit.
pub async fn check(env: &Env, binding: &str, req: &Request, brand: &str) -> ApiResult<()> {
    let Ok(limiter) = env.rate_limiter(binding) else {
        return Ok(());
    };
    let key = format!("{brand}:{}", client_address(req));
    match limiter.limit(key).await {
        Ok(outcome) if !outcome.success => Err(ApiError::rate_limited(60)),
        Ok(_) => Ok(()),
        Err(e) => {
            // The limiter being unavailable must not take the API down.
            worker::console_error!("rate limiter {binding} failed: {e}");
            Ok(())
        }
    }
}

/// The client's address as the platform reports it.
pub fn client_address(req: &Request) -> String {
    let h = req.headers();
    h.get("cf-connecting-ip")
        .ok()
        .flatten()
        .or_else(|| {
            h.get("x-forwarded-for")
                .ok()
                .flatten()
                .and_then(|v| v.split(',').next().map(|s| s.trim().to_string()))
        })
        .filter(|s| !s.is_empty() && s.len() <= 64)
        .unwrap_or_else(|| "local".to_string())
}
