//! chorus-widget: the customer widget, Leptos CSR inside the Shadow DOM that
//! `www/embed.js` creates.
//!
//! `embed.js` draws the launcher and loads this module only when the customer
//! opens it; it then calls [`mount`] once and forwards later commands of the
//! `Chorus(...)` queue to [`command`].

mod api;
mod app;
mod ask;
mod askers;
#[cfg(feature = "bench")]
mod bench;
mod feed;
mod find;
mod handle;
mod i18n;
mod mine;
mod missed;
mod qa;
mod store;

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

thread_local! {
    static STATE: RefCell<Option<handle::Handle>> = const { RefCell::new(None) };
}

/// Mounts the widget into `shadow` (the open shadow root made by embed.js).
/// `launcher` gets focus back when the widget closes; `options` carries
/// `{brand, base, lang?, dir?, color?, position?}` from the script tag.
#[wasm_bindgen]
pub fn mount(
    shadow: web_sys::ShadowRoot,
    launcher: web_sys::HtmlElement,
    options: JsValue,
) -> Result<(), JsValue> {
    let opts = handle::Options::from_js(&options).map_err(|e| JsValue::from_str(&e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let container: web_sys::HtmlElement = document.create_element("div")?.unchecked_into();
    container.set_class_name("chorus-root");
    container.set_attribute("dir", opts.dir())?;
    let handle = handle::Handle::new(opts, launcher);
    container.set_attribute("lang", handle.t.lang)?;
    shadow.append_child(&container)?;
    let h = handle.clone();
    leptos::mount::mount_to(container, move || view! { <app::App handle=h/> }).forget();
    // Escape closes the open widget wherever focus is (e.g. after the
    // focused element was replaced by a view change).
    let on_key =
        Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" {
                command("close", JsValue::UNDEFINED);
            }
        });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
    }
    on_key.forget();
    // Missed searches still held go out when the page is hidden for good.
    let on_hide = Closure::<dyn Fn()>::new(|| {
        STATE.with(|s| {
            if let Some(h) = s.borrow().as_ref() {
                h.page_hidden();
            }
        })
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("pagehide", on_hide.as_ref().unchecked_ref());
    }
    on_hide.forget();
    STATE.with(|s| *s.borrow_mut() = Some(handle));
    Ok(())
}

/// Runs a `Chorus(name, arg)` command: `open`, `close`, `toggle`, `search`, `ask`.
#[wasm_bindgen]
pub fn command(name: &str, arg: JsValue) {
    STATE.with(|s| {
        if let Some(h) = s.borrow().as_ref() {
            h.command(name, arg.as_string());
        }
    });
}
