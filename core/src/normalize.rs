//! Text normalisation shared by search, duplicate detection and triage.
//!
//! Every part of core that compares customer text must agree on what "the
//! same word" means, or a question found by search would not be found by the
//! duplicate index. This module is that single definition:
//!
//! - [`fold`]: Unicode compatibility normalisation (the "K" of NFKC: fullwidth
//!   letters, ligatures such as `ﬁ`, super/subscripts, `𝐛𝐨𝐥𝐝` letters), case
//!   folding and diacritics removed, so `Devolución`, `devolucion` and
//!   `ＤＥＶＯＬＵＣＩÓＮ` are one string. The mappings come from a table
//!   generated from `unicode-normalization` for the Latin, Greek, Cyrillic
//!   and symbol blocks customers type (see `fold_table`); other scripts are
//!   lower-cased only. The full tables would cost the widget ~44 KB of wasm.
//! - [`tokens`]: words by Unicode word boundaries (UAX #29), folded, with the
//!   byte range of each word in the original text (snippet highlighting needs
//!   it). Punctuation and emoji are separators; apostrophes inside a word are
//!   joined (`don't` → `dont`) or, for a short elided article, dropped with it
//!   (`l'été` → `ete`).
//! - [`Lang`], [`detect_lang`], [`is_stop_word`], [`stem`]: English and
//!   Spanish stop words and Snowball stemming, and a cheap, deterministic
//!   language guess.
//! - [`terms`]: all of the above in one call, for indexing and comparing.
//!
//! Folding happens before stemming, so a word typed without its accents stems
//! like the accented one.
//!
//! ```
//! use chorus_core::normalize::{detect_lang, fold, terms, tokens, Lang};
//!
//! assert_eq!(fold("¿Dónde está mi DEVOLUCIÓN?"), "¿donde esta mi devolucion?");
//! let lang = detect_lang("¿Dónde está mi devolución?");
//! assert_eq!(lang, Lang::Es);
//! assert_eq!(terms("¿Dónde están mis devoluciones?", lang), terms("devolución", lang));
//! let t = &tokens("I can't log in")[1];
//! assert_eq!((t.text.as_str(), t.start, t.end), ("cant", 2, 7));
//! ```

use std::fmt;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

mod fold_table;
mod stop_words;

pub use stop_words::is_stop_word;
use stop_words::{STOP_EN, STOP_ES};

/// The languages Chorus analyses; everything else is treated as English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// English.
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every supported language, in a fixed order.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// The ISO 639-1 code (`en`, `es`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// Parses a language code or tag (`es`, `ES`, `es-MX`); `None` when unsupported.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else if primary.eq_ignore_ascii_case("es") {
            Some(Lang::Es)
        } else {
            None
        }
    }

    /// Like [`Lang::from_code`], falling back to English for unknown codes.
    pub fn from_code_or_en(code: &str) -> Lang {
        Lang::from_code(code).unwrap_or(Lang::En)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One word of a text: its folded form and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The folded word (see [`fold`]); never empty, no apostrophes.
    pub text: String,
    /// Byte offset of the word's first character in the original text.
    pub start: usize,
    /// Byte offset just past the word's last character in the original text.
    pub end: usize,
}

impl Token {
    /// The byte range of the word in the original text.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }
}

/// Apostrophe-like characters that join or elide words.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{FF07}')
}

/// Blocks of combining marks, dropped wherever they stand (a decomposed
/// `e` + U+0301 folds like `é`).
const MARK_BLOCKS: [(u32, u32); 5] = [
    (0x0300, 0x036F),
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
];

fn is_mark(c: char) -> bool {
    let c = c as u32;
    MARK_BLOCKS.iter().any(|&(a, b)| (a..=b).contains(&c))
}

/// Pushes the folded form of one character.
///
/// Characters of the blocks in [`fold_table::BLOCKS`] fold exactly as
/// compatibility decomposition (NFKD) + lower case + marks removed would
/// fold them; the table is generated from `unicode-normalization` and a
/// test keeps it equal. Other characters are only lower-cased: shipping the
/// full decomposition tables would add ~44 KB (brotli) to the widget.
#[inline]
fn fold_char_into(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    if is_apostrophe(c) {
        out.push('\'');
        return;
    }
    if is_mark(c) {
        return;
    }
    match fold_table::lookup(c) {
        Some(fold_table::Folded::Char(f)) => out.push(f),
        Some(fold_table::Folded::Str(f)) => out.push_str(f),
        None => out.extend(c.to_lowercase()),
    }
}

