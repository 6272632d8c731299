//! The one error type of the edge, mapped once to API.md's JSON error format.
//!
//! Handlers return `Result<Response, ApiError>`; `ApiError::into_response`
//! is the only place that turns an error into HTTP. Internal failures (a
//! binding missing, SQLite refusing a statement) become a 500 with a generic
//! message and are logged; bad input never reaches that path.

use chorus_core::api::ErrorBody;
use worker::{Headers, Response};

/// An error that becomes `{"error":{"code","message"}}` with `status`.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable machine code.
    pub code: &'static str,
    /// Human message.
    pub message: String,
    /// Seconds for `Retry-After` (429 only).
    pub retry_after: Option<u32>,
}

impl ApiError {
    /// Any error with an explicit status.
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }
    /// 400.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }
    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message)
    }
    /// 403.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(403, code, message)
    }
    /// 404.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(404, code, message)
    }
    /// 405.
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            "method_not_allowed",
            "This method is not allowed on this path.",
        )
    }
    /// 409.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }
    /// 429 with `Retry-After`.
    pub fn rate_limited(retry_after: u32) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..Self::new(429, "rate_limited", "Too many requests; try again shortly.")
        }
    }
    /// 500: never for bad input.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        worker::console_error!("internal error in {context}: {err}");
        Self::new(500, "internal", "Something went wrong on our side.")
    }

    /// The HTTP response (JSON body, status, `Retry-After` when set).
    pub fn into_response(self) -> Response {
        let status = self.status;
        let (body, fields) = self.into_parts();
        let headers = Headers::new();
        for (k, v) in &fields {
            let _ = headers.set(k, v);
        }
        Response::builder()
            .with_status(status)
            .with_headers(headers)
            .fixed(body.into_bytes())
    }

    /// The body and header fields of [`Self::into_response`], for replies
    /// that are not built as a `Response` where they are made (the ask's
    /// RPC reply, `crate::rpc`).
    pub fn into_parts(self) -> (String, Vec<(&'static str, String)>) {
        let body = serde_json::to_string(&ErrorBody::new(self.code, self.message))
            .unwrap_or_else(|_| r#"{"error":{"code":"internal","message":"error"}}"#.to_string());
        let mut fields = vec![
            (
                "content-type",
                "application/json; charset=utf-8".to_string(),
            ),
            ("cache-control", "no-store".to_string()),
        ];
        if let Some(s) = self.retry_after {
            fields.push(("retry-after", s.to_string()));
        }
        (body, fields)
    }
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> Self {
        ApiError::internal("worker", e)
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
