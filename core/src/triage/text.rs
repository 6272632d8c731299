//! Small text helpers shared by the triage scanners: case/accent folding and
//! word splitting with byte offsets.
//!
//! Kept local (rather than using `crate::normalize`) so triage stays tiny for
//! the widget's pre-submit hint and its rules never shift when search
//! normalisation is tuned.

/// Folds one character for matching: lowercase, Latin accents removed
/// (`á`→`a`, `ü`→`u`, `ç`→`c`). `ñ` is kept on purpose: `año`/`ano` and
/// `coño`/`cono` are different words in Spanish.
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    match lower {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

/// Combining diacritical marks (decomposed accents): part of a word, ignored
/// when folding.
pub(crate) fn is_combining(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

/// A character that belongs to a word.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

/// One word of a text: a maximal run of alphanumeric characters.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// Folded form (lowercase, accents removed, combining marks dropped).
    pub folded: String,
    /// Letters in the word.
    pub letters: usize,
    /// Uppercase letters in the word.
    pub upper: usize,
    /// Whether the word holds a digit.
    pub has_digit: bool,
    /// Whether the first character is an uppercase letter.
    pub first_upper: bool,
}

/// Splits `text` into words (maximal alphanumeric runs), with byte offsets.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current: Option<Word> = None;
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            let w = current.get_or_insert_with(|| Word {
                start: i,
                end: i,
                folded: String::new(),
                letters: 0,
                upper: 0,
                has_digit: false,
                first_upper: c.is_uppercase(),
            });
            w.end = i + c.len_utf8();
            if is_combining(c) {
                continue;
            }
            if c.is_alphabetic() {
                w.letters += 1;
                if c.is_uppercase() {
                    w.upper += 1;
                }
            }
            if c.is_numeric() {
                w.has_digit = true;
            }
            w.folded.push(fold_char(c));
        } else if let Some(w) = current.take() {
            out.push(w);
        }
    }
    if let Some(w) = current.take() {
        out.push(w);
    }
    out
}

/// The folded words of `text` joined by single spaces: two questions with the
/// same fingerprint are "the same text" for duplicate and rate checks
/// (`Where is my order?` == `where is my ORDER`).
pub fn fingerprint(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for w in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.folded);
    }
    out
}

/// The character just before byte offset `i` (which must be a char boundary).
pub(crate) fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// The character starting at byte offset `i` (which must be a char boundary).
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_strips_accents_but_keeps_enye() {
        let f: String = "ÁéÍóÚüÇ Ñ".chars().map(fold_char).collect();
        assert_eq!(f, "aeiouuc ñ");
    }

    #[test]
    fn words_have_offsets_and_folded_forms() {
        let ws = words("¿Dónde está mi pedido 4521?");
        let folded: Vec<&str> = ws.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(folded, ["donde", "esta", "mi", "pedido", "4521"]);
        assert_eq!(
            &"¿Dónde está mi pedido 4521?"[ws[0].start..ws[0].end],
            "Dónde"
        );
        assert!(ws[4].has_digit);
    }

    #[test]
    fn decomposed_accents_fold_like_composed_ones() {
        assert_eq!(fingerprint("Cami\u{301}on"), fingerprint("Camión"));
    }

    #[test]
    fn fingerprint_ignores_case_and_punctuation() {
        assert_eq!(fingerprint("Where is my order?"), "where is my order");
        assert_eq!(fingerprint("  where IS my... order"), "where is my order");
        assert_ne!(fingerprint("año"), fingerprint("ano"));
    }
}