/// Folds text for comparison: compatibility decomposition (NFKC's
/// compatibility mappings: fullwidth forms, ligatures, superscripts), lower
/// case (with `ß` → `ss`), diacritics removed, apostrophe variants unified to
/// `'`. Punctuation and spacing are kept; use [`tokens`] for words.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char_into(c, &mut out);
    }
    out
}

/// Calls `emit(word, start, end)` for every word of `text` (folded, byte
/// range in `text`) without allocating a `String` per word.
///
/// This is the allocation-light core of [`tokens`], for hot paths such as
/// index building.
pub fn for_each_token(text: &str, mut emit: impl FnMut(&str, usize, usize)) {
    // One shared, non-generic tokeniser: a copy per caller's closure would
    // cost kilobytes of wasm each.
    tokenise(text, &mut emit);
}

/// Type of the per-word callback of the tokeniser.
type Emit<'a> = dyn FnMut(&str, usize, usize) + 'a;

fn tokenise(text: &str, emit: &mut Emit<'_>) {
    let mut scratch = Scratch::default();
    let bytes = text.as_bytes();
    let mut i = 0;
    // Words never span ASCII whitespace, so each whitespace-free chunk is
    // segmented on its own: pure-ASCII chunks (most text) by a byte scan that
    // gives the same words as UAX #29, the rest by unicode-segmentation.
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut ascii = true;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            ascii &= bytes[i].is_ascii();
            i += 1;
        }
        let chunk = &text[start..i];
        if ascii {
            ascii_words(chunk, start, &mut scratch.word, emit);
        } else {
            unicode_words(chunk, start, &mut scratch, emit);
        }
    }
}

/// Reusable buffers of [`for_each_token`].
#[derive(Default)]
struct Scratch {
    folded: String,
    /// For each char of `folded`: (byte offset in folded, source start, source end).
    map: Vec<(usize, usize, usize)>,
    word: String,
}

/// Words of a whitespace-free ASCII chunk: runs of letters and digits, joined
/// across an apostrophe between two letters or two digits (as UAX #29 does).
fn ascii_words(chunk: &str, base: usize, word: &mut String, emit: &mut Emit<'_>) {
    let b = chunk.as_bytes();
    let n = b.len();
    let same_class = |x: u8, y: u8| {
        (x.is_ascii_alphabetic() && y.is_ascii_alphabetic())
            || (x.is_ascii_digit() && y.is_ascii_digit())
    };
    let mut i = 0;
    while i < n {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let s = i;
        let mut apostrophe = false;
        loop {
            while i < n && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if i + 1 < n && b[i] == b'\'' && same_class(b[i - 1], b[i + 1]) {
                apostrophe = true;
                i += 1;
                continue;
            }
            break;
        }
        word.clear();
        if apostrophe {
            resolve_apostrophes(&chunk[s..i].to_ascii_lowercase(), word);
        } else {
            word.push_str(&chunk[s..i]);
            word.make_ascii_lowercase();
        }
        if !word.is_empty() {
            emit(word, base + s, base + i);
        }
    }
}

/// Words of a chunk with non-ASCII text, by UAX #29 word boundaries.
fn unicode_words(chunk: &str, offset: usize, scratch: &mut Scratch, emit: &mut Emit<'_>) {
    let Scratch { folded, map, word } = scratch;
    for (seg_at, seg) in chunk.split_word_bound_indices() {
        let base = offset + seg_at;
        if !seg.chars().any(char::is_alphanumeric) {
            continue;
        }
        if seg.is_ascii() && seg.bytes().all(|b| b.is_ascii_alphanumeric()) {
            // Fast path: the common plain word.
            word.clear();
            word.push_str(seg);
            word.make_ascii_lowercase();
            emit(word, base, base + seg.len());
            continue;
        }
        folded.clear();
        map.clear();
        for (i, c) in seg.char_indices() {
            let before = folded.len();
            fold_char_into(c, folded);
            for (j, _) in folded[before..].char_indices() {
                map.push((before + j, base + i, base + i + c.len_utf8()));
            }
        }
        split_folded(folded, map, word, emit);
    }
}

/// Splits one folded segment into words at non-alphanumeric characters,
/// keeping apostrophes that sit between two alphanumerics, then resolves them.
fn split_folded(
    folded: &str,
    map: &[(usize, usize, usize)],
    word: &mut String,
    emit: &mut Emit<'_>,
) {
    let chars: Vec<char> = folded.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_alphanumeric() {
            i += 1;
            continue;
        }
        let first = i;
        let mut last = i;
        let mut j = i + 1;
        while j < chars.len() {
            let c = chars[j];
            if c.is_alphanumeric() {
                last = j;
                j += 1;
            } else if c == '\'' && j + 1 < chars.len() && chars[j + 1].is_alphanumeric() {
                j += 1;
            } else {
                break;
            }
        }
        let piece: String = chars[first..=last].iter().collect();
        word.clear();
        resolve_apostrophes(&piece, word);
        if !word.is_empty() {
            let start = map.get(first).map_or(0, |m| m.1);
            let end = map.get(last).map_or(start, |m| m.2);
            emit(word, start, end);
        }
        i = j;
    }
}

