//! The widget's components (its state and command handle are
//! [`crate::handle`]).
//!
//! Search: the query box is an ARIA combobox over a listbox of
//! ranked results, matches marked from byte ranges as text (never HTML).
//!
//! Tabs (an ARIA tablist; arrows, Home and End move between them): Search,
//! Answered ([`crate::feed`]), Ask ([`crate::ask`]) and My questions
//! ([`crate::mine`]).

use std::sync::Arc;

use leptos::html::{Button, Input};
use leptos::prelude::*;
#[cfg(feature = "split")]
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use crate::ask::ask_view;
use crate::feed::feed_view;
use crate::find::{Finder, Marked, Row};
use crate::handle::Handle;
use crate::i18n::Strings;
use crate::mine::mine_view;

/// The widget's tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Search,
    Answered,
    Ask,
    Mine,
}

const TABS: [Tab; 4] = [Tab::Search, Tab::Answered, Tab::Ask, Tab::Mine];

impl Tab {
    fn id(self) -> &'static str {
        match self {
            Tab::Search => "chorus-tab-search",
            Tab::Answered => "chorus-tab-answered",
            Tab::Ask => "chorus-tab-ask",
            Tab::Mine => "chorus-tab-mine",
        }
    }

    fn label(self, t: &Strings) -> &'static str {
        match self {
            Tab::Search => t.tab_search,
            Tab::Answered => t.tab_answered,
            Tab::Ask => t.tab_ask,
            Tab::Mine => t.tab_mine,
        }
    }
}

/// What the Search tab shows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum View {
    Search,
    Article(String),
}

/// The search panel's own state: `Copy` signals only, so views and their
/// event handlers can capture it freely.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub tab: RwSignal<Tab>,
    pub(crate) query: RwSignal<String>,
    pub(crate) view: RwSignal<View>,
    /// Index into the current results of the option the arrow keys chose.
    active: RwSignal<Option<usize>>,
    input: NodeRef<Input>,
    /// The article view's "Back" button, focused when an article opens.
    back: NodeRef<Button>,
}

impl Ui {
    /// The search panel at rest: the Search tab, no query.
    pub(crate) fn new() -> Self {
        Self {
            tab: RwSignal::new(Tab::Search),
            query: RwSignal::new(String::new()),
            view: RwSignal::new(View::Search),
            active: RwSignal::new(None),
            input: NodeRef::new(),
            back: NodeRef::new(),
        }
    }

    pub(crate) fn set_query(self, q: String) {
        self.query.set(q);
        self.active.set(None);
    }

    /// Focuses the search box once it is rendered.
    pub(crate) fn focus_input(self) {
        let input = self.input;
        request_animation_frame(move || {
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        });
    }

    pub(crate) fn open_article(self, id: String) {
        self.tab.set(Tab::Search);
        self.view.set(View::Article(id));
        // The control that opened it is gone; focus stays in the dialog.
        let back = self.back;
        request_animation_frame(move || {
            if let Some(b) = back.get_untracked() {
                let _ = b.focus();
            }
        });
    }

    fn back_to_search(self) {
        self.view.set(View::Search);
        self.focus_input();
    }
}

/// The knowledge base and the Search tab, for the links to articles in
/// answers and articles (`[text](article:ID)`).
#[derive(Clone, Copy)]
pub(crate) struct Links {
    pub(crate) kb: RwSignal<Option<Arc<Finder>>>,
    pub(crate) ui: Ui,
}

impl Links {
    /// `src` in the Markdown subset (`chorus_ui::markdown`, as the
    /// console's previews draw it). A link to an article the knowledge base
    /// has opens it in the Search tab; any other is its text. Drawn again
    /// when the knowledge base changes.
    pub(crate) fn body(self, src: String) -> AnyView {
        let Links { kb, ui } = self;
        chorus_ui::markdown(
            &src,
            move |id| kb.with(|k| k.as_ref().is_some_and(|f| f.article(id).is_some())),
            move |id| ui.open_article(id),
        )
    }
}

