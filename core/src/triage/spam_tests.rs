use super::*;

fn bl(text: &str) -> Option<String> {
    check_blocklist(&words(text), &[])
}

#[test]
fn links_counted() {
    let l = find_links("see https://a.example/x, www.b.com and c.io/path or http://d.net.");
    assert_eq!(l.len(), 4);
    assert!(l[0].explicit && l[1].explicit && !l[2].explicit && l[3].explicit);
    let t = "see https://a.example/x, www.b.com";
    assert_eq!(&t[find_links(t)[0].range.clone()], "https://a.example/x");
}

#[test]
fn not_links() {
    for t in [
        "version 2.3.1",
        "write to ana@shop.com",
        "I ordered it.It arrived broken",
        "e.g. the blue one, i.e. size M",
        "node.js or vue?",
        "3.5 stars",
        "Mr.Smith",
    ] {
        assert!(find_links(t).is_empty(), "{t}");
    }
}

#[test]
fn shortened_links_are_rejected() {
    let l = find_links("Visit http://bit.ly/abc123 for the full review of this blender");
    assert!(l[0].shortener);
    assert!(check_links(&l, 9).is_some());
    assert!(!find_links("https://acme.example/bit.ly")[0].shortener);
    assert_eq!(host_of("HTTPS://www.Bit.ly/x?y"), "bit.ly");
}

#[test]
fn links_rule() {
    let short = find_links("http://casino.example");
    assert!(check_links(&short, 0).is_some());
    let one = find_links("is https://acme.example/p/1 in stock in size M?");
    assert!(check_links(&one, 6).is_none());
    let many = find_links("a.com b.com c.com");
    assert!(check_links(&many, 10).is_some());
    let bare = find_links("acme.com");
    assert!(check_links(&bare, 1).is_some());
    assert!(check_links(&bare, 2).is_none());
}

#[test]
fn builtin_entries_are_stored_folded() {
    for e in BUILTIN_BLOCKLIST {
        assert_eq!(entry_words(e).join(" "), *e);
    }
}

#[test]
fn blocklist_whole_words_only() {
    assert!(bl("I live in Scunthorpe, do you deliver?").is_none());
    assert!(bl("is this a classic assessment?").is_none());
    assert!(
        bl("¿Tenéis computadoras?").is_none(),
        "puta inside computadoras"
    );
    assert!(bl("¿Cuántos años de garantía?").is_none());
    assert!(
        bl("quiero un cono de tráfico").is_none(),
        "cono is not coño"
    );
    assert!(bl("this is shit").is_some());
    assert!(bl("Esto es una MIERDA").is_some());
    assert!(bl("eres un cabrón").is_some(), "accent folded");
    assert!(bl("best CASINO bonus").is_some());
    assert!(bl("c4sino bonus").is_some(), "leetspeak");
    assert!(bl("fuuuuuck").is_some(), "squeezed");
}

#[test]
fn blocklist_phrases_need_all_words_in_order() {
    assert!(bl("buy followers now").is_some());
    assert!(bl("Compra seguidores baratos").is_some());
    assert!(bl("huge crypto giveaway!!").is_some());
    assert!(bl("can I buy more than 2? my followers love it").is_none());
    assert!(bl("is the giveaway in crypto?").is_none());
}

#[test]
fn brand_extra_words() {
    let extra = vec![
        "Competidor".to_string(),
        "dumb brand".to_string(),
        "  ".to_string(),
    ];
    assert!(check_blocklist(&words("¿Sois mejores que competidor?"), &extra).is_some());
    assert!(check_blocklist(&words("you are a DUMB  brand"), &extra).is_some());
    assert!(check_blocklist(&words("competidores"), &extra).is_none());
    assert!(check_blocklist(&words("dumb question: brand new?"), &extra).is_none());
}

#[test]
fn repetition_rules() {
    let rep = |t: &str| check_repetition(t, &words(t));
    assert!(rep("holaaaaaaaaa").is_some());
    assert!(rep("why!!!!!!!!!!").is_some());
    assert!(rep("buy buy buy buy now").is_some());
    assert!(rep("where is my order where is my order where is my order").is_some());
    assert!(rep("ok ok ok").is_some());
    assert!(
        rep("spam spam eggs spam spam bacon spam spam toast spam spam spam").is_some(),
        "dominant word"
    );
    assert!(rep("Holaaa, ¿envían a Canarias???").is_none());
    assert!(rep("It costs 1000000000 dollars?").is_none());
    assert!(rep("Very very good, thanks!").is_none());
    assert!(rep("no, no puedo pagar con tarjeta, ¿puedo pagar en tienda?").is_none());
}

#[test]
fn shouting_rules() {
    assert!(
        check_shouting(&words(
            "WHERE IS MY ORDER I PAID THREE WEEKS AGO AND NOTHING"
        ))
        .is_some()
    );
    assert!(check_shouting(&words("WHERE IS MY ORDER?")).is_none());
    assert!(
        check_shouting(&words(
            "Does the HDMI 2.1 port support VRR and ALLM on the TV?"
        ))
        .is_none()
    );
}

#[test]
fn mashed_words() {
    for w in [
        "asdfghjkl",
        "sdkfjhsdkjfh",
        "qwerty",
        "asdasdasd",
        "xcvbnm",
        "fghfghfgh",
        "ajsdhkajsdh",
    ] {
        assert!(is_mashed(w, false), "{w}");
    }
    for w in [
        "property",
        "strengths",
        "instrucciones",
        "rhythm",
        "jajaja",
        "hahaha",
        "twelfths",
        "liberty",
        "electrodomésticos",
    ] {
        assert!(!is_mashed(w, false), "{w}");
    }
}

#[test]
fn proper_nouns_only_checked_for_keyboard_runs() {
    assert!(!is_mashed("crwth", true));
    assert!(!is_mashed("szczecin", true));
    assert!(is_mashed("crwthx", false));
    assert!(is_mashed("asdfg", true));
    assert!(check_gibberish(&words("Crwth strings?")).is_none());
    assert!(check_gibberish(&words("Do you ship to Llanfairpwllgwyngyll?")).is_none());
    assert!(check_gibberish(&words("Qwerty Asdfgh")).is_some());
}

#[test]
fn gibberish_rules() {
    assert!(check_gibberish(&words("asdfghjkl")).is_some());
    assert!(check_gibberish(&words("sdkfjh sdkjfhs dfkjgh")).is_some());
    assert!(check_gibberish(&words("hola asdf")).is_some());
    assert!(check_gibberish(&words("TV HDMI PS5 RTX VRR ALLM?")).is_none());
    assert!(check_gibberish(&words("Hmm, is it waterproof?")).is_none());
    assert!(check_gibberish(&words("jajaja ¿en serio? ¿cuándo llega?")).is_none());
    assert!(check_gibberish(&words("asdfgh where is my order")).is_none());
    assert!(check_gibberish(&words("Здравствуйте, когда придёт мой заказ?")).is_none());
    assert!(check_gibberish(&words("Γεια σας, πότε θα έρθει η παραγγελία μου;")).is_none());
    assert!(check_gibberish(&words("你好，我的订单什么时候到？")).is_none());
    assert!(check_gibberish(&words("Größe straße")).is_none());
}
