//! Searches that found nothing, sent in batches to
//! `POST /v1/{brand}/searches/missed` so agents can see the content gaps.
//!
//! Only final queries count, not every keystroke: a query with no result
//! counts once the customer has stopped typing for [`SETTLE_MS`] or closes
//! the panel. Counted queries are deduplicated within a batch and sent at
//! most every [`BATCH_MS`], plus at once when the panel closes or the page
//! is hidden (`fetch` with `keepalive`, so the request outlives the page).
//! Failures, including the 404 of an edge without the endpoint, are
//! ignored: counting gaps must never bother the customer.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use leptos::task::spawn_local;

use crate::api;

/// A query counts after this long without typing.
pub const SETTLE_MS: u64 = 1_500;
/// Batches are sent at most this often (except on close and page hide).
pub const BATCH_MS: u64 = 10_000;
/// The endpoint takes at most this many queries per request…
const MAX_BATCH: usize = 50;
/// …each at most this many characters.
const MAX_CHARS: usize = 200;

#[derive(Default)]
struct Inner {
    base: String,
    brand: String,
    /// A query with no result, waiting for the customer to stop typing.
    pending: Option<String>,
    settle: Option<TimeoutHandle>,
    batch: Vec<String>,
    send_timer: Option<TimeoutHandle>,
}

/// The missed-search counter of one widget; cheap to clone.
#[derive(Clone, Default)]
pub struct Missed(Rc<RefCell<Inner>>);

impl Missed {
    /// A counter posting to `base` for `brand`.
    pub fn new(base: &str, brand: &str) -> Self {
        Self(Rc::new(RefCell::new(Inner {
            base: base.to_string(),
            brand: brand.to_string(),
            ..Inner::default()
        })))
    }

    /// The results for `query` changed; `found` is whether there were any.
    pub fn saw(&self, query: &str, found: bool) {
        let mut s = self.0.borrow_mut();
        if let Some(t) = s.settle.take() {
            t.clear();
        }
        let q = clean(query);
        if found || q.is_empty() {
            s.pending = None;
            return;
        }
        s.pending = Some(q);
        let me = self.clone();
        s.settle = set_timeout_with_handle(
            move || {
                me.0.borrow_mut().settle = None;
                me.count_pending();
                me.schedule();
            },
            Duration::from_millis(SETTLE_MS),
        )
        .ok();
    }

    /// The panel closes or the page goes away: count what is pending and
    /// send everything now.
    pub fn flush(&self) {
        if let Some(t) = self.0.borrow_mut().settle.take() {
            t.clear();
        }
        self.count_pending();
        self.send();
    }

    fn count_pending(&self) {
        let mut s = self.0.borrow_mut();
        let Some(q) = s.pending.take() else { return };
        let lower = lowercase(&q);
        if !s.batch.iter().any(|b| lowercase(b) == lower) {
            s.batch.push(q);
        }
        let full = s.batch.len() >= MAX_BATCH;
        drop(s);
        if full {
            self.send();
        }
    }

    fn schedule(&self) {
        let mut s = self.0.borrow_mut();
        if s.batch.is_empty() || s.send_timer.is_some() {
            return;
        }
        let me = self.clone();
        s.send_timer =
            set_timeout_with_handle(move || me.send(), Duration::from_millis(BATCH_MS)).ok();
    }

    fn send(&self) {
        let mut s = self.0.borrow_mut();
        if let Some(t) = s.send_timer.take() {
            t.clear();
        }
        if s.batch.is_empty() {
            return;
        }
        let body = api::missed_body(&std::mem::take(&mut s.batch));
        let (base, path) = (s.base.clone(), format!("/v1/{}/searches/missed", s.brand));
        drop(s);
        // Started here, not in the task: on `pagehide` there is no later.
        let sent = api::start(
            &base,
            &path,
            "POST",
            &[("content-type", "application/json")],
            Some(&body),
            true,
        );
        // 202 accepted; anything else (404 before the edge has the
        // endpoint, 429, offline) is dropped on purpose.
        if let Ok(p) = sent {
            spawn_local(async move {
                let _ = wasm_bindgen_futures::JsFuture::from(p).await;
            });
        }
    }
}

/// Trimmed, inner whitespace collapsed, at most [`MAX_CHARS`] characters.
fn clean(query: &str) -> String {
    let joined = query.split_whitespace().collect::<Vec<_>>().join(" ");
    match joined.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => joined[..cut].trim_end().to_string(),
        None => joined,
    }
}

/// `text` in lower case by the browser (`String.prototype.toLowerCase`):
/// Rust's `to_lowercase` would bring its Unicode case tables into the
/// module loaded on open.
#[cfg(target_arch = "wasm32")]
fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
fn lowercase(text: &str) -> String {
    text.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn queries_are_trimmed_collapsed_and_cut() {
        assert_eq!(clean("  where   is\tmy order "), "where is my order");
        assert_eq!(clean(" \n "), "");
        let long = "é".repeat(250);
        assert_eq!(clean(&long).chars().count(), 200);
    }
}
