//! The widget's components and its command handle.

use chorus_core::api::{Article, BrandConfig, KnowledgeBase};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::api;

/// Options read by embed.js from the script tag.
#[derive(Debug, Clone)]
pub struct Options {
    /// Brand slug.
    pub brand: String,
    /// API origin (where embed.js came from).
    pub base: String,
    /// UI language override (`data-lang`).
    pub lang: Option<String>,
}

impl Options {
    /// Reads `{brand, base, lang?}` from a JS object.
    pub fn from_js(v: &JsValue) -> Result<Self, String> {
        let get = |k: &str| {
            js_sys::Reflect::get(v, &JsValue::from_str(k))
                .ok()
                .and_then(|x| x.as_string())
                .filter(|s| !s.is_empty())
        };
        Ok(Self {
            brand: get("brand").ok_or("data-brand is missing")?,
            base: get("base").ok_or("base is missing")?,
            lang: get("lang"),
        })
    }
}

/// Shared state of one mounted widget; cheap to clone (signals are handles).
#[derive(Clone)]
pub struct Handle {
    opts: Options,
    launcher: web_sys::HtmlElement,
    open: RwSignal<bool>,
    config: RwSignal<Option<BrandConfig>>,
    articles: RwSignal<Vec<Article>>,
    error: RwSignal<Option<String>>,
    query: RwSignal<String>,
    selected: RwSignal<Option<String>>,
    loaded: RwSignal<bool>,
}

impl Handle {
    /// New handle, closed.
    pub fn new(opts: Options, launcher: web_sys::HtmlElement) -> Self {
        Self {
            opts,
            launcher,
            open: RwSignal::new(false),
            config: RwSignal::new(None),
            articles: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            query: RwSignal::new(String::new()),
            selected: RwSignal::new(None),
            loaded: RwSignal::new(false),
        }
    }

    /// Runs one `Chorus(...)` command.
    pub fn command(&self, name: &str, arg: Option<String>) {
        match name {
            "open" => self.set_open(true),
            "close" => self.set_open(false),
            "toggle" => self.set_open(!self.open.get_untracked()),
            "search" => {
                self.query.set(arg.unwrap_or_default());
                self.selected.set(None);
                self.set_open(true);
            }
            _ => {}
        }
    }

    fn set_open(&self, open: bool) {
        if self.open.get_untracked() == open {
            return;
        }
        self.open.set(open);
        let _ = self
            .launcher
            .set_attribute("aria-expanded", if open { "true" } else { "false" });
        if open {
            self.load();
            emit("chorus:open");
        } else {
            let _ = self.launcher.focus();
            emit("chorus:close");
        }
    }

    fn load(&self) {
        if self.loaded.get_untracked() {
            return;
        }
        self.loaded.set(true);
        let h = self.clone();
        spawn_local(async move {
            let brand = h.opts.brand.clone();
            match api::get_json::<BrandConfig>(&h.opts.base, &format!("/v1/{brand}/config")).await {
                Ok(c) => h.config.set(Some(c)),
                Err(e) => h.error.set(Some(e.0)),
            }
            match api::get_json::<KnowledgeBase>(&h.opts.base, &format!("/v1/{brand}/kb")).await {
                Ok(kb) => h.articles.set(kb.articles),
                Err(e) => h.error.set(Some(e.0)),
            }
        });
    }
}

/// Dispatches a DOM event on `window` so the host page can hook analytics.
fn emit(name: &str) {
    if let (Some(w), Ok(ev)) = (web_sys::window(), web_sys::Event::new(name)) {
        let _ = w.dispatch_event(&ev);
    }
}

/// The whole widget panel.
#[component]
pub fn App(handle: Handle) -> impl IntoView {
    let h = handle.clone();
    let open = handle.open;
    let config = handle.config;
    let articles = handle.articles;
    let query = handle.query;
    let selected = handle.selected;
    let error = handle.error;
    let lang = handle.opts.lang.clone().unwrap_or_else(|| "en".into());
    let es = lang.starts_with("es");
    let t_close = if es { "Cerrar ayuda" } else { "Close help" };
    let t_search = if es {
        "Buscar en la ayuda"
    } else {
        "Search help articles"
    };
    let t_back = if es { "Volver" } else { "Back" };
    let t_loading = if es { "Cargando…" } else { "Loading…" };

    let h_close = h.clone();
    let h_key = h.clone();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            h_key.set_open(false);
        }
    };

    let visible = move || {
        let q = query.get().to_lowercase();
        articles
            .get()
            .into_iter()
            .filter(|a| {
                q.is_empty()
                    || a.title.to_lowercase().contains(&q)
                    || a.body.to_lowercase().contains(&q)
            })
            .collect::<Vec<_>>()
    };

    let current = move || {
        let id = selected.get()?;
        articles.get().into_iter().find(|a| a.id == id)
    };

    view! {
        <div
            class="panel"
            role="dialog"
            aria-modal="true"
            aria-label=move || config.get().map(|c| c.name).unwrap_or_else(|| "Help".into())
            hidden=move || !open.get()
            on:keydown=on_keydown
        >
            <header class="head">
                <div>
                    <h2 class="title">{move || config.get().map(|c| c.name).unwrap_or_default()}</h2>
                    <p class="greeting">{move || config.get().map(|c| c.greeting).unwrap_or_default()}</p>
                </div>
                <button class="close" aria-label=t_close on:click=move |_| h_close.set_open(false)>"×"</button>
            </header>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            {move || match current() {
                Some(a) => view! {
                    <article class="article">
                        <button class="back" on:click=move |_| selected.set(None)>{"← "}{t_back}</button>
                        <h3>{a.title.clone()}</h3>
                        <div class="body">{a.body.clone()}</div>
                    </article>
                }.into_any(),
                None => view! {
                    <div class="search">
                        <input
                            type="search"
                            class="q"
                            aria-label=t_search
                            placeholder=t_search
                            prop:value=move || query.get()
                            on:input=move |ev| query.set(event_target_value(&ev))
                        />
                        <Show when=move || !articles.get().is_empty() fallback=move || view! { <p class="muted">{t_loading}</p> }>
                            <ul class="results" aria-live="polite">
                                <For each=visible key=|a| a.id.clone() let:a>
                                    <li>
                                        <button class="result" data-id=a.id.clone() on:click={
                                            let id = a.id.clone();
                                            move |_| selected.set(Some(id.clone()))
                                        }>{a.title.clone()}</button>
                                    </li>
                                </For>
                            </ul>
                        </Show>
                    </div>
                }.into_any(),
            }}
        </div>
    }
}
