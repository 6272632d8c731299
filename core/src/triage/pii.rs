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

// ---------------------------------------------------------------- e-mail

fn is_local_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '.' | '-')
}

fn find_emails(text: &str, out: &mut Vec<PiiSpan>) {
    let mut last_end = 0;
    for (at, _) in text.match_indices('@') {
        if at < last_end {
            continue;
        }
        let mut start = at;
        // Bounded scans (RFC 5321 limits) keep this linear on hostile input.
        for (i, c) in text[last_end..at].char_indices().rev().take(64) {
            if is_local_char(c) {
                start = last_end + i;
            } else {
                break;
            }
        }
        while start < at && text.as_bytes()[start] == b'.' {
            start += 1;
        }
        if start == at {
            continue;
        }
        let mut end = at + 1;
        for (i, c) in text[at + 1..].char_indices().take(255) {
            if is_domain_char(c) {
                end = at + 1 + i + c.len_utf8();
            } else {
                break;
            }
        }
        while end > at + 1 && matches!(text.as_bytes()[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[at + 1..end];
        let labels: Vec<&str> = domain.split('.').collect();
        let tld_ok = labels
            .last()
            .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic));
        if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) && tld_ok {
            out.push(PiiSpan {
                kind: PiiKind::Email,
                start,
                end,
            });
            last_end = end;
        }
    }
}

// ---------------------------------------------------------------- IBAN

/// IBAN length per country (ISO 13616 registry, the countries customers of a
/// European/American shop plausibly write).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

fn iban_length(country: [u8; 2]) -> Option<usize> {
    let cc = [
        country[0].to_ascii_uppercase(),
        country[1].to_ascii_uppercase(),
    ];
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| c.as_bytes() == cc)
        .map(|&(_, n)| n)
}

