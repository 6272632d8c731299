//! chorus-ui: the views the customer widget and the agents' console share,
//! so the console's previews are the widget's rendering, node for node.
//!
//! [`markdown`] draws `chorus_core::markdown`'s tree of an answer or an
//! article inside `<div class="md">`: text nodes and a fixed set of
//! elements, never HTML strings. Every link opens in a new tab with
//! `rel="noopener nofollow"`. A link to a knowledge-base article
//! (`[text](article:ID)`) is `<button type="button" class="md-article"
//! data-article="ID">` styled as a link; the app says which ids exist (the
//! text alone for any other) and what a click does.
//!
//! The nodes are created with the DOM's own calls in an effect on the
//! `div`, not as Leptos views: the markup carries no placeholder comments
//! (which differ between the widget's type-erased build and the console's,
//! and appear when Leptos redraws an element in place), the tree follows
//! what `known` reads (the knowledge base arriving after the answer) without
//! the element being redrawn, and the widget's wasm stays smaller.

use chorus_core::markdown::{Block, Inline, parse};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

/// The Markdown subset of `src` as `<div class="md">…</div>`. A link to
/// an article for which `known(id)` is false is drawn as its text alone;
/// a click on a link to a known one calls `open(id)`. Signals `known`
/// reads are tracked: the block is drawn again when they change.
pub fn markdown(
    src: &str,
    known: impl Fn(&str) -> bool + 'static,
    open: impl Fn(String) + 'static,
) -> AnyView {
    let src = src.to_string();
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = node.get() {
            let mut blocks = parse(&src);
            for b in &mut blocks {
                match b {
                    Block::Paragraph(x) => unlink(x, &known),
                    Block::List { items, .. } => items.iter_mut().for_each(|x| unlink(x, &known)),
                    Block::Code(_) => {}
                }
            }
            fill(&el, blocks);
        }
    });
    // One listener on the block for every article link in it.
    let click = move |ev: web_sys::MouseEvent| {
        let id = ev
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("button.md-article").ok().flatten())
            .and_then(|b| b.get_attribute("data-article"));
        if let Some(id) = id {
            open(id);
        }
    };
    view! { <div class="md" node_ref=node on:click=click></div> }.into_any()
}

/// Replaces each link to an article that `known` does not know by its text.
fn unlink(xs: &mut Vec<Inline>, known: &impl Fn(&str) -> bool) {
    let mut i = 0;
    while i < xs.len() {
        if matches!(&xs[i], Inline::Article { id, .. } if !known(id)) {
            // Its text takes its place and is looked at next.
            if let Inline::Article { children, .. } = xs.remove(i) {
                xs.splice(i..i, children);
            }
            continue;
        }
        if let Inline::Strong(c)
        | Inline::Emphasis(c)
        | Inline::Link { children: c, .. }
        | Inline::Article { children: c, .. } = &mut xs[i]
        {
            unlink(c, known);
        }
        i += 1;
    }
}

/// Draws `blocks` in `el` instead of what an earlier run of
/// [`markdown`]'s effect drew there.
fn fill(el: &Element, blocks: Vec<Block>) {
    el.set_text_content(None);
    if let Some(doc) = el.owner_document() {
        let dom = Dom(doc);
        for b in blocks {
            dom.block(el, b);
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
                Inline::Article { id, children } => {
                    if let Some(b) = self.add_inlines(parent, "button", children) {
                        let _ = b.set_attribute("type", "button");
                        let _ = b.set_attribute("class", "md-article");
                        let _ = b.set_attribute("data-article", &id);
                    }
                }
                Inline::Break => {
                    self.add(parent, "br");
                }
            }
        }
    }
}
