//! Personal-data scanners: e-mail addresses, phone numbers, payment cards and
//! IBANs, found with hand-written scanners (no `regex`: the widget ships this
//! code to browsers, and the patterns are fixed).
//!
//! Rules, chosen so that ordinary shop questions stay public:
//! - **E-mail**: `local@domain.tld`; local part of letters, digits and
//!   `._%+-`; domain labels of letters, digits and `-`; the last label has at
//!   least two letters. Obfuscations (`juan at gmail dot com`) are not caught.
//! - **Numbers** are first cut into *tokens*: digit groups joined by single
//!   `-`, `.`, `/` or `,` (`555-123-4567`, `2024-05-01`, `1,299.00`), an
//!   optional leading `+`, or one group in parentheses (`(555)`). A token must
//!   stand alone: not glued to letters (`5G`, `A123`, `v2.3`). These tokens
//!   are never part of a phone or card:
//!   prices (a `,` inside, a currency sign or word next to it), dates
//!   (three groups shaped `YYYY-MM-DD`, `DD-MM-YYYY` or `DD-MM-YY`), decimals
//!   and versions (`.`-joined with two groups, or any one-digit group:
//!   `19.99`, `2.3.1`), percentages.
//!   Tokens separated by exactly one space (or a `(555)` directly followed by
//!   a token) form a *run*.
//! - **Card**: 13–19 digits within a run, joined only by spaces or dashes, no
//!   `+`/parentheses, first digit 2–6 (every major network), passing Luhn.
//!   Found even after an order keyword: a real card number is worth hiding.
//! - **Phone**: a run of 9–15 digits in total, where every group but the first
//!   has at least two digits (so `3 items` never joins), not two or more
//!   groups that look like years (`2023 2024 2025`), not a run of consecutive
//!   numbers (`38 39 40 41 42`, shoe sizes), and not right after an order or
//!   reference keyword (`order`, `pedido`, `ref`, `tracking`, `invoice`,
//!   `factura`, `#`…). 7-digit local numbers (`555-1234`) are not caught: too
//!   close to order numbers.
//! - **IBAN**: two letters of a known country, two check digits and the BBAN,
//!   optionally grouped with single spaces or dashes, exactly the country's
//!   length, passing the ISO 7064 mod-97 check; case-insensitive.
//! - **National id** (Spain, the brands' second language): DNI `12345678Z`
//!   or NIE `X1234567L`, optionally with `-`/space before the letter and
//!   `.` thousands separators (`12.345.678-Z`), whose check letter matches
//!   (mod 23). Company tax ids (CIF `B12345678`) are not personal.
//!
//! Order and account numbers are not personal data on their own (a question
//! about "pedido 4521" is fine to publish); [`reference_spans`] and
//! [`redact_references`] let the console hide them anyway.

use super::text::{char_at, char_before, fold_char, is_word_char, words};
use serde::{Deserialize, Serialize};
use std::ops::Range;

mod email;
mod iban;
mod national_id;
mod numbers;
#[cfg(test)]
mod tests;

use email::*;
use iban::*;
use national_id::*;
use numbers::*;

/// A kind of personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PiiKind {
    /// An e-mail address.
    Email,
    /// A phone number.
    Phone,
    /// A payment card number (passes Luhn).
    Card,
    /// An international bank account number (passes mod-97).
    Iban,
    /// A Spanish national identity number, DNI or NIE (passes its check letter).
    NationalId,
}

impl PiiKind {
    /// The placeholder that [`redact`] puts in place of this kind.
    pub fn placeholder(self) -> &'static str {
        match self {
            PiiKind::Email => "[email]",
            PiiKind::Phone => "[phone]",
            PiiKind::Card => "[card]",
            PiiKind::Iban => "[iban]",
            PiiKind::NationalId => "[id]",
        }
    }
}

/// Personal data found in a text: its kind and byte range (char boundaries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PiiSpan {
    /// What was found.
    pub kind: PiiKind,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
}

