//! The queue: groups by priority, filters, polling with backoff, j/k/Enter/a.

use chorus_core::api::{GroupStatus, GroupSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::app::{Ctx, go};
use crate::dom::{focus_heading, sleep};
use crate::format::duration;
use crate::i18n::Strings;

/// Fastest and slowest poll intervals: 5 s after a change, doubling up to
/// 60 s while nothing changes.
const FAST_MS: i32 = 5_000;
const SLOW_MS: i32 = 60_000;
const TICK_MS: i32 = 250;

fn hidden() -> bool {
    document().visibility_state() == web_sys::VisibilityState::Hidden
}

/// Polls `GET /agent/groups` with the queue's filters until sign-out.
/// Skips polls while the tab is hidden; a filter change ("kick") or the
/// tab coming back refetches at once.
pub fn start_polling(ctx: Ctx) {
    let generation = ctx.generation.get_untracked();
    let qs = ctx.queue;
    spawn_local(async move {
        let mut delay = FAST_MS;
        let mut seen_kick = None::<u32>;
        loop {
            if ctx.generation.get_untracked() != generation {
                return;
            }
            if hidden() {
                qs.paused.set(true);
                sleep(1000).await;
                continue;
            }
            qs.paused.set(false);
            let Some(client) = ctx.client() else { return };
            let kick = qs.kick.get_untracked();
            let (status, sort, q) = (
                qs.status.get_untracked(),
                qs.sort.get_untracked(),
                qs.q.get_untracked(),
            );
            let result = fetch_pages(&client, &status, &sort, &q, qs.pages.get_untracked()).await;
            if ctx.generation.get_untracked() != generation {
                return;
            }
            if qs.kick.get_untracked() != kick {
                continue; // filters changed while we waited: refetch
            }
            match result {
                Ok((groups, more)) => {
                    let same_filters = seen_kick == Some(kick);
                    let old = qs.groups.get_untracked();
                    let changed = old != groups || !qs.loaded.get_untracked();
                    if changed {
                        if same_filters {
                            let fresh = groups
                                .iter()
                                .filter(|g| !old.iter().any(|o| o.group_id == g.group_id))
                                .count();
                            if fresh > 0 {
                                ctx.say((ctx.t.get_untracked().new_groups)(fresh));
                            }
                        }
                        let n = groups.len();
                        qs.groups.set(groups);
                        qs.selected.update(|s| *s = (*s).min(n.saturating_sub(1)));
                    }
                    delay = next_delay(changed, delay);
                    qs.more.set(more);
                    qs.loaded.set(true);
                    qs.error.set(None);
                    seen_kick = Some(kick);
                }
                Err(e) => {
                    let msg = ctx.fail(&e);
                    qs.error.set(Some(msg));
                    qs.loaded.set(true);
                    delay = next_delay(false, delay);
                }
            }
            let mut waited = 0;
            while waited < delay {
                sleep(TICK_MS).await;
                waited += TICK_MS;
                if qs.kick.get_untracked() != kick
                    || ctx.generation.get_untracked() != generation
                    || hidden()
                {
                    break;
                }
            }
        }
    });
}

/// The wait before the next poll: fast after a change, doubling up to the
/// slow interval while nothing changes (or polls fail).
pub fn next_delay(changed: bool, delay: i32) -> i32 {
    if changed {
        FAST_MS
    } else {
        delay.saturating_mul(2).clamp(FAST_MS, SLOW_MS)
    }
}

/// The first `pages` pages of the queue ("Load more" adds one); returns
/// the rows and whether more exist.
async fn fetch_pages(
    client: &crate::api::Client,
    status: &str,
    sort: &str,
    q: &str,
    pages: usize,
) -> Result<(Vec<GroupSummary>, bool), crate::api::ApiError> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..pages.max(1) {
        let list = client.groups(status, sort, q, cursor.as_deref()).await?;
        all.extend(list.groups);
        cursor = list.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    Ok((all, cursor.is_some()))
}

/// Time left before the promised response time, or how late it is.
pub fn sla_text(t: &Strings, due: Option<i64>, now: f64) -> Option<(String, bool)> {
    let due = due?;
    let left = due - now as i64;
    Some(if left < 0 {
        ((t.overdue)(&duration(left)), true)
    } else {
        ((t.due_in)(&duration(left)), false)
    })
}

/// The status name in the UI language.
pub fn status_name(t: &Strings, s: GroupStatus) -> &'static str {
    match s {
        GroupStatus::Open => t.st_open,
        GroupStatus::Answered => t.st_answered,
        GroupStatus::Private => t.st_private,
        GroupStatus::Flagged => t.st_flagged,
    }
}

