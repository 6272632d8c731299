//! The Answered tab: the brand's public feed, each group once, newest
//! answer first, paged by cursor. The next page loads when the end of the
//! list scrolls into view (an IntersectionObserver on a sentinel inside the
//! tab panel, the scroll container in the shadow root), or with the "Load
//! more" button, kept for keyboards and assistive technology.
//!
//! Also the answer block shared by every tab: the answer in the Markdown
//! subset, drawn by `chorus_ui::markdown` like the console's previews.

use chorus_core::api::{Answer, FeedItem};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use crate::api;
use crate::app::Links;
use crate::handle::Handle;
use crate::i18n::{Strings, ago, asked_by};

/// Items per feed page.
const PAGE: u32 = 10;

/// The feed as loaded so far.
#[derive(Clone, Copy)]
pub struct Feed {
    pub items: RwSignal<Vec<FeedItem>>,
    pub next: RwSignal<Option<String>>,
    pub started: RwSignal<bool>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

impl Feed {
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next: RwSignal::new(None),
            started: RwSignal::new(false),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }
}

impl Handle {
    /// Loads the first page once, or the next page with `more`.
    pub(crate) fn load_feed(&self, more: bool) {
        let f = self.feed;
        if f.loading.get_untracked() || (!more && f.started.get_untracked()) {
            return;
        }
        let cursor = if more {
            match f.next.get_untracked() {
                Some(c) => Some(c),
                None => return,
            }
        } else {
            None
        };
        f.started.set(true);
        f.loading.set(true);
        let mut path = format!("/v1/{}/feed?limit={PAGE}", self.opts.brand);
        if let Some(c) = cursor {
            path.push_str("&cursor=");
            path.push_str(&String::from(js_sys::encode_uri_component(&c)));
        }
        let base = self.opts.base.clone();
        spawn_local(async move {
            let reply = api::get_text(&base, &path, None).await;
            f.loading.set(false);
            match reply {
                Ok(r) if r.status == 200 => match crate::qa::parse_feed(&r.text) {
                    Some((items, next)) => {
                        f.error.set(None);
                        f.items.update(|all| {
                            for it in items {
                                if !all.iter().any(|x| x.group_id == it.group_id) {
                                    all.push(it);
                                }
                            }
                        });
                        f.next.set(next);
                    }
                    None => f.error.set(Some("unreadable feed".into())),
                },
                Ok(r) => f.error.set(Some(r.error().0)),
                Err(e) => f.error.set(Some(e.0)),
            }
        });
    }
}

/// The observer watching a sentinel and its callback.
type Watch = (
    IntersectionObserver,
    Closure<dyn Fn(js_sys::Array, IntersectionObserver)>,
);

/// Watches the feed's sentinel `el`: once it comes within 200 px of the
/// bottom of the tab panel (the scroll container inside the shadow root),
/// the next page loads and the watch ends. `load_feed` refuses a second
/// load while one is in flight, and there is no sentinel after the last
/// page. When the sentinel goes (a page loads, the tab closes), its
/// observer is disconnected and its callback freed.
fn near_end(el: web_sys::Element, hs: StoredValue<Handle, LocalStorage>) {
    let watch = StoredValue::new_local(None::<Watch>);
    on_cleanup(move || {
        if let Some(Some((obs, _callback))) = watch.try_update_value(Option::take) {
            obs.disconnect();
        }
    });
    // The directive runs before the sentinel is in the document; its
    // scroll container (the observer's root) is known once it is drawn.
    request_animation_frame(move || {
        if !el.is_connected() {
            return;
        }
        let on_seen = Closure::<dyn Fn(js_sys::Array, IntersectionObserver)>::new(
            move |entries: js_sys::Array, obs: IntersectionObserver| {
                let seen = entries.iter().any(|e| {
                    e.unchecked_into::<IntersectionObserverEntry>()
                        .is_intersecting()
                });
                if seen {
                    obs.disconnect();
                    hs.get_value().load_feed(true);
                }
            },
        );
        let init = IntersectionObserverInit::new();
        init.set_root_margin("0px 0px 200px 0px");
        if let Ok(Some(root)) = el.closest(".tp") {
            init.set_root(Some(&root));
        }
        if let Ok(obs) =
            IntersectionObserver::new_with_options(on_seen.as_ref().unchecked_ref(), &init)
        {
            obs.observe(&el);
            // Kept until the sentinel goes (or, if it went already, now).
            let mut w = Some((obs, on_seen));
            watch.try_update_value(|slot| *slot = w.take());
            if let Some((obs, _callback)) = w {
                obs.disconnect();
            }
        }
    });
}

/// Milliseconds since the epoch, now.
pub fn now() -> i64 {
    js_sys::Date::now() as i64
}

/// An answer: its text, who answered (initials and name) and when.
pub fn answer_view(a: Answer, t: &'static Strings, links: Links) -> impl IntoView {
    let initials = if a.agent.initials.trim().is_empty() {
        a.agent
            .name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect()
    } else {
        a.agent.initials.clone()
    };
    view! {
        <div class="ans">
            <div class="ab">{links.body(a.body)}</div>
            <p class="by">
                <span class="av" aria-hidden="true">{initials}</span>
                <span class="who">{a.agent.name}</span>
                <span class="when">{ago(t, a.answered_at, now())}</span>
            </p>
        </div>
    }
}

/// The Answered tab.
pub fn feed_view(hs: StoredValue<Handle, LocalStorage>, t: &'static Strings) -> impl IntoView {
    let (f, links) = hs.with_value(|h| (h.feed, h.links()));
    let list = move || {
        f.items
            .get()
            .into_iter()
            .map(|it| {
                view! {
                    <li class="qa" data-group=it.group_id.clone()>
                        <h3 class="qq">{it.question}</h3>
                        <p class="cnt">{asked_by(t, it.asked_count)}</p>
                        {answer_view(it.answer, t, links)}
                    </li>
                }
            })
            .collect_view()
    };
    let more = move |_| hs.get_value().load_feed(true);
    // Drawn again for each page (not while one loads, not after the last),
    // so a sentinel still in view after a short page fires again.
    view! {
        <div class="feed pane">
            <ul class="qas" aria-label=t.tab_answered>{list}</ul>
            <Show when=move || f.loading.get()>
                <p class="muted">{t.loading}</p>
            </Show>
            <Show when=move || f.error.get().is_some()>
                <p class="error" role="alert">{move || f.error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || !f.loading.get() && f.started.get() && f.error.get().is_none() && f.items.with(Vec::is_empty)>
                <p class="muted">{t.feed_empty}</p>
            </Show>
            <Show when=move || f.next.with(Option::is_some) && !f.loading.get()>
                <div class="end" aria-hidden="true" use:near_end=hs></div>
                <button type="button" class="more" on:click=more>{t.load_more}</button>
            </Show>
        </div>
    }
}
