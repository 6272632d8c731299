//! chorus-console: the agents' console, a Leptos CSR app that the Worker
//! serves at `/console` (never part of the customer widget's bundle).
//!
//! Agents sign in with a brand slug and a bearer token (kept in the tab's
//! sessionStorage), then work the queue of question groups, answer, merge,
//! split and flag, edit the knowledge base and the team's saved replies, read metrics and
//! the audit log, and (leads) manage the team, webhooks and brand settings, all through the agent routes of `shared/API.md`.

mod answer;
mod api;
mod app;
mod audit;
mod chart;
mod dom;
mod format;
mod group;
mod i18n;
mod kb;
mod metrics;
mod queue;
mod replies;
mod secret;
mod session;
mod settings;
mod signin;
mod team;
mod webhooks;

use wasm_bindgen::prelude::*;

/// Mounts the console into `<body>` when the module is initialised.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(app::App);
}
