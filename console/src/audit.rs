//! Audit log: who did what and when, filtered by agent and action, CSV.

use chorus_core::api::AuditEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Ctx;
use crate::dom::{download, focus_heading, local_time};
use crate::format::{csv, iso_date};

/// Pages fetched at most for one CSV export.
const MAX_EXPORT_PAGES: usize = 50;

/// The audit log view.
#[component]
pub fn AuditView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let me = StoredValue::new(
        ctx.me
            .get_untracked()
            .map(|m| (m.agent_id, m.name))
            .unwrap_or_default(),
    );
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let items = RwSignal::new(Vec::<AuditEntry>::new());
    let cursor = RwSignal::new(None::<String>);
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let fetch = move |more: bool| {
        let Some(client) = ctx.client() else { return };
        let after = if more { cursor.get_untracked() } else { None };
        busy.set(true);
        spawn_local(async move {
            match client
                .audit(
                    after.as_deref(),
                    &actor.get_untracked(),
                    &action.get_untracked(),
                )
                .await
            {
                Ok(page) => {
                    if more {
                        items.update(|i| i.extend(page.items));
                    } else {
                        items.set(page.items);
                    }
                    cursor.set(page.next_cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            loaded.set(true);
            busy.set(false);
        });
    };
    fetch(false);
    focus_heading();

    let export = move |_| {
        let Some(client) = ctx.client() else { return };
        busy.set(true);
        spawn_local(async move {
            let (who, what) = (actor.get_untracked(), action.get_untracked());
            let mut all = Vec::new();
            let mut next: Option<String> = None;
            for _ in 0..MAX_EXPORT_PAGES {
                match client.audit(next.as_deref(), &who, &what).await {
                    Ok(p) => {
                        all.extend(p.items);
                        next = p.next_cursor;
                        if next.is_none() {
                            break;
                        }
                    }
                    Err(e) => {
                        error.set(Some(ctx.fail(&e)));
                        busy.set(false);
                        return;
                    }
                }
            }
            let rows: Vec<Vec<String>> = all
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        iso_time(e.at),
                        e.actor.clone(),
                        e.action.clone(),
                        e.target.clone(),
                        e.detail.clone(),
                    ]
                })
                .collect();
            let text = csv(&["id", "at", "actor", "action", "target", "detail"], &rows);
            let day = iso_date((crate::dom::now_ms() / 86_400_000.0).floor() as i64);
            download(
                &format!("chorus-audit-{day}.csv"),
                "text/csv;charset=utf-8",
                &text,
            );
            busy.set(false);
        });
    };

    let known = move |f: fn(&AuditEntry) -> &String| {
        let mut a: Vec<String> = items.with(|i| i.iter().map(|e| f(e).clone()).collect());
        a.sort();
        a.dedup();
        a
    };
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        fetch(false);
    };

    view! {
        <div class="view audit">
            <div class="view-head"><h1 tabindex="-1">{t.audit_title}</h1></div>
            <form class="filters" on:submit=submit>
                <div class="field inline">
                    <label for="a-actor">{t.actor_label}</label>
                    <input id="a-actor" list="a-actors" prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev))/>
                    <datalist id="a-actors">
                        {move || known(|e| &e.actor).into_iter().map(|a| view! { <option value=a/> }).collect_view()}
                    </datalist>
                </div>
                <div class="field inline">
                    <label for="a-action">{t.action_label}</label>
                    <input id="a-action" list="a-actions" prop:value=move || action.get() on:input=move |ev| action.set(event_target_value(&ev))/>
                    <datalist id="a-actions">
                        {move || known(|e| &e.action).into_iter().map(|a| view! { <option value=a/> }).collect_view()}
                    </datalist>
                </div>
                <button type="submit" disabled=move || busy.get()>{t.filter}</button>
                <button type="button" class="csv" on:click=export disabled=move || busy.get()>{t.export_csv}</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                <Show when=move || !items.get().is_empty() fallback=move || view! { <p class="muted">{t.no_entries}</p> }>
                    <div class="table-wrap">
                        <table class="audit-table">
                            <thead><tr>
                                <th scope="col">{t.col_when}</th><th scope="col">{t.col_actor}</th>
                                <th scope="col">{t.col_action}</th><th scope="col">{t.col_target}</th><th scope="col">{t.col_detail}</th>
                            </tr></thead>
                            <tbody>
                                <For each=move || items.get() key=|e| e.id let:e>
                                    {
                                        let who = me.with_value(|(id, name)| if e.actor == *id { format!("{name} ({})", t.you) } else { e.actor.clone() });
                                        view! {
                                            <tr data-action=e.action.clone()>
                                                <td>{local_time(e.at, t.lang)}</td>
                                                <td>{who}</td>
                                                <td><code>{e.action.clone()}</code></td>
                                                <td>{e.target.clone()}</td>
                                                <td>{e.detail.clone()}</td>
                                            </tr>
                                        }
                                    }
                                </For>
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || cursor.get().is_some()>
                        <button on:click=move |_| fetch(true) disabled=move || busy.get()>{t.load_more}</button>
                    </Show>
                </Show>
            </Show>
        </div>
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for CSV (UTC, sortable).
fn iso_time(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    String::from(d.to_iso_string())
}
