//! Behaviour tests of the duplicate index (small fixtures; one test loads the
//! real model).

use std::sync::Arc;

use proptest::prelude::*;

use super::embed::tests::toy;
use super::*;
use crate::normalize::Lang;

fn lexical() -> QuestionIndex {
    QuestionIndex::new(None)
}

fn with_toy() -> QuestionIndex {
    QuestionIndex::new(Some(Arc::new(toy())))
}

const FILLER: &[&str] = &[
    "how do i reset my password",
    "what are your opening hours on sunday",
    "do you ship to canada",
    "my payment was declined at checkout",
    "can i change the delivery address",
    "how long is the warranty on headphones",
];

fn filled(mut ix: QuestionIndex) -> QuestionIndex {
    for (i, t) in FILLER.iter().enumerate() {
        ix.insert(1000 + i as u64, t, Lang::En, 1000 + i as u64);
    }
    ix
}

#[test]
fn exact_repeat_joins_ignoring_case_accents_punctuation() {
    let mut ix = filled(lexical());
    assert_eq!(
        ix.ask(1, "Where is my order #123?", Lang::En, 1),
        Verdict::New
    );
    let v = ix.decide("where is my ORDER 123", Lang::En);
    assert_eq!(
        v,
        Verdict::Join {
            group: 1,
            score: 1.0,
            reason: JoinReason::Exact,
            matched: 1
        }
    );
    // Spanish with and without accents.
    ix.insert(2, "¿Dónde está mi pedido?", Lang::Es, 2);
    assert_eq!(ix.decide("donde esta mi pedido", Lang::Es).group(), Some(2));
}

#[test]
fn unrelated_question_starts_a_new_group() {
    let ix = filled(lexical());
    assert_eq!(
        ix.decide("is the store open on public holidays in spain", Lang::En),
        Verdict::New
    );
    assert_eq!(ix.decide("", Lang::En), Verdict::New);
}

#[test]
fn near_repeat_with_typo_joins_lexically() {
    let mut ix = filled(lexical());
    ix.insert(
        1,
        "how long is the warranty on wireless headphones",
        Lang::En,
        7,
    );
    match ix.decide("how long is the waranty on wireless headphones", Lang::En) {
        Verdict::Join { group, reason, .. } => {
            assert_eq!(reason, JoinReason::Near);
            assert_eq!(group, 7);
        }
        v => panic!("expected a near join, got {v:?}"),
    }
}

#[test]
fn never_auto_joins_another_language() {
    let mut ix = filled(lexical());
    ix.insert(1, "hotel barcelona reserva", Lang::En, 1);
    assert_eq!(ix.decide("hotel barcelona reserva", Lang::Es), Verdict::New);
    // but it is still suggested
    assert_eq!(ix.suggest("hotel barcelona reserva", 3)[0].group, 1);
}

#[test]
fn suggest_distinct_groups_answered_first_on_ties() {
    let mut ix = filled(lexical());
    ix.insert(1, "can i pay with paypal", Lang::En, 10);
    ix.insert(2, "can i pay with paypal", Lang::En, 11);
    ix.insert(3, "can i pay with paypal please", Lang::En, 11);
    ix.set_answered(11, true);
    let s = ix.suggest("can i pay with paypal", 5);
    assert_eq!(s[0].group, 11);
    assert!(s[0].answered);
    assert_eq!(s[1].group, 10);
    let groups: Vec<GroupId> = s.iter().map(|x| x.group).collect();
    let mut d = groups.clone();
    d.dedup();
    assert_eq!(groups, d, "distinct groups");
    assert!(ix.suggest("can i pay", 1).len() == 1);
    assert!(ix.suggest("anything", 0).is_empty());
}

#[test]
fn merge_split_remove() {
    let mut ix = filled(lexical());
    ix.insert(1, "refund for a broken blender", Lang::En, 1);
    ix.insert(2, "blender arrived broken refund", Lang::En, 2);
    ix.insert(3, "blender arrived broken can i get a refund", Lang::En, 2);
    ix.set_answered(2, true);
    assert_eq!(ix.merge(&[1, 2]), Some(1));
    assert_eq!(ix.members(1), vec![1, 2, 3]);
    assert!(ix.is_answered(1));
    assert!(ix.members(2).is_empty());
    ix.split(&[2, 3], 5);
    assert_eq!(ix.members(1), vec![1]);
    assert_eq!(ix.members(5), vec![2, 3]);
    assert_eq!(ix.negatives(), vec![(2, 1), (3, 1)]);
    // An exact repeat of a split question follows it to its new group.
    assert_eq!(
        ix.decide("blender arrived broken refund", Lang::En).group(),
        Some(5)
    );
    ix.remove(2);
    assert_eq!(ix.members(5), vec![3]);
    assert_eq!(ix.group_of(2), None);
    assert_eq!(ix.len(), FILLER.len() + 2);
    ix.remove(2); // unknown: ignored
    assert!(ix.join(3, 1));
    assert_eq!(ix.members(1), vec![1, 3]);
    assert!(!ix.join(99, 1));
}

