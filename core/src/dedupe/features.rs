//! A question's precomputed features, stored next to its row so that a
//! rebuild ([`super::QuestionIndex::from_stored`]) does not recompute them:
//! its lexical form, stemmed index terms, WordPiece ids and embedding sketch.
//!
//! Encoded as printable ASCII text (plus the form, which is the folded
//! question text), so a store can read many rows' features as one string:
//!
//! ```text
//! <stamp: 8 hex><lang: e|s><flags: 0-3>.<base64url: sketch u64 LE, [exact u64 LE],
//!  token count u8, token ids u16 LE, terms u32 LE, check u32 LE>.<form>
//! ```
//!
//! `stamp` ([`feature_stamp`]) identifies everything the features depend on:
//! the format version, the normalisation and stemming (a hash of the forms
//! and terms of fixed probe texts), and the model (a fingerprint of its
//! table, vocabulary and WordPiece output). Features with another stamp or
//! another language are stale and are recomputed from the text, and so are
//! damaged ones (`check` hashes the rest of the binary part and the form).

use std::sync::OnceLock;

use crate::normalize::Lang;

use super::embed::{CENTRE_TEXTS, Embedder};
use super::hash::fnv64;
use super::lexical;

/// Version of the feature format and of the algorithms that compute them
/// (bump when the form, terms, tokens or sketch would change).
pub const FEATURES_VERSION: u32 = 1;

/// Flag bits of the header.
const HAS_EMB: u8 = 1;
const HAS_EXACT: u8 = 2;

/// A question's features, decoded or computed (buffers are reused).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Feat {
    pub form: String,
    pub terms: Vec<u32>,
    pub toks: Vec<u16>,
    pub sketch: u64,
    pub has_emb: bool,
    /// The exact-repeat key (see `index::exact_key`).
    pub exact: u64,
}

/// Texts whose lexical forms and terms fingerprint the normalisation.
const PROBES: &[&str] = &[
    "Ça coûte 12,50 € — ¿por qué?",
    "ＦＵＬＬＷＩＤＴＨ ﬁle ① straße İstanbul",
    "Reembolsé las compras canceladas",
    "cancelling cancelled cancellations running runs",
    "I can't log-in!!! e-mail: x@y.z 4111 1111",
    "🙂 👍",
];

fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Hash of what normalisation and stemming make of fixed probe texts.
fn lexical_fingerprint() -> u64 {
    static FP: OnceLock<u64> = OnceLock::new();
    *FP.get_or_init(|| {
        let mut h = 0u64;
        let mut terms = Vec::new();
        for t in CENTRE_TEXTS.iter().chain(PROBES) {
            let form = lexical::lexical_form(t);
            h = mix(h, fnv64(form.as_bytes()));
            for lang in [Lang::En, Lang::Es] {
                lexical::terms(&form, lang, &mut terms);
                for &x in &terms {
                    h = mix(h, u64::from(x));
                }
                h = mix(h, terms.len() as u64);
            }
        }
        h
    })
}

/// The stamp of features computed with `model` (or without a model).
pub fn feature_stamp(model: Option<&Embedder>) -> u32 {
    let mut h = mix(u64::from(FEATURES_VERSION), lexical_fingerprint());
    if let Some(m) = model {
        h = mix(h, m.fingerprint());
    }
    (h ^ (h >> 32)) as u32
}

/// Fingerprint of a model: table, scales, vocabulary (through the ids it
/// gives the probe texts), and the hashing planes.
pub(crate) fn model_fingerprint(
    dims: usize,
    rows: &[i8],
    scales: &[f32],
    probe_ids: &[u16],
) -> u64 {
    let mut h = mix(0x0C40_F1E1_D5EE_D001, dims as u64);
    h = mix(h, rows.len() as u64);
    for s in scales {
        h = mix(h, u64::from(s.to_bits()));
    }
    let mut chunks = rows.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        for (o, &x) in b.iter_mut().zip(c) {
            *o = x as u8;
        }
        h = mix(h, u64::from_le_bytes(b));
    }
    for &x in chunks.remainder() {
        h = mix(h, u64::from(x as u8));
    }
    for &id in probe_ids {
        h = mix(h, u64::from(id));
    }
    h
}

