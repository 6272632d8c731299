//! One group: its questions (flag, split), the answer (post, edit, history),
//! merging other groups in, and promoting the answer to an article.

use chorus_core::api::{
    Flag, GroupDetail, GroupStatus, GroupSummary, PromoteInput, QuestionDetail, QuestionStatus,
};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::answer::AnswerBox;
use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading, local_time};
use crate::format::{duration, tags};
use crate::i18n::Strings;
use crate::queue::{sla_text, status_name};

/// The answer being written in this group view, if it differs from the
/// saved one.
#[derive(Clone, Copy)]
pub(crate) struct Draft(pub(crate) RwSignal<Option<String>>);

/// The group view.
#[component]
pub fn GroupView(id: String, answer: bool) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let detail = RwSignal::new(None::<GroupDetail>);
    let error = RwSignal::new(None::<String>);
    let missing = RwSignal::new(false);
    // A newer version seen by the background check, shown on request so a
    // redraw never surprises the agent mid-sentence.
    let newer = RwSignal::new(None::<GroupDetail>);
    let id = StoredValue::new(id);
    // The control last focused in this view (a busy button is disabled and
    // loses focus before the redraw, so the redraw cannot ask the document).
    let last_focus = StoredValue::new(None::<String>);
    provide_context(Draft(RwSignal::new(None)));
    let remember = move |ev: web_sys::FocusEvent| {
        if let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            && !el.id().is_empty()
        {
            last_focus.set_value(Some(el.id()));
        }
    };

    let load = move |then_focus: bool| {
        let Some(client) = ctx.client() else { return };
        let gid = id.get_value();
        spawn_local(async move {
            match client.group(&gid).await {
                Ok(d) => {
                    // The view is redrawn from the new detail: keep focus on
                    // the control that had it (by id), else on the heading.
                    let had = last_focus.get_value();
                    // A merged group's id leads to the group it joined: say so in the URL.
                    if d.group.group_id != gid {
                        let _ = window().history().and_then(|h| {
                            h.replace_state_with_url(
                                &wasm_bindgen::JsValue::NULL,
                                "",
                                Some(&format!("#/group/{}", d.group.group_id)),
                            )
                        });
                    }
                    detail.set(Some(d));
                    newer.set(None);
                    error.set(None);
                    if then_focus && answer {
                        focus_by_id("answer-body");
                    } else if then_focus {
                        focus_heading();
                    } else {
                        refocus(had);
                    }
                }
                Err(e) if e.status == 404 => missing.set(true),
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    };
    load(true);
    watch(ctx, id, detail, newer);
    // After any change here the queue is stale too.
    let changed = move || {
        load(false);
        ctx.queue.kick.update(|k| *k += 1);
    };

    view! {
        <div class="view group" on:focusin=remember>
            <p><a href="#/queue" class="back">{"← "}{t.back_to_queue}</a></p>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div role="status" class="newer-wrap">
                <Show when=move || newer.get().is_some()>
                    <p class="newer">{t.group_changed}" "
                        <button id="show-changes" on:click=move |_| {
                            if let Some(d) = newer.get_untracked() {
                                let had = last_focus.get_value();
                                detail.set(Some(d));
                                newer.set(None);
                                refocus(had);
                            }
                        }>{t.show_changes}</button>
                    </p>
                </Show>
            </div>
            {move || {
                if missing.get() {
                    return view! { <h1 tabindex="-1">{t.group_not_found}</h1> }.into_any();
                }
                match detail.get() {
                    None => view! { <h1 tabindex="-1" class="muted">{t.loading}</h1> }.into_any(),
                    Some(d) => view! { <Detail d=d changed=changed/> }.into_any(),
                }
            }}
        </div>
    }
}

/// Every 20 s while the view is open and the tab visible, checks whether
/// the group changed (new askers, another agent's answer) and offers it.
fn watch(
    ctx: Ctx,
    id: StoredValue<String>,
    detail: RwSignal<Option<GroupDetail>>,
    newer: RwSignal<Option<GroupDetail>>,
) {
    let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let flag = alive.clone();
    on_cleanup(move || flag.store(false, std::sync::atomic::Ordering::Relaxed));
    let generation = ctx.generation.get_untracked();
    spawn_local(async move {
        loop {
            crate::dom::sleep(20_000).await;
            if !alive.load(std::sync::atomic::Ordering::Relaxed)
                || ctx.generation.get_untracked() != generation
            {
                return;
            }
            if document().visibility_state() == web_sys::VisibilityState::Hidden {
                continue;
            }
            let Some(client) = ctx.client() else { return };
            if let Ok(d) = client.group(&id.get_value()).await
                && alive.load(std::sync::atomic::Ordering::Relaxed)
                && detail.with_untracked(|cur| cur.as_ref().is_some_and(|c| *c != d))
            {
                newer.set(Some(d));
            }
        }
    });
}

/// Focuses the element with id `had` after the redraw, or the heading.
fn refocus(had: Option<String>) {
    request_animation_frame(move || {
        let el = had
            .and_then(|id| document().get_element_by_id(&id))
            .or_else(|| document().query_selector("#main h1").ok().flatten());
        if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = el.focus();
            // Disabled or collapsed controls cannot take focus: the heading can.
            if document().active_element().as_ref() != Some(el.as_ref()) {
                focus_heading();
            }
        }
    });
}

#[component]
fn Detail(d: GroupDetail, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let g = d.group.clone();
    let now = ctx.now;
    let due = g.sla_due_at;
    let first = g.first_asked_at;
    view! {
        <div class="view-head">
            <h1 tabindex="-1" class="group-q">{g.question.clone()}</h1>
            <p class="meta">
                <span class="badge" data-status=format!("{:?}", g.status).to_lowercase()>{status_name(t, g.status)}</span>
                <span class="askers">{(t.askers)(g.asked_count)}</span>
                <span>{move || (t.asked_ago)(&duration(now.get() as i64 - first))}</span>
                {move || sla_text(t, due, now.get()).map(|(s, late)| view! { <span class="sla" class:late=late>{s}</span> })}
                {g.trending.then(|| view! { <span class="badge trending">"↑ "{t.trending}</span> })}
            </p>
        </div>
        <div class="columns">
            <div class="col">
                <Questions d=d.clone() changed=changed/>
                <Merge group=g.clone() changed=changed/>
            </div>
            <div class="col">
                <AnswerBox d=d.clone() changed=changed/>
                <Promote d=d changed=changed/>
            </div>
        </div>
    }
}

fn question_status(t: &Strings, s: QuestionStatus) -> &'static str {
    match s {
        QuestionStatus::Open => t.st_open,
        QuestionStatus::Answered => t.st_answered,
        QuestionStatus::Private => t.st_private,
        QuestionStatus::Rejected => t.st_rejected,
    }
}

