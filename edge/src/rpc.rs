//! The ask's hop from the Worker to the brand's object: a Workers RPC call
//! (`stub.ask(call)`) instead of an HTTP `fetch`.
//!
//! Asks are the hot write. Over `fetch`, each one made a `Request`,
//! `Headers` and `Response` in the object, and a second `Response` in the
//! Worker to pass the object's on; over RPC the call and the reply are two
//! plain arrays, and the Worker builds the one `Response` the client gets.
//! On the bench's plain workerd config, in interleaved runs of the same
//! `wrk` load, an ask took 1.37–1.43 ms of workerd CPU over RPC against
//! 1.53–1.60 ms over `fetch`. The bytes that outlive V8's young
//! collections (about 2.3 KB per ask, which set how often the full
//! collections pause the isolate) did not change: they are mostly the
//! runtime's own per-request objects.
//!
//! An acknowledged ask is still a committed one: the object's output gate
//! holds an RPC reply, as it held the HTTP response, until the writes before
//! it are durable (workerd's `JsRpcTargetBase::call` waits for the output
//! locks), and `tests/api/restart.test.mjs` checks every acknowledged ask
//! survives a kill.
//!
//! The runtime serves RPC only on classes that derive from `DurableObject`;
//! `cargo xtask`'s Worker build declares `BrandObject` one (as worker-build
//! does for its emscripten output), and `BrandObject::rpc_ask` is the
//! method.

use js_sys::{Array, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use worker::{Env, Request, web_sys};

use crate::error::{ApiError, ApiResult};

/// What the object needs of an ask request, read by the Worker.
#[derive(Debug, Default)]
pub struct AskCall {
    /// `Content-Type`, checked by the object (415 unless JSON).
    pub content_type: String,
    /// The body as sent (size, UTF-8 and JSON checked by the object).
    pub body: Vec<u8>,
    /// `Origin` (empty when absent).
    pub origin: String,
    /// `Idempotency-Key`, as sent.
    pub idempotency_key: Option<String>,
    /// `Authorization`, as sent (the asker tokens).
    pub authorization: Option<String>,
    /// The client's address ([`crate::limits::client_address`]).
    pub client: String,
}

impl AskCall {
    /// The call from the request, its body read (413 over `limit`, as
    /// before the object sees it).
    pub async fn read(mut req: Request, limit: usize) -> ApiResult<Self> {
        let h = req.headers();
        let content_type = h.get("content-type")?.unwrap_or_default();
        let origin = h.get("origin")?.unwrap_or_default();
        let idempotency_key = h.get("idempotency-key")?;
        let authorization = h.get("authorization")?;
        let client = crate::limits::client_address(&req);
        let body = req.bytes().await.map_err(|_| {
            ApiError::bad_request("unreadable_body", "The request body could not be read.")
        })?;
        if body.len() > limit {
            return Err(crate::util::too_large(limit));
        }
        Ok(Self {
            content_type,
            body,
            origin,
            idempotency_key,
            authorization,
            client,
        })
    }

    fn to_js(&self) -> JsValue {
        let a = Array::new();
        a.push(&self.content_type.as_str().into());
        a.push(&Uint8Array::from(self.body.as_slice()));
        a.push(&self.origin.as_str().into());
        a.push(&opt(&self.idempotency_key));
        a.push(&opt(&self.authorization));
        a.push(&self.client.as_str().into());
        a.into()
    }

    /// `None` unless `v` is what [`Self::to_js`] makes.
    pub fn from_js(v: &JsValue) -> Option<Self> {
        let a = v.dyn_ref::<Array>()?;
        if a.length() != 6 {
            return None;
        }
        Some(Self {
            content_type: a.get(0).as_string()?,
            body: a.get(1).dyn_into::<Uint8Array>().ok()?.to_vec(),
            origin: a.get(2).as_string()?,
            idempotency_key: a.get(3).as_string(),
            authorization: a.get(4).as_string(),
            client: a.get(5).as_string()?,
        })
    }
}

fn opt(s: &Option<String>) -> JsValue {
    s.as_deref().map_or(JsValue::NULL, JsValue::from)
}

/// The object's answer to an ask: status, JSON body, header fields, and
/// which cached public reads it changed ([`crate::cache`] bits).
#[derive(Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(String, String)>,
    pub changed: u8,
}