/// Probe texts for the model fingerprint's WordPiece part.
pub(crate) fn probe_texts() -> impl Iterator<Item = &'static str> {
    CENTRE_TEXTS.iter().chain(PROBES).copied()
}

/// Checksum of the binary part (without the checksum) and the form.
fn check(bin: &[u8], form: &[u8]) -> u32 {
    let mut h = mix(bin.len() as u64, form.len() as u64);
    for part in [bin, form] {
        let mut chunks = part.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            h = mix(h, u64::from_le_bytes(b));
        }
        let mut b = [0u8; 8];
        b[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = mix(h, u64::from_le_bytes(b));
    }
    (h ^ (h >> 32)) as u32
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn b64_encode(bytes: &[u8], out: &mut String) {
    for c in bytes.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = c.len() + 1;
        for i in 0..chars {
            out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
}

const fn b64_table() -> [u8; 256] {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 64 {
        t[B64[i] as usize] = i as u8;
        i += 1;
    }
    t
}
static B64_DEC: [u8; 256] = b64_table();

fn b64_decode(s: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    if s.len() % 4 == 1 {
        return false;
    }
    for c in s.chunks(4) {
        let mut n = 0u32;
        for (i, &ch) in c.iter().enumerate() {
            let v = B64_DEC[ch as usize];
            if v == 255 {
                return false;
            }
            n |= u32::from(v) << (18 - 6 * i);
        }
        let bytes = c.len() - 1;
        for i in 0..bytes {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    true
}

fn lang_char(lang: Lang) -> char {
    match lang {
        Lang::En => 'e',
        Lang::Es => 's',
    }
}

/// Encodes features computed under `stamp` for a question in `lang`.
pub(crate) fn encode(f: &Feat, stamp: u32, lang: Lang) -> String {
    let mut bin = Vec::with_capacity(18 + f.toks.len() * 2 + f.terms.len() * 4);
    bin.extend_from_slice(&f.sketch.to_le_bytes());
    let mut flags = 0u8;
    if f.has_emb {
        flags |= HAS_EMB;
    }
    if f.form.is_empty() {
        flags |= HAS_EXACT;
        bin.extend_from_slice(&f.exact.to_le_bytes());
    }
    let n = f.toks.len().min(255);
    bin.push(n as u8);
    for t in &f.toks[..n] {
        bin.extend_from_slice(&t.to_le_bytes());
    }
    for t in &f.terms {
        bin.extend_from_slice(&t.to_le_bytes());
    }
    let c = check(&bin, f.form.as_bytes());
    bin.extend_from_slice(&c.to_le_bytes());
    let mut s = String::with_capacity(12 + bin.len() * 4 / 3 + 2 + f.form.len());
    s.push_str(&format!("{stamp:08x}"));
    s.push(lang_char(lang));
    s.push((b'0' + flags) as char);
    s.push('.');
    b64_encode(&bin, &mut s);
    s.push('.');
    s.push_str(&f.form);
    s
}

/// Whether `s` holds features for `stamp` and `lang` (the header only).
pub fn features_current(s: &str, stamp: u32, lang: Lang) -> bool {
    let b = s.as_bytes();
    b.len() >= 11 && header_ok(b, stamp, lang)
}

fn header_ok(b: &[u8], stamp: u32, lang: Lang) -> bool {
    let mut want = [0u8; 8];
    for (i, w) in want.iter_mut().enumerate() {
        let d = ((stamp >> (28 - 4 * i)) & 15) as u8;
        *w = if d < 10 { b'0' + d } else { b'a' + d - 10 };
    }
    b[..8] == want
        && b[8] == lang_char(lang) as u8
        && (b'0'..=b'3').contains(&b[9])
        && b[10] == b'.'
}

/// Decodes features into `out` (its buffers reused); false when `s` is
/// not features of `stamp` and `lang` or is malformed. `bin` is scratch.
pub(crate) fn decode(s: &str, stamp: u32, lang: Lang, out: &mut Feat, bin: &mut Vec<u8>) -> bool {
    let b = s.as_bytes();
    if b.len() < 12 || !header_ok(b, stamp, lang) {
        return false;
    }
    let flags = b[9] - b'0';
    let rest = &s[11..];
    let Some((enc, form)) = rest.split_once('.') else {
        return false;
    };
    if !b64_decode(enc.as_bytes(), bin) || bin.len() < 13 {
        return false;
    }
    let end = bin.len() - 4;
    let stored = u32::from_le_bytes([bin[end], bin[end + 1], bin[end + 2], bin[end + 3]]);
    bin.truncate(end);
    if check(bin, form.as_bytes()) != stored {
        return false;
    }
    let u64_at = |o: usize| {
        let mut x = [0u8; 8];
        x.copy_from_slice(&bin[o..o + 8]);
        u64::from_le_bytes(x)
    };
    out.sketch = u64_at(0);
    let mut o = 8;
    out.exact = 0;
    if flags & HAS_EXACT != 0 {
        if bin.len() < o + 9 || !form.is_empty() {
            return false;
        }
        out.exact = u64_at(o);
        o += 8;
    } else if form.is_empty() {
        return false;
    }
    let n = bin[o] as usize;
    o += 1;
    if bin.len() < o + 2 * n || !(bin.len() - o - 2 * n).is_multiple_of(4) {
        return false;
    }
    out.toks.clear();
    out.toks.extend(
        bin[o..o + 2 * n]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]])),
    );
    o += 2 * n;
    out.terms.clear();
    out.terms.extend(
        bin[o..]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])),
    );
    out.has_emb = flags & HAS_EMB != 0;
    out.form.clear();
    out.form.push_str(form);
    out.form.len() <= lexical::MAX_FORM_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for n in 0..20usize {
            let v: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let mut s = String::new();
            b64_encode(&v, &mut s);
            assert!(!s.contains(['.', ',', '\n', '=']));
            let mut back = Vec::new();
            assert!(b64_decode(s.as_bytes(), &mut back));
            assert_eq!(back, v);
        }
        assert!(!b64_decode(b"A", &mut Vec::new()));
        assert!(!b64_decode(b"A.AA", &mut Vec::new()));
    }

    #[test]
    fn encode_decode_round_trips_and_checks_header() {
        let f = Feat {
            form: "where is my card".into(),
            terms: vec![1, 0xFFFF_FFFF, 77],
            toks: vec![5, 65535, 9],
            sketch: 0xDEAD_BEEF_0123_4567,
            has_emb: true,
            exact: 0,
        };
        let s = encode(&f, 0x1234_abcd, Lang::En);
        let (mut out, mut bin) = (Feat::default(), Vec::new());
        assert!(decode(&s, 0x1234_abcd, Lang::En, &mut out, &mut bin));
        assert_eq!(out, f);
        assert!(features_current(&s, 0x1234_abcd, Lang::En));
        assert!(!features_current(&s, 0x1234_abce, Lang::En));
        assert!(!decode(&s, 0x1234_abcd, Lang::Es, &mut out, &mut bin));
        assert!(!decode(
            &s[..s.len() - 20],
            0x1234_abcd,
            Lang::En,
            &mut out,
            &mut bin
        ));
        assert!(!decode("", 0, Lang::En, &mut out, &mut bin));
        // A damaged form or binary part is refused (the checksum).
        let damaged = s.replacen("card", "cart", 1);
        assert!(!decode(&damaged, 0x1234_abcd, Lang::En, &mut out, &mut bin));
        let mut b = s.clone().into_bytes();
        b[14] = if b[14] == b'A' { b'B' } else { b'A' };
        let damaged = String::from_utf8(b).unwrap();
        assert!(!decode(&damaged, 0x1234_abcd, Lang::En, &mut out, &mut bin));
        let empty = Feat {
            exact: 42,
            ..Feat::default()
        };
        let s = encode(&empty, 7, Lang::Es);
        assert!(decode(&s, 7, Lang::Es, &mut out, &mut bin));
        assert_eq!(out, empty);
    }
}