/// Marked runs as text nodes, matches in `<mark>`.
pub(crate) fn marked(runs: Marked) -> impl IntoView {
    runs.into_iter()
        .map(|(text, hit)| {
            if hit {
                view! { <mark>{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}

/// Brings option `i` of the listbox (in the same shadow root as `input`)
/// into view.
fn reveal(input: NodeRef<Input>, i: usize) {
    request_animation_frame(move || {
        let Some(root) = input
            .get_untracked()
            .and_then(|el| el.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok())
        else {
            return;
        };
        if let Some(el) = root.get_element_by_id(&format!("chorus-opt-{i}"))
            && let Ok(f) = js_sys::Reflect::get(&el, &JsValue::from_str("scrollIntoView"))
            && let Some(f) = f.dyn_ref::<js_sys::Function>()
        {
            let opts = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&opts, &"block".into(), &"nearest".into());
            let _ = f.call1(&el, &opts);
        }
    });
}

/// The whole widget panel.
#[component]
pub fn App(handle: Handle) -> impl IntoView {
    let Handle {
        open,
        config,
        error,
        ui,
        kb,
        kb_version,
        kb_builds,
        ..
    } = handle.clone();
    let Ui {
        tab: _,
        query,
        view,
        active,
        input,
        back,
    } = ui;
    let t = handle.t;
    let tab = ui.tab;
    let hs = StoredValue::new_local(handle.clone());

    let indexed = handle.indexed;
    let results: Memo<Vec<Row>> = Memo::new(move |_| {
        let q = query.get();
        indexed.track();
        kb.with(|k| k.as_ref().map(|f| f.find(&q)).unwrap_or_default())
    });
    let loaded = move || kb.with(Option::is_some);
    let searching = move || !query.with(|q| q.trim().is_empty());
    // Results of a query are known once the index is built.
    let answered = move || {
        indexed.track();
        kb.with(|k| k.as_ref().is_some_and(|f| f.ready()))
    };
    // The first query (or a new knowledge base while searching) builds the index.
    let h_index = handle.clone();
    Effect::new(move |_| {
        if searching() && loaded() {
            h_index.want_search();
        }
    });

    // Count a query with no result once the customer settles on it.
    let missed = handle.missed.clone();
    Effect::new(move |_| {
        let q = query.get();
        let found = !results.with(Vec::is_empty);
        if loaded() && (q.trim().is_empty() || answered()) {
            missed.saw(&q, found);
        }
    });

    let h_close = handle.clone();
    let h_key = handle.clone();
    let on_panel_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            h_key.set_open(false);
        } else if ev.key() == "Tab" {
            trap_focus(&ev);
        }
    };

    let on_input_key = move |ev: web_sys::KeyboardEvent| {
        let n = results.with_untracked(Vec::len);
        match ev.key().as_str() {
            "ArrowDown" | "ArrowUp" if n > 0 => {
                ev.prevent_default();
                let down = ev.key() == "ArrowDown";
                let next = match (active.get_untracked(), down) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(i), true) => (i + 1).min(n - 1),
                    (Some(i), false) => i.saturating_sub(1),
                };
                active.set(Some(next));
                reveal(input, next);
            }
            "Enter" => {
                let pick = active.get_untracked().or(searching().then_some(0));
                let id =
                    pick.and_then(|i| results.with_untracked(|r| r.get(i).map(|r| r.id.clone())));
                if let Some(id) = id {
                    ev.prevent_default();
                    ui.open_article(id);
                } else if n == 0 && searching() && loaded() && answered() {
                    ev.prevent_default();
                    hs.get_value().ask_query();
                }
            }
            "Escape" if !query.with_untracked(String::is_empty) => {
                // First Escape clears; the next one (empty box) closes.
                ev.prevent_default();
                ev.stop_propagation();
                ui.set_query(String::new());
            }
            _ => {}
        }
    };

    let count = move || {
        if !loaded() || !searching() || !answered() {
            return String::new();
        }
        match results.with(Vec::len) {
            0 => t.none.to_string(),
            1 => t.one.to_string(),
            n => format!("{n} {}", t.many),
        }
    };

    let list = move || {
        results
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let id = row.id.clone();
                view! {
                    <li
                        class="result"
                        role="option"
                        id=format!("chorus-opt-{i}")
                        data-id=row.id.clone()
                        aria-selected=move || if active.get() == Some(i) { "true" } else { "false" }
                        on:click=move |_| ui.open_article(id.clone())
                    >
                        <span class="rt">{marked(row.title)}</span>
                        {(!row.snippet.is_empty()).then(|| view! { <span class="rs">{marked(row.snippet)}</span> })}
                    </li>
                }
            })
            .collect_view()
    };

    let search_view = move || {
        view! {
            <div class="search">
                <input
                    type="search"
                    class="q"
                    node_ref=input
                    role="combobox"
                    aria-autocomplete="list"
                    aria-controls="chorus-results"
                    aria-expanded=move || if results.with(Vec::is_empty) { "false" } else { "true" }
                    aria-activedescendant=move || active.get().map(|i| format!("chorus-opt-{i}"))
                    aria-label=t.search
                    placeholder=t.search
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || query.get()
                    on:input=move |ev| ui.set_query(event_target_value(&ev))
                    on:keydown=on_input_key
                />
                <p class="sr" role="status" aria-live="polite">{count}</p>
                <Show when=loaded fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    <ul class="results" id="chorus-results" role="listbox" aria-label=t.results>
                        {list}
                    </ul>
                    <Show when=move || searching() && answered() && results.with(Vec::is_empty)>
                        <p class="empty">
                            {t.none}{" — "}
                            <button type="button" class="ask" on:click=move |_| hs.get_value().ask_query()>{t.ask_it}</button>
                        </p>
                    </Show>
                </Show>
            </div>
        }
    };

    let article_view = move |id: String| {
        let a = kb.with_untracked(|k| k.as_ref().and_then(|f| f.article(&id).cloned()));
        view! {
            <article class="article">
                <button class="back" node_ref=back on:click=move |_| ui.back_to_search()>{t.back}</button>
                {a.map(|a| view! {
                    <h3>{a.title}</h3>
                    <div class="body">{lazy_body(a.body, hs)}</div>
                })}
            </article>
        }
    };

    let h_tabs = handle.clone();
    let on_tab_key = move |ev: web_sys::KeyboardEvent| {
        let i = TABS
            .iter()
            .position(|x| *x == tab.get_untracked())
            .unwrap_or(0);
        let next = match ev.key().as_str() {
            "ArrowRight" => (i + 1) % TABS.len(),
            "ArrowLeft" => (i + TABS.len() - 1) % TABS.len(),
            "Home" => 0,
            "End" => TABS.len() - 1,
            _ => return,
        };
        ev.prevent_default();
        h_tabs.select(TABS[next]);
        let list = ev
            .current_target()
            .and_then(|x| x.dyn_into::<web_sys::Element>().ok());
        request_animation_frame(move || {
            if let Some(el) = list
                .and_then(|l| {
                    l.query_selector(&format!("#{}", TABS[next].id()))
                        .ok()
                        .flatten()
                })
                .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        });
    };
    let unseen = handle.mine.unseen;
    let tabs = TABS
        .iter()
        .map(|&x| {
            let h = handle.clone();
            view! {
                <button
                    type="button"
                    role="tab"
                    class="tab"
                    id=x.id()
                    aria-controls="chorus-tabpanel"
                    aria-selected=move || if tab.get() == x { "true" } else { "false" }
                    tabindex=move || if tab.get() == x { "0" } else { "-1" }
                    on:click=move |_| h.select(x)
                >
                    {x.label(t)}
                    {(x == Tab::Mine).then(|| view! {
                        <Show when=move || { unseen.get() > 0 }>
                            <span class="badge">{move || unseen.get().to_string()}<span class="sr">{t.badge_sr}</span></span>
                        </Show>
                    })}
                </button>
            }
        })
        .collect_view();

    // The brand's name, or "Help" until (or unless) the configuration loads.
    let name = move || {
        config
            .get()
            .map(|c| c.name)
            .unwrap_or_else(|| t.help.into())
    };
    view! {
        <div
            class="panel"
            role="dialog"
            aria-modal="true"
            aria-label=name
            hidden=move || !open.get()
            data-kb-version=move || kb_version.get()
            data-kb-builds=move || kb_builds.get().to_string()
            on:keydown=on_panel_key
        >
            <div class="head">
                <div>
                    <h2 class="title">{name}</h2>
                    <p class="greeting">{move || config.get().map(|c| c.greeting).unwrap_or_default()}</p>
                </div>
                <button class="close" aria-label=t.close on:click=move |_| h_close.set_open(false)>"×"</button>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="tabs" role="tablist" aria-label=t.sections on:keydown=on_tab_key>{tabs}</div>
            // Focusable (tabindex 0, as in the ARIA tabs pattern): the panel
            // scrolls, and a long feed after its last page holds no control.
            <div class="tp" role="tabpanel" id="chorus-tabpanel" tabindex="0" aria-labelledby=move || tab.get().id()>
                {move || match tab.get() {
                    Tab::Search => match view.get() {
                        View::Search => search_view().into_any(),
                        View::Article(id) => article_view(id).into_any(),
                    },
                    other => lazy_tab(other, hs, t),
                }}
            </div>
        </div>
    }
}

