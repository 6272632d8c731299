//! Compact folding table for the scripts and symbols customers type.
//!
//! Full Unicode compatibility decomposition tables cost ~44 KB (brotli) in
//! the widget's wasm, about as much as the rest of search. Customer text
//! needs far fewer: Latin with diacritics, Greek, Cyrillic, fullwidth forms,
//! ligatures, super/subscripts, letterlike and enclosed symbols and the
//! mathematical alphanumerics used to dodge spam filters. `fold_data.rs`
//! holds, for exactly those blocks, every character whose fold differs from
//! plain lower-casing. It is generated from `unicode-normalization`
//! (a dev-dependency) by the test `fold_table_is_up_to_date`, which also
//! checks that folding with it equals NFKD + lower case + marks removed for
//! every assigned character of the blocks. Regenerate with
//! `CHORUS_REGEN_FOLD=1 cargo test -p chorus-core fold_table`.

include!("fold_data.rs");

/// What one character folds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Folded {
    /// A single character.
    Char(char),
    /// Several characters (ligatures, `½`, `ß`), or none.
    Str(&'static str),
}

/// The fold of `c` when it differs from lower-casing `c`.
pub(super) fn lookup(c: char) -> Option<Folded> {
    let u = c as u32;
    if u < 0xA0 {
        return None;
    }
    if let Ok(i) = SINGLE.binary_search_by_key(&u, |&(k, _)| k) {
        return char::from_u32(SINGLE[i].1).map(Folded::Char);
    }
    if let Ok(i) = MULTI.binary_search_by_key(&u, |&(k, _)| k) {
        return Some(Folded::Str(MULTI[i].1));
    }
    // Runs: `len` consecutive characters fold to consecutive characters.
    let i = RUNS.partition_point(|&(start, _, _)| start <= u);
    let &(start, len, first) = RUNS.get(i.checked_sub(1)?)?;
    if u < start + u32::from(len) {
        return char::from_u32(first + (u - start)).map(Folded::Char);
    }
    None
}

