//! IBANs (mod-97).

use super::*;

/// IBAN length per country (ISO 13616 registry, the countries customers of a
/// European/American shop plausibly write).
pub(super) const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

pub(super) fn iban_length(country: [u8; 2]) -> Option<usize> {
    let cc = [
        country[0].to_ascii_uppercase(),
        country[1].to_ascii_uppercase(),
    ];
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| c.as_bytes() == cc)
        .map(|&(_, n)| n)
}

/// ISO 7064 mod 97-10 over an IBAN's characters (ASCII alphanumerics).
pub(super) fn iban_checksum_ok(chars: &[u8]) -> bool {
    if chars.len() < 5 {
        return false;
    }
    let mut rem: u32 = 0;
    for &c in chars[4..].iter().chain(&chars[..4]) {
        rem = match c {
            b'0'..=b'9' => (rem * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (rem * 100 + u32::from(c - b'A') + 10) % 97,
            b'a'..=b'z' => (rem * 100 + u32::from(c - b'a') + 10) % 97,
            _ => return false,
        };
    }
    rem == 1
}

pub(super) fn find_ibans(text: &str, out: &mut Vec<PiiSpan>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        let starts_here = b[i].is_ascii_alphabetic()
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit()
            && !char_before(text, i).is_some_and(is_word_char);
        if let (true, Some(len)) = (starts_here, iban_length([b[i], b[i + 1]])) {
            let mut chars: Vec<u8> = b[i..i + 4].to_vec();
            let mut j = i + 4;
            while chars.len() < len && j < b.len() {
                if b[j].is_ascii_alphanumeric() {
                    chars.push(b[j]);
                    j += 1;
                } else if matches!(b[j], b' ' | b'-')
                    && j + 1 < b.len()
                    && b[j + 1].is_ascii_alphanumeric()
                {
                    j += 1;
                } else {
                    break;
                }
            }
            let ends_clean = !char_at(text, j).is_some_and(is_word_char);
            if chars.len() == len && ends_clean && iban_checksum_ok(&chars) {
                out.push(PiiSpan {
                    kind: PiiKind::Iban,
                    start: i,
                    end: j,
                });
                i = j;
                continue;
            }
        }
        i += 1;
    }
}