/// ISO 7064 mod 97-10 over an IBAN's characters (ASCII alphanumerics).
fn iban_checksum_ok(chars: &[u8]) -> bool {
    if chars.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in chars[4..].iter().chain(&chars[..4]) {
        rem = match c {
            b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
            b'a'..=b'z' => (rem * 100 + u32::from(c - b'a') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

fn find_ibans(text: &str, out: &mut Vec<PiiSpan>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let starts_here = b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && !char_before(text, i).is_some_and(is_word_char);
        if let (true, Some(len)) = (starts_here, iban_length([b[i], b[i + 1]])) {
            let mut chars: Vec<u8> = b[i..i + 4].to_vec();
            let mut j = i + 4;
            while chars.len() < len && j < b.len() {
                if b[j].is_ascii_alphanumeric() {
                    chars.push(b[j]);
                    j += 1;
                } else if matches!(b[j], b' ' | b'-')
                    && j + 1 < b.len()
                    && b[j + 1].is_ascii_alphanumeric()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let ends_clean = !char_at(text, j).is_some_and(is_word_char);
            if chars.len() == len && ends_clean && iban_checksum_ok(&chars) {
                out.push(PiiSpan {
                    kind: PiiKind::Iban,
                    start: i,
                    end: j,
                });
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

// ---------------------------------------------------------------- DNI / NIE

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

fn find_national_ids(text: &str, out: &mut Vec<PiiSpan>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i].to_ascii_uppercase();
        let nie_prefix = match c {
            b'X' => Some(0u32),
            b'Y' => Some(1),
            b'Z' => Some(2),
            _ => None,
        };
        let starts = (c.is_ascii_digit() || nie_prefix.is_some())
            && !char_before(text, i)
                .is_some_and(|p| is_word_char(p) || matches!(p, '.' | '-' | '/'));
        if !starts {
            i += 1;
            continue;
        }
        let (mut value, want, mut j) = match nie_prefix {
            Some(v) => (
                v,
                7,
                if b.get(i + 1) == Some(&b'-') {
                    i + 2
                } else {
                    i + 1
                },
            ),
            None => (0, 8, i),
        };
        let mut digits = 0;
        while j < b.len() && digits < want {
            if b[j].is_ascii_digit() {
                value = value * 10 + u32::from(b[j] - b'0');
                digits += 1;
                j += 1;
            } else if nie_prefix.is_none()
                && b[j] == b'.'
                && (digits == 2 || digits == 5)
                && b.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits == want && j < b.len() && matches!(b[j], b'-' | b' ') {
            j += 1;
        }
        let letter = b.get(j).map(u8::to_ascii_uppercase);
        let end = j + 1;
        let ok = digits == want
            && letter.is_some_and(|l| DNI_LETTERS[(value % 23) as usize] == l)
            && !char_at(text, end).is_some_and(is_word_char);
        if ok {
            out.push(PiiSpan {
                kind: PiiKind::NationalId,
                start: i,
                end,
            });
            i = end;
        } else {
            i += 1;
        }
    }
}

// ---------------------------------------------------------------- numbers

/// A standalone numeric token: digit groups joined by single separators.
#[derive(Debug, Clone)]
struct NumToken {
    start: usize,
    end: usize,
    /// The digits, in order.
    digits: Vec<u8>,
    /// Digit count of each group.
    groups: Vec<usize>,
    /// Separators used inside the token (subset of `-./,`).
    seps: Vec<u8>,
    /// Written with a leading `+`.
    plus: bool,
    /// Written as `(123)`.
    paren: bool,
}

impl NumToken {
    fn sep_only(&self, allowed: &[u8]) -> bool {
        self.seps.iter().all(|s| allowed.contains(s))
    }
}

/// A character whose presence right before a digit means the digit continues
/// something else (`A123`, `v2`, `1.5`).
fn glued_before(text: &str, i: usize) -> bool {
    match char_before(text, i) {
        None => false,
        Some(c) if is_word_char(c) => true,
        Some(c @ ('.' | ',' | '-' | '/' | '_')) => {
            char_before(text, i - c.len_utf8()).is_some_and(is_word_char)
        }
        Some(_) => false,
    }
}

fn tokenize_numbers(text: &str) -> Vec<NumToken> {
    let b = text.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let (plus, paren, digits_at) = match c {
            b'+' if i + 1 < b.len() && b[i + 1].is_ascii_digit() => (true, false, i + 1),
            b'(' if i + 1 < b.len() && b[i + 1].is_ascii_digit() => (false, true, i + 1),
            b'0'..=b'9' => (false, false, i),
            _ => {
                i += 1;
                continue;
            }
        };
        if glued_before(text, i) {
            // Skip the rest of this alphanumeric run.
            i = digits_at;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b',' | b'-' | b'/'))
            {
                i += 1;
            }
            continue;
        }
        let mut j = digits_at;
        let mut digits = Vec::new();
        let mut groups = Vec::new();
        let mut seps = Vec::new();
        loop {
            let g0 = j;
            while j < b.len() && b[j].is_ascii_digit() {
                digits.push(b[j] - b'0');
                j += 1;
            }
            groups.push(j - g0);
            if !paren
                && j + 1 < b.len()
                && matches!(b[j], b'-' | b'.' | b'/' | b',')
                && b[j + 1].is_ascii_digit()
            {
                if !seps.contains(&b[j]) {
                    seps.push(b[j]);
                }
                j += 1;
            } else {
                break;
            }
        }
        if paren {
            if j < b.len() && b[j] == b')' {
                j += 1;
            } else {
                // `(612 34 56 78)`: not an area code; rescan from the digit.
                i = digits_at;
                continue;
            }
        }
        let glued_after =
            char_at(text, j).is_some_and(|c| is_word_char(c) && !(paren && c.is_ascii_digit()));
        if glued_after {
            // Glued to letters after (`5G`, `128GB`, `3x`): not a number token.
            while j < b.len() && b[j].is_ascii_alphanumeric() {
                j += 1;
            }
            i = j;
            continue;
        }
        toks.push(NumToken {
            start: i,
            end: j,
            digits,
            groups,
            seps,
            plus,
            paren,
        });
        i = j;
    }
    toks
}

const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹', '₽'];
const CURRENCY_WORDS: &[&str] = &[
    "eur", "euro", "euros", "usd", "dollar", "dollars", "dolar", "dolares", "gbp", "pound",
    "pounds", "libras", "mxn", "pesos", "peso",
];

fn is_price_context(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end_matches(' ');
    if before.ends_with(CURRENCY_SIGNS) {
        return true;
    }
    let after = text[end..].trim_start_matches(' ');
    if after.starts_with(CURRENCY_SIGNS) || after.starts_with('%') {
        return true;
    }
    let next_word: String = after
        .chars()
        .take_while(|c| c.is_alphabetic())
        .map(fold_char)
        .collect();
    CURRENCY_WORDS.contains(&next_word.as_str())
}

fn looks_like_date(token: &str) -> bool {
    let groups: Vec<&str> = token.split(['-', '/', '.']).collect();
    if groups.len() != 3
        || !groups
            .iter()
            .all(|g| !g.is_empty() && g.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let l: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    matches!(
        (l[0], l[1], l[2]),
        (4, 1..=2, 1..=2) | (1..=2, 1..=2, 4) | (1..=2, 1..=2, 2)
    )
}

fn is_year(group: &str) -> bool {
    group.len() == 4
        && group
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2099).contains(&y))
}

/// Tokens that are prices, dates, decimals, versions or percentages.
fn excluded(text: &str, t: &NumToken) -> bool {
    if t.seps.contains(&b',') || is_price_context(text, t.start, t.end) {
        return true;
    }
    let body = &text[t.start..t.end];
    if t.seps.len() == 1 && looks_like_date(body) {
        return true;
    }
    if t.seps.contains(&b'.') && (t.groups.len() == 2 || t.groups.iter().any(|&g| g < 2)) {
        return true;
    }
    false
}

const REFERENCE_WORDS: &[&str] = &[
    "ups",
    "dhl",
    "fedex",
    "usps",
    "gls",
    "seur",
    "correos",
    "mrw",
    "nacex",
    "ean",
    "upc",
    "gtin",
    "isbn",
    "asin",
    "imei",
    "serial",
    "sn",
    "lot",
    "lote",
    "batch",
    "model",
    "modelo",
    "order",
    "orders",
    "pedido",
    "pedidos",
    "ref",
    "reference",
    "referencia",
    "tracking",
    "seguimiento",
    "invoice",
    "factura",
    "albaran",
    "ticket",
    "account",
    "cuenta",
    "cliente",
    "customer",
    "sku",
    "item",
    "articulo",
    "localizador",
    "booking",
    "reserva",
    "rma",
    "case",
    "caso",
    "incidencia",
    "envio",
    "shipment",
    "parcel",
    "paquete",
    "id",
];
/// Words that may sit between a reference keyword and its number
/// (`order number is 123`, `número de pedido: 123`, `pedido es el 123`).
const FILLER_WORDS: &[&str] = &[
    "no", "nº", "n", "num", "number", "numero", "nro", "n°", "code", "codigo", "de", "del", "of",
    "is", "es", "was", "era", "my", "mi", "el", "la", "the", "a", "id",
];

/// Whether the text right before byte `start` is an order/reference keyword,
/// optionally followed by `#`, `:`, `nº`, `number`… (`order #`, `pedido nº`).
fn follows_reference_keyword(text: &str, start: usize) -> bool {
    let before = &text[..start];
    let mut rest =
        before.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.' | '-'));
    if rest.ends_with('#') {
        return true;
    }
    let mut hops = 0;
    loop {
        rest = rest
            .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '.' | '#' | '-'));
        let word_start = rest
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphabetic() || matches!(c, 'º' | '°'))
            .last()
            .map_or(rest.len(), |(i, _)| i);
        let word: String = rest[word_start..].chars().map(fold_char).collect();
        if word.is_empty() {
            return false;
        }
        if REFERENCE_WORDS.contains(&word.as_str()) {
            return true;
        }
        // `de`: "número de pedido 123"; number words: "order number 123".
        if hops < 3 && FILLER_WORDS.contains(&word.as_str()) {
            rest = &rest[..word_start];
            hops += 1;
            continue;
        }
        return false;
    }
}

