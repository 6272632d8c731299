//! The console shell: session, routing, header, live announcements
//! (sign-in: `signin.rs`; browser helpers: `dom.rs`).

use chorus_core::api::{GroupSummary, Me, Role};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::api::{ApiError, Client};
use crate::dom::{focus_heading, now_ms};
use crate::i18n::{self, Strings};
use crate::signin::{SignIn, sign_in_message};
use crate::{audit, group, kb, metrics, queue, replies, settings, team, webhooks};

/// A view of the console, kept in the URL's hash (`#/group/g12`).
#[derive(Debug, Clone, PartialEq)]
pub enum Route {
    /// The queue of groups.
    Queue,
    /// One group; `answer` puts focus in the answer box.
    Group { id: String, answer: bool },
    /// Knowledge-base editor; `article` opens that article's editor
    /// (`#/kb/ID`, where a link to an article in a preview leads).
    Kb { article: Option<String> },
    /// Metrics.
    Metrics,
    /// Audit log.
    Audit,
    /// The team's saved replies (everyone reads, leads write).
    Replies,
    /// The team's agents (leads).
    Team,
    /// Webhooks (leads).
    Webhooks,
    /// Brand settings (leads).
    Settings,
}

impl Route {
    /// Views only leads may open.
    pub fn lead_only(&self) -> bool {
        matches!(self, Route::Team | Route::Webhooks | Route::Settings)
    }
}

impl Route {
    /// Parses `location.hash`; anything unknown is the queue.
    pub fn parse(hash: &str) -> Self {
        let h = hash.trim_start_matches('#').trim_start_matches('/');
        let parts: Vec<&str> = h.split('/').collect();
        match parts.as_slice() {
            ["group", id] if !id.is_empty() => Route::Group {
                id: id.to_string(),
                answer: false,
            },
            ["group", id, "answer"] if !id.is_empty() => Route::Group {
                id: id.to_string(),
                answer: true,
            },
            ["kb"] => Route::Kb { article: None },
            ["kb", id] if !id.is_empty() => Route::Kb {
                article: Some(id.to_string()),
            },
            ["metrics"] => Route::Metrics,
            ["audit"] => Route::Audit,
            ["replies"] => Route::Replies,
            ["team"] => Route::Team,
            ["webhooks"] => Route::Webhooks,
            ["settings"] => Route::Settings,
            _ => Route::Queue,
        }
    }
}

/// Sets `location.hash`, which the hashchange listener turns into a route.
pub fn go(hash: &str) {
    let _ = window().location().set_hash(hash);
}

/// The queue's filters and latest rows; polled in the background.
#[derive(Clone, Copy)]
pub struct QueueState {
    /// `open|answered|private|flagged|all`.
    pub status: RwSignal<String>,
    /// `priority|newest|largest`.
    pub sort: RwSignal<String>,
    /// Text filter.
    pub q: RwSignal<String>,
    /// Latest rows.
    pub groups: RwSignal<Vec<GroupSummary>>,
    /// Whether a first answer arrived.
    pub loaded: RwSignal<bool>,
    /// Last error, if the last poll failed.
    pub error: RwSignal<Option<String>>,
    /// Bumped to refetch at once (filters changed, an action happened).
    pub kick: RwSignal<u32>,
    /// Keyboard selection in the queue.
    pub selected: RwSignal<usize>,
    /// Polling paused because the tab is hidden.
    pub paused: RwSignal<bool>,
    /// Pages of the queue shown ("Load more" adds one).
    pub pages: RwSignal<usize>,
    /// Whether the server has more rows than shown.
    pub more: RwSignal<bool>,
}

