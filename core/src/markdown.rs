//! The Markdown subset of answers and articles, parsed into a small tree.
//!
//! Answers and articles are written by agents but shown to customers, so
//! they are never inserted as HTML: the widget and the console walk this
//! tree and create text nodes and a handful of elements. What the subset has:
//! paragraphs (a single newline is a line break), `-`/`*` and `1.` lists,
//! fenced code blocks, `` `code` ``, `**bold**`, `*italic*`/`_italic_`,
//! `[text](url)` links and bare `http(s)://` links, `[text](article:ID)`
//! links to a knowledge-base article, and `\` escapes.
//! Links keep only `http:`, `https:` and `mailto:` targets; any other link is
//! shown as its text. Renderers add `rel="noopener nofollow"` to every link.
//! An article link keeps only an id that [`is_article_id`] accepts; the
//! renderer shows the link text alone when no article has that id.

/// A block of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A paragraph.
    Paragraph(Vec<Inline>),
    /// A list; each item is a line of inline content.
    List {
        /// `1.` lists are ordered, `-`/`*` lists are not.
        ordered: bool,
        /// The items.
        items: Vec<Vec<Inline>>,
    },
    /// A fenced code block, verbatim.
    Code(String),
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    /// Plain text, to be shown as text.
    Text(String),
    /// `**bold**`.
    Strong(Vec<Inline>),
    /// `*italic*` or `_italic_`.
    Emphasis(Vec<Inline>),
    /// `` `code` ``, verbatim.
    Code(String),
    /// A link whose `href` passed [`safe_href`].
    Link {
        /// The checked target.
        href: String,
        /// The link text.
        children: Vec<Inline>,
    },
    /// `[text](article:ID)`: a link to the knowledge-base article `id`.
    Article {
        /// The article's id (checked by [`is_article_id`]).
        id: String,
        /// The link text.
        children: Vec<Inline>,
    },
    /// A single newline inside a paragraph or list item.
    Break,
}

/// The scheme of a link to a knowledge-base article: `[text](article:ID)`.
pub const ARTICLE_SCHEME: &str = "article:";

/// An article id as the API accepts it: 1–80 ASCII letters, digits, `-`
/// and `_`.
pub fn is_article_id(id: &str) -> bool {
    (1..=80).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The Markdown of a link to article `id` titled `title` (brackets and
/// backslashes in the title escaped), as the console's picker inserts it.
pub fn article_link(id: &str, title: &str) -> String {
    let mut out = String::with_capacity(title.len() + id.len() + 12);
    out.push('[');
    for c in title.chars() {
        if matches!(c, '[' | ']' | '\\' | '*' | '_' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push_str("](");
    out.push_str(ARTICLE_SCHEME);
    out.push_str(id);
    out.push(')');
    out
}

/// Deepest nesting of bold/italic/link kept; deeper markers stay text.
const MAX_DEPTH: usize = 6;

/// Parses `src` into blocks. Never fails: whatever is not markup is text.
pub fn parse(src: &str) -> Vec<Block> {
    let src = src.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut list: Option<(bool, Vec<String>)> = None;
    let mut lines = src.lines();

    fn flush(
        blocks: &mut Vec<Block>,
        para: &mut Vec<&str>,
        list: &mut Option<(bool, Vec<String>)>,
    ) {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(parse_inline(&para.join("\n"))));
            para.clear();
        }
        if let Some((ordered, items)) = list.take() {
            blocks.push(Block::List {
                ordered,
                items: items.iter().map(|i| parse_inline(i)).collect(),
            });
        }
    }

    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            flush(&mut blocks, &mut para, &mut list);
            let mut code = Vec::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                code.push(l);
            }
            blocks.push(Block::Code(code.join("\n")));
            continue;
        }
        if trimmed.is_empty() {
            flush(&mut blocks, &mut para, &mut list);
            continue;
        }
        if let Some((ordered, rest)) = list_marker(trimmed) {
            if !para.is_empty() || list.as_ref().is_some_and(|(o, _)| *o != ordered) {
                flush(&mut blocks, &mut para, &mut list);
            }
            list.get_or_insert_with(|| (ordered, Vec::new()))
                .1
                .push(rest.to_string());
            continue;
        }
        match list.as_mut() {
            // An indented line continues the last list item.
            Some((_, items)) if line.starts_with([' ', '\t']) => {
                if let Some(last) = items.last_mut() {
                    last.push('\n');
                    last.push_str(trimmed);
                }
            }
            Some(_) => {
                flush(&mut blocks, &mut para, &mut list);
                para.push(line.trim_end());
            }
            None => para.push(line.trim_end()),
        }
    }
    flush(&mut blocks, &mut para, &mut list);
    blocks
}

/// `- x`, `* x` → unordered; `1. x`, `1) x` → ordered.
fn list_marker(line: &str) -> Option<(bool, &str)> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some((false, rest.trim_start()));
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let rest = &line[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some((true, r.trim_start()));
        }
    }
    None
}

/// The link target if it is an absolute `http:`, `https:` or `mailto:` URL
/// without spaces or control characters; `None` otherwise.
pub fn safe_href(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = url.to_ascii_lowercase();
    let ok = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        || lower
            .strip_prefix("mailto:")
            .is_some_and(|r| r.contains('@'));
    ok.then(|| url.to_string())
}

