//! The team's saved (canned) replies: every agent reads them here and
//! inserts them from a group's answer box; leads create, edit and delete
//! them. Agents see no editing controls (the edge refuses them anyway).

use chorus_core::api::{CannedInput, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Canned;
use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading};
use crate::kb::{load_articles, md};
use crate::secret::ConfirmButton;

/// What the editor holds.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    None,
    New,
    Existing(String),
}

/// The saved replies view.
#[component]
pub fn RepliesView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let articles = load_articles(ctx);
    let t = ctx.t.get_untracked();
    let lead = ctx.me.get_untracked().is_some_and(|m| m.role == Role::Lead);
    let replies = RwSignal::new(Vec::<Canned>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(Editing::None);
    let confirming = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let busy = RwSignal::new(false);

    let load = ctx.loader(|c| async move { c.canned().await }, replies, error, loaded);
    load();
    focus_heading();

    let start_new = move |_| {
        editing.set(Editing::New);
        title.set(String::new());
        body.set(String::new());
        focus_by_id("reply-title");
    };
    let start_edit = move |c: Canned| {
        editing.set(Editing::Existing(c.id.clone()));
        title.set(c.title);
        body.set(c.body);
        focus_by_id("reply-title");
    };
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(client) = ctx.client() else { return };
        let id = match editing.get_untracked() {
            Editing::Existing(id) => Some(id),
            Editing::New => None,
            Editing::None => return,
        };
        let input = CannedInput {
            title: title.get_untracked().trim().to_string(),
            body: body.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match client.save_canned(id.as_deref(), &input).await {
                Ok(c) => {
                    ctx.say((t.reply_saved)(&c.title));
                    editing.set(Editing::None);
                    error.set(None);
                    load();
                    focus_heading();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    let delete = move |id: String| {
        let Some(client) = ctx.client() else { return };
        spawn_local(async move {
            match client.delete_canned(&id).await {
                Ok(()) => {
                    ctx.say(t.reply_deleted);
                    confirming.set(None);
                    if editing.get_untracked() == Editing::Existing(id) {
                        editing.set(Editing::None);
                    }
                    load();
                    focus_heading();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
        });
    };

    view! {
        <div class="view replies">
            <div class="view-head">
                <h1 tabindex="-1">{t.replies_title}</h1>
                {lead.then(|| view! { <button class="primary" id="reply-new" on:click=start_new>{t.new_reply}</button> })}
            </div>
            {(!lead).then(|| view! { <p class="muted">{t.replies_readonly}</p> })}
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="columns">
                <div class="col">
                    <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                        <Show when=move || !replies.get().is_empty() fallback=move || view! { <p class="muted">{t.no_replies}</p> }>
                            <ul class="articles">
                                <For each=move || replies.get() key=|c| format!("{}|{}|{}", c.id, c.title, c.body) let:c>
                                    {
                                        let id = c.id.clone();
                                        let id2 = c.id.clone();
                                        let c2 = c.clone();
                                        let title = c.title.clone();
                                        view! {
                                            <li class="article reply" data-reply=c.id.clone()>
                                                <div>
                                                    <p class="a-title">{c.title.clone()}</p>
                                                    <div class="small">{let b = c.body.clone(); move || md(&b, articles)}</div>
                                                </div>
                                                {lead.then(|| view! {
                                                    <div class="actions">
                                                        <button on:click=move |_| start_edit(c2.clone()) aria-label=format!("{}: {}", t.edit, title)>{t.edit}</button>
                                                        <ConfirmButton id=id.clone() name=title.clone() confirming label=t.delete confirm=t.confirm_delete
                                                            act=move |()| delete(id2.clone())/>
                                                    </div>
                                                })}
                                            </li>
                                        }
                                    }
                                </For>
                            </ul>
                        </Show>
                    </Show>
                </div>
                <div class="col">
                    <Show when=move || lead && editing.get() != Editing::None>
                        <form class="card editor" on:submit=save>
                            <h2>{move || match editing.get() {
                                Editing::New => t.new_reply.to_string(),
                                _ => (t.editing)(&title.get()),
                            }}</h2>
                            <label for="reply-title">{t.title_label}</label>
                            <input id="reply-title" required maxlength="100" prop:value=move || title.get()
                                on:input=move |ev| title.set(event_target_value(&ev))/>
                            <label for="reply-body">{t.body_label}</label>
                            <textarea id="reply-body" rows="8" required maxlength="10000" aria-describedby="reply-help"
                                prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                            <p id="reply-help" class="hint">{t.reply_hint}" "{t.answer_help}</p>
                            <div class="preview" role="region" aria-label=t.preview>
                                <p class="preview-label" aria-hidden="true">{t.preview}</p>
                                {move || md(&body.get(), articles)}
                            </div>
                            <div class="actions">
                                <button type="submit" id="reply-save" class="primary" disabled=move || busy.get() || title.get().trim().is_empty() || body.get().trim().is_empty()>{t.save}</button>
                                <button type="button" on:click=move |_| editing.set(Editing::None)>{t.cancel}</button>
                            </div>
                        </form>
                    </Show>
                </div>
            </div>
        </div>
    }
}