#[test]
fn split_question_is_not_pulled_back() {
    let mut ix = filled(lexical());
    // Group 1 holds two near-identical texts; the agent splits one out.
    ix.insert(1, "cancel order 4417 for the red shoes", Lang::En, 1);
    ix.insert(2, "cancel order 4417 for the blue shoes", Lang::En, 1);
    ix.split(&[2], 2);
    // A new question close to both: group 1 is blocked by the split
    // question's constraint, so it goes to the split-off group or a new one.
    let v = ix.decide("cancel order 4417 for the blue shoes please", Lang::En);
    assert_ne!(v.group(), Some(1));
    // Merging the groups back clears the constraint.
    ix.merge(&[1, 2]);
    assert!(ix.negatives().is_empty());
}

#[test]
fn rebuild_from_rows_gives_same_verdicts() {
    let texts = [
        "my card has not arrived yet",
        "when will my card arrive",
        "reset password please",
        "forgot my password",
        "refund money back",
    ];
    let mut a = filled(with_toy());
    let mut rows = Vec::new();
    for (i, t) in texts.iter().enumerate() {
        let v = a.ask(i as u64, t, Lang::En, 100 + i as u64);
        let g = v.group().unwrap_or(100 + i as u64);
        rows.push((i as u64, g, *t));
    }
    a.set_answered(rows[0].1, true);
    let mut all: Vec<Row> = FILLER
        .iter()
        .enumerate()
        .map(|(i, t)| Row {
            question: 1000 + i as u64,
            group: 1000 + i as u64,
            text: t,
            lang: Lang::En,
            answered: false,
        })
        .collect();
    all.extend(rows.iter().map(|&(q, g, t)| Row {
        question: q,
        group: g,
        text: t,
        lang: Lang::En,
        answered: g == rows[0].1,
    }));
    let b = QuestionIndex::from_rows(Some(Arc::new(toy())), all);
    assert_eq!(a.groups(), b.groups());
    for g in a.groups() {
        assert_eq!(a.members(g), b.members(g));
        assert_eq!(a.is_answered(g), b.is_answered(g));
    }
    for t in ["card arrive", "password forgot", "refund", "opening hours"] {
        assert_eq!(a.decide(t, Lang::En), b.decide(t, Lang::En));
        assert_eq!(a.suggest(t, 3), b.suggest(t, 3));
    }
}

#[test]
fn no_panic_on_odd_input() {
    let mut ix = filled(with_toy());
    let long = "a".repeat(100_000);
    let odd = [
        "",
        " ",
        "\u{0}\u{1}",
        "🙂🙂🙂",
        "ﬁ ＡＢＣ",
        "\u{301}\u{301}",
        long.as_str(),
        "漢字のテスト",
        "x y z 1 2 3 !!!",
    ];
    for (i, t) in odd.iter().enumerate() {
        let _ = ix.suggest(t, 3);
        let _ = ix.ask(i as u64, t, Lang::En, 500 + i as u64);
        let _ = ix.ask(100 + i as u64, t, Lang::Es, 600 + i as u64);
    }
    for (i, _) in odd.iter().enumerate() {
        ix.remove(i as u64);
    }
}

