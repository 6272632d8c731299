//! Small SVG charts drawn from Rust: grouped bars or lines over days, with
//! a y axis of round ticks, date labels, an optional target line and an
//! HTML legend. No chart library.

use leptos::prelude::*;

use crate::format::{nice_axis, tick};

/// One series of values, one per label; `None` is a gap.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// CSS colour.
    pub color: &'static str,
    /// Values.
    pub values: Vec<Option<f64>>,
}

/// Bars or lines.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Grouped bars.
    Bars,
    /// Lines with dots.
    Lines,
}

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

/// A chart with its title as `<h2>` and a legend. Bars are counts (whole
/// ticks); lines may be fractional.
pub fn chart(
    id: &'static str,
    title: &str,
    labels: &[String],
    series: Vec<Series>,
    kind: Kind,
    target: Option<(String, f64)>,
) -> impl IntoView + use<> {
    let n = labels.len().max(1);
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(target.as_ref().map(|t| t.1))
        .fold(0.0f64, f64::max);
    let integer = kind == Kind::Bars;
    let (top, step) = nice_axis(max, integer);
    let pw = W - LEFT - RIGHT;
    let ph = H - TOP - BOTTOM;
    let band = pw / n as f64;
    let y = move |v: f64| TOP + ph - (v / top) * ph;
    let x_mid = move |i: usize| LEFT + band * (i as f64 + 0.5);

    let ticks: Vec<f64> = (0..=((top / step).round() as usize))
        .map(|k| k as f64 * step)
        .collect();
    let grid = ticks
        .iter()
        .map(|&v| {
            view! {
                <line x1=LEFT x2=W - RIGHT y1=y(v) y2=y(v) class="grid"/>
                <text x=LEFT - 6.0 y=y(v) + 4.0 text-anchor="end" class="tick">{tick(v)}</text>
            }
        })
        .collect_view();
    let every = n.div_ceil(10);
    let xlabels = labels
        .iter()
        .enumerate()
        .filter(|(i, _)| (n - 1 - i).is_multiple_of(every))
        .map(|(i, l)| {
            let short = l.get(5..).unwrap_or(l).to_string();
            view! { <text x=x_mid(i) y=H - BOTTOM + 16.0 text-anchor="middle" class="tick">{short}</text> }
        })
        .collect_view();

    let k = series.len().max(1) as f64;
    let marks = series
        .iter()
        .enumerate()
        .map(|(si, s)| {
            let color = s.color;
            match kind {
                Kind::Bars => {
                    let bw = (band * 0.8 / k).max(1.0);
                    s.values
                        .iter()
                        .enumerate()
                        .filter_map(|(i, v)| v.map(|v| (i, v)))
                        .map(|(i, v)| {
                            let x = LEFT + band * i as f64 + band * 0.1 + bw * si as f64;
                            let h = (TOP + ph - y(v)).max(0.0);
                            view! { <rect x=x y=y(v) width=bw height=h fill=color/> }
                        })
                        .collect_view()
                        .into_any()
                }
                Kind::Lines => {
                    // Runs of consecutive values become polylines; gaps break them.
                    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
                    for (i, v) in s.values.iter().enumerate() {
                        match v {
                            Some(v) => runs.last_mut().unwrap().push((x_mid(i), y(*v))),
                            None => runs.push(Vec::new()),
                        }
                    }
                    let lines = runs
                        .iter()
                        .filter(|r| r.len() > 1)
                        .map(|r| {
                            let pts = r
                                .iter()
                                .map(|(x, y)| format!("{x:.1},{y:.1}"))
                                .collect::<Vec<_>>()
                                .join(" ");
                            view! { <polyline points=pts fill="none" stroke=color stroke-width="2"/> }
                        })
                        .collect_view();
                    let dots = runs
                        .into_iter()
                        .flatten()
                        .map(|(x, y)| view! { <circle cx=x cy=y r="3" fill=color/> })
                        .collect_view();
                    view! { {lines}{dots} }.into_any()
                }
            }
        })
        .collect_view();
    let target_line = target.as_ref().map(|(_, v)| {
        view! { <line x1=LEFT x2=W - RIGHT y1=y(*v) y2=y(*v) class="target"/> }
    });
    let summary = series
        .iter()
        .map(|s| {
            let total: f64 = s.values.iter().flatten().sum();
            format!("{}: {}", s.name, tick(total))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let label = format!("{title}. {summary}");
    let legend = series
        .iter()
        .map(|s| {
            let style = format!("background:{}", s.color);
            view! { <li><span class="swatch" style=style aria-hidden="true"></span>{s.name.clone()}</li> }
        })
        .collect_view();
    let target_legend = target.map(|(name, _)| {
        view! { <li><span class="swatch target" aria-hidden="true"></span>{name}</li> }
    });
    view! {
        <figure class="chart" id=id>
            <figcaption><h2>{title.to_string()}</h2></figcaption>
            <svg viewBox=format!("0 0 {W} {H}") role="img" aria-label=label preserveAspectRatio="xMidYMid meet">
                {grid}
                <line x1=LEFT x2=LEFT y1=TOP y2=TOP + ph class="axis"/>
                <line x1=LEFT x2=W - RIGHT y1=TOP + ph y2=TOP + ph class="axis"/>
                {xlabels}
                {marks}
                {target_line}
            </svg>
            <ul class="legend">{legend}{target_legend}</ul>
        </figure>
    }
}
