//! Plain text for indexing and the short excerpt shown under a hit.
//!
//! Article bodies are Markdown; customers should see words, not `**` or link
//! URLs, in a snippet. The snippet is data: the excerpt text plus byte ranges
//! of the matched words inside it, so the widget and the edge decide how to
//! mark them (and never inject HTML).

use std::collections::HashSet;
use std::hash::BuildHasherDefault;

use serde::{Deserialize, Serialize};

use super::FxHasher;
use crate::normalize;

/// An excerpt of an article with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Snippet {
    /// The excerpt, plain text; `…` marks a cut at either end.
    pub text: String,
    /// Byte ranges `(start, end)` of matched words in `text`, ascending,
    /// never overlapping, always on char boundaries.
    pub highlights: Vec<(usize, usize)>,
}

/// Markdown subset to plain text: emphasis and code markers, heading and
/// quote markers and link targets dropped (`[text](url)` keeps `text`).
pub(crate) fn plain_text(markdown: &str) -> String {
    if !markdown
        .bytes()
        .any(|b| matches!(b, b'*' | b'`' | b'[' | b']' | b'#' | b'>'))
    {
        return markdown.to_string();
    }
    let mut out = String::with_capacity(markdown.len());
    let mut line_start = true;
    let mut rest = markdown;
    while let Some(c) = rest.chars().next() {
        let len = c.len_utf8();
        if line_start {
            let trimmed = rest.trim_start_matches([' ', '\t']);
            let marker = trimmed
                .trim_start_matches(['#', '>'])
                .trim_start_matches(' ');
            if marker.len() != trimmed.len() {
                out.push_str(&rest[..rest.len() - trimmed.len()]);
                rest = marker;
                line_start = false;
                continue;
            }
        }
        match c {
            '*' | '`' => {}
            '!' if rest[len..].starts_with('[') => {}
            ']' if rest[len..].starts_with('(') => {
                // Drop the link target up to its closing parenthesis.
                let after = &rest[len + 1..];
                if let Some(close) = after.find(')') {
                    rest = &after[close + 1..];
                    line_start = false;
                    continue;
                }
            }
            '[' | ']' => {}
            _ => out.push(c),
        }
        line_start = c == '\n';
        rest = &rest[len..];
    }
    out
}

/// Largest char boundary `<= i` in `s`.
fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The folded words to mark in a hit's title and snippet.
///
/// Most words of a body are not marks, so a word is first checked against
/// a 1,024-bit filter of (length, first byte, last byte) before the set.
pub(crate) struct MarkSet<'a> {
    words: HashSet<&'a str, BuildHasherDefault<FxHasher>>,
    filter: [u64; 16],
    max_len: usize,
}

/// Bit of the filter for a folded word with these bytes.
fn filter_bit(len: usize, first: u8, last: u8) -> usize {
    (len.wrapping_mul(131) ^ usize::from(first).wrapping_mul(31) ^ usize::from(last)) & 1023
}

impl<'a> MarkSet<'a> {
    pub(crate) fn new(words: impl IntoIterator<Item = &'a str>) -> Self {
        let mut set = MarkSet {
            words: HashSet::default(),
            filter: [0; 16],
            max_len: 0,
        };
        for w in words {
            let b = w.as_bytes();
            let (Some(&first), Some(&last)) = (b.first(), b.last()) else {
                continue;
            };
            let bit = filter_bit(b.len(), first, last);
            set.filter[bit / 64] |= 1 << (bit % 64);
            set.max_len = set.max_len.max(b.len());
            set.words.insert(w);
        }
        set
    }

    fn may_hold(&self, len: usize, first: u8, last: u8) -> bool {
        let bit = filter_bit(len, first, last);
        len <= self.max_len && self.filter[bit / 64] & (1 << (bit % 64)) != 0
    }

    /// Whether the folded word `w` is a mark.
    pub(crate) fn contains(&self, w: &str) -> bool {
        let b = w.as_bytes();
        match (b.first(), b.last()) {
            (Some(&f), Some(&l)) => self.may_hold(b.len(), f, l) && self.words.contains(w),
            _ => false,
        }
    }

