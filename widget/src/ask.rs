//! The Ask tab: a question box with live suggestions (the edge's
//! `/suggest` groups and the widget's own knowledge-base search), "this is
//! my question too" on a suggested group, and the outcome of the ask.

use std::time::Duration;

use chorus_core::api::{AskResponse, AskStatus, SuggestedGroup};
use leptos::html::Textarea;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Tab;
use crate::feed::answer_view;
use crate::handle::{Handle, emit};
use crate::i18n::{Strings, asked_by, duration};
use crate::{api, askers, qa};

/// Suggestions wait this long after the last keystroke…
pub const DEBOUNCE_MS: u64 = 300;
/// …and need at least this many characters.
pub const MIN_CHARS: usize = 3;
/// Knowledge-base hits shown under the suggested groups.
const KB_HITS: usize = 3;

/// What the last ask came back with.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub text: String,
    pub reply: AskResponse,
    /// How many people asked the group, once known (from `/questions/mine`).
    pub asked_count: Option<u32>,
}

/// The Ask tab's state, kept across tab switches.
#[derive(Clone, Copy)]
pub struct Ask {
    pub draft: RwSignal<String>,
    /// The draft once the customer paused typing.
    pub settled: RwSignal<String>,
    pub groups: RwSignal<Vec<SuggestedGroup>>,
    /// The suggested group whose answer is shown.
    pub expanded: RwSignal<Option<String>>,
    pub outcome: RwSignal<Option<Outcome>>,
    pub busy: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    seq: StoredValue<u32>,
    pub input: NodeRef<Textarea>,
}

impl Ask {
    pub fn new() -> Self {
        Self {
            draft: RwSignal::new(String::new()),
            settled: RwSignal::new(String::new()),
            groups: RwSignal::new(Vec::new()),
            expanded: RwSignal::new(None),
            outcome: RwSignal::new(None),
            busy: RwSignal::new(false),
            error: RwSignal::new(None),
            seq: StoredValue::new(0),
            input: NodeRef::new(),
        }
    }
}

/// A random `Idempotency-Key`, so a retried ask is stored once.
fn idempotency_key() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("w{:08x}{:08x}{:08x}", r(), r(), r())
}

impl Handle {
    /// The draft changed: suggestions follow once typing pauses.
    pub(crate) fn set_draft(&self, text: String) {
        let a = self.ask;
        a.draft.set(text);
        a.seq.update_value(|s| *s += 1);
        let seq = a.seq.get_value();
        let h = self.clone();
        set_timeout(
            move || {
                if h.ask.seq.get_value() == seq {
                    h.suggest();
                }
            },
            Duration::from_millis(DEBOUNCE_MS),
        );
    }

    fn suggest(&self) {
        let a = self.ask;
        let q = a.draft.get_untracked().trim().to_string();
        a.settled.set(q.clone());
        if q.chars().count() < MIN_CHARS {
            a.groups.set(Vec::new());
            return;
        }
        let path = format!(
            "/v1/{}/suggest?q={}",
            self.opts.brand,
            String::from(js_sys::encode_uri_component(&q))
        );
        let base = self.opts.base.clone();
        spawn_local(async move {
            let groups = match api::get_text(&base, &path, None).await {
                Ok(r) if r.status == 200 => qa::parse_suggest(&r.text).unwrap_or_default(),
                // Suggestions are a help, never an error to show.
                _ => Vec::new(),
            };
            if a.settled.get_untracked() == q {
                a.groups.set(groups);
            }
        });
    }

    /// Counts a deflection: the customer read a suggestion.
    pub(crate) fn deflect(&self, key: &str, id: &str) {
        let body = qa::body(&[(key, Some(id))]);
        let path = format!("/v1/{}/deflections", self.opts.brand);
        if let Ok(p) = api::start(
            &self.opts.base,
            &path,
            "POST",
            &[("content-type", "application/json")],
            Some(&body),
            false,
        ) {
            spawn_local(async move {
                let _ = api::finish(p).await;
            });
        }
    }

    /// The customer says an answer solved their problem (helpful metric).
    pub(crate) fn helpful(&self, group_id: &str) {
        let path = format!("/v1/{}/groups/{group_id}/helpful", self.opts.brand);
        if let Ok(p) = api::start(&self.opts.base, &path, "POST", &[], None, false) {
            spawn_local(async move {
                let _ = api::finish(p).await;
            });
        }
    }

    /// Switches to Ask with `text` in the box.
    pub(crate) fn ask_with(&self, text: String) {
        self.ask.outcome.set(None);
        self.ask.error.set(None);
        #[cfg(feature = "split")]
        {
            let h = self.clone();
            spawn_local(async move { draft_chunk(h, text).await });
        }
        #[cfg(not(feature = "split"))]
        self.set_draft(text);
        self.select(Tab::Ask);
    }