/// The Answered, Ask or My questions panel. With `split` their views are a
/// wasm chunk fetched the first time one of them is shown.
fn lazy_tab(tab: Tab, hs: StoredValue<Handle, LocalStorage>, t: &'static Strings) -> AnyView {
    #[cfg(feature = "split")]
    {
        let ready = hs.with_value(|h| h.tabs_ready);
        if !ready.get_untracked() {
            spawn_local(async move {
                preload_tabs().await;
                ready.set(true);
                let h = hs.get_value();
                if h.ui.tab.get_untracked() == Tab::Ask {
                    // `select` focused before the view existed.
                    h.focus_ask();
                }
            });
        }
        // Once the chunk is loaded, the split function's future is ready
        // at its first poll.
        (move || {
            ready
                .get()
                .then(|| ready_now(tab_view(tab, hs, t)))
                .flatten()
        })
        .into_any()
    }
    #[cfg(not(feature = "split"))]
    tab_view(tab, hs, t)
}

/// An article's body in the Markdown subset. With `split` the renderer
/// (and core's parser, shared with the answers of the tabs chunk) is a
/// chunk fetched when the first article opens.
fn lazy_body(body: String, hs: StoredValue<Handle, LocalStorage>) -> AnyView {
    let links = hs.with_value(Handle::links);
    #[cfg(feature = "split")]
    {
        let ready = hs.with_value(|h| h.article_ready);
        if !ready.get_untracked() {
            spawn_local(async move {
                preload_article().await;
                ready.set(true);
            });
        }
        (move || {
            ready
                .get()
                .then(|| ready_now(article_body(body.clone(), links)))
                .flatten()
        })
        .into_any()
    }
    #[cfg(not(feature = "split"))]
    article_body(body, links)
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        article,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_article)
    )
)]
fn article_body(body: String, links: Links) -> AnyView {
    links.body(body).into_any()
}

