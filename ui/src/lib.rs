//! chorus-ui: the views the customer widget and the agents' console share,
//! so the console's previews are the widget's rendering, node for node.
//!
//! [`markdown`] draws `chorus_core::markdown`'s tree of an answer or an
//! article inside `<div class="md">`: text nodes and a fixed set of
//! elements, never HTML strings. Every link opens in a new tab with
//! `rel="noopener nofollow"`.
//!
//! The nodes are created with the DOM's own calls when Leptos builds the
//! `div` (a `use:` directive), not as Leptos views: the tree never changes
//! once drawn, so it needs no reactive bookkeeping, the markup carries no
//! placeholder comments (which differ between the widget's type-erased
//! build and the console's), and the widget's wasm stays smaller.

use chorus_core::markdown::{Block, Inline, parse};
use leptos::prelude::*;
use web_sys::{Document, Element, Node};

/// The Markdown subset of `src` as `<div class="md">…</div>`.
pub fn markdown(src: &str) -> AnyView {
    let blocks = parse(src);
    view! { <div class="md" use:fill=blocks></div> }.into_any()
}

/// Draws `blocks` in `el` (the directive of [`markdown`]). Leptos runs it
/// again on the same element when a reactive parent redraws in place, so
/// what an earlier run drew goes first.
fn fill(el: Element, blocks: Vec<Block>) {
    el.set_text_content(None);
    if let Some(doc) = el.owner_document() {
        let dom = Dom(doc);
        for b in blocks {
            dom.block(&el, b);
        }
    }
}

struct Dom(Document);

impl Dom {
    /// A new `<tag>` appended to `parent`.
    fn add(&self, parent: &Node, tag: &str) -> Option<Element> {
        let e = self.0.create_element(tag).ok()?;
        parent.append_child(&e).ok()?;
        Some(e)
    }

    fn text(&self, parent: &Node, text: &str) {
        let _ = parent.append_child(&self.0.create_text_node(text));
    }

    /// `<tag>` appended to `parent`, holding `text`.
    fn add_text(&self, parent: &Node, tag: &str, text: &str) -> Option<Element> {
        let e = self.add(parent, tag)?;
        self.text(&e, text);
        Some(e)
    }

    /// `<tag>` appended to `parent`, holding `inlines`.
    fn add_inlines(&self, parent: &Node, tag: &str, inlines: Vec<Inline>) -> Option<Element> {
        let e = self.add(parent, tag)?;
        self.inlines(&e, inlines);
        Some(e)
    }

    fn block(&self, parent: &Node, b: Block) {
        match b {
            Block::Paragraph(x) => {
                self.add_inlines(parent, "p", x);
            }
            Block::List { ordered, items } => {
                if let Some(list) = self.add(parent, if ordered { "ol" } else { "ul" }) {
                    for item in items {
                        self.add_inlines(&list, "li", item);
                    }
                }
            }
            Block::Code(c) => {
                if let Some(pre) = self.add(parent, "pre") {
                    self.add_text(&pre, "code", &c);
                }
            }
        }
    }

    fn inlines(&self, parent: &Node, xs: Vec<Inline>) {
        for x in xs {
            match x {
                Inline::Text(t) => self.text(parent, &t),
                Inline::Strong(c) => {
                    self.add_inlines(parent, "strong", c);
                }
                Inline::Emphasis(c) => {
                    self.add_inlines(parent, "em", c);
                }
                Inline::Code(c) => {
                    self.add_text(parent, "code", &c);
                }
                Inline::Link { href, children } => {
                    if let Some(a) = self.add_inlines(parent, "a", children) {
                        let _ = a.set_attribute("href", &href);
                        let _ = a.set_attribute("rel", "noopener nofollow");
                        let _ = a.set_attribute("target", "_blank");
                    }
                }
                Inline::Break => {
                    self.add(parent, "br");
                }
            }
        }
    }
}