/// Everything views share; `Copy` (signals are handles).
#[derive(Clone, Copy)]
pub struct Ctx {
    /// Signed-in API client.
    pub client: RwSignal<Option<Client>>,
    /// The signed-in agent.
    pub me: RwSignal<Option<Me>>,
    /// UI strings.
    pub t: RwSignal<&'static Strings>,
    /// Current view.
    pub route: RwSignal<Route>,
    /// Text for the polite live region (and the visible status line).
    pub announce: RwSignal<String>,
    /// Sign-in error shown on the sign-in form.
    pub sign_in_error: RwSignal<Option<String>>,
    /// Changes at every sign-in/out so background loops know to stop.
    pub generation: RwSignal<u32>,
    /// Current time (ms), ticks every 15 s for relative times.
    pub now: RwSignal<f64>,
    /// The queue.
    pub queue: QueueState,
}

impl Ctx {
    /// The signed-in client (views exist only while signed in).
    pub fn client(&self) -> Option<Client> {
        self.client.get_untracked()
    }

    /// A view's reload function: fetches with the signed-in client, puts the
    /// result in `into` (or the error in `error`) and marks `loaded`.
    pub fn loader<T, F, Fut>(
        self,
        fetch: F,
        into: RwSignal<T>,
        error: RwSignal<Option<String>>,
        loaded: RwSignal<bool>,
    ) -> impl Fn() + Copy + 'static
    where
        T: Send + Sync + 'static,
        F: Fn(Client) -> Fut + Copy + 'static,
        Fut: std::future::Future<Output = Result<T, ApiError>> + 'static,
    {
        move || {
            let Some(client) = self.client() else { return };
            spawn_local(async move {
                match fetch(client).await {
                    Ok(v) => {
                        into.set(v);
                        error.set(None);
                    }
                    Err(e) => error.set(Some(self.fail(&e))),
                }
                loaded.set(true);
            });
        }
    }

    /// Says `msg` to screen readers and in the status line.
    pub fn say(&self, msg: impl Into<String>) {
        // Clearing first makes a repeated message be read again.
        self.announce.set(String::new());
        let a = self.announce;
        let msg = msg.into();
        let shown = msg.clone();
        request_animation_frame(move || a.set(msg));
        // The visible line fades after a while; screen readers already read it.
        set_timeout(
            move || {
                if a.get_untracked() == shown {
                    a.set(String::new());
                }
            },
            std::time::Duration::from_secs(8),
        );
    }

    /// A failure as a sentence; a 401 also signs out (the token was revoked).
    pub fn fail(&self, e: &ApiError) -> String {
        let t = self.t.get_untracked();
        match e.status {
            401 => {
                let msg = t.err_token.to_string();
                self.sign_out(Some(msg.clone()));
                msg
            }
            403 => format!("{} ({})", t.err_forbidden, e.message),
            0 => t.err_network.to_string(),
            _ => e.message.clone(),
        }
    }

    /// Forgets the token and returns to the sign-in form.
    pub fn sign_out(&self, error: Option<String>) {
        crate::session::remove("token");
        self.generation.update(|g| *g += 1);
        self.client.set(None);
        self.me.set(None);
        self.queue.groups.set(Vec::new());
        self.queue.loaded.set(false);
        self.sign_in_error.set(error);
    }

    /// Becomes signed in as `me` and starts polling the queue.
    pub fn signed_in(&self, client: Client, me: Me) {
        crate::session::set("brand", &client.brand);
        crate::session::set("token", &client.token);
        self.generation.update(|g| *g += 1);
        self.sign_in_error.set(None);
        self.client.set(Some(client));
        let name = me.name.clone();
        self.me.set(Some(me));
        self.say((self.t.get_untracked().signed_in_as)(&name));
        queue::start_polling(*self);
    }
}

fn set_document_lang(t: &Strings) {
    if let Some(el) = document().document_element() {
        let _ = el.set_attribute("lang", t.lang);
    }
    document().set_title(t.app_title);
}

fn url_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
        .filter(|v| !v.is_empty())
}