/// The real model: paraphrases score above unrelated pairs and a small
/// stream groups repeats. (The only test that loads the 8 MB table.)
#[test]
fn real_model_end_to_end() {
    let table = include_bytes!("../../model/chorus-static-256.bin");
    let vocab = include_str!("../../model/vocab.txt");
    let m = Embedder::from_bytes(table, vocab).unwrap();
    assert_eq!(m.dims(), 256);
    let cos = |a: &str, b: &str| embed::dot(&m.embed(a), &m.embed(b));
    assert!(
        cos(
            "How do I reset my password?",
            "I forgot my password, how can I change it?"
        ) > cos("How do I reset my password?", "When will my card arrive?") + 0.2
    );
    let mut ix = QuestionIndex::new(Some(Arc::new(m)));
    let stream = [
        "When will my new card arrive?",
        "How do I reset my password?",
        "When will my new card arrive??",
        "when will my new card arrive",
        "what are the fees for international transfers",
    ];
    let mut groups = Vec::new();
    for (i, t) in stream.iter().enumerate() {
        let v = ix.ask(i as u64, t, Lang::En, 10 + i as u64);
        groups.push(v.group().unwrap_or(10 + i as u64));
    }
    assert_eq!(groups, vec![10, 11, 10, 10, 14]);
    let s = ix.suggest("when does my card arrive", 3);
    assert_eq!(s[0].group, 10);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// Asking the same text twice always lands in the same group.
    #[test]
    fn same_text_twice_same_group(text in "\\PC{0,40}", es in any::<bool>()) {
        let lang = if es { Lang::Es } else { Lang::En };
        let mut ix = filled(with_toy());
        let g1 = ix.ask(1, &text, lang, 1).group().unwrap_or(1);
        let g2 = ix.ask(2, &text, lang, 2).group().unwrap_or(2);
        prop_assert_eq!(g1, g2);
    }

    /// Merging two groups and splitting the second's questions back out
    /// restores the membership.
    #[test]
    fn merge_then_split_restores(n1 in 1usize..5, n2 in 1usize..5) {
        let mut ix = filled(lexical());
        let a: Vec<u64> = (0..n1 as u64).collect();
        let b: Vec<u64> = (10..10 + n2 as u64).collect();
        for &q in &a { ix.insert(q, &format!("alpha question {q}"), Lang::En, 1); }
        for &q in &b { ix.insert(q, &format!("beta question {q}"), Lang::En, 2); }
        ix.merge(&[1, 2]);
        ix.split(&b, 2);
        prop_assert_eq!(ix.members(1), a);
        prop_assert_eq!(ix.members(2), b);
    }

    /// Verdicts and suggestions do not depend on the insertion order of
    /// unrelated questions.
    #[test]
    fn order_of_unrelated_items_does_not_matter(perm in Just(FILLER.to_vec()).prop_shuffle()) {
        let mut a = with_toy();
        let mut b = with_toy();
        for (i, t) in FILLER.iter().enumerate() {
            a.insert(1000 + i as u64, t, Lang::En, 1000 + i as u64);
        }
        for t in &perm {
            let i = FILLER.iter().position(|x| x == t).unwrap();
            b.insert(1000 + i as u64, t, Lang::En, 1000 + i as u64);
        }
        for q in ["card arrive", "reset my password", "ship to canada please", "warranty headphones"] {
            prop_assert_eq!(a.decide(q, Lang::En), b.decide(q, Lang::En));
            prop_assert_eq!(a.suggest(q, 3), b.suggest(q, 3));
        }
    }
}

#[test]
fn bulk_rebuild_matches_one_by_one_inserts() {
    // from_rows defers n-gram counts and postings; the result (scores,
    // candidates, groups) must equal inserting the same rows one by one,
    // also when a row repeats an id (the later text replaces the earlier).
    let mut texts: Vec<String> = Vec::new();
    for (i, a) in FILLER.iter().enumerate() {
        for b in ["please", "today", "asap", "thanks a lot", "¿dónde está?"] {
            texts.push(format!("{a} {b} {i}"));
        }
    }
    let rows: Vec<(u64, u64, &str)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| ((i % 23) as u64, (i / 3) as u64, t.as_str()))
        .collect();
    let mut one = with_toy();
    for &(q, g, t) in &rows {
        one.insert(q, t, crate::normalize::detect_lang(t), g);
    }
    let bulk = QuestionIndex::from_rows(
        Some(Arc::new(toy())),
        rows.iter().map(|&(q, g, t)| Row {
            question: q,
            group: g,
            text: t,
            lang: crate::normalize::detect_lang(t),
            answered: false,
        }),
    );
    assert_eq!(one.len(), 23);
    assert_eq!(one.len(), bulk.len());
    assert_eq!(one.groups(), bulk.groups());
    for g in one.groups() {
        assert_eq!(one.members(g), bulk.members(g));
    }
    for q in [
        "warranty on headphones",
        "change delivery address",
        "ship to canada",
        "payment declined 3",
    ] {
        let a = one.debug_candidates(q, Lang::En);
        assert!(!a.is_empty(), "{q}");
        assert_eq!(a, bulk.debug_candidates(q, Lang::En));
        assert_eq!(one.suggest(q, 3), bulk.suggest(q, 3));
    }
}