/// Parses inline markup of one paragraph or list item.
pub fn parse_inline(src: &str) -> Vec<Inline> {
    let chars: Vec<char> = src.chars().collect();
    inline(&chars, 0)
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Inline::Text(s.to_string()));
    }
}

fn find(chars: &[char], from: usize, pat: &[char]) -> Option<usize> {
    (from..chars.len().saturating_sub(pat.len() - 1)).find(|&i| chars[i..].starts_with(pat))
}

/// The first `]` at or after `from` that no `\\` escapes.
fn close_bracket(chars: &[char], from: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            ']' => return Some(j),
            _ => j += 1,
        }
    }
    None
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// The `*`/`_` closing an emphasis opened before `from`; `**` pairs inside
/// belong to bold and are stepped over.
fn closer(chars: &[char], from: usize, c: char) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if c == '*' && chars[j] == '*' && chars.get(j + 1) == Some(&'*') {
            j += 2;
            continue;
        }
        if chars[j] == c
            && !chars[j - 1].is_whitespace()
            && (c == '*' || !is_word(chars.get(j + 1)))
        {
            return Some(j);
        }
        j += 1;
    }
    None
}

fn inline(chars: &[char], depth: usize) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut i = 0;
    let nest = depth < MAX_DEPTH;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1).is_some_and(|n| n.is_ascii_punctuation()) => {
                push_text(&mut out, &chars[i + 1].to_string());
                i += 2;
                continue;
            }
            '\n' => {
                out.push(Inline::Break);
                i += 1;
                continue;
            }
            '`' => {
                if let Some(end) = find(chars, i + 1, &['`'])
                    && end > i + 1
                {
                    out.push(Inline::Code(chars[i + 1..end].iter().collect()));
                    i = end + 1;
                    continue;
                }
            }
            '*' if nest && chars.get(i + 1) == Some(&'*') => {
                if let Some(end) = find(chars, i + 2, &['*', '*'])
                    && end > i + 2
                    && !chars[i + 2].is_whitespace()
                {
                    out.push(Inline::Strong(inline(&chars[i + 2..end], depth + 1)));
                    i = end + 2;
                    continue;
                }
            }
            '*' | '_' if nest => {
                let opens = chars.get(i + 1).is_some_and(|n| !n.is_whitespace())
                    && (c == '*' || !is_word(i.checked_sub(1).and_then(|p| chars.get(p))));
                if opens
                    && let Some(end) = closer(chars, i + 1, c)
                    && end > i + 1
                {
                    out.push(Inline::Emphasis(inline(&chars[i + 1..end], depth + 1)));
                    i = end + 1;
                    continue;
                }
            }
            '[' if nest => {
                if let Some(close) = close_bracket(chars, i + 1)
                    && chars.get(close + 1) == Some(&'(')
                    && let Some(paren) = find(chars, close + 2, &[')'])
                {
                    let text = &chars[i + 1..close];
                    let target: String = chars[close + 2..paren].iter().collect();
                    let article = target
                        .trim()
                        .strip_prefix(ARTICLE_SCHEME)
                        .filter(|id| is_article_id(id));
                    match (article, safe_href(&target)) {
                        _ if text.is_empty() => {}
                        (Some(id), _) => out.push(Inline::Article {
                            id: id.to_string(),
                            children: inline(text, depth + 1),
                        }),
                        (None, Some(href)) => out.push(Inline::Link {
                            href,
                            children: inline(text, depth + 1),
                        }),
                        // Unsafe or empty: keep the words, drop the target.
                        _ => out.extend(inline(text, depth + 1)),
                    }
                    i = paren + 1;
                    continue;
                }
            }
            'h' if !is_word(i.checked_sub(1).and_then(|p| chars.get(p))) => {
                let rest: String = chars[i..chars.len().min(i + 8)].iter().collect();
                if rest.starts_with("https://") || rest.starts_with("http://") {
                    let mut end = i;
                    while end < chars.len() && !chars[end].is_whitespace() {
                        end += 1;
                    }
                    while end > i && ".,;:!?)'\"".contains(chars[end - 1]) {
                        end -= 1;
                    }
                    let url: String = chars[i..end].iter().collect();
                    if let Some(href) = safe_href(&url) {
                        out.push(Inline::Link {
                            href,
                            children: vec![Inline::Text(url)],
                        });
                        i = end;
                        continue;
                    }
                }
            }
            _ => {}
        }
        push_text(&mut out, &c.to_string());
        i += 1;
    }
    out
}

/// The document as plain text (markup removed), e.g. for previews and search.
pub fn plain_text(blocks: &[Block]) -> String {
    fn inl(out: &mut String, xs: &[Inline]) {
        for x in xs {
            match x {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::Strong(c) | Inline::Emphasis(c) => inl(out, c),
                Inline::Link { children, .. } | Inline::Article { children, .. } => {
                    inl(out, children)
                }
                Inline::Break => out.push('\n'),
            }
        }
    }
    let mut out = String::new();
    for (n, b) in blocks.iter().enumerate() {
        if n > 0 {
            out.push_str("\n\n");
        }
        match b {
            Block::Paragraph(x) => inl(&mut out, x),
            Block::List { items, .. } => {
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push('\n');
                    }
                    inl(&mut out, item);
                }
            }
            Block::Code(c) => out.push_str(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;
