//! Browser helpers the console's views share: time, waiting, focus for
//! keyboard and screen-reader users, file downloads.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Waits `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Milliseconds since the epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A local date and time for `ms`, in the UI language.
pub fn local_time(ms: i64, lang: &str) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_locale_string(lang, &wasm_bindgen::JsValue::UNDEFINED))
}

/// Offers `text` as a file download (CSV exports).
pub fn download(filename: &str, mime: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Ok(a) = document().create_element("a")
        && let Ok(a) = a.dyn_into::<web_sys::HtmlAnchorElement>()
    {
        a.set_href(&url);
        a.set_download(filename);
        if let Some(body) = document().body() {
            let _ = body.append_child(&a);
            a.click();
            let _ = body.remove_child(&a);
        }
    }
    let u = url.clone();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&u);
        },
        std::time::Duration::from_secs(10),
    );
}

/// Focuses the current view's heading so keyboard and screen-reader users
/// land at the top of what changed.
pub fn focus_heading() {
    request_animation_frame(|| {
        if let Ok(Some(h)) = document().query_selector("#main h1")
            && let Ok(h) = h.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = h.focus();
        }
    });
}

/// Focuses the element with this id, after the current render.
pub fn focus_by_id(id: &'static str) {
    request_animation_frame(move || {
        if let Some(el) = document().get_element_by_id(id)
            && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = el.focus();
        }
    });
}
