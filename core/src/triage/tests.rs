//! End-to-end tests of [`triage`], validation and the serde shapes.

use super::*;

fn verdict(text: &str) -> Verdict {
    triage(TriageInput::new(text)).verdict
}

fn rejected(text: &str) -> Option<RejectReason> {
    match verdict(text) {
        Verdict::Rejected { reason } => Some(reason),
        _ => None,
    }
}

const LEGIT: &[&str] = &[
    "Where is my order? I placed it last Tuesday.",
    "Do you ship to Canada?",
    "How long does delivery take to Spain?",
    "Can I return an item after 30 days?",
    "Is the XL true to size or should I size down?",
    "Do you have gift cards?",
    "What payment methods do you accept? PayPal?",
    "My package says delivered but I can't find it. What should I do?",
    "Is the iPhone 15 case compatible with the 15 Pro?",
    "Does the blender come with a 2-year warranty?",
    "I bought 3 items for $1,299.00 on 2024-05-01, can I get an invoice?",
    "Is 5G supported on this phone?",
    "Which firmware, version 2.3.1 or 2.4, fixes the Bluetooth bug?",
    "Can I change the delivery address for order #123456?",
    "Are your products vegan and cruelty-free?",
    "Hi! Do you price match?",
    "Why was I charged twice??",
    "What's the difference between the 128GB and 256GB models?",
    "Is there a discount for students?",
    "Can I pick up in store tomorrow between 10:00 and 14:00?",
    "WHERE IS MY ORDER?",
    "Does the HDMI 2.1 port support VRR and ALLM?",
    "Is this https://acme.example/p/123 available in blue?",
    "Rhythm strengths: does the metronome app work offline?",
    "¿Dónde está mi pedido 4521?",
    "¿Hacéis envíos a Canarias?",
    "¿Cuánto tarda el envío a Barcelona?",
    "¿Puedo devolver un producto si ya lo he abierto?",
    "¿La talla M es grande o pequeña?",
    "¿Aceptáis pago con Bizum o tarjeta?",
    "Hola, ¿tenéis tienda física en Madrid?",
    "¿El envío es gratis a partir de 50 €?",
    "Mi pedido llegó roto, ¿qué hago?",
    "¿Cuándo vuelve a estar disponible el modelo rojo?",
    "¿Se puede pagar a plazos?",
    "¿Funciona con Alexa y Google Home?",
    "¿Qué garantía tiene la lavadora? ¿3 años?",
    "Holaaa!! ¿El número de pedido 100045872 ya salió?",
    "Necesito las instrucciones de montaje del armario PAX",
    "jajaja ¿en serio es tan barato? ¿Cuándo llega?",
    "¿Tenéis tallas 38 39 40 41 42 en el modelo negro?",
    "Vivo en Scunthorpe, ¿hacéis envíos?",
    "Hi, I ordered 2 pairs of shoes (size 42) on 12/03/2024 and only received one.",
    "My order 1234567890 hasn't arrived",
    "Pedido nº 987654321, ¿cuándo llega?",
    "Can I pay in 3 installments of 33.33?",
    "Shipping to 28001 Madrid? And to 28002 28003?",
    "I need 10 units of SKU 12345678, is there a bulk price?",
    "I can't log in, it says error 0x80070005",
    "The product code is XJ-9000-B, is it waterproof?",
    "Does it fit a 1.5m x 2m bed?",
    "Is the EAN 8412345678901 the black or the white one?",
    "Is the Schwarzkopf shampoo sulfate free?",
    "Can you ship to Llanfairpwllgwyngyll?",
    "q tal, tienen stock?",
    "Can I use the code SAVE20 on sale items?",
    "Opening hours 9:00-18:00 or 10:00-20:00?",
    "Is https://acme.example/p/1 in stock?",
    "Здравствуйте, когда придёт мой заказ?",
    "Olá, vocês enviam para o Brasil?",
    "你好，我的订单什么时候到？",
];

#[test]
fn realistic_questions_are_public() {
    let mut wrong = Vec::new();
    for q in LEGIT {
        let t = triage(TriageInput::new(q));
        if t.verdict != Verdict::Public {
            wrong.push(format!("{q:?} -> {:?} ({:?})", t.verdict, t.detail));
        }
    }
    assert!(wrong.is_empty(), "not public:\n{}", wrong.join("\n"));
}