/// Luhn checksum over digits.
fn luhn_ok(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

fn card_window(toks: &[NumToken]) -> bool {
    let digits: Vec<u8> = toks.iter().flat_map(|t| t.digits.iter().copied()).collect();
    (13..=19).contains(&digits.len())
        && toks.iter().all(|t| !t.plus && !t.paren && t.sep_only(b"-"))
        && matches!(digits.first(), Some(2..=6))
        && luhn_ok(&digits)
}

fn phone_run(text: &str, toks: &[NumToken]) -> bool {
    let Some(first) = toks.first() else {
        return false;
    };
    let total: usize = toks.iter().map(|t| t.digits.len()).sum();
    if !(9..=15).contains(&total) {
        return false;
    }
    let groups: Vec<&[u8]> = {
        let mut v = Vec::new();
        for t in toks {
            let mut at = 0;
            for &g in &t.groups {
                v.push(&t.digits[at..at + g]);
                at += g;
            }
        }
        v
    };
    if groups.iter().skip(1).any(|g| g.len() < 2) || groups.len() > 8 {
        return false;
    }
    let as_num = |g: &[u8]| g.iter().fold(0u64, |acc, &d| acc * 10 + u64::from(d));
    let years = groups
        .iter()
        .filter(|g| g.len() == 4 && (1900..=2099).contains(&as_num(g)))
        .count();
    if years >= 2 {
        return false;
    }
    if groups.len() >= 2 {
        let nums: Vec<i64> = groups.iter().map(|g| as_num(g) as i64).collect();
        let step = nums[1] - nums[0];
        if step.abs() == 1 && nums.windows(2).all(|w| w[1] - w[0] == step) {
            return false;
        }
    }
    if !first.plus && !first.paren && follows_reference_keyword(text, first.start) {
        return false;
    }
    // `UPS 1Z 999 AA1 01 2345 6784`: the digits continue a product or
    // tracking code written in groups.
    let before = text[..first.start].strip_suffix(' ').unwrap_or("");
    let prev_word: Vec<char> = before
        .chars()
        .rev()
        .take_while(|&c| is_word_char(c))
        .collect();
    let code_before =
        prev_word.iter().any(char::is_ascii_digit) && prev_word.iter().any(|c| c.is_alphabetic());
    !code_before
}

fn find_numbers(text: &str, out: &mut Vec<PiiSpan>) {
    let toks = tokenize_numbers(text);
    // Runs: consecutive usable tokens separated by exactly one space, or a
    // `(555)` directly followed by the next token.
    let mut runs: Vec<Vec<NumToken>> = Vec::new();
    let mut prev_end: Option<usize> = None;
    for t in toks {
        if excluded(text, &t) {
            prev_end = None;
            continue;
        }
        let joins = match (prev_end, runs.last().and_then(|r| r.last())) {
            (Some(pe), Some(last)) if !t.plus => {
                (t.start == pe + 1 && text.as_bytes()[pe] == b' ') || (last.paren && t.start == pe)
            }
            _ => false,
        };
        prev_end = Some(t.end);
        match runs.last_mut() {
            Some(run) if joins => run.push(t),
            _ => runs.push(vec![t]),
        }
    }
    for run in runs {
        // Cards first: the longest qualifying window from each start.
        let mut is_card = vec![false; run.len()];
        let mut s = 0;
        while s < run.len() {
            let mut best = None;
            let mut digits = 0;
            for e in s..run.len() {
                digits += run[e].digits.len();
                if digits > 19 {
                    break;
                }
                // Prefer the usual 16 digits (`4111 1111 1111 1111 12 27`
                // keeps the expiry out), else the longest window.
                if card_window(&run[s..=e]) && best.is_none_or(|(_, d)| d != 16) {
                    best = Some((e, digits));
                }
            }
            if let Some((e, _)) = best {
                out.push(PiiSpan {
                    kind: PiiKind::Card,
                    start: run[s].start,
                    end: run[e].end,
                });
                is_card[s..=e].iter_mut().for_each(|c| *c = true);
                s = e + 1;
            } else {
                s += 1;
            }
        }
        // Phones in what is left: split at cards and before one-digit tokens.
        let mut sub: Vec<NumToken> = Vec::new();
        let flush = |sub: &mut Vec<NumToken>, out: &mut Vec<PiiSpan>| {
            if let (Some(f), Some(l)) = (sub.first(), sub.last())
                && phone_run(text, sub)
            {
                out.push(PiiSpan {
                    kind: PiiKind::Phone,
                    start: f.start,
                    end: l.end,
                });
            }
            sub.clear();
        };
        for (t, card) in run.into_iter().zip(is_card) {
            if card {
                flush(&mut sub, out);
                continue;
            }
            if t.digits.len() == 1 && !sub.is_empty() {
                flush(&mut sub, out);
            }
            sub.push(t);
        }
        flush(&mut sub, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<PiiKind> {
        find_pii(text).into_iter().map(|s| s.kind).collect()
    }

    fn found(text: &str, kind: PiiKind) -> Vec<&str> {
        find_pii(text)
            .into_iter()
            .filter(|s| s.kind == kind)
            .map(|s| &text[s.range()])
            .collect()
    }

    #[test]
    fn emails_en_and_es() {
        assert_eq!(
            found(
                "mi correo es juan.perez@ejemplo.es, gracias",
                PiiKind::Email
            ),
            ["juan.perez@ejemplo.es"]
        );
        assert_eq!(
            found(
                "Email me at Jane_Doe+shop@mail.example.co.uk.",
                PiiKind::Email
            ),
            ["Jane_Doe+shop@mail.example.co.uk"]
        );
        assert_eq!(
            found("escribe a maría@correo.es", PiiKind::Email),
            ["maría@correo.es"]
        );
    }

    #[test]
    fn not_emails() {
        assert!(kinds("follow us @acme on twitter").is_empty());
        assert!(kinds("meet @ 5pm").is_empty());
        assert!(kinds("a@b").is_empty());
        assert!(kinds("user@host.c0m").is_empty());
        assert!(kinds("x@.com and y@a..com").is_empty());
    }

    #[test]
    fn phones_in_many_shapes() {
        for (text, phone) in [
            ("llámame al 612 34 56 78 por favor", "612 34 56 78"),
            ("Call me on +44 20 7946 0958 tomorrow", "+44 20 7946 0958"),
            ("my number is (555) 123-4567", "(555) 123-4567"),
            ("my number is (555)123-4567", "(555)123-4567"),
            ("call 555-123-4567 after 5", "555-123-4567"),
            ("mi móvil: +34 612 345 678", "+34 612 345 678"),
            ("mi móvil: +34612345678", "+34612345678"),
            ("llamadme al 612345678", "612345678"),
            ("tel. 91 123 45 67", "91 123 45 67"),
            ("mon numéro 06 12 34 56 78", "06 12 34 56 78"),
            ("ring 612.345.678", "612.345.678"),
            ("US: 1 800 555 1234", "1 800 555 1234"),
            ("(llámame: 612 34 56 78)", "612 34 56 78"),
            ("mi tel (612 34 56 78) gracias", "612 34 56 78"),
            ("US +1-555-123-4567 now", "+1-555-123-4567"),
            ("or 555.123.4567", "555.123.4567"),
        ] {
            assert_eq!(found(text, PiiKind::Phone), [phone], "{text}");
        }
    }

    #[test]
    fn numbers_that_are_not_phones() {
        for text in [
            "order #123456",
            "I bought 3 items for $1,299.00 on 2024-05-01",
            "version 2.3.1",
            "is 5G supported",
            "¿Dónde está mi pedido 4521?",
            "my order number is 123456789",
            "número de pedido: 100045872",
            "tracking 1Z9999999999999999",
            "firmware 10.2.3 build 12345",
            "on 2024-05-01 12345",
            "prices 1299.00 or 999.99",
            "costs 1 299 000 €",
            "we have sizes 38 39 40 41 42",
            "models from 2019 2020 2021",
            "12:30 or 13:45 on 01/05/2024",
            "a 128GB 256GB 512GB phone",
            "pack of 6, 12 or 24",
            "call 555-1234",
            "got 100% 200 300",
        ] {
            assert!(find_pii(text).is_empty(), "{text}: {:?}", find_pii(text));
        }
    }

    #[test]
    fn cards_need_luhn() {
        assert_eq!(
            found("my card is 4111 1111 1111 1111 exp 12/27", PiiKind::Card),
            ["4111 1111 1111 1111"]
        );
        assert_eq!(
            found("4111-1111-1111-1111", PiiKind::Card),
            ["4111-1111-1111-1111"]
        );
        assert_eq!(
            found("tarjeta 5500005555555559", PiiKind::Card),
            ["5500005555555559"]
        );
        assert_eq!(
            found("amex 3782 822463 10005", PiiKind::Card),
            ["3782 822463 10005"]
        );
        // Same shape, wrong check digit: not a card (and too long for a phone).
        assert!(find_pii("my card is 4111 1111 1111 1112").is_empty());
        assert!(find_pii("4111111111111112").is_empty());
    }

    #[test]
    fn card_followed_by_expiry_still_found() {
        assert_eq!(
            found("4111 1111 1111 1111 12 27", PiiKind::Card),
            ["4111 1111 1111 1111"]
        );
    }

    #[test]
    fn ibans_with_and_without_spaces() {
        for (text, iban) in [
            (
                "mi IBAN es ES91 2100 0418 4502 0005 1332.",
                "ES91 2100 0418 4502 0005 1332",
            ),
            (
                "pay to GB82 WEST 1234 5698 7654 32 please",
                "GB82 WEST 1234 5698 7654 32",
            ),
            ("ES9121000418450200051332", "ES9121000418450200051332"),
            ("iban: gb82west12345698765432", "gb82west12345698765432"),
            ("DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ] {
            assert_eq!(found(text, PiiKind::Iban), [iban], "{text}");
            assert_eq!(kinds(text), [PiiKind::Iban], "{text}: nothing else inside");
        }
    }

    #[test]
    fn ibans_need_the_checksum_and_length() {
        assert!(found("ES92 2100 0418 4502 0005 1332", PiiKind::Iban).is_empty());
        assert!(found("ES91 2100 0418 4502 0005 133", PiiKind::Iban).is_empty());
        assert!(found("ES91 2100 0418 4502 0005 13321", PiiKind::Iban).is_empty());
        assert!(found("XX91 2100 0418 4502 0005 1332", PiiKind::Iban).is_empty());
    }

    #[test]
    fn luhn_and_mod97_basics() {
        assert!(luhn_ok(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn_ok(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
        assert!(!luhn_ok(&[]));
        assert!(iban_checksum_ok(b"GB82WEST12345698765432"));
        assert!(!iban_checksum_ok(b"GB83WEST12345698765432"));
    }

    #[test]
    fn spanish_national_ids() {
        for (text, id) in [
            ("Mi DNI es 12345678Z, ¿vale para la factura?", "12345678Z"),
            ("dni 12.345.678-z", "12.345.678-z"),
            ("DNI: 12345678 Z", "12345678 Z"),
            ("NIE X1234567L", "X1234567L"),
            ("nie y-1234567-x", "y-1234567-x"),
        ] {
            assert_eq!(found(text, PiiKind::NationalId), [id], "{text}");
        }
        for text in [
            "DNI 12345678A",
            "CIF B12345678",
            "modelo 12345678Z9",
            "X1234567LL",
        ] {
            assert!(found(text, PiiKind::NationalId).is_empty(), "{text}");
        }
    }

    #[test]
    fn digits_continuing_a_code_are_not_phones() {
        assert!(find_pii("UPS 1Z 999 AA1 01 2345 6784").is_empty());
        assert!(find_pii("envío por SEUR 612345678901").is_empty());
    }

    #[test]
    fn several_kinds_sorted() {
        let t = "Soy ana@x.es, tel 612 34 56 78, tarjeta 4111 1111 1111 1111";
        assert_eq!(kinds(t), [PiiKind::Email, PiiKind::Phone, PiiKind::Card]);
    }

    #[test]
    fn redact_replaces_each_span() {
        assert_eq!(
            redact("mi correo es juan.perez@ejemplo.es y mi móvil +34 612 345 678."),
            "mi correo es [email] y mi móvil [phone]."
        );
        assert_eq!(
            redact("card 4111 1111 1111 1111, IBAN ES91 2100 0418 4502 0005 1332"),
            "card [card], IBAN [iban]"
        );
        assert_eq!(redact("order #123456 is late"), "order #123456 is late");
        assert_eq!(redact(""), "");
    }

    #[test]
    fn references_are_redacted_only_on_request() {
        let t = "¿Dónde está mi pedido 4521? Y el AB-123456, pagado el 2024-05-01 con $1,299.00";
        assert!(find_pii(t).is_empty());
        assert_eq!(
            redact_references(t),
            "¿Dónde está mi pedido [number]? Y el [number], pagado el 2024-05-01 con $1,299.00"
        );
        assert_eq!(
            redact_references("order #123456, tel 612 34 56 78"),
            "order #[number], tel [phone]"
        );
        assert_eq!(
            redact_references("since 2019, 3 items"),
            "since 2019, 3 items"
        );
    }
}
