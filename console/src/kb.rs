//! Knowledge-base editor: list, create, edit, delete, with a live preview
//! drawn by the widget's own renderer (`chorus_ui::markdown`), as answers
//! are; links to articles in any preview lead here (`#/kb/ID`).

use chorus_core::api::{Article, ArticleInput};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Ctx;
use crate::dom::{focus_by_id, focus_heading, local_time};
use crate::format::tags;
use crate::secret::ConfirmButton;

/// `src` in the Markdown subset as the widget draws it. A link to one of
/// `articles` opens that article's editor in a new tab (a draft here
/// stays); a link to any other id is its text.
pub fn md(src: &str, articles: RwSignal<Vec<Article>>) -> AnyView {
    chorus_ui::markdown(
        src,
        move |id| articles.with(|l| l.iter().any(|a| a.id == id)),
        |id| {
            let _ = window().open_with_url_and_target(&format!("#/kb/{id}"), "_blank");
        },
    )
}

/// The brand's articles, for links to them: empty until they arrive (or
/// when they cannot be read, which the knowledge-base view reports).
pub fn load_articles(ctx: Ctx) -> RwSignal<Vec<Article>> {
    let list = RwSignal::new(Vec::new());
    if let Some(client) = ctx.client() {
        spawn_local(async move {
            if let Ok(kb) = client.kb().await {
                list.set(kb.articles);
            }
        });
    }
    list
}

/// What the editor holds: nothing, a new article, or an existing one.
#[derive(Debug, Clone, PartialEq)]
enum Editing {
    None,
    New,
    Existing(String),
}

/// The knowledge-base view; `article` (an id) opens that article's editor.
#[component]
pub fn KbView(article: Option<String>) -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let articles = RwSignal::new(Vec::<Article>::new());
    let loaded = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(Editing::None);
    let confirming = RwSignal::new(None::<String>);
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let tag_text = RwSignal::new(String::new());
    let lang = RwSignal::new("en".to_string());
    let busy = RwSignal::new(false);

    let load = ctx.loader(
        |c| async move {
            let mut a = c.kb().await?.articles;
            a.sort_by_key(|x| x.title.to_lowercase());
            Ok(a)
        },
        articles,
        error,
        loaded,
    );
    load();
    focus_heading();

    let start_new = move |_| {
        editing.set(Editing::New);
        title.set(String::new());
        body.set(String::new());
        tag_text.set(String::new());
        lang.set(ctx.t.get_untracked().lang.into());
        focus_by_id("art-title");
    };
    let start_edit = move |a: Article| {
        editing.set(Editing::Existing(a.id.clone()));
        title.set(a.title);
        body.set(a.body);
        tag_text.set(a.tags.join(", "));
        lang.set(a.lang);
        focus_by_id("art-title");
    };
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(client) = ctx.client() else { return };
        let id = match editing.get_untracked() {
            Editing::Existing(id) => Some(id),
            Editing::New => None,
            Editing::None => return,
        };
        let input = ArticleInput {
            id: None,
            title: title.get_untracked().trim().to_string(),
            body: body.get_untracked(),
            tags: tags(&tag_text.get_untracked()),
            lang: Some(lang.get_untracked()),
        };
        busy.set(true);
        spawn_local(async move {
            match client.save_article(id.as_deref(), &input).await {
                Ok(a) => {
                    ctx.say((t.article_saved)(&a.title));
                    editing.set(Editing::None);
                    error.set(None);
                    load();
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    // `#/kb/ID`: that article's editor, once the list is in.
    let wanted = StoredValue::new(article);
    Effect::new(move |_| {
        if !loaded.get() {
            return;
        }
        let found = wanted.with_value(|w| {
            w.as_ref()
                .and_then(|id| articles.with_untracked(|l| l.iter().find(|a| a.id == *id).cloned()))
        });
        if let Some(a) = found {
            wanted.set_value(None);
            start_edit(a);
        }
    });
    let delete = move |id: String| {
        let Some(client) = ctx.client() else { return };
        spawn_local(async move {
            match client.delete_article(&id).await {
                Ok(()) => {
                    ctx.say(t.article_deleted);
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
        <div class="view kb">
            <div class="view-head">
                <h1 tabindex="-1">{t.kb_title}</h1>
                <button class="primary" on:click=start_new>{t.new_article}</button>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="columns">
                <div class="col">
                    <Show when=move || loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                        <Show when=move || !articles.get().is_empty() fallback=move || view! { <p class="muted">{t.no_articles}</p> }>
                            <ul class="articles">
                                <For each=move || articles.get() key=|a| format!("{}|{}", a.id, a.updated_at) let:a>
                                    {
                                        let id = a.id.clone();
                                        let id2 = a.id.clone();
                                        let a2 = a.clone();
                                        view! {
                                            <li class="article" data-article=a.id.clone()>
                                                <div>
                                                    <p class="a-title">{a.title.clone()}</p>
                                                    <p class="muted small">
                                                        {a.lang.clone()}
                                                        {(!a.tags.is_empty()).then(|| format!(" · {}", a.tags.join(", ")))}
                                                        {(a.updated_at > 0).then(|| format!(" · {}", (t.updated)(&local_time(a.updated_at, t.lang))))}
                                                    </p>
                                                </div>
                                                <div class="actions">
                                                    <button on:click=move |_| start_edit(a2.clone()) aria-label=format!("{}: {}", t.edit, a.title)>{t.edit}</button>
                                                    <ConfirmButton id=id name=a.title.clone() confirming label=t.delete confirm=t.confirm_delete
                                                        act=move |()| delete(id2.clone())/>
                                                </div>
                                            </li>
                                        }
                                    }
                                </For>
                            </ul>
                        </Show>
                    </Show>
                </div>
                <div class="col">
                    <Show when=move || editing.get() != Editing::None>
                        <form class="card editor" on:submit=save>
                            <h2>{move || match editing.get() {
                                Editing::New => t.new_article.to_string(),
                                _ => (t.editing)(&title.get()),
                            }}</h2>
                            <label for="art-title">{t.title_label}</label>
                            <input id="art-title" required maxlength="200" prop:value=move || title.get()
                                on:input=move |ev| title.set(event_target_value(&ev))/>
                            <label for="art-body">{t.body_label}</label>
                            <textarea id="art-body" rows="10" required aria-describedby="art-help" prop:value=move || body.get()
                                on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                            <p id="art-help" class="hint">{t.answer_help}</p>
                            <label for="art-tags">{t.tags_label}</label>
                            <input id="art-tags" prop:value=move || tag_text.get() on:input=move |ev| tag_text.set(event_target_value(&ev))/>
                            <label for="art-lang">{t.language}</label>
                            <select id="art-lang" on:change=move |ev| lang.set(event_target_value(&ev))>
                                <option value="en" selected=move || lang.get() == "en">"English"</option>
                                <option value="es" selected=move || lang.get() == "es">"Español"</option>
                            </select>
                            <div class="preview" role="region" aria-label=t.preview>
                                <p class="preview-label" aria-hidden="true">{t.preview}</p>
                                <h3>{move || title.get()}</h3>
                                {move || md(&body.get(), articles)}
                            </div>
                            <div class="actions">
                                <button type="submit" class="primary" disabled=move || busy.get() || title.get().trim().is_empty() || body.get().trim().is_empty()>{t.save}</button>
                                <button type="button" on:click=move |_| editing.set(Editing::None)>{t.cancel}</button>
                            </div>
                        </form>
                    </Show>
                </div>
            </div>
        </div>
    }
}
