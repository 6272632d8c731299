//! The sign-in form: brand slug and agent token, checked with
//! `GET /agent/me`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{ApiError, Client};
use crate::app::{Ctx, LangPicker};
use crate::dom::{focus_by_id, focus_heading};
use crate::i18n::Strings;

pub(crate) fn sign_in_message(t: &Strings, e: &ApiError) -> String {
    match e.status {
        401 | 403 => t.err_token.to_string(),
        404 => t.err_brand.to_string(),
        0 => t.err_network.to_string(),
        _ => e.message.clone(),
    }
}

/// Brand slug and token; checked with `GET /agent/me`.
#[component]
pub(crate) fn SignIn(brand: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let brand = RwSignal::new(brand);
    let token = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = ctx.sign_in_error;
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let b = brand.get_untracked().trim().to_ascii_lowercase();
        let tok = token.get_untracked().trim().to_string();
        if b.is_empty() || tok.is_empty() {
            error.set(Some(t.err_required.into()));
            return;
        }
        busy.set(true);
        error.set(None);
        let client = Client::new(&b, &tok);
        spawn_local(async move {
            match client.me().await {
                Ok(me) => ctx.signed_in(client, me),
                Err(e) => {
                    error.set(Some(sign_in_message(t, &e)));
                    focus_by_id("token");
                }
            }
            busy.set(false);
        });
    };
    focus_heading();
    view! {
        <main id="main" tabindex="-1" class="signin">
            <form class="card" on:submit=submit novalidate>
                <h1 tabindex="-1">{t.app_title}</h1>
                <p class="muted">{t.sign_in_intro}</p>
                <LangPicker/>
                <label for="brand">{t.brand_label}</label>
                <input id="brand" name="brand" autocomplete="organization" aria-describedby="brand-hint"
                    prop:value=move || brand.get() on:input=move |ev| brand.set(event_target_value(&ev)) />
                <p id="brand-hint" class="hint">{t.brand_hint}</p>
                <label for="token">{t.token_label}</label>
                <input id="token" name="token" type="password" autocomplete="off" aria-describedby="token-hint"
                    aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                    prop:value=move || token.get() on:input=move |ev| token.set(event_target_value(&ev)) />
                <p id="token-hint" class="hint">{t.token_hint}</p>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert" id="signin-error">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { t.signing_in } else { t.sign_in }}
                </button>
            </form>
        </main>
    }
}
