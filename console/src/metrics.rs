//! Metrics over a chosen range: charts, top groups, content gaps, CSV.

use chorus_core::api::Metrics;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::Ctx;
use crate::chart::{Kind, Series, chart};
use crate::dom::{download, focus_heading, now_ms};
use crate::format::{csv, iso_date, tick};
use crate::i18n::Strings;

const BLUE: &str = "#1d4ed8";
const ORANGE: &str = "#b45309";
const GREEN: &str = "#047857";
const PURPLE: &str = "#6d28d9";

fn minutes(ms: Option<i64>) -> Option<f64> {
    ms.map(|v| (v as f64 / 60_000.0 * 10.0).round() / 10.0)
}

/// The metrics as CSV, one row per day.
pub fn metrics_csv(m: &Metrics) -> String {
    let header = [
        "date",
        "opened",
        "answered",
        "first_response_p50_min",
        "first_response_p90_min",
        "time_to_answer_p50_min",
        "time_to_answer_p90_min",
        "duplicates_joined",
        "askers_per_answer",
        "deflections",
        "helpful",
        "missed_searches",
        "response_target_min",
    ];
    let opt = |v: Option<f64>| v.map(tick).unwrap_or_default();
    let rows: Vec<Vec<String>> = m
        .days
        .iter()
        .map(|d| {
            vec![
                d.date.clone(),
                d.opened.to_string(),
                d.answered.to_string(),
                opt(minutes(d.first_response_p50_ms)),
                opt(minutes(d.first_response_p90_ms)),
                opt(minutes(d.time_to_answer_p50_ms)),
                opt(minutes(d.time_to_answer_p90_ms)),
                d.duplicates_joined.to_string(),
                opt(d.askers_per_answer.map(|v| (v * 100.0).round() / 100.0)),
                d.deflections.to_string(),
                d.helpful.to_string(),
                d.missed_searches.to_string(),
                m.response_target_minutes.to_string(),
            ]
        })
        .collect();
    csv(&header, &rows)
}

/// The metrics view.
#[component]
pub fn MetricsView() -> impl IntoView {
    let ctx = expect_context::<Ctx>();
    let t = ctx.t.get_untracked();
    let today = (now_ms() / 86_400_000.0).floor() as i64;
    let from = RwSignal::new(iso_date(today - 13));
    let to = RwSignal::new(iso_date(today));
    let data = RwSignal::new(None::<Metrics>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let load = move || {
        let Some(client) = ctx.client() else { return };
        busy.set(true);
        spawn_local(async move {
            match client
                .metrics(&from.get_untracked(), &to.get_untracked())
                .await
            {
                Ok(m) => {
                    data.set(Some(m));
                    error.set(None);
                }
                Err(e) => error.set(Some(ctx.fail(&e))),
            }
            busy.set(false);
        });
    };
    load();
    focus_heading();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        load();
    };
    let export = move |_| {
        if let Some(m) = data.get_untracked() {
            download(
                &format!("chorus-metrics-{}-{}.csv", m.from, m.to),
                "text/csv;charset=utf-8",
                &metrics_csv(&m),
            );
        }
    };

    view! {
        <div class="view metrics">
            <div class="view-head">
                <h1 tabindex="-1">{t.metrics_title}</h1>
            </div>
            <form class="filters" on:submit=submit>
                <div class="field inline">
                    <label for="m-from">{t.from_label}</label>
                    <input id="m-from" type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/>
                </div>
                <div class="field inline">
                    <label for="m-to">{t.to_label}</label>
                    <input id="m-to" type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))/>
                </div>
                <button type="submit" disabled=move || busy.get()>{t.show}</button>
                <button type="button" class="csv" on:click=export disabled=move || data.get().is_none()>{t.download_csv}</button>
            </form>
            <Show when=move || error.get().is_some()>
                <p class="error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            {move || match data.get() {
                None => view! { <p class="muted">{t.loading}</p> }.into_any(),
                Some(m) => body(t, m).into_any(),
            }}
        </div>
    }
}