/// The blocks `fold_data.rs` covers, as inclusive code point ranges.
#[allow(dead_code)] // read by the generator test; documents the coverage
pub(super) const BLOCKS: [(u32, u32); 12] = [
    (0x00A0, 0x024F),   // Latin-1 Supplement, Latin Extended-A/B
    (0x02B0, 0x02FF),   // Spacing modifier letters
    (0x0370, 0x03FF),   // Greek
    (0x0400, 0x04FF),   // Cyrillic
    (0x1D00, 0x1DBF),   // Phonetic extensions (modifier letters)
    (0x1E00, 0x1FFF),   // Latin Extended Additional, Greek Extended
    (0x2000, 0x218F),   // Punctuation, super/subscripts, letterlike, number forms
    (0x2460, 0x24FF),   // Enclosed alphanumerics
    (0x3000, 0x3000),   // Ideographic space
    (0xFB00, 0xFB4F),   // Alphabetic presentation forms (ligatures)
    (0xFF00, 0xFFEF),   // Halfwidth and fullwidth forms
    (0x1D400, 0x1D7FF), // Mathematical alphanumeric symbols
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{MARK_BLOCKS, fold, is_apostrophe};
    use std::fmt::Write;
    use unicode_normalization::char::{
        decompose_compatible, is_combining_mark, is_public_assigned,
    };

    /// The reference: compatibility decomposition, lower case (`ß` → `ss`),
    /// combining marks removed.
    fn full_fold(c: char) -> String {
        let mut out = String::new();
        decompose_compatible(c, |d| {
            if d == 'ß' || d == 'ẞ' {
                out.push_str("ss");
                return;
            }
            for l in d.to_lowercase() {
                if !is_combining_mark(l) {
                    out.push(l);
                }
            }
        });
        out
    }

    fn covered() -> impl Iterator<Item = char> {
        BLOCKS
            .iter()
            .flat_map(|&(a, b)| a..=b)
            .filter_map(char::from_u32)
            .filter(|&c| is_public_assigned(c) && !is_apostrophe(c))
    }

    fn generate() -> String {
        let mut entries: Vec<(u32, String)> = Vec::new();
        for c in covered() {
            if MARK_BLOCKS
                .iter()
                .any(|&(a, b)| (a..=b).contains(&(c as u32)))
            {
                continue;
            }
            let full = full_fold(c);
            let simple: String = c.to_lowercase().collect();
            if full != simple {
                entries.push((c as u32, full));
            }
        }
        let single_char = |s: &str| {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(x), None) => Some(x as u32),
                _ => None,
            }
        };
        let mut runs: Vec<(u32, u16, u32)> = Vec::new();
        let mut single: Vec<(u32, u32)> = Vec::new();
        let mut multi: Vec<(u32, String)> = Vec::new();
        let mut i = 0;
        while i < entries.len() {
            let (cp, ref out) = entries[i];
            let Some(first) = single_char(out) else {
                multi.push((cp, out.clone()));
                i += 1;
                continue;
            };
            let mut len = 1usize;
            while let Some((next_cp, next_out)) = entries.get(i + len) {
                let step = len as u32;
                if *next_cp == cp + step
                    && single_char(next_out) == Some(first + step)
                    && len < 0xFFFF
                {
                    len += 1;
                } else {
                    break;
                }
            }
            if len >= 4 {
                runs.push((cp, len as u16, first));
                i += len;
            } else {
                single.push((cp, first));
                i += 1;
            }
        }
        let mut s = String::new();
        s.push_str(
            "// @generated by the test `fold_table_is_up_to_date` from unicode-normalization\n",
        );
        let _ = writeln!(
            s,
            "// (Unicode {:?}). Do not edit: regenerate.",
            unicode_normalization::UNICODE_VERSION
        );
        s.push_str("\n/// Character → the one character it folds to.\n#[rustfmt::skip]\nstatic SINGLE: &[(u32, u32)] = &[\n");
        for chunk in single.chunks(6) {
            s.push_str("   ");
            for (k, v) in chunk {
                let _ = write!(s, " (0x{k:04X}, 0x{v:04X}),");
            }
            s.push('\n');
        }
        s.push_str("];\n\n/// Character → the characters it folds to (several or none).\n#[rustfmt::skip]\nstatic MULTI: &[(u32, &str)] = &[\n");
        for chunk in multi.chunks(4) {
            s.push_str("   ");
            for (k, v) in chunk {
                let _ = write!(s, " (0x{k:04X}, {:?}),", v);
            }
            s.push('\n');
        }
        s.push_str("];\n\n/// `(first character, count, first fold)`: consecutive characters that\n/// fold to consecutive characters.\n#[rustfmt::skip]\nstatic RUNS: &[(u32, u16, u32)] = &[\n");
        for chunk in runs.chunks(4) {
            s.push_str("   ");
            for (k, n, v) in chunk {
                let _ = write!(s, " (0x{k:04X}, {n}, 0x{v:04X}),");
            }
            s.push('\n');
        }
        s.push_str("];\n");
        s
    }

    #[test]
    fn fold_table_is_up_to_date() {
        let want = generate();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/normalize/fold_data.rs");
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if have != want {
            if std::env::var_os("CHORUS_REGEN_FOLD").is_some() {
                std::fs::write(path, &want).unwrap();
            } else {
                panic!("fold_data.rs is stale: rerun with CHORUS_REGEN_FOLD=1");
            }
        }
    }

    #[test]
    fn table_fold_equals_full_decomposition_fold() {
        let mut checked = 0;
        for c in covered() {
            let mut lean = String::new();
            super::super::fold_char_into(c, &mut lean);
            assert_eq!(lean, full_fold(c), "U+{:04X} {c}", c as u32);
            checked += 1;
        }
        assert!(checked > 3000, "{checked}");
    }

    #[test]
    fn mark_blocks_hold_only_combining_marks() {
        for &(a, b) in &MARK_BLOCKS {
            for c in (a..=b)
                .filter_map(char::from_u32)
                .filter(|&c| is_public_assigned(c))
            {
                assert!(is_combining_mark(c), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn lookups_cover_each_kind_of_entry() {
        assert_eq!(lookup('é'), Some(Folded::Char('e')));
        assert_eq!(lookup('ﬁ'), Some(Folded::Str("fi")));
        assert_eq!(lookup('Ａ'), Some(Folded::Char('a')));
        assert_eq!(lookup('𝐅'), Some(Folded::Char('f')));
        assert_eq!(lookup('z'), None);
        assert_eq!(lookup('中'), None);
        assert_eq!(fold("𝐅𝐑𝐄𝐄 ①"), "free 1");
    }
}