#[test]
fn suggest_does_not_fill_slots_with_near_twin_groups() {
    let mut ix = filled(lexical());
    ix.insert(1, "can i pay for my order with paypal", Lang::En, 1);
    ix.insert(2, "can i pay for my order with paypal please", Lang::En, 2);
    ix.insert(3, "which cards can i pay with", Lang::En, 3);
    let q = "can i pay with paypal or a card";
    let all = ix.suggest(q, 5);
    let score = |g| all.iter().find(|s| s.group == g).map(|s| s.score).unwrap();
    // Plain ranking would put the twin (2) second: it scores above 3 ...
    assert!(score(2) > score(3), "{all:?}");
    // ... but the second slot goes to the different group.
    let two: Vec<GroupId> = ix.suggest(q, 2).iter().map(|s| s.group).collect();
    assert_eq!(two.len(), 2);
    assert!(two.contains(&3), "{two:?}");
    assert!(two.contains(&1) != two.contains(&2), "{two:?}");
}

/// Rows of a small brand: English, Spanish, a text without words, repeats.
fn stored_texts() -> Vec<(u64, u64, String, Lang, bool)> {
    let mut v = Vec::new();
    let base = [
        "my card has not arrived yet",
        "when will my card arrive",
        "reset password please",
        "forgot my password",
        "refund money back",
        "¿Dónde está mi pedido?",
        "🙂🙂",
        "",
        "a very long question about my card that goes on and on with many words \
         and more words, repeated: my card has not arrived, my card has not arrived, \
         my card has not arrived, my card has not arrived, my card has not arrived, \
         and still no card today or tomorrow",
    ];
    // A lexical form of exactly `MAX_FORM_BYTES` (200) bytes.
    let longest = "ab ".repeat(80);
    assert_eq!(
        lexical::lexical_form(&longest).len(),
        lexical::MAX_FORM_BYTES
    );
    for (i, t) in FILLER
        .iter()
        .chain(base.iter())
        .chain([&longest.as_str()])
        .enumerate()
    {
        for (k, extra) in ["", " please", " today"].iter().enumerate() {
            let text = format!("{t}{extra}");
            let q = (i * 3 + k) as u64;
            let lang = crate::normalize::detect_lang(&text);
            v.push((q, (i as u64) * 2 + (k as u64 % 2), text, lang, i % 3 == 0));
        }
    }
    v
}

fn rows_of(v: &[(u64, u64, String, Lang, bool)]) -> Vec<Row<'_>> {
    v.iter()
        .map(|(q, g, t, l, a)| Row {
            question: *q,
            group: *g,
            text: t,
            lang: *l,
            answered: *a,
        })
        .collect()
}

/// Every observable answer of two indexes must agree.
fn assert_same(a: &QuestionIndex, b: &QuestionIndex) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.groups(), b.groups());
    for g in a.groups() {
        assert_eq!(a.members(g), b.members(g));
        assert_eq!(a.is_answered(g), b.is_answered(g));
    }
    for q in [
        "card arrive",
        "when does my card arrive please",
        "password forgot",
        "refund",
        "opening hours sunday",
        "donde esta mi pedido",
        "🙂🙂",
        "ship to canada today",
    ] {
        for lang in [Lang::En, Lang::Es] {
            assert_eq!(a.decide(q, lang), b.decide(q, lang), "{q}");
            assert_eq!(
                a.debug_candidates(q, lang),
                b.debug_candidates(q, lang),
                "{q}"
            );
        }
        assert_eq!(a.suggest(q, 3), b.suggest(q, 3), "{q}");
    }
}

#[test]
fn decide_with_features_equals_decide_and_features() {
    // With and without the embedding model, over a filled index: the ask
    // path's single analysis gives the same verdict and stored features.
    let model = Arc::new(toy());
    let v = stored_texts();
    for ix in [
        QuestionIndex::from_rows(Some(model), rows_of(&v)),
        QuestionIndex::from_rows(None, rows_of(&v)),
    ] {
        for (_, _, t, l, _) in &v {
            for text in [t.as_str(), "", "¿Dónde está mi pedido 4111?"] {
                let (verdict, f) = ix.decide_with_features(text, *l);
                assert_eq!(verdict, ix.decide(text, *l), "{text}");
                assert_eq!(f, ix.features(text, *l), "{text}");
            }
        }
    }
}