    /// Whether the ASCII letters and digits `run`, lowercased, are a mark.
    fn contains_ascii(&self, run: &[u8]) -> bool {
        let (Some(&f), Some(&l)) = (run.first(), run.last()) else {
            return false;
        };
        if !self.may_hold(run.len(), f.to_ascii_lowercase(), l.to_ascii_lowercase()) {
            return false;
        }
        let mut buf = [0u8; 64];
        let Some(lower) = buf.get_mut(..run.len()) else {
            return false;
        };
        for (o, &c) in lower.iter_mut().zip(run) {
            *o = c.to_ascii_lowercase();
        }
        std::str::from_utf8(lower).is_ok_and(|w| self.words.contains(w))
    }
}

/// Matched-word ranges in `text`: every token whose folded form is a mark.
///
/// Gives exactly the words of [`normalize::for_each_token`], faster: that
/// tokeniser cuts text at ASCII whitespace and splits each piece on its
/// own, so a piece of plain ASCII letters, digits and punctuation (no
/// apostrophe, which may join words) is split into its letter-and-digit
/// runs here, without copying words that cannot be marks; any other piece
/// goes to the tokeniser.
pub(crate) fn matched_ranges(text: &str, marks: &MarkSet<'_>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let push = |out: &mut Vec<(usize, usize)>, start: usize, end: usize| {
        match out.last_mut() {
            // Two words from one source character share its range.
            Some(last) if start < last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    };
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        if b[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut plain = true;
        while i < n && !b[i].is_ascii_whitespace() {
            plain &= b[i].is_ascii() && b[i] != b'\'';
            i += 1;
        }
        if plain {
            let mut j = start;
            while j < i {
                if !b[j].is_ascii_alphanumeric() {
                    j += 1;
                    continue;
                }
                let s = j;
                while j < i && b[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                if marks.contains_ascii(&b[s..j]) {
                    push(&mut out, s, j);
                }
            }
        } else {
            normalize::for_each_token(&text[start..i], |w, s, e| {
                if marks.contains(w) {
                    push(&mut out, start + s, start + e);
                }
            });
        }
    }
    out
}

/// Cuts an excerpt of about `width` bytes from `text` around the densest
/// cluster of `ranges` (matched words in `text`), shifting the ranges into
/// the excerpt. Without matches the excerpt is the start of the text.
pub(crate) fn excerpt(text: &str, ranges: &[(usize, usize)], width: usize) -> Snippet {
    let width = width.max(16);
    if text.len() <= width {
        return Snippet {
            text: text.replace(['\n', '\r', '\t'], " "),
            highlights: ranges.to_vec(),
        };
    }
    // The window start that covers the most matches (earliest on ties).
    let mut best = (0usize, 0usize);
    for (i, &(s, _)) in ranges.iter().enumerate().take(256) {
        let count = ranges[i..].iter().take_while(|r| r.1 <= s + width).count();
        if count > best.1 {
            best = (s, count);
        }
    }
    // Start a little before the first match, at a word boundary.
    let lead = width / 5;
    let mut start = floor_boundary(text, best.0.saturating_sub(lead));
    if start > 0 {
        let back = &text[..start];
        if let Some(sp) = back.rfind(char::is_whitespace)
            && start - sp <= lead
        {
            start = sp + 1;
        }
        start = floor_boundary(text, start);
    }
    if best.1 == 0 {
        start = 0;
    }
    let mut end = floor_boundary(text, start + width);
    if end < text.len()
        && let Some(sp) = text[start..end].rfind(char::is_whitespace)
        && sp > width / 2
    {
        end = start + sp;
    }
    let slice = text[start..end].trim_end();
    let end = start + slice.len();
    let slice_trim = slice.trim_start();
    let start = end - slice_trim.len();
    let lead_mark = if start > 0 { "…" } else { "" };
    let tail_mark = if end < text.len() { "…" } else { "" };
    let shift = lead_mark.len();
    let mut snippet = String::with_capacity(slice_trim.len() + 6);
    snippet.push_str(lead_mark);
    // Line breaks and tabs become spaces: same byte length, so the ranges hold.
    snippet.extend(slice_trim.chars().map(|c| match c {
        '\n' | '\r' | '\t' => ' ',
        c => c,
    }));
    snippet.push_str(tail_mark);
    let highlights = ranges
        .iter()
        .filter(|&&(s, e)| s >= start && e <= end)
        .map(|&(s, e)| (s - start + shift, e - start + shift))
        .collect();
    Snippet {
        text: snippet,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_markdown_markers() {
        assert_eq!(
            plain_text(
                "# Returns\n**Free** returns, see [the policy](https://x.test/p).\n> `code`"
            ),
            "Returns\nFree returns, see the policy.\ncode"
        );
        assert_eq!(plain_text("![logo](a.png) ok"), "logo ok");
        assert_eq!(plain_text("[unclosed](oops"), "unclosed(oops");
        assert_eq!(plain_text("snake_case stays"), "snake_case stays");
    }

    /// The fast scan marks exactly the words the tokeniser finds.
    #[test]
    fn matched_ranges_agree_with_the_tokeniser() {
        let pieces = [
            "Return",
            "RETURNS",
            "return's",
            "don't",
            "l'été",
            "devolución",
            "Devolucion",
            "ﬁle",
            "file",
            "e-mail",
            "email",
            "x2",
            "2x",
            "a",
            "I",
            "order#12",
            "(order)",
            "«envío»",
            "😀",
            "ß",
            "STRASSE",
            "'quoted'",
            "rock'n'roll",
            "1'000",
            "naïve",
            "naive",
            "\t",
            "\n",
            " ",
            "  ",
            ",",
            ".",
            "...",
            "—",
            "\u{a0}",
            "x\u{301}",
            "Order",
            "ORDERS",
        ];
        let marks = MarkSet::new([
            "return",
            "returns",
            "dont",
            "ete",
            "devolucion",
            "file",
            "email",
            "e",
            "mail",
            "x2",
            "order",
            "12",
            "envio",
            "strasse",
            "quoted",
            "rocknroll",
            "1000",
            "naive",
            "i",
            "a",
            "orders",
        ]);
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..1 + (seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
                if seed.is_multiple_of(3) {
                    text.push(' ');
                }
            }
            let mut want: Vec<(usize, usize)> = Vec::new();
            normalize::for_each_token(&text, |w, start, end| {
                if marks.contains(w) {
                    match want.last_mut() {
                        Some(last) if start < last.1 => last.1 = last.1.max(end),
                        _ => want.push((start, end)),
                    }
                }
            });
            assert_eq!(matched_ranges(&text, &marks), want, "{text:?}");
        }
    }

    #[test]
    fn excerpt_centres_on_matches_and_shifts_ranges() {
        let text = format!(
            "{} refund window is 30 days {}",
            "intro ".repeat(40),
            "tail ".repeat(40)
        );
        let ranges = matched_ranges(&text, &MarkSet::new(["refund", "days"]));
        let s = excerpt(&text, &ranges, 80);
        assert!(
            s.text.starts_with('…') && s.text.ends_with('…'),
            "{}",
            s.text
        );
        let words: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
        assert_eq!(words, ["refund", "days"]);
    }

    #[test]
    fn excerpt_is_one_line_and_ranges_still_hold() {
        let text = format!(
            "{}\n\nReturn\tthe item.\r\n{}",
            "a ".repeat(50),
            "b ".repeat(50)
        );
        let marks = MarkSet::new(["return", "item"]);
        let ranges = matched_ranges(&text, &marks);
        for t in [text.as_str(), "Return\nthe item"] {
            let r = matched_ranges(t, &marks);
            let s = excerpt(t, &r, 60);
            assert!(!s.text.contains(['\n', '\r', '\t']), "{:?}", s.text);
            let words: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
            assert_eq!(words, ["Return", "item"]);
        }
        assert_eq!(ranges.len(), 2);
    }

    #[test]
    fn excerpt_without_matches_is_the_beginning() {
        let text = "word ".repeat(100);
        let s = excerpt(&text, &[], 50);
        assert!(s.text.starts_with("word") && s.text.ends_with('…'));
        assert!(s.highlights.is_empty());
        assert!(s.text.len() <= 50 + 3);
    }

    #[test]
    fn excerpt_respects_char_boundaries() {
        let text = "ñandú ".repeat(60) + "devolución";
        let ranges = matched_ranges(&text, &MarkSet::new(["devolucion"]));
        for width in [16, 17, 18, 19, 33, 100] {
            let s = excerpt(&text, &ranges, width);
            for &(a, b) in &s.highlights {
                assert_eq!(&s.text[a..b], "devolución");
            }
        }
    }
}
