//! Behaviour of the knowledge-base search, one test per promise.

use super::*;
use proptest::prelude::*;

fn art(id: &str, title: &str, body: &str, lang: &str) -> Article {
    Article {
        id: id.into(),
        title: title.into(),
        body: body.into(),
        tags: Vec::new(),
        lang: lang.into(),
        updated_at: 0,
    }
}

fn ids(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.id.as_str()).collect()
}

fn shop() -> SearchIndex {
    SearchIndex::new(&[
        art(
            "returns",
            "Returning an item",
            "You can send back any product within 30 days for a full refund.",
            "en",
        ),
        art(
            "shipping",
            "Shipping times",
            "Orders ship in two business days. Tracking numbers arrive by email.",
            "en",
        ),
        art(
            "password",
            "Reset your password",
            "Use the forgotten password link on the sign in page.",
            "en",
        ),
        art(
            "devolucion",
            "Devolución de un pedido",
            "Puedes devolver cualquier producto en 30 días. El reembolso llega en una semana.",
            "es",
        ),
        art(
            "envio",
            "Tiempos de envío",
            "Los pedidos se envían en dos días hábiles.",
            "es",
        ),
    ])
}

fn quiet(query: &str) -> SearchOptions {
    let _ = query;
    SearchOptions {
        limit: 10,
        as_you_type: false,
        ..SearchOptions::default()
    }
}

#[test]
fn stemming_matches_inflections() {
    let idx = shop();
    assert_eq!(ids(&idx.search_with("returns", &quiet(""))), ["returns"]);
    assert_eq!(
        ids(&idx.search_with("reset passwords", &quiet(""))),
        ["password"]
    );
}

#[test]
fn spanish_plural_and_missing_accents_match() {
    let idx = shop();
    assert_eq!(
        ids(&idx.search_with("devoluciones", &quiet(""))),
        ["devolucion"]
    );
    assert_eq!(
        ids(&idx.search_with("DEVOLUCION", &quiet(""))),
        ["devolucion"]
    );
    assert_eq!(ids(&idx.search_with("envio", &quiet("")))[0], "envio");
}

#[test]
fn mixed_language_base_answers_both_languages() {
    let idx = shop();
    assert_eq!(idx.search("¿Cuánto tarda el envío?", 1)[0].id, "envio");
    assert_eq!(
        idx.search("how long does shipping take", 1)[0].id,
        "shipping"
    );
    assert_eq!(
        idx.search("quiero devolver un producto", 1)[0].id,
        "devolucion"
    );
}

#[test]
fn stop_words_alone_find_nothing() {
    let idx = shop();
    assert!(idx.search_with("how do I the", &quiet("")).is_empty());
    assert!(idx.search_with("el de la", &quiet("")).is_empty());
}

#[test]
fn last_word_matches_as_prefix_while_typing() {
    let idx = shop();
    assert_eq!(idx.search("reset passw", 5)[0].id, "password");
    assert_eq!(idx.search("track", 5)[0].id, "shipping");
    // A finished word (followed by a space) is not a prefix.
    assert!(idx.search("passw ", 5).is_empty());
    assert!(idx.search_with("passw", &quiet("")).is_empty());
}

