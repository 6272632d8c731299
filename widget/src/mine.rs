//! My questions: the questions asked with this browser's asker tokens,
//! their status and answers; the badge for answers not seen yet; polling
//! while the widget is open.
//!
//! Polling: `/questions/mine` is read when the widget opens and then every
//! [`FAST_MS`], doubling up to [`SLOW_MS`] while nothing changes; it stops
//! when the widget closes and never runs without a token.

use std::time::Duration;

use chorus_core::api::{MyQuestion, QuestionStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Tab;
use crate::feed::{answer_view, now};
use crate::handle::{Handle, emit};
use crate::i18n::{Strings, ago};
use crate::{api, askers};

/// First poll interval after a change.
pub const FAST_MS: u32 = 5_000;
/// Longest poll interval.
pub const SLOW_MS: u32 = 60_000;

/// The asker's questions as last read.
#[derive(Clone, Copy)]
pub struct Mine {
    pub list: RwSignal<Vec<MyQuestion>>,
    pub loaded: RwSignal<bool>,
    /// Answered questions whose answer the customer has not seen.
    pub unseen: RwSignal<usize>,
    /// Bumped on every open and close: a poll of an older round stops.
    round: StoredValue<u32>,
    delay: StoredValue<u32>,
    /// Ids already announced with `chorus:answered` in this page.
    announced: StoredValue<Vec<String>>,
}

impl Mine {
    pub fn new() -> Self {
        Self {
            list: RwSignal::new(Vec::new()),
            loaded: RwSignal::new(false),
            unseen: RwSignal::new(0),
            round: StoredValue::new(0),
            delay: StoredValue::new(FAST_MS),
            announced: StoredValue::new(Vec::new()),
        }
    }
}

fn answered_ids(list: &[MyQuestion]) -> Vec<String> {
    list.iter()
        .filter(|q| q.answer.is_some())
        .map(|q| q.question_id.clone())
        .collect()
}

impl Handle {
    /// Reads `/questions/mine` once; returns whether the list changed.
    pub(crate) async fn refresh_mine(&self) -> bool {
        let tokens = askers::tokens(&self.opts.brand);
        if tokens.is_empty() {
            return false;
        }
        let auth = format!("Asker {}", tokens.join(", "));
        let path = format!("/v1/{}/questions/mine", self.opts.brand);
        let Ok(pending) = api::start(
            &self.opts.base,
            &path,
            "GET",
            &[("authorization", &auth)],
            None,
            false,
        ) else {
            return false;
        };
        let list = match api::finish(pending).await {
            Ok(r) if r.status == 200 => crate::qa::parse_mine(&r.text),
            _ => None,
        };
        let Some(list) = list else { return false };
        let m = self.mine;
        let changed = m.list.with_untracked(|old| *old != list);
        let answered = answered_ids(&list);
        // Announce each answer once per page.
        let fresh: Vec<&MyQuestion> = m.announced.with_value(|seen| {
            list.iter()
                .filter(|q| q.answer.is_some() && !seen.contains(&q.question_id))
                .collect()
        });
        let first = !m.loaded.get_untracked();
        for q in fresh {
            m.announced.update_value(|a| a.push(q.question_id.clone()));
            let was_open = m.list.with_untracked(|old| {
                old.iter()
                    .any(|o| o.question_id == q.question_id && o.answer.is_none())
            });
            // On the first read, only answers the customer never saw count.
            let unseen = !askers::seen(&self.opts.brand).contains(&q.question_id);
            if was_open || (first && unseen) {
                emit(
                    "chorus:answered",
                    &[
                        ("text", &q.text),
                        ("question_id", &q.question_id),
                        ("group_id", &q.group_id),
                    ],
                );
            }
        }
        if changed {
            m.list.set(list);
        }
        m.loaded.set(true);
        if self.open.get_untracked() && self.ui.tab.get_untracked() == Tab::Mine {
            askers::set_seen(&self.opts.brand, &answered);
        }
        let seen = askers::seen(&self.opts.brand);
        self.set_unseen(answered.iter().filter(|id| !seen.contains(id)).count());
        changed
    }

    /// The customer is looking at My questions: every answer is seen.
    pub(crate) fn mark_seen(&self) {
        let answered = self.mine.list.with_untracked(|l| answered_ids(l));
        if self.mine.loaded.get_untracked() {
            askers::set_seen(&self.opts.brand, &answered);
            self.set_unseen(0);
        }
    }

    fn set_unseen(&self, n: usize) {
        self.mine.unseen.set(n);
        let l = &self.launcher;
        let t = self.t;
        if n > 0 {
            let _ = l.set_attribute("data-badge", &n.to_string());
            let _ = l.set_attribute(
                "aria-label",
                &format!("{} ({n}{})", t.open_help, t.badge_sr),
            );
        } else {
            let _ = l.remove_attribute("data-badge");
            let _ = l.set_attribute("aria-label", t.open_help);
        }
    }

    /// Starts a polling round (on open, and after an ask).
    pub(crate) fn poll_mine(&self) {
        let m = self.mine;
        m.round.update_value(|r| *r += 1);
        m.delay.set_value(FAST_MS);
        self.poll_round(m.round.get_value());
    }

    /// Stops polling (on close).
    pub(crate) fn stop_polling(&self) {
        self.mine.round.update_value(|r| *r += 1);
    }

    fn poll_round(&self, round: u32) {
        let h = self.clone();
        spawn_local(async move {
            let m = h.mine;
            if m.round.get_value() != round || !h.open.get_untracked() {
                return;
            }
            let changed = refresh(h.clone()).await;
            let next = if changed {
                FAST_MS
            } else {
                (m.delay.get_value() * 2).min(SLOW_MS)
            };
            m.delay.set_value(next);
            if askers::tokens(&h.opts.brand).is_empty() {
                return;
            }
            let again = h.clone();
            set_timeout(
                move || again.poll_round(round),
                Duration::from_millis(next as u64),
            );
        });
    }
}

/// [`Handle::refresh_mine`] (with `split`, in the tabs chunk, so a
/// customer who never asked loads none of it).
async fn refresh(h: Handle) -> bool {
    if askers::tokens(&h.opts.brand).is_empty() {
        return false;
    }
    #[cfg(feature = "split")]
    return refresh_boxed(h).await.await;
    #[cfg(not(feature = "split"))]
    refresh_boxed(h).await
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(tabs, wasm_split_path = ::leptos::wasm_split)
)]
fn refresh_boxed(h: Handle) -> std::pin::Pin<Box<dyn std::future::Future<Output = bool>>> {
    Box::pin(async move { h.refresh_mine().await })
}

