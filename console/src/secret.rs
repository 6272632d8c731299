//! A value shown once (a new agent's token, a webhook's signing secret):
//! a read-only field, selected for copying, with a Copy button and Done;
//! and the ask-once-more button of every delete and remove.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::app::Ctx;
use crate::dom::focus_by_id;

/// Copies `text` with the async clipboard API when the page may.
pub fn copy_text(text: &str) -> bool {
    let Some(w) = web_sys::window() else {
        return false;
    };
    let nav = w.navigator();
    let Ok(clip) = js_sys::Reflect::get(&nav, &"clipboard".into()) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clip, &"writeText".into()) else {
        return false;
    };
    match write.dyn_ref::<js_sys::Function>() {
        Some(f) => f.call1(&clip, &text.into()).is_ok(),
        None => false,
    }
}

/// The shown-once box; `done` hides it (the value is then gone for good).
#[component]
pub fn ShownOnce(
    id: &'static str,
    label: &'static str,
    value: String,
    done: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let v = value.clone();
    let select = move |ev: web_sys::FocusEvent| {
        if let Some(i) = ev
            .target()
            .and_then(|x| x.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            i.select();
        }
    };
    focus_by_id(id);
    view! {
        <div class="card once" role="region" aria-labelledby=format!("{id}-label")>
            <label id=format!("{id}-label") for=id>{label}</label>
            <div class="once-row">
                <input id=id class="mono" readonly value=value on:focus=select/>
                <button type="button" on:click=move |_| { if copy_text(&v) { ctx.say(t.copied); } }>{t.copy}</button>
                <button type="button" class="primary" on:click=move |_| done()>{t.done}</button>
            </div>
        </div>
    }
}

/// A destructive button that asks once more: the first press (`label`,
/// named for screen readers as "label: name") shows `confirm` (class
/// `danger`, runs `act`) and Cancel in its place. `confirming` holds the id
/// of the one item of a list being confirmed, so at most one asks at a time.
#[component]
pub fn ConfirmButton(
    id: String,
    name: String,
    confirming: RwSignal<Option<String>>,
    label: &'static str,
    confirm: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(into)] act: Callback<()>,
) -> impl IntoView {
    let t = expect_context::<Ctx>().t.get_untracked();
    let asking = {
        let id = id.clone();
        move || confirming.get().as_deref() == Some(id.as_str())
    };
    let aria = format!("{label}: {name}");
    move || {
        if asking() {
            view! {
                <button type="button" class="danger" on:click=move |_| act.run(())>{confirm}</button>
                <button type="button" on:click=move |_| confirming.set(None)>{t.cancel}</button>
            }
            .into_any()
        } else {
            let id = id.clone();
            view! {
                <button type="button" class=class aria-label=aria.clone()
                    on:click=move |_| confirming.set(Some(id.clone()))>{label}</button>
            }
            .into_any()
        }
    }
}