impl Reply {
    /// A JSON reply.
    pub fn json(status: u16, body: String) -> Self {
        Self {
            status,
            body,
            headers: vec![(
                "content-type".into(),
                "application/json; charset=utf-8".into(),
            )],
            changed: 0,
        }
    }

    /// The error's reply, as [`ApiError::into_response`] would send it.
    pub fn error(e: ApiError) -> Self {
        let status = e.status;
        let (body, fields) = e.into_parts();
        Self {
            status,
            body,
            headers: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            changed: 0,
        }
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// `[status, body, changed, name, value, …]`.
    pub fn to_js(&self) -> JsValue {
        let a = Array::new();
        a.push(&self.status.into());
        a.push(&self.body.as_str().into());
        a.push(&self.changed.into());
        for (k, v) in &self.headers {
            a.push(&k.as_str().into());
            a.push(&v.as_str().into());
        }
        a.into()
    }

    fn from_js(v: &JsValue) -> Option<Self> {
        let a = v.dyn_ref::<Array>()?;
        let n = a.length();
        if n < 3 || n % 2 == 0 {
            return None;
        }
        let status = a.get(0).as_f64()? as u16;
        let body = a.get(1).as_string()?;
        let changed = a.get(2).as_f64()? as u8;
        let mut headers = Vec::with_capacity((n as usize - 3) / 2);
        for i in (3..n).step_by(2) {
            headers.push((a.get(i).as_string()?, a.get(i + 1).as_string()?));
        }
        Some(Self {
            status,
            body,
            headers,
            changed,
        })
    }

    /// The client's response, with `extra` header fields too. Its fields
    /// go to the runtime as a list of pairs: it builds the response's one
    /// `Headers` from them.
    pub fn into_raw(self, extra: &[(&str, &str)]) -> web_sys::Response {
        let fields = Array::new();
        for (k, v) in &self.headers {
            fields.push(&Array::of2(&k.as_str().into(), &v.as_str().into()));
        }
        for (k, v) in extra {
            fields.push(&Array::of2(&(*k).into(), &(*v).into()));
        }
        let init = web_sys::ResponseInit::new();
        init.set_status(self.status);
        init.set_headers(&fields);
        web_sys::Response::new_with_opt_str_and_init(Some(&self.body), &init).unwrap_or_else(|e| {
            worker::console_error!("cannot build the ask's response: {e:?}");
            ApiError::internal("rpc", "response").into_response().into()
        })
    }
}

/// Calls the brand object's `ask` over RPC.
pub async fn ask(env: &Env, brand: &str, call: &AskCall) -> ApiResult<Reply> {
    let stub: JsValue = crate::stub(env, brand)?.into_rpc();
    let method = js_sys::Reflect::get(&stub, &"ask".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| ApiError::internal("rpc", "the brand object has no ask method"))?;
    // `Reflect.apply`, not `method.call(…)`: on an RPC stub, `.call` would
    // name a remote method.
    let pending = js_sys::Reflect::apply(&method, &stub, &Array::of1(&call.to_js()))
        .map_err(|e| ApiError::internal("rpc", format!("{e:?}")))?;
    // The runtime's RPC promise is a thenable; `resolve` adopts it.
    let out = worker::wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&pending))
        .await
        .map_err(|e| ApiError::internal("rpc", format!("{e:?}")))?;
    Reply::from_js(&out).ok_or_else(|| ApiError::internal("rpc", "malformed reply from the object"))
}
