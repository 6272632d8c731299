//! The group's answer box: write (with saved replies and links to
//! articles), preview, post to the whole group, edit with history.

use chorus_core::api::{Article, GroupDetail, QuestionStatus};
use chorus_core::markdown::article_link;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::Canned;
use crate::app::Ctx;
use crate::dom::{focus_by_id, local_time};
use crate::group::Draft;
use crate::kb::{load_articles, md};

/// The answer box of the group view.
#[component]
pub(crate) fn AnswerBox(
    d: GroupDetail,
    changed: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let gid = d.group.group_id.clone();
    let editing = d.answer.is_some();
    // An unsent draft outlives redraws (a flag or merge reloads the group).
    let draft = expect_context::<Draft>().0;
    let body = RwSignal::new(draft.get_untracked().unwrap_or_else(|| {
        d.answer
            .as_ref()
            .map(|a| a.body.clone())
            .unwrap_or_default()
    }));
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let articles = load_articles(ctx);
    // Saved replies: `{name}` becomes the asker's name when the group has
    // exactly one named asker; otherwise it stays for the agent to edit.
    let canned = RwSignal::new(Vec::<Canned>::new());
    let pick = RwSignal::new(String::new());
    if let Some(client) = ctx.client() {
        spawn_local(async move {
            if let Ok(list) = client.canned().await {
                if let Some(first) = list.first() {
                    pick.set(first.id.clone());
                }
                canned.set(list);
            }
        });
    }
    let mut names: Vec<String> = d.questions.iter().filter_map(|q| q.name.clone()).collect();
    names.sort();
    names.dedup();
    let only_name = (names.len() == 1).then(|| names[0].clone());
    let insert = move |_| {
        let id = pick.get_untracked();
        let Some(c) = canned.with_untracked(|l| l.iter().find(|c| c.id == id).cloned()) else {
            return;
        };
        let text = match &only_name {
            Some(n) => c.body.replace("{name}", n),
            None => c.body.clone(),
        };
        body.update(|b| {
            if b.trim().is_empty() {
                *b = text;
            } else {
                b.push_str("\n\n");
                b.push_str(&text);
            }
        });
        draft.set(Some(body.get_untracked()));
        focus_by_id("answer-body");
    };
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        let Some(client) = ctx.client() else { return };
        let gid = gid.clone();
        busy.set(true);
        spawn_local(async move {
            match client.answer(&gid, &text, editing).await {
                Ok(a) => {
                    error.set(None);
                    draft.set(None);
                    ctx.say((t.answered_reached)(a.reached));
                    changed();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    let current = d.answer.clone();
    let reach = d
        .questions
        .iter()
        .filter(|q| q.status != QuestionStatus::Rejected)
        .count() as u32;
    view! {
        <section class="card" aria-labelledby="answer-h">
            <h2 id="answer-h">{t.answer_title}</h2>
            {match current {
                Some(a) => view! {
                    <div class="answer-current">
                        {let b = a.body.clone(); move || md(&b, articles)}
                        <p class="muted small">{(t.answered_by)(&a.agent.name, &local_time(a.answered_at, t.lang))}</p>
                    </div>
                }.into_any(),
                None => view! { <p class="muted">{t.no_answer_yet}</p> }.into_any(),
            }}
            <Show when=move || !canned.get().is_empty()>
                <div class="canned">
                    <label for="canned-pick">{t.canned_label}</label>
                    <select id="canned-pick" on:change=move |ev| pick.set(event_target_value(&ev))>
                        {move || canned.get().into_iter().map(|c| view! { <option value=c.id.clone()>{c.title}</option> }).collect_view()}
                    </select>
                    <button type="button" id="canned-insert" on:click=insert.clone()>{t.insert}</button>
                </div>
            </Show>
            <ArticlePicker articles=articles body=body/>
            <form on:submit=submit>
                <label for="answer-body">{t.answer_label}</label>
                <textarea id="answer-body" rows="6" aria-describedby="answer-help"
                    prop:value=move || body.get() on:input=move |ev| { let v = event_target_value(&ev); draft.set(Some(v.clone())); body.set(v); }></textarea>
                <p id="answer-help" class="hint">{t.answer_help}" "{(t.will_reach)(reach)}</p>
                <Show when=move || !body.get().trim().is_empty()>
                    <div class="preview" aria-label=t.preview role="region">
                        <p class="preview-label" aria-hidden="true">{t.preview}</p>
                        {move || md(&body.get(), articles)}
                    </div>
                </Show>
                <Show when=move || error.get().is_some()>
                    <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
                </Show>
                <button type="submit" id="answer-submit" class="primary" disabled=move || busy.get() || body.get().trim().is_empty()>
                    {if editing { t.update_answer } else { t.post_answer }}
                </button>
            </form>
            {(!d.history.is_empty()).then(|| view! {
                <details class="history">
                    <summary>{t.history_title}" ("{d.history.len()}")"</summary>
                    <ol>
                        {d.history.iter().rev().map(|r| view! {
                            <li>
                                {let b = r.body.clone(); move || md(&b, articles)}
                                <p class="muted small">{r.agent.name.clone()}", "{local_time(r.at, t.lang)}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                </details>
            })}
        </section>
    }
}

/// "Link an article": the articles whose title contains the filter; a
/// click puts `[Title](article:ID)` at the answer box's cursor (over its
/// selection, if any) and puts the cursor after it.
#[component]
fn ArticlePicker(articles: RwSignal<Vec<Article>>, body: RwSignal<String>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let draft = expect_context::<Draft>().0;
    let filter = RwSignal::new(String::new());
    let matches = move || {
        let f = filter.get().trim().to_lowercase();
        articles.with(|l| {
            l.iter()
                .filter(|a| a.title.to_lowercase().contains(&f))
                .take(20)
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let pick = move |a: Article| {
        let caret = insert_at_cursor(body, &article_link(&a.id, &a.title));
        draft.set(Some(body.get_untracked()));
        ctx.say((t.article_linked)(&a.title));
        request_animation_frame(move || {
            if let Some(area) = answer_area() {
                let _ = area.focus();
                let _ = area.set_selection_range(caret, caret);
            }
        });
    };
    view! {
        <details class="link-article">
            <summary>{t.link_article}</summary>
            <label for="article-filter">{t.filter_articles}</label>
            <input id="article-filter" type="search" autocomplete="off"
                prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev))/>
            <ul class="article-picks" aria-label=t.link_article>
                {move || matches().into_iter().map(|a| {
                    let (id, title) = (a.id.clone(), a.title.clone());
                    view! {
                        <li><button type="button" class="link" data-article=id on:click=move |_| pick(a.clone())>{title}</button></li>
                    }
                }).collect_view()}
            </ul>
            <Show when=move || matches().is_empty()>
                <p class="muted small">{t.no_matching_articles}</p>
            </Show>
        </details>
    }
}

/// The answer box.
fn answer_area() -> Option<web_sys::HtmlTextAreaElement> {
    document()
        .get_element_by_id("answer-body")
        .and_then(|e| e.dyn_into().ok())
}

/// Puts `text` over the selection of the answer box (at its cursor; at the
/// end of `body` when the box is not there) and returns the cursor after
/// it, in UTF-16 units as the DOM counts.
fn insert_at_cursor(body: RwSignal<String>, text: &str) -> u32 {
    let area = answer_area();
    let (start, end) = area
        .as_ref()
        .map(|a| {
            (
                a.selection_start().ok().flatten(),
                a.selection_end().ok().flatten(),
            )
        })
        .unwrap_or_default();
    let mut caret = 0;
    body.update(|b| {
        let len = b.encode_utf16().count() as u32;
        let start = start.unwrap_or(len).min(len);
        let end = end.unwrap_or(start).clamp(start, len);
        let (s, e) = (byte_at(b, start), byte_at(b, end));
        b.replace_range(s..e, text);
        caret = start + text.encode_utf16().count() as u32;
    });
    caret
}

/// The byte offset in `s` of the UTF-16 offset `units`.
fn byte_at(s: &str, units: u32) -> usize {
    let mut u = 0;
    for (i, c) in s.char_indices() {
        if u >= units {
            return i;
        }
        u += c.len_utf16() as u32;
    }
    s.len()
}
