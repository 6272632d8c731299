//! Renders `chorus_core::markdown`'s tree as Leptos views: only text nodes
//! and a fixed set of elements, never HTML strings.

use chorus_core::markdown::{Block, Inline, parse};
use leptos::prelude::*;

/// The Markdown subset of `src` as views.
pub fn render(src: &str) -> AnyView {
    parse(src).into_iter().map(block).collect_view().into_any()
}

fn block(b: Block) -> AnyView {
    match b {
        Block::Paragraph(x) => view! { <p>{inlines(x)}</p> }.into_any(),
        Block::List {
            ordered: true,
            items,
        } => view! {
            <ol>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ol>
        }
        .into_any(),
        Block::List {
            ordered: false,
            items,
        } => view! {
            <ul>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ul>
        }
        .into_any(),
        Block::Code(c) => view! { <pre><code>{c}</code></pre> }.into_any(),
    }
}

fn inlines(xs: Vec<Inline>) -> Vec<AnyView> {
    xs.into_iter().map(inline).collect()
}

fn inline(x: Inline) -> AnyView {
    match x {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines(c)}</strong> }.into_any(),
        Inline::Emphasis(c) => view! { <em>{inlines(c)}</em> }.into_any(),
        Inline::Code(c) => view! { <code>{c}</code> }.into_any(),
        Inline::Link { href, children } => view! {
            <a href=href rel="noopener nofollow" target="_blank">{inlines(children)}</a>
        }
        .into_any(),
        Inline::Break => view! { <br/> }.into_any(),
    }
}