#[test]
fn only_the_last_word_is_a_prefix() {
    let idx = shop();
    assert!(
        idx.search("passw reset", 5)
            .iter()
            .all(|h| h.id == "password")
    );
    let hits = idx.search("passw xyzzy", 5);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn typos_one_edit_from_four_letters() {
    let idx = shop();
    assert_eq!(ids(&idx.search_with("refnud", &quiet(""))), ["returns"]);
    assert_eq!(ids(&idx.search_with("emial", &quiet(""))), ["shipping"]);
    // Two edits in a short word are too many.
    assert!(idx.search_with("rfnd", &quiet("")).is_empty());
    assert!(idx.search_with("rfnuud", &quiet("")).is_empty());
}

#[test]
fn typos_none_below_four_letters() {
    let idx = SearchIndex::new(&[art("a", "Cat care", "About cats.", "en")]);
    assert!(idx.search_with("cat", &quiet("")).len() == 1);
    assert!(idx.search_with("cot", &quiet("")).is_empty());
    let idx = SearchIndex::new(&[art("a", "Cart help", "About carts.", "en")]);
    assert_eq!(idx.search_with("cort", &quiet("")).len(), 1);
}

#[test]
fn typos_two_edits_from_eight_letters() {
    let idx = SearchIndex::new(&[art("t", "Tracking numbers", "Every parcel has one.", "en")]);
    assert_eq!(idx.search_with("trakcing", &quiet("")).len(), 1, "one edit");
    assert_eq!(
        idx.search_with("trakcinq", &quiet("")).len(),
        1,
        "two edits, 8 letters"
    );
    assert!(
        idx.search_with("trkcinq", &quiet("")).is_empty(),
        "two edits, 7 letters"
    );
    assert!(
        idx.search_with("trxkcxnq", &quiet("")).is_empty(),
        "three edits"
    );
}

#[test]
fn exact_beats_prefix_beats_fuzzy() {
    let idx = SearchIndex::new(&[
        art("fuzzy", "Parcel", "About a parcel.", "en"),
        art("prefix", "Parcels-lockers", "About parcelling.", "en"),
        art("exact", "Parce", "About parce.", "en"),
    ]);
    // "parce": exact in one, prefix of "parcel…" elsewhere.
    let hits = idx.search("parce", 10);
    assert_eq!(hits[0].id, "exact", "{hits:?}");
    let idx = SearchIndex::new(&[
        art("fuzzy", "Parsel", "x", "en"),
        art("prefix", "Parcelforce", "x", "en"),
        art("exact", "Parcel", "x", "en"),
    ]);
    let hits = idx.search("parcel", 10);
    assert_eq!(ids(&hits), ["exact", "prefix", "fuzzy"], "{hits:?}");
    assert!(hits[0].score > hits[1].score && hits[1].score > hits[2].score);
}

#[test]
fn title_match_beats_body_match() {
    let idx = SearchIndex::new(&[
        art(
            "body",
            "General questions",
            "Something about invoices and other things here.",
            "en",
        ),
        art(
            "title",
            "Invoices",
            "Something about other things and more here too.",
            "en",
        ),
    ]);
    assert_eq!(ids(&idx.search("invoices", 5)), ["title", "body"]);
}

#[test]
fn tags_weigh_between_title_and_body() {
    let mut tagged = art("tags", "General", "Words words words.", "en");
    tagged.tags = vec!["warranty".into()];
    let idx = SearchIndex::new(&[
        art("body", "General", "Words about warranty.", "en"),
        tagged,
        art("title", "Warranty", "Words words words.", "en"),
    ]);
    assert_eq!(ids(&idx.search("warranty", 5)), ["title", "tags", "body"]);
}

#[test]
fn more_query_words_matched_ranks_higher() {
    let idx = SearchIndex::new(&[
        art("one", "Delete photos", "Remove pictures.", "en"),
        art(
            "both",
            "Delete account",
            "Close your account for good.",
            "en",
        ),
    ]);
    assert_eq!(idx.search("delete account", 2)[0].id, "both");
}

#[test]
fn question_words_tell_questions_apart() {
    // Same topic word; only the question word differs. Without stop words
    // in the index this would be a tie, broken in favour of "a-why".
    let idx = SearchIndex::new(&[
        art(
            "a-why",
            "Why is my parcel late?",
            "Couriers can be slow.",
            "en",
        ),
        art(
            "b-where",
            "Where is my parcel?",
            "Couriers can be slow.",
            "en",
        ),
    ]);
    assert_eq!(idx.search("where is my parcel", 2)[0].id, "b-where");
    assert_eq!(idx.search("why parcel", 2)[0].id, "a-why");
}

#[test]
fn title_phrase_in_query_order_ranks_higher() {
    let idx = SearchIndex::new(&[
        art("a", "Password change email", "Text.", "en"),
        art("b", "Change password email", "Text.", "en"),
    ]);
    assert_eq!(ids(&idx.search("change password", 2)), ["b", "a"]);
    assert_eq!(ids(&idx.search("password change", 2)), ["a", "b"]);
}

#[test]
fn ties_break_by_id() {
    let idx = SearchIndex::new(&[
        art("b", "Same title", "Same body.", "en"),
        art("a", "Same title", "Same body.", "en"),
        art("c", "Same title", "Same body.", "en"),
    ]);
    assert_eq!(ids(&idx.search("title", 3)), ["a", "b", "c"]);
    assert_eq!(ids(&idx.search("title", 2)), ["a", "b"]);
}

#[test]
fn snippet_highlights_point_at_matched_words() {
    let body = format!(
        "{} To get a refund, return the item unused. {}",
        "Intro text about the shop. ".repeat(10),
        "More text. ".repeat(20)
    );
    let idx = SearchIndex::new(&[art("r", "Refunds", &body, "en")]);
    let hit = &idx.search("refunds returned", 1)[0];
    let marked: Vec<&str> = hit
        .snippet
        .highlights
        .iter()
        .map(|&(a, b)| &hit.snippet.text[a..b])
        .collect();
    assert_eq!(marked, ["refund", "return"], "{:?}", hit.snippet);
    assert!(hit.snippet.text.len() < body.len());
    assert_eq!(hit.title_highlights, [(0, 7)]);
}

#[test]
fn snippet_marks_accented_and_prefix_words() {
    let idx = shop();
    let hit = &idx.search("devolucion", 1)[0];
    let t = &hit.title_highlights;
    assert_eq!(&"Devolución de un pedido"[t[0].0..t[0].1], "Devolución");
    let hit = &idx.search("reemb", 1)[0];
    let s = &hit.snippet;
    let marked: Vec<&str> = s.highlights.iter().map(|&(a, b)| &s.text[a..b]).collect();
    assert_eq!(marked, ["reembolso"]);
}

#[test]
fn snippet_is_plain_text() {
    let idx = SearchIndex::new(&[art(
        "m",
        "Links",
        "See **our** [policy page](https://x.test/policy) now.",
        "en",
    )]);
    let hit = &idx.search("policy", 1)[0];
    assert_eq!(hit.snippet.text, "See our policy page now.");
}

#[test]
fn hits_serialise_as_data() {
    let idx = shop();
    let hit = idx.search("refund", 1).remove(0);
    let json = serde_json::to_value(&hit).unwrap();
    assert_eq!(json["id"], "returns");
    assert!(json["score"].as_f64().unwrap() > 0.0);
    assert!(json["snippet"]["text"].as_str().unwrap().contains("refund"));
    assert!(json["snippet"]["highlights"][0].is_array());
    let back: SearchHit = serde_json::from_value(json).unwrap();
    assert_eq!(back, hit);
}

#[test]
fn odd_queries_never_panic() {
    let idx = shop();
    let long = "refund ".repeat(10_000);
    let garbage = "\u{FFFD}\u{0}\u{200B}\u{202E}😀👩‍👩‍👧\u{301}a\u{301}";
    for q in [
        "", " ", "\t\n", "?", "'", "\u{0}", garbage, &long, "ñ", "a", "aa",
    ] {
        let _ = idx.search(q, 5);
        let _ = idx.search_with(q, &quiet(q));
    }
    assert!(idx.search("", 5).is_empty());
    assert!(idx.search("   ", 5).is_empty());
    assert!(!idx.search(&long, 5).is_empty());
    assert!(idx.search("refund", 0).is_empty());
}

#[test]
fn empty_and_odd_indexes_never_panic() {
    assert!(SearchIndex::new(&[]).search("anything", 5).is_empty());
    let idx = SearchIndex::new(&[
        art("e", "", "", ""),
        art("x", "😀", "\u{FFFD}", "xx"),
        art("l", &"long ".repeat(5000), &"word".repeat(5000), "es"),
    ]);
    assert_eq!(idx.len(), 3);
    assert_eq!(idx.search("long", 5)[0].id, "l");
    assert!(idx.heap_bytes() > 0);
}

#[test]
fn unknown_language_code_is_detected() {
    let idx = SearchIndex::new(&[art("es", "Envíos", "¿Cuándo llegan los pedidos?", "")]);
    assert_eq!(idx.search_with("pedido", &quiet("")).len(), 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn search_never_panics_and_highlights_are_valid(q in "\\PC{0,40}", body in "\\PC{0,300}") {
        let idx = SearchIndex::new(&[
            art("p", "Proptest article", &body, "en"),
            art("s", "Artículo de prueba", &body, "es"),
            art("r", "Refunds", "Refunds take five days.", "en"),
        ]);
        for opts in [SearchOptions { snippet_bytes: 20, ..SearchOptions::default() }, quiet("")] {
            for hit in idx.search_with(&q, &opts) {
                for &(a, b) in &hit.snippet.highlights {
                    prop_assert!(a < b && b <= hit.snippet.text.len());
                    prop_assert!(hit.snippet.text.is_char_boundary(a) && hit.snippet.text.is_char_boundary(b));
                }
                let title = &idx.docs.iter().find(|d| d.id == hit.id).unwrap().title;
                for &(a, b) in &hit.title_highlights {
                    prop_assert!(a < b && b <= title.len());
                    prop_assert!(title.is_char_boundary(a) && title.is_char_boundary(b));
                }
            }
        }
    }

    #[test]
    fn a_word_of_the_title_finds_its_article(word in "[a-z]{4,12}") {
        let idx = SearchIndex::new(&[
            art("w", &format!("About {word}"), "Body.", "en"),
            art("o", "Other", "Nothing here.", "en"),
        ]);
        let stop = normalize::is_stop_word(&word, Lang::En);
        let hits = idx.search_with(&word, &quiet(""));
        prop_assert!(stop || hits.first().map(|h| h.id.as_str()) == Some("w"));
    }
}
