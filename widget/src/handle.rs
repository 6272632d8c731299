//! One mounted widget's state and its command handle: the options embed.js
//! read from the script tag, the `Chorus(...)` commands, opening and
//! closing, and the knowledge base's load: on the first open the last copy
//! kept in localStorage ([`crate::store`]) is indexed and shown at once,
//! then `/kb` is revalidated with `If-None-Match`; a 304 keeps the index, a
//! new ETag rebuilds it.

use std::sync::Arc;

use chorus_core::api::{Article, BrandConfig};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsValue;

use crate::app::{Links, Tab, Ui, View};
use crate::ask::Ask;
use crate::feed::Feed;
use crate::find::Finder;
use crate::i18n::{Strings, strings};
use crate::mine::Mine;
use crate::missed::Missed;
use crate::{api, store};

/// Options read by embed.js from the script tag.
#[derive(Debug, Clone)]
pub struct Options {
    /// Brand slug.
    pub brand: String,
    /// API origin (where embed.js came from).
    pub base: String,
    /// UI language override (`data-lang`).
    pub lang: Option<String>,
    /// Text direction override (`data-dir`: `rtl` or `ltr`).
    pub dir: Option<String>,
}

impl Options {
    /// Reads `{brand, base, lang?, dir?}` from a JS object.
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
            dir: get("dir"),
        })
    }

    /// `rtl` when `data-dir` says so or, without it, for a right-to-left
    /// language (Arabic, Hebrew, Persian, Urdu; shown with English strings).
    pub fn dir(&self) -> &'static str {
        let lang = self.lang.as_deref().unwrap_or("");
        let rtl = match self.dir.as_deref() {
            Some(d) => d == "rtl",
            None => ["ar", "he", "fa", "ur"].iter().any(|l| lang.starts_with(l)),
        };
        if rtl { "rtl" } else { "ltr" }
    }
}

/// Shared state of one mounted widget; cheap to clone (signals are handles).
#[derive(Clone)]
pub struct Handle {
    pub(crate) opts: Options,
    pub(crate) t: &'static Strings,
    pub(crate) launcher: web_sys::HtmlElement,
    pub(crate) open: RwSignal<bool>,
    pub(crate) config: RwSignal<Option<BrandConfig>>,
    pub(crate) error: RwSignal<Option<String>>,
    pub(crate) ui: Ui,
    pub(crate) loaded: RwSignal<bool>,
    pub(crate) kb: RwSignal<Option<Arc<Finder>>>,
    /// ETag of the indexed knowledge base and how often it was indexed in
    /// this page (exposed as data attributes for tests and debugging).
    pub(crate) kb_version: RwSignal<String>,
    pub(crate) kb_builds: RwSignal<u32>,
    /// Bumped when an index is built ([`Finder::prepare`]), so results
    /// computed before it are computed again.
    pub(crate) indexed: RwSignal<u32>,
    pub(crate) missed: Missed,
    /// Whether the tabs chunk (Answered, Ask, My questions) is loaded.
    #[cfg(feature = "split")]
    pub(crate) tabs_ready: RwSignal<bool>,
    /// Whether the article chunk (the Markdown renderer) is loaded.
    #[cfg(feature = "split")]
    pub(crate) article_ready: RwSignal<bool>,
    pub(crate) feed: Feed,
    pub(crate) ask: Ask,
    pub(crate) mine: Mine,
}

impl Handle {
    /// New handle, closed.
    pub fn new(opts: Options, launcher: web_sys::HtmlElement) -> Self {
        let missed = Missed::new(&opts.base, &opts.brand);
        let t = strings(opts.lang.as_deref().unwrap_or("en"));
        Self {
            opts,
            t,
            launcher,
            open: RwSignal::new(false),
            config: RwSignal::new(None),
            error: RwSignal::new(None),
            ui: Ui::new(),
            loaded: RwSignal::new(false),
            kb: RwSignal::new(None),
            kb_version: RwSignal::new(String::new()),
            kb_builds: RwSignal::new(0),
            indexed: RwSignal::new(0),
            missed,
            #[cfg(feature = "split")]
            tabs_ready: RwSignal::new(false),
            #[cfg(feature = "split")]
            article_ready: RwSignal::new(false),
            feed: Feed::new(),
            ask: Ask::new(),
            mine: Mine::new(),
        }
    }

    /// Shows tab `tab`.
    pub(crate) fn select(&self, tab: Tab) {
        self.ui.tab.set(tab);
        match tab {
            // The Answered view loads the feed when it is built (with
            // `split`, in its chunk).
            Tab::Answered => {}
            Tab::Mine => self.mark_seen(),
            Tab::Ask => self.focus_ask(),
            Tab::Search => {}
        }
    }

    /// Focuses the question box once it is rendered.
    pub(crate) fn focus_ask(&self) {
        let input = self.ask.input;
        request_animation_frame(move || {
            if let Some(i) = input.get_untracked() {
                let _ = i.focus();
            }
        });
    }

