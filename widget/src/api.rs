//! The widget's view of the v1 API: one fetch helper and typed calls.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

/// A failed call, ready to show to the customer.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(pub String);

fn js_err(e: JsValue) -> ApiError {
    ApiError(e.as_string().unwrap_or_else(|| "network error".to_string()))
}

/// `GET base + path`, decoded as JSON.
pub async fn get_json<T: DeserializeOwned>(base: &str, path: &str) -> Result<T, ApiError> {
    let window = web_sys::window().ok_or_else(|| ApiError("no window".into()))?;
    let init = RequestInit::new();
    init.set_method("GET");
    let url = format!("{base}{path}");
    let resp: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(js_err)?
        .dyn_into()
        .map_err(js_err)?;
    let text = JsFuture::from(resp.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    if !resp.ok() {
        let msg = serde_json::from_str::<chorus_core::api::ErrorBody>(&text)
            .map(|e| e.error.message)
            .unwrap_or_else(|_| format!("HTTP {}", resp.status()));
        return Err(ApiError(msg));
    }
    serde_json::from_str(&text).map_err(|e| ApiError(e.to_string()))
}