#[test]
fn each_pii_kind_makes_it_private() {
    for (text, kind) in [
        (
            "Hola, mi correo es juan.perez@ejemplo.es, ¿me escribís?",
            PiiKind::Email,
        ),
        ("Por favor llámame al 612 34 56 78 mañana", PiiKind::Phone),
        (
            "Please call me on +44 20 7946 0958 about my refund",
            PiiKind::Phone,
        ),
        (
            "Can you call (555) 123-4567 about the delivery?",
            PiiKind::Phone,
        ),
        (
            "I paid with 4111 1111 1111 1111 and it failed, why?",
            PiiKind::Card,
        ),
        (
            "Devolvedme el dinero a ES91 2100 0418 4502 0005 1332 por favor",
            PiiKind::Iban,
        ),
        (
            "Refund to GB82 WEST 1234 5698 7654 32 please",
            PiiKind::Iban,
        ),
        (
            "Mi DNI es 12345678Z, ¿sirve para la factura?",
            PiiKind::NationalId,
        ),
    ] {
        let t = triage(TriageInput::new(text));
        assert_eq!(t.verdict, Verdict::Private { kinds: vec![kind] }, "{text}");
        assert_eq!(t.pii.len(), 1, "{text}");
        assert_eq!(t.verdict.forced_status(), Some(AskStatus::Private));
    }
}

#[test]
fn non_luhn_sixteen_digits_is_not_a_card() {
    assert_eq!(
        verdict("I paid with 4111 1111 1111 1112 and it failed, why?"),
        Verdict::Public
    );
}

#[test]
fn private_kinds_are_sorted_and_distinct() {
    let t = triage(TriageInput::new(
        "Call 612 34 56 78 or 699 11 22 33, or mail ana@x.es",
    ));
    assert_eq!(
        t.verdict,
        Verdict::Private {
            kinds: vec![PiiKind::Email, PiiKind::Phone]
        }
    );
    assert_eq!(t.pii.len(), 3);
}

#[test]
fn false_positive_guards_stay_public() {
    for text in [
        "order #123456",
        "I bought 3 items for $1,299.00 on 2024-05-01",
        "version 2.3.1",
        "is 5G supported",
        "¿Dónde está mi pedido 4521?",
    ] {
        let t = triage(TriageInput::new(text));
        assert_eq!(t.verdict, Verdict::Public, "{text}: {:?}", t.detail);
        assert!(t.pii.is_empty(), "{text}");
    }
}

#[test]
fn rejected_beats_private() {
    let t = triage(TriageInput::new(
        "casino bonus, write to win@casino.example",
    ));
    assert_eq!(
        t.verdict,
        Verdict::Rejected {
            reason: RejectReason::Blocklist
        }
    );
    assert_eq!(t.pii.len(), 1, "personal data still reported for redaction");
    assert!(t.detail.is_some());
    assert_eq!(t.verdict.forced_status(), Some(AskStatus::Rejected));
}

#[test]
fn each_spam_reason() {
    assert_eq!(
        rejected("Buy followers now, cheap and fast"),
        Some(RejectReason::Blocklist)
    );
    assert_eq!(
        rejected("eres un gilipollas"),
        Some(RejectReason::Blocklist)
    );
    assert_eq!(
        rejected("check http://x.example"),
        Some(RejectReason::Links)
    );
    assert_eq!(
        rejected("Great deals at a.com, b.net and c.org, have a look"),
        Some(RejectReason::Links)
    );
    assert_eq!(rejected("hellooooooooooo"), Some(RejectReason::Repetition));
    assert_eq!(
        rejected("answer answer answer answer me"),
        Some(RejectReason::Repetition)
    );
    assert_eq!(
        rejected("WHY DOES NOBODY ANSWER MY QUESTIONS IN THIS SHOP EVER"),
        Some(RejectReason::Shouting)
    );
    assert_eq!(
        rejected("Great review of this blender here http://bit.ly/abc123"),
        Some(RejectReason::Links)
    );
    assert_eq!(rejected("asdfghjkl"), Some(RejectReason::Gibberish));
    assert_eq!(
        rejected("sdkfjh dsfkjhs kjhsdf"),
        Some(RejectReason::Gibberish)
    );
}