/// The API's name of a question status, without `Debug` formatting.
fn status_code(s: QuestionStatus) -> &'static str {
    match s {
        QuestionStatus::Open => "open",
        QuestionStatus::Answered => "answered",
        QuestionStatus::Private => "private",
        QuestionStatus::Rejected => "rejected",
    }
}

/// The My questions tab.
pub fn mine_view(hs: StoredValue<Handle, LocalStorage>, t: &'static Strings) -> impl IntoView {
    let (m, brand, links) = hs.with_value(|h| (h.mine, h.opts.brand.clone(), h.links()));
    let status = move |s: QuestionStatus| match s {
        QuestionStatus::Open => t.st_open,
        QuestionStatus::Answered => t.st_answered,
        QuestionStatus::Private => t.st_private,
        QuestionStatus::Rejected => t.st_rejected,
    };
    // Answers the customer already rated in this page: (question, solved).
    let rated = RwSignal::new(Vec::<(String, bool)>::new());
    let list = move || {
        m.list
            .get()
            .into_iter()
            .map(|q| {
                let st = if q.answer.is_some() { QuestionStatus::Answered } else { q.status };
                let public = q.answer.is_some() && q.status != QuestionStatus::Private;
                let (qid, gid) = (q.question_id.clone(), q.group_id.clone());
                let solved = public.then(|| solved_view(hs, rated, qid, gid, t));
                view! {
                    <li class="qa mq" data-question=q.question_id.clone() data-status=status_code(st)>
                        <h3 class="qq">{q.text}</h3>
                        <p class="cnt">
                            <span class="st">{status(st)}</span>
                            {" · "}
                            <span>{ago(t, q.asked_at, now())}</span>
                        </p>
                        {q.answer.map(|a| answer_view(a, t, links))}
                        {solved}
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="mine pane">
            <Show
                when=move || m.loaded.get() || !askers::tokens(&brand).is_empty()
                fallback=move || view! { <p class="muted">{t.mine_empty}</p> }
            >
                <Show when=move || m.loaded.get() fallback=move || view! { <p class="muted">{t.loading}</p> }>
                    <ul class="qas" aria-label=t.tab_mine>{list}</ul>
                    <Show when=move || m.list.with(Vec::is_empty)>
                        <p class="muted">{t.mine_empty}</p>
                    </Show>
                </Show>
            </Show>
        </div>
    }
}

/// "Did this solve it?" under a public answer: "Yes" counts as helpful for
/// the brand's metrics (`POST /groups/{id}/helpful`); "No" offers a follow-up.
fn solved_view(
    hs: StoredValue<Handle, LocalStorage>,
    rated: RwSignal<Vec<(String, bool)>>,
    qid: String,
    gid: String,
    t: &'static Strings,
) -> impl IntoView {
    let q1 = qid.clone();
    let choice = move || rated.with(|r| r.iter().find(|(q, _)| *q == q1).map(|(_, s)| *s));
    let (q_yes, q_no) = (qid.clone(), qid);
    let yes = move |_| {
        rated.update(|r| r.push((q_yes.clone(), true)));
        hs.with_value(|h| h.helpful(&gid));
    };
    let no = move |_| rated.update(|r| r.push((q_no.clone(), false)));
    view! {
        <div class="solved" role="group" aria-label=t.solved_q>
            {move || match choice() {
                None => view! {
                    <span>{t.solved_q}</span>
                    " "
                    <button type="button" class="yes" on:click=yes.clone()>{t.yes}</button>
                    " "
                    <button type="button" class="no" on:click=no.clone()>{t.no}</button>
                }
                .into_any(),
                Some(true) => view! { <span role="status">{t.solved_thanks}</span> }.into_any(),
                Some(false) => view! {
                    <button type="button" class="follow" on:click=move |_| hs.with_value(|h| h.ask_with(String::new()))>
                        {t.follow_up}
                    </button>
                }
                .into_any(),
            }}
        </div>
    }
}
