//! The Markdown subset's parser: blocks, inline marks, links, article links.

use super::*;

fn t(s: &str) -> Inline {
    Inline::Text(s.into())
}

#[test]
fn paragraphs_and_line_breaks() {
    assert_eq!(
        parse("One\ntwo\n\nThree"),
        vec![
            Block::Paragraph(vec![t("One"), Inline::Break, t("two")]),
            Block::Paragraph(vec![t("Three")]),
        ]
    );
}

#[test]
fn lists_ordered_and_not() {
    let b = parse("Steps:\n1. Open\n2) Close\n\n- a\n* b\n  more");
    assert_eq!(b[0], Block::Paragraph(vec![t("Steps:")]));
    assert_eq!(
        b[1],
        Block::List {
            ordered: true,
            items: vec![vec![t("Open")], vec![t("Close")]]
        }
    );
    assert_eq!(
        b[2],
        Block::List {
            ordered: false,
            items: vec![vec![t("a")], vec![t("b"), Inline::Break, t("more")]]
        }
    );
}

#[test]
fn emphasis_strong_code() {
    assert_eq!(
        parse_inline("**Free** returns _within_ 30 days, use `RETURN-1`"),
        vec![
            Inline::Strong(vec![t("Free")]),
            t(" returns "),
            Inline::Emphasis(vec![t("within")]),
            t(" 30 days, use "),
            Inline::Code("RETURN-1".into()),
        ]
    );
    assert_eq!(parse_inline("*a **b** c*").len(), 1);
}

#[test]
fn snake_case_and_lone_stars_stay_text() {
    assert_eq!(parse_inline("order_id_here"), vec![t("order_id_here")]);
    assert_eq!(parse_inline("2 * 3 * 4"), vec![t("2 * 3 * 4")]);
    assert_eq!(parse_inline("**"), vec![t("**")]);
}

#[test]
fn links_keep_only_safe_schemes() {
    assert_eq!(
        parse_inline("[Returns](https://acme.example/returns)"),
        vec![Inline::Link {
            href: "https://acme.example/returns".into(),
            children: vec![t("Returns")]
        }]
    );
    assert_eq!(parse_inline("[x](javascript:alert(1))"), vec![t("x)")]);
    assert_eq!(parse_inline("[x](JavaScript:alert)"), vec![t("x")]);
    assert_eq!(parse_inline("[x](data:text/html,hi)"), vec![t("x")]);
    assert_eq!(parse_inline("[x](//evil.example)"), vec![t("x")]);
    assert!(safe_href("mailto:help@acme.example").is_some());
    assert!(safe_href("https:///x").is_none());
    assert!(safe_href("https://a b").is_none());
}

fn art(id: &str, children: Vec<Inline>) -> Inline {
    Inline::Article {
        id: id.into(),
        children,
    }
}

#[test]
fn article_links_keep_a_valid_id() {
    assert_eq!(
        parse_inline("See [Returns](article:returns-policy_2)."),
        vec![
            t("See "),
            art("returns-policy_2", vec![t("Returns")]),
            t(".")
        ]
    );
    assert_eq!(
        parse_inline("[x]( article:a_1 )"),
        vec![art("a_1", vec![t("x")])]
    );
    assert!(is_article_id(&"a".repeat(80)));
    assert!(!is_article_id(&"a".repeat(81)));
    assert!(!is_article_id(""));
}

#[test]
fn article_links_with_a_bad_id_are_text() {
    assert_eq!(parse_inline("[Returns](article:)"), vec![t("Returns")]);
    assert_eq!(parse_inline("[Returns](article:a/b)"), vec![t("Returns")]);
    assert_eq!(parse_inline("[Returns](article:a b)"), vec![t("Returns")]);
    assert_eq!(
        parse_inline("[Returns](article:\u{e9}t\u{e9})"),
        vec![t("Returns")]
    );
    assert_eq!(parse_inline("[Returns](Article:x)"), vec![t("Returns")]);
    assert_eq!(parse_inline("[](article:x)"), vec![]);
    assert_eq!(
        parse_inline(&format!("[R](article:{})", "a".repeat(81))),
        vec![t("R")]
    );
}

#[test]
fn article_links_nest() {
    assert_eq!(
        parse_inline("**see [the *returns* page](article:returns)**"),
        vec![Inline::Strong(vec![
            t("see "),
            art(
                "returns",
                vec![t("the "), Inline::Emphasis(vec![t("returns")]), t(" page")]
            ),
        ])]
    );
    assert_eq!(
        parse("- [A](article:a)\n- [B](https://b.example)"),
        vec![Block::List {
            ordered: false,
            items: vec![
                vec![art("a", vec![t("A")])],
                vec![Inline::Link {
                    href: "https://b.example".into(),
                    children: vec![t("B")]
                }]
            ]
        }]
    );
    assert_eq!(plain_text(&parse("Read [A **b**](article:a)")), "Read A b");
}

#[test]
fn article_link_round_trips_any_title() {
    for title in [
        "Returns",
        "Sizes [EU] & *US*",
        "a\\b_c`d]",
        "[x](article:y)",
    ] {
        assert_eq!(
            parse_inline(&article_link("t-1", title)),
            vec![art("t-1", vec![t(title)])],
            "{title}"
        );
    }
}

#[test]
fn bare_urls_become_links_without_trailing_punctuation() {
    assert_eq!(
        parse_inline("See https://acme.example/r."),
        vec![
            t("See "),
            Inline::Link {
                href: "https://acme.example/r".into(),
                children: vec![t("https://acme.example/r")]
            },
            t("."),
        ]
    );
}

#[test]
fn html_is_text() {
    assert_eq!(
        parse_inline("<script>alert(1)</script>"),
        vec![t("<script>alert(1)</script>")]
    );
}

#[test]
fn escapes_and_code_blocks() {
    assert_eq!(parse_inline(r"\*not italic\*"), vec![t("*not italic*")]);
    assert_eq!(
        parse("```\n**raw**\n```\nafter"),
        vec![
            Block::Code("**raw**".into()),
            Block::Paragraph(vec![t("after")])
        ]
    );
}

#[test]
fn plain_text_drops_markup() {
    assert_eq!(
        plain_text(&parse("**Hi** [there](https://x.example)\n\n- a\n- b")),
        "Hi there\n\na\nb"
    );
}

#[test]
fn deep_or_pathological_input_is_bounded() {
    let deep = "*".repeat(5000) + &"[".repeat(5000) + &"_a".repeat(2000);
    let blocks = parse(&deep);
    assert_eq!(blocks.len(), 1);
    let nested = "**a ".repeat(50) + &"b** ".repeat(50);
    assert!(!parse(&nested).is_empty());
}
