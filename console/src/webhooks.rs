//! Webhooks (leads): a URL and the events it wants; the signing secret is
//! shown once, at creation; each webhook's delivery log (status, attempts,
//! last answer, time), refreshed while it is open.

use chorus_core::api::{Delivery, WEBHOOK_EVENTS, Webhook, WebhookInput};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading, local_time};
use crate::i18n::Strings;
use crate::secret::{ConfirmButton, ShownOnce};

/// An event's name in the UI language.
fn event_name(t: &'static Strings, e: &str) -> String {
    match e {
        "group.created" => t.ev_created.into(),
        "group.answered" => t.ev_answered.into(),
        "group.trending" => t.ev_trending.into(),
        other => other.into(),
    }
}

/// The webhooks view.
#[component]
pub fn WebhooksView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let hooks = RwSignal::new(Vec::<Webhook>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let url = RwSignal::new(String::new());
    let events = RwSignal::new(WEBHOOK_EVENTS.map(|_| true));
    let busy = RwSignal::new(false);
    let secret = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(None::<String>);
    let open = RwSignal::new(None::<String>);

    let load = ctx.loader(|c| async move { c.webhooks().await }, hooks, error, loaded);
    load();
    focus_heading();

    let create = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let u = url.get_untracked().trim().to_string();
        if u.is_empty() {
            error.set(Some(t.err_required.into()));
            focus_by_id("wh-url");
            return;
        }
        let chosen: Vec<String> = WEBHOOK_EVENTS
            .iter()
            .zip(events.get_untracked())
            .filter(|(_, on)| *on)
            .map(|(e, _)| e.to_string())
            .collect();
        if chosen.is_empty() {
            error.set(Some(t.err_events.into()));
            focus_by_id("wh-ev-0");
            return;
        }
        let Some(client) = ctx.client() else { return };
        busy.set(true);
        let input = WebhookInput {
            url: u.clone(),
            events: chosen,
        };
        spawn_local(async move {
            match client.create_webhook(&input).await {
                Ok(w) => {
                    url.set(String::new());
                    error.set(None);
                    secret.set(w.secret);
                    ctx.say((t.wh_created)(&u));
                    load();
                }
                Err(e) => {
                    error.set(Some(ctx.fail(&e)));
                    focus_by_id("wh-url");
                }
            }
            busy.set(false);
        });
    };
    let delete = move |id: String| {
        let Some(client) = ctx.client() else { return };
        spawn_local(async move {
            match client.delete_webhook(&id).await {
                Ok(()) => {
                    confirming.set(None);
                    ctx.say(t.wh_deleted);
                    load();
                    focus_heading();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    };

    view! {
        <div class="view webhooks">
            <div class="view-head"><h1 tabindex="-1">{t.webhooks_title}</h1></div>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert" id="wh-error">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="columns">
                <div class="col">
                    <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                        <Show when=move || !hooks.get().is_empty() fallback=move || view! { <p class="muted">{t.no_webhooks}</p> }>
                            <ul class="hooks">
                                <For each=move || hooks.get() key=|w| w.id.clone() let:w>
                                    {
                                        let id = w.id.clone();
                                        let id2 = w.id.clone();
                                        let id3 = w.id.clone();
                                        let id4 = w.id.clone();
                                        let u = w.url.clone();
                                        let u2 = w.url.clone();
                                        let evs = w.events.iter().map(|e| event_name(t, e)).collect::<Vec<_>>().join(", ");
                                        let is_open = move || open.get().as_deref() == Some(id4.as_str());
                                        let is_open2 = is_open.clone();
                                        view! {
                                            <li class="card hook" data-hook=w.id.clone()>
                                                <p class="a-title url">{w.url.clone()}</p>
                                                <p class="muted small">{evs}" · "{local_time(w.created_at, t.lang)}</p>
                                                <div class="actions">
                                                    <button class="show-deliveries" aria-expanded=move || if is_open() { "true" } else { "false" }
                                                        aria-label=format!("{}: {}", t.deliveries, u)
                                                        on:click=move |_| open.update(|o| *o = if o.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) })>
                                                        {move || if is_open2() { t.hide_deliveries } else { t.deliveries }}
                                                    </button>
                                                    <ConfirmButton id=id2.clone() name=u2.clone() confirming label=t.delete confirm=t.confirm_delete
                                                        act=move |()| delete(id2.clone())/>
                                                </div>
                                                {move || (open.get().as_deref() == Some(id3.as_str())).then(|| view! { <Deliveries id=id3.clone() url=w.url.clone()/> })}
                                            </li>
                                        }
                                    }
                                </For>
                            </ul>
                        </Show>
                    </Show>
                </div>
                <div class="col">
                    {move || secret.get().map(|s| view! {
                        <ShownOnce id="new-secret" label=t.secret_once value=s done=move || { secret.set(None); focus_by_id("wh-url"); }/>
                    })}
                    <form class="card editor" on:submit=create novalidate>
                        <h2>{t.new_webhook}</h2>
                        <label for="wh-url">{t.wh_url}</label>
                        <input id="wh-url" type="url" maxlength="500" placeholder="https://" aria-describedby="wh-url-hint"
                            prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))/>
                        <p id="wh-url-hint" class="hint">{t.wh_url_hint}</p>
                        <fieldset>
                            <legend>{t.wh_events}</legend>
                            {WEBHOOK_EVENTS.iter().enumerate().map(|(i, e)| {
                                let id = format!("wh-ev-{i}");
                                view! {
                                    <label class="check">
                                        <input type="checkbox" id=id value=*e
                                            prop:checked=move || events.get()[i]
                                            on:change=move |ev| { let on = event_target_checked(&ev); events.update(|x| x[i] = on); }/>
                                        " "{event_name(t, e)}" "<code class="muted small">{*e}</code>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <div class="actions">
                            <button type="submit" id="wh-add" class="primary" disabled=move || busy.get()>{t.new_webhook}</button>
                        </div>
                    </form>
                </div>
            </div>
        </div>
    }
}

/// A webhook's delivery log, polled every 4 s while shown.
#[component]
fn Deliveries(id: String, url: String) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let rows = RwSignal::new(None::<Vec<Delivery>>);
    let error = RwSignal::new(None::<String>);
    let alive = Arc::new(AtomicBool::new(true));
    let flag = alive.clone();
    on_cleanup(move || flag.store(false, Ordering::Relaxed));
    let generation = ctx.generation.get_untracked();
    spawn_local(async move {
        loop {
            let Some(client) = ctx.client() else { return };
            let got = client.deliveries(&id).await;
            if !alive.load(Ordering::Relaxed) || ctx.generation.get_untracked() != generation {
                return;
            }
            match got {
                Ok(l) => {
                    if rows.with_untracked(|r| r.as_ref() != Some(&l)) {
                        rows.set(Some(l));
                    }
                    error.set(None);
                }
                Err(e) => {
                    error.set(Some(ctx.fail(&e)));
                    return;
                }
            }
            crate::dom::sleep(4_000).await;
            if !alive.load(Ordering::Relaxed) {
                return;
            }
        }
    });
    let status_name = move |s: &str| match s {
        "pending" => t.dl_pending,
        "delivered" => t.dl_delivered,
        "failed" => t.dl_failed,
        _ => "",
    };
    view! {
        <div class="deliveries">
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            {move || match rows.get() {
                None => view! { <p class="muted">{t.loading}</p> }.into_any(),
                Some(l) if l.is_empty() => view! { <p class="muted">{t.no_deliveries}</p> }.into_any(),
                Some(l) => view! {
                    <div class="table-wrap">
                        <table>
                            <caption class="sr-only">{(t.deliveries_of)(&url)}</caption>
                            <thead><tr>
                                <th scope="col">{t.col_when}</th>
                                <th scope="col">{t.col_event}</th>
                                <th scope="col">{t.col_status}</th>
                                <th scope="col">{t.col_attempts}</th>
                                <th scope="col">{t.col_last}</th>
                            </tr></thead>
                            <tbody>
                                {l.into_iter().map(|d| {
                                    let last = match (d.last_status, d.last_error.clone()) {
                                        (Some(s), _) => format!("HTTP {s}"),
                                        (None, Some(e)) => e,
                                        _ => String::new(),
                                    };
                                    view! {
                                        <tr class="delivery" data-status=d.status.clone()>
                                            <td>{local_time(d.delivered_at.unwrap_or(d.created_at), t.lang)}</td>
                                            <td>{event_name(t, &d.event)}</td>
                                            <td><span class="badge" data-status=d.status.clone()>{status_name(&d.status)}</span></td>
                                            <td>{d.attempts}</td>
                                            <td>{last}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