/// The whole console.
#[component]
pub fn App() -> impl IntoView {
    let lang = url_param("lang")
        .or_else(|| crate::session::get("lang"))
        .or_else(|| window().navigator().language())
        .unwrap_or_else(|| "en".into());
    let t = RwSignal::new(i18n::strings(&lang));
    set_document_lang(t.get_untracked());
    let ctx = Ctx {
        client: RwSignal::new(None),
        me: RwSignal::new(None),
        t,
        route: RwSignal::new(Route::parse(
            &window().location().hash().unwrap_or_default(),
        )),
        announce: RwSignal::new(String::new()),
        sign_in_error: RwSignal::new(None),
        generation: RwSignal::new(0),
        now: RwSignal::new(now_ms()),
        queue: QueueState {
            status: RwSignal::new("open".into()),
            sort: RwSignal::new("priority".into()),
            q: RwSignal::new(String::new()),
            groups: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            error: RwSignal::new(None),
            kick: RwSignal::new(0),
            selected: RwSignal::new(0),
            paused: RwSignal::new(false),
            pages: RwSignal::new(1),
            more: RwSignal::new(false),
        },
    };
    provide_context(ctx);

    let route = ctx.route;
    let on_hash = window_event_listener_untyped("hashchange", move |_| {
        let r = Route::parse(&window().location().hash().unwrap_or_default());
        if r != route.get_untracked() {
            route.set(r);
            focus_heading();
        }
    });
    on_cleanup(move || on_hash.remove());
    let now = ctx.now;
    set_interval(
        move || now.set(now_ms()),
        std::time::Duration::from_secs(15),
    );

    // Resume a session kept in this tab.
    let checking = RwSignal::new(false);
    let url_brand = url_param("brand");
    let stored_brand = crate::session::get("brand");
    if let (Some(token), Some(brand)) = (crate::session::get("token"), stored_brand.clone())
        && url_brand.as_ref().is_none_or(|b| *b == brand)
    {
        checking.set(true);
        let client = Client::new(&brand, &token);
        spawn_local(async move {
            match client.me().await {
                Ok(me) => ctx.signed_in(client, me),
                Err(e) => {
                    let msg = sign_in_message(ctx.t.get_untracked(), &e);
                    ctx.sign_out(Some(msg));
                }
            }
            checking.set(false);
        });
    }
    let initial_brand = url_brand.or(stored_brand).unwrap_or_default();

    let skip = move |ev: web_sys::MouseEvent| {
        ev.prevent_default();
        if let Some(m) = document().get_element_by_id("main")
            && let Ok(m) = m.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = m.focus();
        }
    };

    view! {
        {move || {
            let t = ctx.t.get();
            let initial_brand = initial_brand.clone();
            view! {
                <a class="skip" href="#main" on:click=skip>{t.skip}</a>
                {move || {
                    if checking.get() {
                        view! { <main id="main" tabindex="-1" class="center"><p>{t.loading}</p></main> }.into_any()
                    } else if ctx.me.get().is_some() {
                        view! { <Shell/> }.into_any()
                    } else {
                        view! { <SignIn brand=initial_brand.clone()/> }.into_any()
                    }
                }}
            }
        }}
        <div class="status-line" role="status" aria-live="polite" aria-atomic="true">
            {move || ctx.announce.get()}
        </div>
    }
}

/// English / Spanish switch; remembered for the tab.
#[component]
pub(crate) fn LangPicker() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let change = move |ev: web_sys::Event| {
        let v = event_target_value(&ev);
        crate::session::set("lang", &v);
        let s = i18n::strings(&v);
        set_document_lang(s);
        ctx.t.set(s);
    };
    view! {
        <div class="lang">
            <label for="lang">{t.language}</label>
            <select id="lang" on:change=change>
                <option value="en" selected=t.lang == "en">"English"</option>
                <option value="es" selected=t.lang == "es">"Español"</option>
            </select>
        </div>
    }
}

