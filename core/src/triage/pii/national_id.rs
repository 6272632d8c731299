//! Spanish DNI / NIE (check letter).

use super::*;

pub(super) const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

pub(super) fn find_national_ids(text: &str, out: &mut Vec<PiiSpan>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i].to_ascii_uppercase();
        let nie_prefix = match c {
            b'X' => Some(0u32),
            b'Y' => Some(1),
            b'Z' => Some(2),
            _ => None,
        };
        let starts = (c.is_ascii_digit() || nie_prefix.is_some())
            && !char_before(text, i)
                .is_some_and(|p| is_word_char(p) || matches!(p, '.' | '-' | '/'));
        if !starts {
            i += 1;
            continue;
        }
        let (mut value, want, mut j) = match nie_prefix {
            Some(v) => (
                v,
                7,
                if b.get(i + 1) == Some(&b'-') {
                    i + 2
                } else {
                    i + 1
                },
            ),
            None => (0, 8, i),
        };
        let mut digits = 0;
        while j < b.len() && digits < want {
            if b[j].is_ascii_digit() {
                value = value * 10 + u32::from(b[j] - b'0');
                digits += 1;
                j += 1;
            } else if nie_prefix.is_none()
                && b[j] == b'.'
                && (digits == 2 || digits == 5)
                && b.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits == want && j < b.len() && matches!(b[j], b'-' | b' ') {
            j += 1;
        }
        let letter = b.get(j).map(u8::to_ascii_uppercase);
        let end = j + 1;
        let ok = digits == want
            && letter.is_some_and(|l| DNI_LETTERS[(value % 23) as usize] == l)
            && !char_at(text, end).is_some_and(is_word_char);
        if ok {
            out.push(PiiSpan {
                kind: PiiKind::NationalId,
                start: i,
                end,
            });
            i = end;
        } else {
            i += 1;
        }
    }
}