fn focus_row(id: &str) {
    if let Some(el) = document().get_element_by_id(&format!("row-{id}"))
        && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
    {
        let _ = el.focus();
    }
}

fn typing_in_field(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.has_attribute("contenteditable")
        })
}

/// The queue view.
#[component]
pub fn QueueView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let qs = ctx.queue;
    let now = ctx.now;

    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing_in_field(&ev) {
            return;
        }
        let groups = qs.groups.get_untracked();
        if groups.is_empty() {
            return;
        }
        let sel = qs.selected.get_untracked().min(groups.len() - 1);
        match ev.key().as_str() {
            "j" => {
                let n = (sel + 1).min(groups.len() - 1);
                qs.selected.set(n);
                focus_row(&groups[n].group_id);
            }
            "k" => {
                let n = sel.saturating_sub(1);
                qs.selected.set(n);
                focus_row(&groups[n].group_id);
            }
            "Enter" => {
                // A focused row link opens itself; elsewhere open the selection.
                let on_link = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .is_some_and(|el| matches!(el.tag_name().as_str(), "A" | "BUTTON"));
                if !on_link {
                    ev.prevent_default();
                    go(&format!("#/group/{}", groups[sel].group_id));
                }
            }
            "a" => {
                ev.prevent_default();
                go(&format!("#/group/{}/answer", groups[sel].group_id));
            }
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());

    let tabs: [(&str, &str); 5] = [
        ("open", t.st_open),
        ("answered", t.st_answered),
        ("private", t.st_private),
        ("flagged", t.st_flagged),
        ("all", t.st_all),
    ];
    let set_status = move |s: &'static str| {
        qs.pages.set(1);
        qs.status.set(s.to_string());
        qs.selected.set(0);
        qs.loaded.set(false);
        qs.kick.update(|k| *k += 1);
    };
    focus_heading();

    view! {
        <div class="view queue">
            <div class="view-head">
                <h1 tabindex="-1">{t.queue_title}</h1>
                <p class="muted small">
                    {move || (t.queue_count)(qs.groups.get().len())}
                    {move || qs.paused.get().then(|| format!(" · {}", t.paused))}
                </p>
            </div>
            <div class="filters">
                <div class="tabs" role="group" aria-label=t.status_label>
                    {tabs.into_iter().map(|(key, label)| view! {
                        <button class="tab" data-status=key
                            aria-pressed=move || if qs.status.get() == key { "true" } else { "false" }
                            on:click=move |_| set_status(key)>{label}</button>
                    }).collect_view()}
                </div>
                <div class="field inline">
                    <label for="q-filter">{t.filter_label}</label>
                    <input id="q-filter" type="search" prop:value=move || qs.q.get()
                        on:input=move |ev| { qs.pages.set(1); qs.q.set(event_target_value(&ev)); qs.kick.update(|k| *k += 1); }/>
                </div>
                <div class="field inline">
                    <label for="q-sort">{t.sort_label}</label>
                    <select id="q-sort" on:change=move |ev| { qs.pages.set(1); qs.sort.set(event_target_value(&ev)); qs.kick.update(|k| *k += 1); }>
                        {[("priority", t.sort_priority), ("newest", t.sort_newest), ("largest", t.sort_largest)].into_iter().map(|(v, l)| view! {
                            <option value=v selected=move || qs.sort.get_untracked() == v>{l}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button on:click=move |_| qs.kick.update(|k| *k += 1)>{t.refresh}</button>
            </div>
            <p class="hint">{t.shortcuts}</p>
            <Show when=move || qs.error.get().is_some()>
                <p class="error" role="alert">{move || qs.error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || qs.loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                <Show when=move || !qs.groups.get().is_empty() fallback=move || view! { <p class="muted empty">{t.empty_queue}</p> }>
                    <ul class="rows" aria-label=t.queue_title>
                        <For
                            each=move || qs.groups.get()
                            key=|g| format!("{}|{}|{:?}|{}|{:?}|{}", g.group_id, g.asked_count, g.status, g.trending, g.sla_due_at, g.question)
                            let:g
                        >
                            {row(t, g, now, qs)}
                        </For>
                    </ul>
                    <Show when=move || qs.more.get()>
                        <button class="more" on:click=move |_| { qs.pages.update(|p| *p += 1); qs.kick.update(|k| *k += 1); }>{t.load_more}</button>
                    </Show>
                </Show>
            </Show>
        </div>
    }
}

fn row(
    t: &'static Strings,
    g: GroupSummary,
    now: RwSignal<f64>,
    qs: crate::app::QueueState,
) -> impl IntoView {
    let gid = g.group_id.clone();
    let index = move || {
        qs.groups
            .with(|gs| gs.iter().position(|x| x.group_id == gid))
    };
    let index2 = index.clone();
    let href = format!("#/group/{}", g.group_id);
    let id = format!("row-{}", g.group_id);
    let first = g.first_asked_at;
    let due = g.sla_due_at;
    let status = status_name(t, g.status);
    let is_open = g.status == GroupStatus::Open;
    view! {
        <li class="row" class:selected=move || index2() == Some(qs.selected.get())>
            <a id=id href=href data-group=g.group_id.clone() on:focus=move |_| {
                if let Some(i) = index() {
                    qs.selected.set(i);
                }
            }>
                <span class="count" title=(t.askers)(g.asked_count)>
                    <span class="n">{g.asked_count}</span>
                    <span class="sr-only">{format!(" {}", (t.askers)(g.asked_count).trim_start_matches(char::is_numeric).trim())}</span>
                </span>
                <span class="q">{g.question.clone()}</span>
                <span class="meta">
                    {(!is_open).then(|| view! { <span class="badge">{status}</span> })}
                    {g.trending.then(|| view! { <span class="badge trending">"↑ "{t.trending}</span> })}
                    <span class="lang">{g.lang.clone()}</span>
                    <span class="age">{move || (t.asked_ago)(&duration(now.get() as i64 - first))}</span>
                    {move || sla_text(t, due, now.get()).map(|(s, late)| view! {
                        <span class="sla" class:late=late>{s}</span>
                    })}
                </span>
            </a>
        </li>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{EN, ES};

    #[test]
    fn polling_backs_off_to_a_minute_and_speeds_up_on_change() {
        let mut d = FAST_MS;
        let mut seen = vec![];
        for _ in 0..6 {
            d = next_delay(false, d);
            seen.push(d);
        }
        assert_eq!(seen, [10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
        assert_eq!(next_delay(true, 60_000), FAST_MS);
    }

    #[test]
    fn sla_is_time_left_or_overdue() {
        let now = 1_000_000_000.0;
        assert_eq!(
            sla_text(&EN, Some(1_000_000_000 + 65 * 60_000), now),
            Some(("1 h 5 min left".into(), false))
        );
        assert_eq!(
            sla_text(&EN, Some(1_000_000_000 - 5 * 60_000), now),
            Some(("overdue by 5 min".into(), true))
        );
        assert_eq!(
            sla_text(&ES, Some(1_000_000_000 - 5 * 60_000), now),
            Some(("retrasado 5 min".into(), true))
        );
        assert_eq!(sla_text(&EN, None, now), None);
    }
}