fn flag_name(t: &Strings, f: &str) -> String {
    match f {
        "spam" => t.flag_spam.into(),
        "troll" => t.flag_troll.into(),
        "private" => t.flag_private.into(),
        "clear" => t.flag_clear.into(),
        other => other.into(),
    }
}

#[component]
fn Questions(d: GroupDetail, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let gid = d.group.group_id.clone();
    let total = d.questions.len();
    let picked = RwSignal::new(Vec::<String>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let split = move |_| {
        let ids = picked.get_untracked();
        if ids.is_empty() || ids.len() >= total {
            error.set(Some(t.split_need.into()));
            return;
        }
        let Some(client) = ctx.client() else { return };
        let gid = gid.clone();
        busy.set(true);
        spawn_local(async move {
            match client.split(&gid, ids).await {
                Ok(new) => {
                    picked.set(Vec::new());
                    error.set(None);
                    ctx.say((t.split_done)(&new.group.group_id));
                    changed();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="questions-h">
            <h2 id="questions-h">{t.questions_title}</h2>
            <ul class="questions">
                {d.questions.into_iter().map(|q| question(t, q, picked, changed)).collect_view()}
            </ul>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || { total > 1 }>
                <button class="split" id="split-btn" on:click=split.clone() disabled=move || busy.get() || picked.get().is_empty()>
                    {t.split_btn}
                </button>
            </Show>
        </section>
    }
}

fn question(
    t: &'static Strings,
    q: QuestionDetail,
    picked: RwSignal<Vec<String>>,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let qid = q.question_id.clone();
    let cb_id = format!("pick-{qid}");
    let flag_id = format!("flag-{qid}");
    let choice = RwSignal::new("spam".to_string());
    let busy = RwSignal::new(false);
    let apply = {
        let qid = qid.clone();
        move |_| {
            let flag = match choice.get_untracked().as_str() {
                "troll" => Flag::Troll,
                "private" => Flag::Private,
                "clear" => Flag::Clear,
                _ => Flag::Spam,
            };
            let Some(client) = ctx.client() else { return };
            let qid = qid.clone();
            busy.set(true);
            spawn_local(async move {
                match client.flag(&qid, flag).await {
                    Ok(_) => {
                        ctx.say((t.flag_done)(&flag_name(t, &choice.get_untracked())));
                        changed();
                    }
                    Err(e) => ctx.say(ctx.fail(&e)),
                }
                busy.set(false);
            });
        }
    };
    let toggle = {
        let qid = qid.clone();
        move |ev: web_sys::Event| {
            let on = event_target_checked(&ev);
            picked.update(|p| {
                p.retain(|x| *x != qid);
                if on {
                    p.push(qid.clone());
                }
            });
        }
    };
    let text_id = format!("qtext-{qid}");
    view! {
        <li class="question" data-question=qid.clone()>
            <div class="qhead">
                <input type="checkbox" id=cb_id.clone() on:change=toggle aria-describedby=text_id.clone()/>
                <label for=cb_id class="sr-only">{t.select_for_split}</label>
                <p class="qtext" id=text_id>{q.text.clone()}</p>
            </div>
            <p class="meta small">
                <span class="asker">{q.name.clone().unwrap_or_else(|| t.anonymous.into())}</span>
                <span>{local_time(q.asked_at, t.lang)}</span>
                <span><span class="sr-only">{t.lang_name}": "</span>{q.lang.clone()}</span>
                <span class="badge">{question_status(t, q.status)}</span>
                {q.flags.iter().map(|f| view! { <span class="badge flag">{flag_name(t, f)}</span> }).collect_view()}
                {(!q.personal_data.is_empty()).then(|| view! {
                    <span class="badge pd">{t.personal_data}": "{q.personal_data.join(", ")}</span>
                })}
            </p>
            <div class="flag-form">
                <label for=flag_id.clone()>{t.flag_label}</label>
                <select id=flag_id on:change=move |ev| choice.set(event_target_value(&ev))>
                    <option value="spam">{t.flag_spam}</option>
                    <option value="troll">{t.flag_troll}</option>
                    <option value="private">{t.flag_private}</option>
                    <option value="clear">{t.flag_clear}</option>
                </select>
                <button id=format!("flag-apply-{qid}") on:click=apply disabled=move || busy.get()>{t.apply}</button>
            </div>
        </li>
    }
}

#[component]
fn Merge(group: GroupSummary, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let me = group.group_id.clone();
    let open = RwSignal::new(false);
    let q = RwSignal::new(String::new());
    let candidates = RwSignal::new(Vec::<GroupSummary>::new());
    let picked = RwSignal::new(Vec::<String>::new());
    let previews = RwSignal::new(Vec::<(String, Vec<String>)>::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let seq = StoredValue::new(0u32);

    let search = {
        let me = me.clone();
        move || {
            let Some(client) = ctx.client() else { return };
            let me = me.clone();
            let text = q.get_untracked();
            seq.update_value(|s| *s += 1);
            let mine = seq.get_value();
            spawn_local(async move {
                match client.groups("all", "priority", &text, None).await {
                    Ok(list) if seq.get_value() == mine => candidates.set(
                        list.groups
                            .into_iter()
                            .filter(|g| g.group_id != me && g.status != GroupStatus::Flagged)
                            .collect(),
                    ),
                    Ok(_) => {}
                    Err(e) => error.set(Some(ctx.fail(&e))),
                }
            });
        }
    };
    let s1 = search.clone();
    let s2 = search.clone();
    let preview = move |gid: String| {
        if previews.with_untracked(|p| p.iter().any(|(g, _)| *g == gid)) {
            previews.update(|p| p.retain(|(g, _)| *g != gid));
            return;
        }
        let Some(client) = ctx.client() else { return };
        spawn_local(async move {
            match client.group(&gid).await {
                Ok(d) => previews.update(|p| {
                    p.push((gid, d.questions.into_iter().map(|q| q.text).collect()));
                }),
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    };
    let merge = move |_| {
        let from = picked.get_untracked();
        if from.is_empty() {
            return;
        }
        let Some(client) = ctx.client() else { return };
        let me = me.clone();
        busy.set(true);
        spawn_local(async move {
            match client.merge(&me, from.clone()).await {
                Ok(_) => {
                    picked.set(Vec::new());
                    error.set(None);
                    ctx.say((t.merge_done)(from.len()));
                    changed();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="merge-h">
            <details class="merge" on:toggle=move |ev| {
                let now_open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
                open.set(now_open);
                if now_open { s1(); }
            }>
                <summary><h2 id="merge-h">{t.merge_title}</h2></summary>
                <div class="field">
                    <label for="merge-q">{t.merge_filter}</label>
                    <input id="merge-q" type="search" prop:value=move || q.get()
                        on:input=move |ev| { q.set(event_target_value(&ev)); s2(); }/>
                </div>
                <Show when=move || open.get() && candidates.get().is_empty()>
                    <p class="muted">{t.merge_none}</p>
                </Show>
                <ul class="candidates">
                    <For each=move || candidates.get() key=|g| g.group_id.clone() let:g>
                        {
                            let gid = g.group_id.clone();
                            let gid2 = gid.clone();
                            let gid3 = gid.clone();
                            let gid4 = gid.clone();
                            let gid5 = gid.clone();
                            let cb = format!("merge-{gid}");
                            view! {
                                <li class="candidate" data-group=gid5>
                                    <input type="checkbox" id=cb.clone() on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        picked.update(|p| { p.retain(|x| *x != gid2); if on { p.push(gid2.clone()); } });
                                    }/>
                                    <label for=cb>{(t.merge_pick)(&g.question)}" · "{(t.askers)(g.asked_count)}</label>
                                    <button class="link" aria-expanded=move || previews.with(|p| p.iter().any(|(x, _)| *x == gid3)).to_string()
                                        on:click=move |_| preview(gid4.clone())>{t.show_questions}</button>
                                    {move || previews.with(|p| p.iter().find(|(x, _)| *x == gid).map(|(_, qs)| view! {
                                        <ul class="preview-qs">{qs.iter().map(|q| view! { <li>{q.clone()}</li> }).collect_view()}</ul>
                                    }))}
                                </li>
                            }
                        }
                    </For>
                </ul>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button class="primary merge-btn" id="merge-btn" on:click=merge.clone() disabled=move || busy.get() || picked.get().is_empty()>{t.merge_btn}</button>
            </details>
        </section>
    }
}

#[component]
fn Promote(d: GroupDetail, changed: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let gid = d.group.group_id.clone();
    let answered = d.answer.is_some();
    let title = RwSignal::new(d.group.question.clone());
    let tag_text = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(client) = ctx.client() else { return };
        let input = PromoteInput {
            title: Some(title.get_untracked()).filter(|s| !s.trim().is_empty()),
            tags: tags(&tag_text.get_untracked()),
        };
        let gid = gid.clone();
        busy.set(true);
        spawn_local(async move {
            match client.promote(&gid, &input).await {
                Ok(a) => {
                    error.set(None);
                    ctx.say((t.promoted)(&a.title));
                    done.set(Some(a.title));
                    changed();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="promote-h">
            <h2 id="promote-h">{t.promote_title}</h2>
            {if answered {
                view! {
                    <form on:submit=submit class="promote">
                        <label for="promote-title">{t.title_label}</label>
                        <input id="promote-title" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                        <label for="promote-tags">{t.tags_label}</label>
                        <input id="promote-tags" prop:value=move || tag_text.get() on:input=move |ev| tag_text.set(event_target_value(&ev))/>
                        <Show when=move || error.get().is_some()>
                            <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                        </Show>
                        <Show when=move || done.get().is_some()>
                            <p class="ok">{move || (t.promoted)(&done.get().unwrap_or_default())}" · "<a href="#/kb">{t.nav_kb}</a></p>
                        </Show>
                        <button type="submit" id="promote-submit" disabled=move || busy.get()>{t.promote_btn}</button>
                    </form>
                }.into_any()
            } else {
                view! { <p class="muted">{t.promote_needs_answer}</p> }.into_any()
            }}
        </section>
    }
}
