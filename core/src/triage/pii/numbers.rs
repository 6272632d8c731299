//! Numbers: tokens, cards (Luhn) and phones, and what is never one.

use super::*;

/// A standalone numeric token: digit groups joined by single separators.
#[derive(Debug, Clone)]
pub(super) struct NumToken {
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
pub(super) fn glued_before(text: &str, i: usize) -> bool {
    match char_before(text, i) {
        None => false,
        Some(c) if is_word_char(c) => true,
        Some(c @ ('.' | ',' | '-' | '/' | '_')) => {
            char_before(text, i - c.len_utf8()).is_some_and(is_word_char)
        }
        Some(_) => false,
    }
}

pub(super) fn tokenize_numbers(text: &str) -> Vec<NumToken> {
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

pub(super) const CURRENCY_SIGNS: &[char] = &['$', '€', '£', '¥', '₹', '₽'];
pub(super) const CURRENCY_WORDS: &[&str] = &[
    "eur", "euro", "euros", "usd", "dollar", "dollars", "dolar", "dolares", "gbp", "pound",
    "pounds", "libras", "mxn", "pesos", "peso",
];

pub(super) fn is_price_context(text: &str, start: usize, end: usize) -> bool {
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

pub(super) fn looks_like_date(token: &str) -> bool {
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

pub(super) fn is_year(group: &str) -> bool {
    group.len() == 4
        && group
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2099).contains(&y))
}

/// Tokens that are prices, dates, decimals, versions or percentages.
pub(super) fn excluded(text: &str, t: &NumToken) -> bool {
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

pub(super) const REFERENCE_WORDS: &[&str] = &[
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
pub(super) const FILLER_WORDS: &[&str] = &[
    "no", "nº", "n", "num", "number", "numero", "nro", "n°", "code", "codigo", "de", "del", "of",
    "is", "es", "was", "era", "my", "mi", "el", "la", "the", "a", "id",
];

/// Whether the text right before byte `start` is an order/reference keyword,
/// optionally followed by `#`, `:`, `nº`, `number`… (`order #`, `pedido nº`).
pub(super) fn follows_reference_keyword(text: &str, start: usize) -> bool {
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
pub(super) fn luhn_ok(digits: &[u8]) -> bool {
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

pub(super) fn card_window(toks: &[NumToken]) -> bool {
    let digits: Vec<u8> = toks.iter().flat_map(|t| t.digits.iter().copied()).collect();
    (13..=19).contains(&digits.len())
        && toks.iter().all(|t| !t.plus && !t.paren && t.sep_only(b"-"))
        && matches!(digits.first(), Some(2..=6))
        && luhn_ok(&digits)
}

pub(super) fn phone_run(text: &str, toks: &[NumToken]) -> bool {
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

pub(super) fn find_numbers(text: &str, out: &mut Vec<PiiSpan>) {
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
