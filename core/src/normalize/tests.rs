use super::*;
use proptest::prelude::*;

/// The plain definition: UAX #29 over the whole text, no fast path.
fn reference_tokens(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut scratch = Scratch::default();
    unicode_words(text, 0, &mut scratch, &mut |w: &str, s, e| {
        out.push((w.to_string(), s, e))
    });
    out
}

fn fast_tokens(text: &str) -> Vec<(String, usize, usize)> {
    tokens(text)
        .into_iter()
        .map(|t| (t.text, t.start, t.end))
        .collect()
}

proptest! {
    #[test]
    fn chunked_tokenising_equals_uax29(text in "[a-zA-Z0-9 '._,:;!?\\-\t\nñéü😀’]{0,60}") {
        prop_assert_eq!(fast_tokens(&text), reference_tokens(&text));
    }

    #[test]
    fn token_ranges_are_char_boundaries_of_the_text(text in "\\PC{0,80}") {
        for t in tokens(&text) {
            prop_assert!(t.start < t.end && t.end <= text.len());
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
            prop_assert!(!t.text.is_empty() && !t.text.contains('\''));
            prop_assert!(t.text.chars().all(char::is_alphanumeric));
        }
    }

    #[test]
    fn chunked_tokenising_equals_uax29_on_any_text(text in "\\PC{0,60}") {
        prop_assert_eq!(fast_tokens(&text), reference_tokens(&text));
    }
}

#[test]
fn ascii_fast_path_edge_cases_match_uax29() {
    for text in [
        "a'1",
        "1'2",
        "a1'b",
        "x_'s",
        "ab'c'd",
        "3.5",
        "a:b",
        "'tis",
        "rock'n'roll",
        "o'",
        "e.g.",
        "don't",
    ] {
        assert_eq!(fast_tokens(text), reference_tokens(text), "{text}");
    }
}

fn words(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.text).collect()
}

#[test]
fn fold_removes_diacritics_both_ways() {
    assert_eq!(fold("Devolución"), "devolucion");
    assert_eq!(fold("devolucion"), fold("DEVOLUCIÓN"));
    assert_eq!(fold("Ñandú pingüino"), "nandu pinguino");
    assert_eq!(fold("Crème brûlée"), "creme brulee");
}

#[test]
fn fold_applies_compatibility_mappings() {
    assert_eq!(fold("ＲＥＦＵＮＤ"), "refund", "fullwidth letters");
    assert_eq!(fold("ﬁle"), "file", "ligature fi");
    assert_eq!(fold("x²"), "x2", "superscript");
    assert_eq!(fold("Straße"), "strasse", "sharp s case-folds");
}

#[test]
fn fold_unifies_apostrophes() {
    assert_eq!(fold("don’t"), "don't");
    assert_eq!(fold("DON'T"), "don't");
}

#[test]
fn tokens_join_contractions_and_drop_elided_articles() {
    assert_eq!(words("Don't worry"), ["dont", "worry"]);
    assert_eq!(words("don’t"), ["dont"]);
    assert_eq!(words("l'été"), ["ete"]);
    assert_eq!(words("the user's inbox"), ["the", "users", "inbox"]);
    assert_eq!(words("'quoted'"), ["quoted"]);
}

#[test]
fn emoji_and_punctuation_separate_words() {
    assert_eq!(words("refund😀please"), ["refund", "please"]);
    assert_eq!(
        words("👍🏽 order #123, shipped!!"),
        ["order", "123", "shipped"]
    );
    assert_eq!(words("gmail.com/settings"), ["gmail", "com", "settings"]);
    assert!(words("😀 ... !!! 👩‍👩‍👧").is_empty());
}

#[test]
fn token_ranges_point_into_the_original_text() {
    let text = "¿Dónde está mi DEVOLUCIÓN? ﬁle l'été";
    for t in tokens(text) {
        let orig = &text[t.range()];
        let mut f = fold(orig);
        f.retain(|c| c != '\'');
        assert!(
            f.contains(&t.text) || f.ends_with(&t.text),
            "{orig} vs {}",
            t.text
        );
    }
    let t = tokens(text);
    assert_eq!(&text[t[0].range()], "Dónde");
    assert_eq!(t[0].text, "donde");
    assert_eq!(&text[t[3].range()], "DEVOLUCIÓN");
    assert_eq!(&text[t[4].range()], "ﬁle");
    assert_eq!(t[4].text, "file");
}