/// The output of `f` if it is ready at its first poll.
#[cfg(feature = "split")]
fn ready_now<T>(f: impl std::future::Future<Output = T>) -> Option<T> {
    use std::task::{Context, Poll, Waker};
    let mut f = std::pin::pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// The view of a tab other than Search.
#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(
        tabs,
        wasm_split_path = ::leptos::wasm_split,
        preload(preload_tabs)
    )
)]
fn tab_view(tab: Tab, hs: StoredValue<Handle, LocalStorage>, t: &'static Strings) -> AnyView {
    match tab {
        Tab::Answered => {
            hs.with_value(|h| h.load_feed(false));
            feed_view(hs, t).into_any()
        }
        Tab::Ask => ask_view(hs, t).into_any(),
        Tab::Mine => mine_view(hs, t).into_any(),
        Tab::Search => ().into_any(),
    }
}

/// Keeps Tab inside the open dialog: from its last control Tab wraps to the
/// first, from the first Shift+Tab wraps to the last (WCAG 2.1 modal dialog).
fn trap_focus(ev: &web_sys::KeyboardEvent) {
    use wasm_bindgen::JsCast;
    let Some(panel) = ev
        .current_target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return;
    };
    let Ok(nodes) = panel.query_selector_all(
        "button:not([disabled]), [href], input:not([disabled]), textarea:not([disabled]), select, [tabindex]:not([tabindex='-1'])",
    ) else {
        return;
    };
    let focusable: Vec<web_sys::HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.get(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .filter(|e| e.closest("[hidden]").ok().flatten().is_none() && e.tab_index() >= 0)
        .collect();
    let (Some(first), Some(last)) = (focusable.first(), focusable.last()) else {
        return;
    };
    let Some(target) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let wrap_to = if ev.shift_key() && target == *first {
        Some(last)
    } else if !ev.shift_key() && target == *last {
        Some(first)
    } else {
        None
    };
    if let Some(el) = wrap_to {
        ev.prevent_default();
        let _ = el.focus();
    }
}