#[test]
fn rebuild_from_stored_features_equals_rebuild_from_text() {
    let model = Arc::new(toy());
    let v = stored_texts();
    let from_text = QuestionIndex::from_rows(Some(model.clone()), rows_of(&v));
    let feats: Vec<String> = v
        .iter()
        .map(|(_, _, t, l, _)| from_text.features(t, *l))
        .collect();
    for f in &feats {
        assert!(features_current(f, from_text.stamp(), Lang::En) || f.as_bytes()[8] == b's');
    }
    let stored = |text_too: bool| {
        v.iter()
            .zip(&feats)
            .map(move |((q, g, t, l, a), f)| StoredRow {
                question: *q,
                group: *g,
                lang: *l,
                answered: *a,
                features: f,
                // Current features are used without the text.
                text: if text_too { t } else { "" },
            })
    };
    let with_model =
        QuestionIndex::from_stored(Some(model.clone()), from_text.stamp(), stored(false));
    assert_same(&from_text, &with_model);

    // Rebuilt before the model is loaded, then given it.
    let mut deferred = QuestionIndex::from_stored(None, from_text.stamp(), stored(false));
    assert!(!deferred.has_model());
    assert!(deferred.attach_model(model.clone()));
    assert_same(&from_text, &deferred);

    // Later inserts with stored features equal inserts from text.
    let mut a = from_text.clone();
    let mut b = deferred;
    for (i, t) in ["my card still has not arrived", "Necesito un reembolso"]
        .iter()
        .enumerate()
    {
        let lang = crate::normalize::detect_lang(t);
        a.insert(500 + i as u64, t, lang, 900);
        let f = b.features(t, lang);
        b.insert_features(500 + i as u64, t, lang, 900, &f);
    }
    assert_same(&a, &b);
}

#[test]
fn stale_or_broken_features_are_recomputed() {
    let model = Arc::new(toy());
    let v = stored_texts();
    let from_text = QuestionIndex::from_rows(Some(model.clone()), rows_of(&v));
    // Features of another model (one table row differs), of no model, of
    // the wrong language, and damaged ones.
    let (mut table, vocab) = super::embed::tests::toy_table();
    let last = table.len() - 1;
    table[last] = table[last].wrapping_add(9);
    let other = Arc::new(Embedder::from_bytes(&table, vocab).unwrap());
    assert_ne!(other.fingerprint(), model.fingerprint());
    assert_ne!(feature_stamp(Some(&other)), feature_stamp(Some(&model)));
    assert_ne!(feature_stamp(None), feature_stamp(Some(&model)));
    let ix_other = QuestionIndex::new(Some(other.clone()));
    let ix_none = QuestionIndex::new(None);
    let feats: Vec<String> = v
        .iter()
        .enumerate()
        .map(|(i, (_, _, t, l, _))| match i % 5 {
            0 => ix_other.features(t, *l),
            1 => ix_none.features(t, *l),
            2 => from_text.features(t, if *l == Lang::En { Lang::Es } else { Lang::En }),
            3 => {
                let f = from_text.features(t, *l);
                f[..f.len() / 2].to_string()
            }
            _ => from_text.features(t, *l),
        })
        .collect();
    let rows = || {
        v.iter().zip(&feats).map(|((q, g, t, l, a), f)| StoredRow {
            question: *q,
            group: *g,
            lang: *l,
            answered: *a,
            features: f,
            text: t,
        })
    };
    let rebuilt = QuestionIndex::from_stored(Some(model.clone()), from_text.stamp(), rows());
    assert_same(&from_text, &rebuilt);

    // A model-less rebuild of stale rows cannot take the model afterwards.
    let mut deferred = QuestionIndex::from_stored(None, from_text.stamp(), rows());
    assert!(!deferred.attach_model(model.clone()));
    // Nor can a model-less rebuild of current features take another model.
    let current: Vec<String> = v
        .iter()
        .map(|(_, _, t, l, _)| from_text.features(t, *l))
        .collect();
    let mut deferred = QuestionIndex::from_stored(
        None,
        from_text.stamp(),
        v.iter()
            .zip(&current)
            .map(|((q, g, _, l, a), f)| StoredRow {
                question: *q,
                group: *g,
                lang: *l,
                answered: *a,
                features: f,
                text: "",
            }),
    );
    assert!(!deferred.attach_model(other));
    assert!(deferred.attach_model(model));
    assert_same(&from_text, &deferred);
}