#[test]
fn shouted_pii_and_links_do_not_count_as_prose() {
    // The e-mail is blanked before the capitals are counted: short text.
    assert_eq!(
        verdict("MY EMAIL IS JOHN.SMITH@EXAMPLE.COM"),
        Verdict::Private {
            kinds: vec![PiiKind::Email]
        }
    );
}

#[test]
fn brand_blocklist() {
    let extra = vec!["Acme Rival".to_string(), "estafa".to_string()];
    let run = |text: &str| {
        triage(TriageInput {
            text,
            rate: RateInfo::default(),
            extra_blocklist: &extra,
        })
        .verdict
    };
    assert_eq!(
        run("¿Es esto una ESTAFA?"),
        Verdict::Rejected {
            reason: RejectReason::Blocklist
        }
    );
    assert_eq!(
        run("is acme rival cheaper?"),
        Verdict::Rejected {
            reason: RejectReason::Blocklist
        }
    );
    assert_eq!(run("¿Las estafas por SMS son vuestras?"), Verdict::Public);
    assert_eq!(run("is acme cheaper than its rival?"), Verdict::Public);
}

#[test]
fn rate_limits() {
    let with = |rate: RateInfo| {
        triage(TriageInput {
            rate,
            ..TriageInput::new("Do you ship to Canada?")
        })
        .verdict
    };
    let rate = |m, h, s| RateInfo {
        asks_last_minute: m,
        asks_last_hour: h,
        same_text_recent: s,
    };
    assert_eq!(with(rate(4, 29, 0)), Verdict::Public);
    assert_eq!(
        with(rate(5, 5, 0)),
        Verdict::Rejected {
            reason: RejectReason::Rate
        }
    );
    assert_eq!(
        with(rate(0, 30, 0)),
        Verdict::Rejected {
            reason: RejectReason::Rate
        }
    );
    assert_eq!(
        with(rate(1, 1, 1)),
        Verdict::Rejected {
            reason: RejectReason::Duplicate
        }
    );
    assert_eq!(
        with(rate(9, 9, 1)),
        Verdict::Rejected {
            reason: RejectReason::Rate
        },
        "rate is checked before duplicate"
    );
}

#[test]
fn rate_info_from_history() {
    let now = 10_000_000;
    let history = [
        (now - 5_000, "Where is my ORDER?"),
        (now - 50_000, "Do you ship to Canada?"),
        (now - 120_000, "something else"),
        (now - 20 * 60_000, "where is my order"),
        (now - 2 * 3_600_000, "old"),
        (now + 1_000, "clock skew"),
    ];
    let info = RateInfo::from_history(now, "where is my order", history);
    assert_eq!(
        info,
        RateInfo {
            asks_last_minute: 3,
            asks_last_hour: 5,
            same_text_recent: 1,
        }
    );
    assert_eq!(RateInfo::from_history(now, "hi", []), RateInfo::default());
    assert_eq!(
        RateInfo::from_history(now, "?!", [(now, "...")]).same_text_recent,
        0,
        "texts without words are never duplicates of each other"
    );
}

#[test]
fn serde_shapes() {
    let json = |v: &Verdict| serde_json::to_value(v).unwrap();
    assert_eq!(
        json(&Verdict::Public),
        serde_json::json!({"verdict": "public"})
    );
    assert_eq!(
        json(&Verdict::Private {
            kinds: vec![PiiKind::Email, PiiKind::Iban]
        }),
        serde_json::json!({"verdict": "private", "kinds": ["email", "iban"]})
    );
    assert_eq!(
        json(&Verdict::Rejected {
            reason: RejectReason::Gibberish
        }),
        serde_json::json!({"verdict": "rejected", "reason": "gibberish"})
    );
    for (reason, name) in [
        (RejectReason::Rate, "rate"),
        (RejectReason::Duplicate, "duplicate"),
        (RejectReason::Blocklist, "blocklist"),
        (RejectReason::Links, "links"),
        (RejectReason::Repetition, "repetition"),
        (RejectReason::Shouting, "shouting"),
        (RejectReason::Gibberish, "gibberish"),
    ] {
        assert_eq!(serde_json::to_value(reason).unwrap(), name);
    }
    assert_eq!(
        serde_json::to_value(PiiKind::NationalId).unwrap(),
        "national_id"
    );
    let t = triage(TriageInput::new("mail ana@x.es"));
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(
        v["pii"][0],
        serde_json::json!({"kind": "email", "start": 5, "end": 13})
    );
    assert!(v.get("detail").is_none());
    let back: Triage = serde_json::from_value(v).unwrap();
    assert_eq!(back, t);
}

