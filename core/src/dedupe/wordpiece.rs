//! A small BERT (uncased) WordPiece tokenizer: the teacher's own rules, so the
//! static table's rows line up with what the teacher saw.
//!
//! Basic tokenisation: control characters dropped, whitespace splits, lower
//! case, accents stripped (canonical decomposition, combining marks dropped),
//! punctuation and CJK ideographs become one-character words. WordPiece:
//! greedy longest match with `##` continuations; a word longer than 100
//! characters or with no full match becomes `[UNK]`.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// An exact string → id table for the vocabulary: open addressing over
/// 32-bit FNV-1a hashes, token bytes in one arena. Lookups take a
/// precomputed hash, so the greedy longest match hashes each word once
/// (FNV-1a's state after `k` bytes is the hash of the `k`-byte prefix).
#[derive(Debug, Clone, Default)]
struct Table {
    /// `hash << 32 | (entry + 1)`; 0 marks an empty slot.
    slots: Vec<u64>,
    /// Entry `i`'s bytes are `arena[ends[i]..ends[i + 1]]` (`ends[0] = 0`).
    arena: Vec<u8>,
    ends: Vec<u32>,
    ids: Vec<u16>,
    /// Longest token in bytes (longer prefixes cannot match).
    max_len: usize,
}

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

impl Table {
    fn build(tokens: &[(&str, u16)]) -> Self {
        let cap = (tokens.len() * 2).next_power_of_two().max(16);
        let mut t = Table {
            slots: vec![0; cap],
            arena: Vec::new(),
            ends: vec![0],
            ids: Vec::with_capacity(tokens.len()),
            max_len: 0,
        };
        for &(tok, id) in tokens {
            let h = tokens_hash(tok.as_bytes());
            if t.get(tok.as_bytes(), h).is_some() {
                continue; // first occurrence wins
            }
            let entry = t.ids.len() as u64;
            t.arena.extend_from_slice(tok.as_bytes());
            t.ends.push(t.arena.len() as u32);
            t.ids.push(id);
            t.max_len = t.max_len.max(tok.len());
            let mask = cap - 1;
            let mut i = slot_of(h, mask);
            while t.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            t.slots[i] = (u64::from(h) << 32) | (entry + 1);
        }
        t
    }

    #[inline]
    fn get(&self, key: &[u8], h: u32) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut i = slot_of(h, mask);
        loop {
            let s = self.slots[i];
            if s == 0 {
                return None;
            }
            if (s >> 32) as u32 == h {
                let e = (s as u32 - 1) as usize;
                let (a, b) = (self.ends[e] as usize, self.ends[e + 1] as usize);
                if &self.arena[a..b] == key {
                    return Some(self.ids[e]);
                }
            }
            i = (i + 1) & mask;
        }
    }
}

#[inline]
fn tokens_hash(b: &[u8]) -> u32 {
    b.iter().fold(FNV_OFFSET, |h, &x| {
        (h ^ u32::from(x)).wrapping_mul(FNV_PRIME)
    })
}

#[inline]
fn slot_of(h: u32, mask: usize) -> usize {
    (h.wrapping_mul(0x9E37_79B1) >> 8) as usize & mask
}

/// Longest word (in chars) WordPiece tries to split; longer is `[UNK]`.
const MAX_WORD_CHARS: usize = 100;

/// The vocabulary, split into word-initial pieces and `##` continuations so a
/// lookup never allocates.
#[derive(Debug, Clone)]
pub struct WordPiece {
    heads: Table,
    tails: Table,
    unk: u16,
    len: usize,
}

impl WordPiece {
    /// Parses `vocab.txt` (one token a line; line number = id).
    pub fn from_vocab(vocab: &str) -> Result<Self, String> {
        let mut heads: Vec<(&str, u16)> = Vec::with_capacity(24_000);
        let mut tails: Vec<(&str, u16)> = Vec::with_capacity(6_000);
        let mut unk = None;
        let mut len = 0usize;
        for (i, line) in vocab.lines().enumerate() {
            let tok = line.trim_end_matches('\r');
            let id = u16::try_from(i).map_err(|_| "vocabulary longer than 65,535 tokens")?;
            if tok == "[UNK]" {
                unk = Some(id);
            }
            if let Some(rest) = tok.strip_prefix("##") {
                if !rest.is_empty() {
                    tails.push((rest, id));
                }
            } else if !tok.is_empty() {
                heads.push((tok, id));
            }
            len = i + 1;
        }
        let (heads, tails) = (Table::build(&heads), Table::build(&tails));
        let unk = unk.ok_or("vocabulary has no [UNK] token")?;
        Ok(Self {
            heads,
            tails,
            unk,
            len,
        })
    }

    /// Number of vocabulary lines.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The id of `[UNK]`.
    pub fn unk(&self) -> u16 {
        self.unk
    }