fn body(t: &'static Strings, m: Metrics) -> impl IntoView {
    let labels: Vec<String> = m.days.iter().map(|d| d.date.clone()).collect();
    let col = |f: &dyn Fn(&chorus_core::api::DayMetrics) -> Option<f64>| {
        m.days.iter().map(f).collect::<Vec<_>>()
    };
    let opened: u32 = m.days.iter().map(|d| d.opened).sum();
    let answered: u32 = m.days.iter().map(|d| d.answered).sum();
    let target = Some((
        format!(
            "{} ({} {})",
            t.s_target, m.response_target_minutes, t.minutes
        ),
        m.response_target_minutes as f64,
    ));
    let volume = chart(
        "chart-volume",
        t.chart_volume,
        &labels,
        vec![
            Series {
                name: t.s_opened.into(),
                color: BLUE,
                values: col(&|d| Some(d.opened as f64)),
            },
            Series {
                name: t.s_answered.into(),
                color: GREEN,
                values: col(&|d| Some(d.answered as f64)),
            },
        ],
        Kind::Bars,
        None,
    );
    let first = chart(
        "chart-first-response",
        t.chart_first_response,
        &labels,
        vec![
            Series {
                name: t.s_p50.into(),
                color: BLUE,
                values: col(&|d| minutes(d.first_response_p50_ms)),
            },
            Series {
                name: t.s_p90.into(),
                color: ORANGE,
                values: col(&|d| minutes(d.first_response_p90_ms)),
            },
        ],
        Kind::Lines,
        target.clone(),
    );
    let tta = chart(
        "chart-tta",
        t.chart_tta,
        &labels,
        vec![
            Series {
                name: t.s_p50.into(),
                color: BLUE,
                values: col(&|d| minutes(d.time_to_answer_p50_ms)),
            },
            Series {
                name: t.s_p90.into(),
                color: ORANGE,
                values: col(&|d| minutes(d.time_to_answer_p90_ms)),
            },
        ],
        Kind::Lines,
        target,
    );
    let repeats = chart(
        "chart-repeats",
        t.chart_repeats,
        &labels,
        vec![
            Series {
                name: t.s_repeats.into(),
                color: BLUE,
                values: col(&|d| Some(d.duplicates_joined as f64)),
            },
            Series {
                name: t.s_deflections.into(),
                color: GREEN,
                values: col(&|d| Some(d.deflections as f64)),
            },
            Series {
                name: t.s_missed.into(),
                color: PURPLE,
                values: col(&|d| Some(d.missed_searches as f64)),
            },
        ],
        Kind::Bars,
        None,
    );
    let askers = chart(
        "chart-askers",
        t.chart_askers,
        &labels,
        vec![Series {
            name: t.s_askers.into(),
            color: PURPLE,
            values: col(&|d| d.askers_per_answer),
        }],
        Kind::Lines,
        None,
    );
    let opt = |v: Option<f64>| v.map(tick).unwrap_or_else(|| "–".into());
    view! {
        <p class="totals" id="metrics-totals">{(t.totals)(opened, answered)}</p>
        <div class="charts">{volume}{first}{tta}{repeats}{askers}</div>
        <div class="columns">
            <section class="col card" aria-labelledby="top-h">
                <h2 id="top-h">{t.top_groups}</h2>
                {if m.top_groups.is_empty() {
                    view! { <p class="muted">{t.no_data}</p> }.into_any()
                } else {
                    view! {
                        <ol class="top-groups">
                            {m.top_groups.iter().map(|g| view! {
                                <li><a href=format!("#/group/{}", g.group_id)>{g.question.clone()}</a>" · "{(t.askers)(g.asked_count)}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
            <section class="col card" aria-labelledby="gaps-h">
                <h2 id="gaps-h">{t.gaps}</h2>
                {if m.gaps.is_empty() {
                    view! { <p class="muted">{t.no_data}</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead><tr><th scope="col">{t.query}</th><th scope="col">{t.searches}</th></tr></thead>
                            <tbody>{m.gaps.iter().map(|g| view! { <tr><td>{g.query.clone()}</td><td class="num">{g.count}</td></tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
        <details class="numbers">
            <summary>{t.numbers}</summary>
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{t.date}</th><th scope="col">{t.s_opened}</th><th scope="col">{t.s_answered}</th>
                        <th scope="col">{t.chart_first_response}" "{t.s_p50}</th><th scope="col">{t.s_p90}</th>
                        <th scope="col">{t.chart_tta}" "{t.s_p50}</th><th scope="col">{t.s_p90}</th>
                        <th scope="col">{t.s_repeats}</th><th scope="col">{t.s_askers}</th>
                        <th scope="col">{t.s_deflections}</th><th scope="col">{t.s_missed}</th>
                    </tr></thead>
                    <tbody>
                        {m.days.iter().map(|d| view! {
                            <tr>
                                <th scope="row">{d.date.clone()}</th><td class="num">{d.opened}</td><td class="num">{d.answered}</td>
                                <td class="num">{opt(minutes(d.first_response_p50_ms))}</td><td class="num">{opt(minutes(d.first_response_p90_ms))}</td>
                                <td class="num">{opt(minutes(d.time_to_answer_p50_ms))}</td><td class="num">{opt(minutes(d.time_to_answer_p90_ms))}</td>
                                <td class="num">{d.duplicates_joined}</td><td class="num">{opt(d.askers_per_answer)}</td>
                                <td class="num">{d.deflections}</td><td class="num">{d.missed_searches}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}