/// Header, navigation and the current view.
#[component]
fn Shell() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let me = ctx.me.get_untracked();
    let (name, initials, avatar, role, brand) = match me {
        Some(m) => {
            // Only http(s) photos; anything else falls back to initials.
            let avatar = m.avatar_url.filter(|u| {
                chorus_core::markdown::safe_href(u).is_some_and(|h| h.starts_with("http"))
            });
            (m.name, m.initials, avatar, m.role, m.brand)
        }
        None => (
            String::new(),
            String::new(),
            None,
            Role::Agent,
            String::new(),
        ),
    };
    let lead = role == Role::Lead;
    let role_name = match role {
        Role::Lead => t.role_lead,
        Role::Agent => t.role_agent,
    };
    let route = ctx.route;
    let nav = move |href: &'static str, label: &'static str, is: fn(&Route) -> bool| {
        view! {
            <li><a href=href aria-current=move || is(&route.get()).then_some("page")>{label}</a></li>
        }
    };
    focus_heading();
    view! {
        <header class="top">
            <div class="brand"><span class="logo" aria-hidden="true">"◆"</span>{t.app_title}<span class="slug">{brand}</span></div>
            <nav aria-label=t.nav_label>
                <ul>
                    {nav("#/queue", t.nav_queue, |r| matches!(r, Route::Queue | Route::Group { .. }))}
                    {nav("#/kb", t.nav_kb, |r| matches!(r, Route::Kb { .. }))}
                    {nav("#/metrics", t.nav_metrics, |r| matches!(r, Route::Metrics))}
                    {nav("#/replies", t.nav_replies, |r| matches!(r, Route::Replies))}
                    {nav("#/audit", t.nav_audit, |r| matches!(r, Route::Audit))}
                    {lead.then(|| view! {
                        {nav("#/team", t.nav_team, |r| matches!(r, Route::Team))}
                        {nav("#/webhooks", t.nav_webhooks, |r| matches!(r, Route::Webhooks))}
                        {nav("#/settings", t.nav_settings, |r| matches!(r, Route::Settings))}
                    })}
                </ul>
            </nav>
            <div class="me">
                {match avatar {
                    Some(src) => view! { <img class="avatar" src=src alt="" width="32" height="32"/> }.into_any(),
                    None => view! { <span class="avatar initials" aria-hidden="true">{initials}</span> }.into_any(),
                }}
                <span class="who"><span class="name">{name}</span><span class="role">{role_name}</span></span>
                <LangPicker/>
                <button class="signout" on:click=move |_| ctx.sign_out(None)>{t.sign_out}</button>
            </div>
        </header>
        <main id="main" tabindex="-1">
            {move || match route.get() {
                r if r.lead_only() && !lead => view! {
                    <div class="view"><h1 tabindex="-1">{t.lead_only_view}</h1></div>
                }.into_any(),
                Route::Queue => view! { <queue::QueueView/> }.into_any(),
                Route::Group { id, answer } => view! { <group::GroupView id=id answer=answer/> }.into_any(),
                Route::Kb { article } => view! { <kb::KbView article=article/> }.into_any(),
                Route::Metrics => view! { <metrics::MetricsView/> }.into_any(),
                Route::Audit => view! { <audit::AuditView/> }.into_any(),
                Route::Replies => view! { <replies::RepliesView/> }.into_any(),
                Route::Team => view! { <team::TeamView/> }.into_any(),
                Route::Webhooks => view! { <webhooks::WebhooksView/> }.into_any(),
                Route::Settings => view! { <settings::SettingsView/> }.into_any(),
            }}
        </main>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_from_hash() {
        assert_eq!(Route::parse(""), Route::Queue);
        assert_eq!(Route::parse("#/kb"), Route::Kb { article: None });
        assert_eq!(
            Route::parse("#/kb/returns"),
            Route::Kb {
                article: Some("returns".into())
            }
        );
        assert_eq!(
            Route::parse("#/group/g7/answer"),
            Route::Group {
                id: "g7".into(),
                answer: true
            }
        );
        assert_eq!(Route::parse("#main"), Route::Queue);
        assert_eq!(Route::parse("#/settings"), Route::Settings);
        assert!(Route::parse("#/team").lead_only());
        assert!(!Route::parse("#/replies").lead_only());
    }
}