    /// Builds the index of the knowledge base shown, if not yet built
    /// (with `split`, fetching the search chunk first); results follow.
    pub(crate) fn want_search(&self) {
        let Some(f) = self.kb.get_untracked() else {
            return;
        };
        if f.ready() {
            return;
        }
        let indexed = self.indexed;
        spawn_local(async move {
            if f.prepare().await {
                indexed.update(|n| *n += 1);
            }
        });
    }

    /// Opens article `id` in the Search tab.
    pub(crate) fn open_article(&self, id: String) {
        self.ui.open_article(id);
    }

    /// What answers and articles need for their links to articles.
    pub(crate) fn links(&self) -> Links {
        Links {
            kb: self.kb,
            ui: self.ui,
        }
    }

    /// "Ask this question" from a search with no result.
    pub(crate) fn ask_query(&self) {
        let q = self.ui.query.get_untracked().trim().to_string();
        emit("chorus:ask", &[("text", &q)]);
        self.ask_with(q);
    }

    /// Runs one `Chorus(...)` command.
    pub fn command(&self, name: &str, arg: Option<String>) {
        match name {
            "open" => self.set_open(true),
            "close" => self.set_open(false),
            "toggle" => self.set_open(!self.open.get_untracked()),
            "search" => {
                self.ui.set_query(arg.unwrap_or_default());
                self.ui.view.set(View::Search);
                self.ui.tab.set(Tab::Search);
                self.set_open(true);
            }
            "ask" => {
                self.set_open(true);
                self.ask_with(arg.unwrap_or_default());
            }
            _ => {}
        }
    }

    /// The page is going away: send the missed searches still held.
    pub fn page_hidden(&self) {
        self.missed.flush();
    }

    pub(crate) fn set_open(&self, open: bool) {
        if self.open.get_untracked() == open {
            return;
        }
        self.open.set(open);
        let _ = self
            .launcher
            .set_attribute("aria-expanded", if open { "true" } else { "false" });
        if open {
            self.load();
            self.ui.focus_input();
            self.poll_mine();
            emit("chorus:open", &[]);
        } else {
            self.stop_polling();
            self.missed.flush();
            let _ = self.launcher.focus();
            emit("chorus:close", &[]);
        }
    }

    /// Indexes `articles` (version `etag`) and shows them.
    pub(crate) fn install(&self, articles: Vec<Article>, etag: String) {
        self.kb.set(Some(Arc::new(Finder::new(articles))));
        self.kb_version.set(etag);
        self.kb_builds.update(|n| *n += 1);
    }

    pub(crate) fn load(&self) {
        if self.loaded.get_untracked() {
            return;
        }
        self.loaded.set(true);
        let (base, brand) = (self.opts.base.clone(), self.opts.brand.clone());

        let h = self.clone();
        let (b, path) = (base.clone(), format!("/v1/{brand}/config"));
        spawn_local(async move {
            match api::get_text(&b, &path, None).await {
                Ok(r) if r.status == 200 => match api::parse_config(&r.text) {
                    Some(c) => h.config.set(Some(c)),
                    None => h.error.set(Some("unreadable configuration".into())),
                },
                Ok(r) => h.error.set(Some(r.error().0)),
                Err(e) => h.error.set(Some(e.0)),
            }
        });

        // Render from the last copy at once; the network only confirms it.
        let mut known = None;
        if let Some((etag, body)) = store::load(&brand)
            && let Some(articles) = api::parse_kb(&body)
        {
            self.install(articles, etag.clone());
            known = Some(etag);
        }
        let h = self.clone();
        spawn_local(async move {
            let path = format!("/v1/{brand}/kb");
            let reply = api::get_text(&base, &path, known.as_deref()).await;
            let fail = |msg: String| {
                // With a cached copy on screen, a failed revalidation is
                // not worth an error message.
                if known.is_none() {
                    h.error.set(Some(msg));
                }
            };
            match reply {
                Ok(r) if r.status == 304 => {}
                Ok(r) if r.status == 200 => {
                    let etag = r.etag.clone().unwrap_or_default();
                    if !etag.is_empty() && known.as_deref() == Some(etag.as_str()) {
                        return;
                    }
                    match api::parse_kb(&r.text) {
                        Some(articles) => {
                            h.install(articles, etag.clone());
                            if !etag.is_empty() {
                                store::save(&brand, &etag, &r.text);
                            }
                        }
                        None => fail("unreadable knowledge base".into()),
                    }
                }
                Ok(r) => fail(r.error().0),
                Err(e) => fail(e.0),
            }
        });
    }
}

/// Dispatches a DOM event on `window` so the host page can hook analytics;
/// `detail` (string fields) becomes `event.detail`.
pub(crate) fn emit(name: &str, detail: &[(&str, &str)]) {
    let Some(w) = web_sys::window() else { return };
    let init = web_sys::CustomEventInit::new();
    if !detail.is_empty() {
        let d = js_sys::Object::new();
        for (k, v) in detail {
            let _ = js_sys::Reflect::set(&d, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        init.set_detail(&d);
    }
    if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = w.dispatch_event(&ev);
    }
}