    /// Token ids of `text`, at most `max` of them (`[UNK]` included).
    pub fn encode(&self, text: &str, max: usize, out: &mut Vec<u16>) {
        let mut word = String::new();
        let mut chars = 0usize;
        for c in text.chars() {
            if out.len() >= max {
                return;
            }
            if c == '\0' || c == '\u{FFFD}' || (c.is_control() && !c.is_whitespace()) {
                continue;
            }
            if c.is_whitespace() {
                self.flush(&mut word, &mut chars, max, out);
                continue;
            }
            if c.is_ascii() {
                // Fast path: no case mapping tables, no decomposition.
                if c.is_ascii_punctuation() {
                    self.flush(&mut word, &mut chars, max, out);
                    word.push(c);
                    chars = 1;
                    self.flush(&mut word, &mut chars, max, out);
                } else {
                    word.push(c.to_ascii_lowercase());
                    chars += 1;
                }
                continue;
            }
            for l in c.to_lowercase() {
                decompose_canonical(l, |d| {
                    if is_combining_mark(d) {
                        return;
                    }
                    if is_punct(d) || is_cjk(d) {
                        self.flush(&mut word, &mut chars, max, out);
                        let mut buf = [0u8; 4];
                        word.push_str(d.encode_utf8(&mut buf));
                        chars = 1;
                        self.flush(&mut word, &mut chars, max, out);
                    } else {
                        word.push(d);
                        chars += 1;
                    }
                });
            }
        }
        self.flush(&mut word, &mut chars, max, out);
    }

    fn flush(&self, word: &mut String, chars: &mut usize, max: usize, out: &mut Vec<u16>) {
        if word.is_empty() {
            return;
        }
        if out.len() < max {
            self.word_pieces(word, *chars, max, out);
        }
        word.clear();
        *chars = 0;
    }

    /// Greedy longest-match-first split of one basic-tokenised word.
    fn word_pieces(&self, word: &str, chars: usize, max: usize, out: &mut Vec<u16>) {
        if chars > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let mark = out.len();
        let bytes = word.as_bytes();
        let mut start = 0usize;
        // prefix[k] = hash of rest[..k + 1] (longer prefixes are hashed
        // one by one: only vocabularies with very long tokens get there).
        let mut prefix = [0u32; 48];
        while start < bytes.len() {
            let map = if start == 0 { &self.heads } else { &self.tails };
            let rest = &word[start..];
            let top = rest.len().min(map.max_len);
            let mut h = FNV_OFFSET;
            for (p, &b) in prefix.iter_mut().zip(&rest.as_bytes()[..top]) {
                h = (h ^ u32::from(b)).wrapping_mul(FNV_PRIME);
                *p = h;
            }
            let mut end = top;
            let mut found = None;
            while end > 0 {
                if rest.is_char_boundary(end)
                    && let Some(id) = map.get(
                        &rest.as_bytes()[..end],
                        match prefix.get(end - 1) {
                            Some(&h) => h,
                            None => tokens_hash(&rest.as_bytes()[..end]),
                        },
                    )
                {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start += end;
                }
                None => {
                    out.truncate(mark);
                    out.push(self.unk);
                    break;
                }
            }
        }
        out.truncate(max);
    }
}

/// BERT's punctuation test: ASCII symbols plus Unicode punctuation blocks.
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation();
    }
    matches!(c,
        '¡' | '§' | '«' | '¶' | '·' | '»' | '¿' | '\u{037E}'
        | '\u{2010}'..='\u{2027}'
        | '\u{2030}'..='\u{205E}'
        | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301F}'
        | '\u{FE10}'..='\u{FE19}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// CJK ideographs are split into single characters, as BERT does.
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{20000}'..='\u{2A6DF}'
        | '\u{2A700}'..='\u{2B73F}'
        | '\u{2B740}'..='\u{2B81F}'
        | '\u{2B820}'..='\u{2CEAF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{2F800}'..='\u{2FA1F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: &str =
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n,\nworld\n!\nun\n##aff\n##able\ncafe\n¿\nque\n";

    fn enc(text: &str) -> Vec<u16> {
        let wp = WordPiece::from_vocab(VOCAB).unwrap();
        let mut v = Vec::new();
        wp.encode(text, 64, &mut v);
        v
    }

    #[test]
    fn basic_rules() {
        // Same ids the Python reference gives on the real vocabulary's equivalents.
        assert_eq!(enc("Héllo, WORLD!!"), vec![4, 5, 6, 7, 7]);
        assert_eq!(enc("unaffable"), vec![8, 9, 10]);
        assert_eq!(enc("unaffablex"), vec![1]);
        assert_eq!(enc("Café ¿qué?"), vec![11, 12, 13, 1]);
        assert_eq!(enc(&"a".repeat(101)), vec![1]);
        assert_eq!(enc("\u{0}\u{7}  \t"), Vec::<u16>::new());
    }

    #[test]
    fn max_tokens_respected() {
        let wp = WordPiece::from_vocab(VOCAB).unwrap();
        let mut v = Vec::new();
        wp.encode("hello hello hello unaffable", 4, &mut v);
        assert_eq!(v.len(), 4);
    }

    #[test]
    fn long_tokens_and_duplicates() {
        let long = "x".repeat(60);
        let vocab = format!("[UNK]\n{long}\nx\n##x\nab\nab\n##{long}\n");
        let wp = WordPiece::from_vocab(&vocab).unwrap();
        let mut v = Vec::new();
        wp.encode(&"x".repeat(62), 64, &mut v);
        assert_eq!(v, vec![1, 3, 3]);
        v.clear();
        wp.encode(&format!("ab{long} x"), 64, &mut v);
        // "ab" keeps its first id; "##" + 60 x's is one piece; then "x".
        assert_eq!(v, vec![4, 6, 2]);
    }

    #[test]
    fn needs_unk() {
        assert!(WordPiece::from_vocab("a\nb\n").is_err());
    }
}
