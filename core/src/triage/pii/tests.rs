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