/// `l'ete` → `ete` (a one- or two-letter elided article before a real word);
/// otherwise apostrophes are dropped: `don't` → `dont`, `user's` → `users`.
fn resolve_apostrophes(piece: &str, out: &mut String) {
    if !piece.contains('\'') {
        out.push_str(piece);
        return;
    }
    let mut parts = piece.split('\'');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    if rest.len() == 1
        && (1..=2).contains(&head.chars().count())
        && head.chars().all(char::is_alphabetic)
        && rest[0].chars().count() >= 3
    {
        out.push_str(rest[0]);
        return;
    }
    out.push_str(head);
    for p in rest {
        out.push_str(p);
    }
}

/// The words of `text`, folded, each with its byte range in `text`.
///
/// Word boundaries follow UAX #29; punctuation, symbols and emoji are not
/// words. Compatibility characters that expand (`ﬁ`, `㎏`) keep the range of
/// the character they came from.
pub fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |w, start, end| {
        out.push(Token {
            text: w.to_string(),
            start,
            end,
        })
    });
    out
}

/// Snowball stem of a word in `lang`, folded before and after stemming.
///
/// Folding first means a word typed without accents stems like the accented
/// one. Spanish `-cion` is given back its accent before stemming because the
/// Snowball suffix table only knows `-ción`; without it `devolucion` and
/// `devoluciones` would not meet.
pub fn stem(word: &str, lang: Lang) -> String {
    let mut folded = fold(word);
    folded.retain(|c| c != '\'');
    stem_folded(&folded, lang)
}

/// [`stem`] for a word that is already folded (as [`tokens`] yields it).
pub fn stem_folded(folded: &str, lang: Lang) -> String {
    match lang {
        Lang::En => {
            let s = Stemmer::create(Algorithm::English);
            s.stem(folded).into_owned()
        }
        Lang::Es => {
            let s = Stemmer::create(Algorithm::Spanish);
            let stemmed = if let Some(head) = folded.strip_suffix("cion") {
                let accented = format!("{head}ción");
                s.stem(&accented).into_owned()
            } else {
                s.stem(folded).into_owned()
            };
            if stemmed.is_ascii() {
                stemmed
            } else {
                fold(&stemmed)
            }
        }
    }
}

/// Spanish-only letters and marks that make a text Spanish on their own.
fn spanish_signal(c: char) -> bool {
    matches!(
        c,
        '¿' | '¡' | 'ñ' | 'Ñ' | 'á' | 'é' | 'í' | 'ó' | 'ú' | 'Á' | 'É' | 'Í' | 'Ó' | 'Ú'
    )
}

/// Evidence for each language: (English, Spanish) scores.
fn lang_scores(text: &str) -> (u32, u32) {
    let mut en = 0u32;
    let mut es = 0u32;
    for c in text.chars() {
        if spanish_signal(c) {
            es = es.saturating_add(2);
        }
    }
    for_each_token(text, |w, _, _| {
        let in_en = STOP_EN.binary_search(&w).is_ok();
        let in_es = STOP_ES.binary_search(&w).is_ok();
        if in_en && !in_es {
            en = en.saturating_add(1);
        } else if in_es && !in_en {
            es = es.saturating_add(1);
        }
    });
    (en, es)
}

/// A language guess, or `None` when the text carries no evidence either way
/// (no stop words of either language, no Spanish letters).
pub fn guess_lang(text: &str) -> Option<Lang> {
    let (en, es) = lang_scores(text);
    if en == 0 && es == 0 {
        None
    } else if es > en {
        Some(Lang::Es)
    } else {
        Some(Lang::En)
    }
}

/// A cheap, deterministic language guess: counts stop words only one of the
/// languages has, plus Spanish letters and marks (`¿¡ñáéíóú`, worth two
/// words each). Ties and texts with no evidence are English.
pub fn detect_lang(text: &str) -> Lang {
    guess_lang(text).unwrap_or(Lang::En)
}

/// The comparable terms of `text` in `lang`: folded words, stop words
/// removed, stemmed. Order follows the text; repeats are kept.
pub fn terms(text: &str, lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |w, _, _| {
        if !is_stop_word(w, lang) {
            out.push(stem_folded(w, lang));
        }
    });
    out
}

#[cfg(test)]
mod tests;