    /// Sends the draft, joining `group` when the customer picked one.
    pub(crate) fn submit(&self, group: Option<String>) {
        let a = self.ask;
        let text = a.draft.get_untracked().trim().to_string();
        if text.is_empty() || a.busy.get_untracked() {
            return;
        }
        a.busy.set(true);
        a.error.set(None);
        let brand = self.opts.brand.clone();
        let lang = self.t.lang;
        let body = qa::body(&[
            ("text", Some(&text)),
            ("lang", Some(lang)),
            ("group_id", group.as_deref()),
        ]);
        let auth = askers::tokens(&brand)
            .into_iter()
            .next()
            .map(|t| format!("Asker {t}"));
        let key = idempotency_key();
        let mut headers = vec![
            ("content-type", "application/json"),
            ("idempotency-key", key.as_str()),
        ];
        if let Some(auth) = auth.as_deref() {
            headers.push(("authorization", auth));
        }
        let path = format!("/v1/{brand}/questions");
        let pending = api::start(&self.opts.base, &path, "POST", &headers, Some(&body), false);
        let h = self.clone();
        spawn_local(async move {
            let reply = match pending {
                Ok(p) => api::finish(p).await,
                Err(e) => Err(e),
            };
            a.busy.set(false);
            let r = match reply {
                Ok(r) if r.status == 201 => match qa::parse_ask(&r.text) {
                    Some(x) => x,
                    None => return a.error.set(Some("unreadable reply".into())),
                },
                Ok(r) => return a.error.set(Some(r.error().0)),
                Err(e) => return a.error.set(Some(e.0)),
            };
            askers::add_token(&brand, &r.asker_token);
            if r.answer.is_some() {
                // Shown right here: not a new answer for the badge.
                askers::add_seen(&brand, &r.question_id);
            }
            let status = status_code(r.status);
            emit(
                "chorus:asked",
                &[
                    ("text", &text),
                    ("status", status),
                    ("question_id", &r.question_id),
                    ("group_id", &r.group_id),
                ],
            );
            let qid = r.question_id.clone();
            let count = (r.asked_count > 0).then_some(r.asked_count);
            a.outcome.set(Some(Outcome {
                text,
                reply: r,
                asked_count: count,
            }));
            a.draft.set(String::new());
            a.settled.set(String::new());
            a.groups.set(Vec::new());
            a.expanded.set(None);
            // The list (and how many asked the group) comes from /mine.
            h.refresh_mine().await;
            let n = h.mine.list.with_untracked(|l| {
                l.iter()
                    .find(|q| q.question_id == qid)
                    .map(|q| q.asked_count)
            });
            a.outcome.update(|o| {
                if let Some(o) = o.as_mut().filter(|o| o.reply.question_id == qid) {
                    o.asked_count = n;
                }
            });
            h.poll_mine();
        });
    }
}

/// [`Handle::set_draft`] in the tabs chunk: suggestions are Ask's code.
#[cfg(feature = "split")]
#[leptos::wasm_split::wasm_split(tabs, wasm_split_path = ::leptos::wasm_split)]
fn draft_chunk(h: Handle, text: String) {
    h.set_draft(text);
}

/// The API's name of an ask outcome (`answered`, `grouped`, …), without
/// `Debug` formatting in the wasm.
fn status_code(s: AskStatus) -> &'static str {
    match s {
        AskStatus::Answered => "answered",
        AskStatus::Grouped => "grouped",
        AskStatus::New => "new",
        AskStatus::Private => "private",
        AskStatus::Rejected => "rejected",
    }
}

fn outcome_view(h: &Handle, o: Outcome, t: &'static Strings) -> AnyView {
    let config = h.config;
    let body = match o.reply.status {
        AskStatus::Answered => view! {
            <p class="lead">{t.out_answered}</p>
            {o.reply.answer.map(|a| answer_view(a, t, h.links()))}
        }
        .into_any(),
        AskStatus::Grouped => {
            let msg = match o.asked_count.map(|n| n.saturating_sub(1)) {
                Some(1) => t.grouped_one.to_string(),
                Some(n) if n > 1 => format!("{}{n}{}", t.grouped_pre, t.grouped_post),
                _ => t.grouped_some.to_string(),
            };
            view! { <p class="lead">{msg}</p> }.into_any()
        }
        AskStatus::New => {
            let c = config.get_untracked();
            let minutes = c.as_ref().map(|c| c.response_target_minutes).unwrap_or(0);
            let hours = c.map(|c| c.hours).unwrap_or_default();
            view! {
                <p class="lead">
                    {(minutes > 0).then(|| format!("{}{}.", t.new_pre, duration(t, minutes)))}
                </p>
                {(!hours.is_empty()).then(|| view! { <p>{t.hours_pre}{hours}</p> })}
                <p>{t.new_post}</p>
            }
            .into_any()
        }
        AskStatus::Private => view! { <p class="lead">{t.out_private}</p> }.into_any(),
        AskStatus::Rejected => view! { <p class="lead">{t.out_rejected}</p> }.into_any(),
    };
    let status = status_code(o.reply.status);
    let a = h.ask;
    let h2 = h.clone();
    view! {
        <div class="outcome" data-status=status>
            <blockquote class="asked">{o.text}</blockquote>
            {body}
            <button type="button" class="more" on:click=move |_| {
                a.outcome.set(None);
                h2.focus_ask();
            }>{t.ask_again}</button>
        </div>
    }
    .into_any()
}