impl PiiSpan {
    /// The byte range of the span.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Finds every piece of personal data in `text`, sorted by position and never
/// overlapping (on overlap, e-mail beats IBAN beats national id beats card
/// beats phone).
///
/// Rules (see the source module docs for the reasoning): e-mail
/// `local@domain.tld`; IBAN of a known country with its exact length and a
/// valid mod-97; Spanish DNI/NIE with a valid check letter; card of 13–19 digits (spaces/dashes) starting 2–6 with a
/// valid Luhn; phone of 9–15 digits in groups of 2+ (first group may be one
/// digit), optionally `+`/`(…)`. Prices, dates, decimals, versions,
/// percentages, years, consecutive numbers and numbers after an order or
/// reference keyword are never phones.
pub fn find_pii(text: &str) -> Vec<PiiSpan> {
    let mut found = Vec::new();
    find_emails(text, &mut found);
    find_ibans(text, &mut found);
    find_national_ids(text, &mut found);
    find_numbers(text, &mut found);
    // `found` is in priority order; keep a span only if it overlaps no kept one.
    let mut kept: Vec<PiiSpan> = Vec::with_capacity(found.len());
    for span in found {
        if span.start < span.end
            && !kept
                .iter()
                .any(|k| k.start < span.end && span.start < k.end)
        {
            kept.push(span);
        }
    }
    kept.sort_by_key(|s| s.start);
    kept
}

/// `text` with every piece of personal data replaced by its placeholder
/// (`[email]`, `[phone]`, `[card]`, `[iban]`).
pub fn redact(text: &str) -> String {
    let spans: Vec<(Range<usize>, &str)> = find_pii(text)
        .into_iter()
        .map(|s| (s.range(), s.kind.placeholder()))
        .collect();
    replace_spans(text, &spans)
}

/// Order, account and reference numbers: a standalone token with at least five
/// digits (`AB-123456`, `100045872`), or four digits right after an order
/// keyword or `#` (`pedido 4521`, `#4521`). Dates, prices, versions and years
/// are left alone. Not personal data by itself; see [`redact_references`].
pub fn reference_spans(text: &str) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for w in words(text) {
        let digits = w.folded.chars().filter(char::is_ascii_digit).count();
        if digits < 4 {
            continue;
        }
        // Extend over `-`/`/` joined parts: `AB-123456`, `2024/000123`.
        let (start, end) = extend_joined(text, w.start, w.end);
        if out.last().is_some_and(|r| r.end > start) {
            continue;
        }
        let token = &text[start..end];
        let all_digits: usize = token.chars().filter(char::is_ascii_digit).count();
        let is_plain_number = token.chars().all(|c| c.is_ascii_digit());
        let after_keyword = follows_reference_keyword(text, start);
        let keep = if all_digits >= 5 {
            !looks_like_date(token) && !is_price_context(text, start, end)
        } else {
            after_keyword && !(is_plain_number && is_year(token))
        };
        if keep {
            out.push(start..end);
        }
    }
    out
}

/// [`redact`] plus order/account/reference numbers replaced by `[number]`,
/// for agent screens that should show as little as possible.
pub fn redact_references(text: &str) -> String {
    let pii = find_pii(text);
    let mut spans: Vec<(Range<usize>, &str)> = pii
        .iter()
        .map(|s| (s.range(), s.kind.placeholder()))
        .collect();
    for r in reference_spans(text) {
        if !pii.iter().any(|p| p.start < r.end && r.start < p.end) {
            spans.push((r, "[number]"));
        }
    }
    spans.sort_by_key(|(r, _)| r.start);
    replace_spans(text, &spans)
}

/// Replaces sorted, non-overlapping byte ranges of `text`.
fn replace_spans(text: &str, spans: &[(Range<usize>, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for (r, placeholder) in spans {
        if r.start < pos || r.end > text.len() {
            continue;
        }
        if let (Some(before), Some(_)) = (text.get(pos..r.start), text.get(r.clone())) {
            out.push_str(before);
            out.push_str(placeholder);
            pos = r.end;
        }
    }
    out.push_str(text.get(pos..).unwrap_or(""));
    out
}

fn extend_joined(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    loop {
        if end + 1 < b.len() && matches!(b[end], b'-' | b'/') && b[end + 1].is_ascii_alphanumeric()
        {
            end += 1;
            while end < b.len() && b[end].is_ascii_alphanumeric() {
                end += 1;
            }
        } else {
            break;
        }
    }
    while start >= 2 && matches!(b[start - 1], b'-' | b'/') && b[start - 2].is_ascii_alphanumeric()
    {
        start -= 1;
        while start > 0 && b[start - 1].is_ascii_alphanumeric() {
            start -= 1;
        }
    }
    (start, end)
}