#[test]
fn split_segment_ranges_are_exact() {
    let text = "visit ＧＭＡＩＬ．ＣＯＭ now";
    let t = tokens(text);
    assert_eq!(t.len(), 4, "{t:?}");
    assert_eq!(&text[t[1].range()], "ＧＭＡＩＬ");
    assert_eq!(&text[t[2].range()], "ＣＯＭ");
}

#[test]
fn stop_words_per_language() {
    assert!(is_stop_word("the", Lang::En));
    assert!(is_stop_word("dont", Lang::En));
    assert!(is_stop_word("Don't", Lang::En));
    assert!(!is_stop_word("refund", Lang::En));
    assert!(is_stop_word("dónde", Lang::Es));
    assert!(is_stop_word("para", Lang::Es));
    assert!(!is_stop_word("para", Lang::En));
    assert!(!is_stop_word("devolucion", Lang::Es));
}

#[test]
fn stop_lists_are_sorted_and_folded() {
    for list in [STOP_EN, STOP_ES] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(list.iter().all(|w| fold(w) == *w && !w.contains('\'')));
    }
    assert!(STOP_EN.len() > 100 && STOP_ES.len() > 150);
}

#[test]
fn english_stemming_conflates_inflections() {
    assert_eq!(stem("returns", Lang::En), stem("returning", Lang::En));
    assert_eq!(stem("Returned", Lang::En), "return");
    assert_ne!(stem("return", Lang::En), stem("refund", Lang::En));
}

#[test]
fn spanish_stemming_conflates_with_and_without_accents() {
    let a = stem("devoluciones", Lang::Es);
    assert_eq!(a, stem("devolución", Lang::Es));
    assert_eq!(a, stem("devolucion", Lang::Es));
    assert_eq!(stem("categoría", Lang::Es), stem("categoria", Lang::Es));
    assert_eq!(stem("pedidos", Lang::Es), stem("pedido", Lang::Es));
    assert!(stem("información", Lang::Es).is_ascii());
}

#[test]
fn language_detection() {
    assert_eq!(detect_lang("How do I return my order?"), Lang::En);
    assert_eq!(detect_lang("¿Cómo devuelvo mi pedido?"), Lang::Es);
    assert_eq!(detect_lang("quiero la devolucion de mi pedido"), Lang::Es);
    assert_eq!(detect_lang("where is the refund for my pedido"), Lang::En);
    assert_eq!(detect_lang("xyz 123"), Lang::En);
    assert_eq!(guess_lang("xyz 123"), None);
    assert_eq!(guess_lang("envío"), Some(Lang::Es));
}

#[test]
fn terms_fold_drop_stop_words_and_stem() {
    assert_eq!(
        terms("How do I return my Orders?", Lang::En),
        ["return", "order"]
    );
    assert_eq!(
        terms("¿Dónde están mis devoluciones?", Lang::Es),
        terms("donde estan mis devolucion", Lang::Es)
    );
}

#[test]
fn lang_codes() {
    assert_eq!(Lang::from_code("es-MX"), Some(Lang::Es));
    assert_eq!(Lang::from_code("EN"), Some(Lang::En));
    assert_eq!(Lang::from_code("fr"), None);
    assert_eq!(Lang::from_code_or_en(""), Lang::En);
    assert_eq!(Lang::Es.to_string(), "es");
}

#[test]
fn odd_input_never_panics() {
    let long = "ab😀c ".repeat(20_000);
    for text in [
        "",
        " ",
        "\t\n",
        "\u{0}",
        "\u{FFFD}\u{FFFD}",
        "'''",
        "a'",
        "'a",
        &long,
    ] {
        let _ = tokens(text);
        let _ = terms(text, Lang::Es);
        let _ = detect_lang(text);
        let _ = fold(text);
    }
    assert_eq!(stem("", Lang::En), "");
    assert!(tokens("   ").is_empty());
}