/// Timing aid, not a check: `cargo test --release -p chorus-core
/// time_rebuild_100k -- --ignored --nocapture` rebuilds 100k generated
/// questions from text and from stored features with the real model.
#[test]
#[ignore]
fn time_rebuild_100k() {
    let table = include_bytes!("../../model/chorus-static-256.bin");
    let vocab = include_str!("../../model/vocab.txt");
    let m = Arc::new(Embedder::from_bytes(table, vocab).unwrap());
    let words = [
        "card", "arrive", "refund", "money", "transfer", "account", "pin", "blocked", "top", "up",
        "failed", "why", "my", "is", "the", "fee", "charged", "twice", "exchange", "rate", "cash",
        "atm", "phone", "lost", "stolen", "verify", "identity", "declined", "payment",
    ];
    let mut x = 0x1234_5678_9abc_def0u64;
    let texts: Vec<String> = (0..100_000)
        .map(|i| {
            let n = 4 + (i % 9);
            (0..n)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let w = words[(x % words.len() as u64) as usize];
                    if x.is_multiple_of(7) {
                        format!("{w}{}", x % 1000)
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let t = std::time::Instant::now();
    let ix = QuestionIndex::from_rows(
        Some(m.clone()),
        texts.iter().enumerate().map(|(i, t)| Row {
            question: i as u64,
            group: (i / 4) as u64,
            text: t,
            lang: Lang::En,
            answered: false,
        }),
    );
    eprintln!("from text: {:?}", t.elapsed());
    let feats: Vec<String> = texts.iter().map(|t| ix.features(t, Lang::En)).collect();
    let t = std::time::Instant::now();
    let (mut f, mut bin, mut n) = (features::Feat::default(), Vec::new(), 0usize);
    for s in &feats {
        n += usize::from(features::decode(s, ix.stamp(), Lang::En, &mut f, &mut bin));
    }
    eprintln!("decode only: {:?} ({n})", t.elapsed());
    let t = std::time::Instant::now();
    let (mut set, mut all) = (lexical::GramSet::default(), Vec::new());
    for s in &feats {
        features::decode(s, ix.stamp(), Lang::En, &mut f, &mut bin);
        lexical::push_unique_grams(&f.form, &mut all, &mut set);
    }
    eprintln!(
        "decode + distinct grams: {:?} ({} grams)",
        t.elapsed(),
        all.len()
    );
    let t = std::time::Instant::now();
    let mut st = lexical::GramStats::default();
    st.add_bulk(&mut all, feats.len() as u32);
    eprintln!("count grams: {:?}", t.elapsed());
    let mut all = Vec::new();
    for s in &feats {
        features::decode(s, ix.stamp(), Lang::En, &mut f, &mut bin);
        lexical::push_unique_grams(&f.form, &mut all, &mut set);
    }
    let t = std::time::Instant::now();
    let mut df: super::hash::FxHashMap<u32, u32> = Default::default();
    for g in &all {
        *df.entry(*g).or_insert(0) += 1;
    }
    eprintln!(
        "count grams in a map: {:?} ({} distinct)",
        t.elapsed(),
        df.len()
    );
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let mut b = QuestionIndex::from_stored(
            None,
            ix.stamp(),
            feats.iter().enumerate().map(|(i, f)| StoredRow {
                question: i as u64,
                group: (i / 4) as u64,
                lang: Lang::En,
                answered: false,
                features: f,
                text: "",
            }),
        );
        assert!(b.attach_model(m.clone()));
        eprintln!("from stored features: {:?}", t.elapsed());
    }
}

#[test]
fn soft_align_is_one_for_the_same_tokens_and_zero_for_none() {
    let m = toy();
    let mut ids = Vec::new();
    m.token_ids("where is my card", &mut ids);
    let mut other = Vec::new();
    m.token_ids("card", &mut other);
    let mut out = Vec::new();
    let none: &[u16] = &[];
    m.soft_align(&ids, &[&ids, none, &other], &mut out);
    assert_eq!(out.len(), 3);
    assert!((out[0] - 1.0).abs() < 1e-4, "{out:?}");
    assert_eq!(out[1], 0.0);
    assert!(out[2] < out[0]);
    assert_eq!(
        crate::dedupe::rank(1.0, 0.0, 0.0),
        crate::dedupe::rank(0.9999, 0.0, 0.0)
    );
    assert!(crate::dedupe::rank(0.5, 1.0, 0.5) > crate::dedupe::rank(0.5, 0.0, 0.5));
}