#[test]
fn validation() {
    assert_eq!(validate_question("  Do you ship?\n"), Ok("Do you ship?"));
    assert_eq!(
        validate_question("\u{FEFF}\u{200B} ¿Sí? \u{200B}"),
        Ok("¿Sí?")
    );
    assert_eq!(validate_question(""), Err(ValidationError::Empty));
    assert_eq!(
        validate_question(" \t\n\u{200B} "),
        Err(ValidationError::Empty)
    );
    let max = "ñ".repeat(MAX_QUESTION_CHARS);
    assert_eq!(
        validate_question(&format!("  {max}  ")),
        Ok(max.as_str()),
        "chars, not bytes"
    );
    let over = "a".repeat(MAX_QUESTION_CHARS + 1);
    let err = validate_question(&over).unwrap_err();
    assert_eq!(err, ValidationError::TooLong { chars: 1001 });
    assert_eq!(err.code(), "question_too_long");
    assert_eq!(
        serde_json::to_value(err.to_error_body()).unwrap(),
        serde_json::json!({"error": {"code": "question_too_long",
            "message": "A question can be at most 1000 characters."}})
    );
    assert_eq!(ValidationError::Empty.code(), "question_empty");
    assert!(!ValidationError::Empty.message().is_empty());
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn check_spans(text: &str, spans: &[PiiSpan]) {
        let mut last = 0;
        for s in spans {
            assert!(s.start < s.end && s.end <= text.len(), "{s:?} in {text:?}");
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            assert!(s.start >= last, "sorted, no overlap: {spans:?}");
            last = s.end;
        }
    }

    /// Text built from the pieces the scanners care about, so the
    /// interesting branches are actually reached.
    fn tricky() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                "[0-9]{1,5}",
                Just(" ".to_string()),
                Just("+".to_string()),
                Just("(".to_string()),
                Just(")".to_string()),
                "[-./,#@:$€%]",
                "[a-zA-Z]{1,6}",
                "[ñáÉü¿?¡!\u{301}\u{200B}]",
                Just("ES91".to_string()),
                Just("http://".to_string()),
                Just("www.".to_string()),
                Just(".com".to_string()),
                Just("4111".to_string()),
            ],
            0..40,
        )
        .prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn never_panics_on_any_string(text in any::<String>()) {
            let t = triage(TriageInput::new(&text));
            check_spans(&text, &t.pii);
            let _ = redact(&text);
            let _ = redact_references(&text);
            let _ = validate_question(&text);
            for r in reference_spans(&text) {
                prop_assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
        }

        #[test]
        fn never_panics_on_tricky_text(text in tricky(), extra in proptest::collection::vec("[a-z ]{0,8}", 0..3)) {
            let t = triage(TriageInput { text: &text, rate: RateInfo::default(), extra_blocklist: &extra });
            check_spans(&text, &t.pii);
            let red = redact(&text);
            // Placeholders never become part of a detection on a second pass.
            for s in find_pii(&red) {
                prop_assert!(!red[s.range()].contains(['[', ']']), "{:?} in {:?}", s, red);
            }
            let _ = redact_references(&text);
            if let Verdict::Private { kinds } = &t.verdict {
                prop_assert!(!kinds.is_empty());
                prop_assert!(!t.pii.is_empty());
            }
            if t.verdict == Verdict::Public {
                prop_assert!(t.pii.is_empty());
            }
        }

        #[test]
        fn redact_leaves_no_detected_span_text(text in tricky()) {
            let red = redact(&text);
            for s in find_pii(&text) {
                let secret = &text[s.range()];
                // The exact span text may only survive if it also occurs
                // outside every span in the original.
                let outside: String = {
                    let mut o = String::new();
                    let mut pos = 0;
                    for p in find_pii(&text) {
                        o.push_str(&text[pos..p.start]);
                        o.push('\u{0}');
                        pos = p.end;
                    }
                    o.push_str(&text[pos..]);
                    o
                };
                prop_assert!(!red.contains(secret) || outside.contains(secret) || secret.len() <= 1,
                    "{secret:?} survived in {red:?}");
            }
        }
    }
}