/// The Ask tab.
pub fn ask_view(hs: StoredValue<Handle, LocalStorage>, t: &'static Strings) -> impl IntoView {
    let (a, kb, links) = hs.with_value(|h| (h.ask, h.kb, h.links()));
    let indexed = hs.with_value(|h| h.indexed);
    let hits = Memo::new(move |_| {
        let q = a.settled.get();
        indexed.track();
        if q.chars().count() < MIN_CHARS {
            return Vec::new();
        }
        hs.with_value(Handle::want_search);
        kb.with(|k| {
            k.as_ref()
                .map(|f| f.find(&q).into_iter().take(KB_HITS).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });

    let groups = move || {
        a.groups
            .get()
            .into_iter()
            .map(|g| {
                let id = g.group_id.clone();
                let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
                let shown = move || a.expanded.get().as_deref() == Some(id1.as_str());
                let answer = g.answer.clone();
                view! {
                    <li class="sg" data-group=id4>
                        <p class="qq">{g.question.clone()}</p>
                        <p class="cnt">
                            {asked_by(t, g.asked_count)}
                            {(!g.answered).then(|| format!(" · {}", t.waiting))}
                        </p>
                        {g.answered.then(|| view! {
                            <button type="button" class="link show"
                                aria-expanded=move || if a.expanded.get().as_deref() == Some(id2.as_str()) { "true" } else { "false" }
                                on:click=move |_| {
                                    if a.expanded.get_untracked().as_deref() != Some(id3.as_str()) {
                                        a.expanded.set(Some(id3.clone()));
                                        hs.get_value().deflect("group_id", &id3);
                                    }
                                }
                            >{t.show_answer}</button>
                        })}
                        <Show when=shown.clone()>
                            {answer.clone().map(|x| answer_view(x, t, links))}
                        </Show>
                        <button type="button" class="link too" on:click=move |_| hs.get_value().submit(Some(id.clone()))>
                            {t.mine_too}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };

    let kb_list = move || {
        hits.get()
            .into_iter()
            .map(|row| {
                let id = row.id.clone();
                view! {
                    <li class="sg">
                        <button type="button" class="link art" on:click=move |_| {
                            let h = hs.get_value();
                            h.deflect("article_id", &id);
                            h.open_article(id.clone());
                        }>{crate::app::marked(row.title)}</button>
                    </li>
                }
            })
            .collect_view()
    };

    let form = move || {
        view! {
            <form class="askf" on:submit=move |ev| {
                ev.prevent_default();
                hs.get_value().submit(None);
            }>
                <label for="chorus-ask" class="lbl">{t.ask_label}</label>
                <textarea
                    id="chorus-ask"
                    class="qt"
                    node_ref=a.input
                    rows="3"
                    maxlength="1000"
                    prop:value=move || a.draft.get()
                    on:input=move |ev| hs.get_value().set_draft(event_target_value(&ev))
                ></textarea>
                <button type="submit" class="send" disabled=move || a.busy.get() || a.draft.with(|d| d.trim().is_empty())>
                    {move || if a.busy.get() { t.sending } else { t.ask_send }}
                </button>
            </form>
        }
    };

    view! {
        <div class="askp pane">
            <div role="status" aria-live="polite">
                {move || a.outcome.get().map(|o| outcome_view(&hs.get_value(), o, t))}
            </div>
            <Show when=move || a.outcome.with(Option::is_none)>
                {form}
            </Show>
            <Show when=move || a.error.get().is_some()>
                <p class="error" role="alert">{move || a.error.get().unwrap_or_default()}</p>
            </Show>
            <Show when=move || a.outcome.with(Option::is_none) && !(a.groups.with(Vec::is_empty) && hits.with(Vec::is_empty))>
                <h3 class="sh">{t.similar}</h3>
                <ul class="sgs" aria-label=t.similar>{groups}{kb_list}</ul>
            </Show>
        </div>
    }
}
