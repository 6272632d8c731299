//! The lexical side of duplicate detection: the folded "lexical form" of a
//! question, its index terms (shared normalisation: folded, stop words out,
//! Snowball-stemmed) and character 3–5-gram TF-IDF vectors, which catch
//! typos, product names and numbers that embeddings blur.

use crate::normalize::{self, Lang};

use super::embed::truncate_chars;
use super::hash::{FxHashMap, fnv32};

/// Longest lexical form kept per question (bytes).
pub const MAX_FORM_BYTES: usize = 200;

/// Folded words of `text` joined by single spaces (punctuation, case and
/// diacritics gone): the key for exact repeats and the source of char n-grams.
pub fn lexical_form(text: &str) -> String {
    let text = truncate_chars(text, 4 * MAX_FORM_BYTES);
    let mut out = String::with_capacity(text.len().min(MAX_FORM_BYTES));
    normalize::for_each_token(text, |w, _, _| {
        if out.len() + w.len() < MAX_FORM_BYTES {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    });
    out
}

/// Hashed index terms of a lexical form (stop words out, stemmed), sorted and
/// deduplicated.
pub fn terms(form: &str, lang: Lang, out: &mut Vec<u32>) {
    out.clear();
    for w in form.split(' ') {
        if w.is_empty() || normalize::is_stop_word(w, lang) {
            continue;
        }
        let s = normalize::stem_folded(w, lang);
        out.push(fnv32(s.as_bytes()));
    }
    out.sort_unstable();
    out.dedup();
}

/// [`terms`] with a memo of word → term (`u32::MAX` for a stop word), for
/// bulk loads where the same words recur.
pub fn terms_memo(form: &str, lang: Lang, out: &mut Vec<u32>, memo: &mut FxHashMap<u64, u32>) {
    out.clear();
    let tag = match lang {
        Lang::En => 0u64,
        Lang::Es => 1u64 << 63,
    };
    for w in form.split(' ') {
        if w.is_empty() {
            continue;
        }
        let key = super::hash::fnv64(w.as_bytes()) ^ tag;
        let t = *memo.entry(key).or_insert_with(|| {
            if normalize::is_stop_word(w, lang) {
                u32::MAX
            } else {
                fnv32(normalize::stem_folded(w, lang).as_bytes())
            }
        });
        if t != u32::MAX {
            out.push(t);
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Hashed char 3-, 4- and 5-grams of `" " + form + " "`, sorted; a gram
/// occurring `tf` times appears `tf` times.
pub fn grams(form: &str, out: &mut Vec<u32>) {
    out.clear();
    for_each_gram(form, |g| out.push(g));
    out.sort_unstable();
}

/// A small set of the grams of one document (open addressing, cleared in
/// O(1) by a generation count), for [`push_unique_grams`].
#[derive(Debug, Clone)]
pub struct GramSet {
    slots: Vec<(u32, u32)>,
    generation: u32,
}

impl Default for GramSet {
    fn default() -> Self {
        // A form has at most ~3 × MAX_FORM_BYTES grams: load stays ≤ 0.3.
        Self {
            slots: vec![(0, 0); 2048],
            generation: 0,
        }
    }
}

/// Appends the distinct grams of `form` (the distinct values of [`grams`],
/// in no particular order) to `out`, without sorting.
pub fn push_unique_grams(form: &str, out: &mut Vec<u32>, set: &mut GramSet) {
    set.generation = set.generation.wrapping_add(1);
    if set.generation == 0 {
        set.slots.iter_mut().for_each(|s| *s = (0, 0));
        set.generation = 1;
    }
    let generation = set.generation;
    let mask = set.slots.len() - 1;
    for_each_gram(form, |g| {
        let mut i = (g.wrapping_mul(0x9E37_79B1) >> 21) as usize & mask;
        loop {
            let s = set.slots[i];
            if s.1 != generation {
                set.slots[i] = (g, generation);
                out.push(g);
                return;
            }
            if s.0 == g {
                return;
            }
            i = (i + 1) & mask;
        }
    });
}

/// Calls `f` with each hashed char 3-, 4- and 5-gram of `" " + form + " "`
/// (or one gram of the whole for shorter forms; nothing for an empty one).
#[inline]
fn for_each_gram(form: &str, mut f: impl FnMut(u32)) {
    if form.is_empty() {
        return;
    }
    let form = truncate_chars(form, MAX_FORM_BYTES);
    let mut bytes = [0u8; MAX_FORM_BYTES + 2];
    bytes[0] = b' ';
    bytes[1..=form.len()].copy_from_slice(form.as_bytes());
    bytes[form.len() + 1] = b' ';
    let bytes = &bytes[..form.len() + 2];
    // Byte offset of every char start, plus the end.
    let mut starts = [0u16; MAX_FORM_BYTES + 3];
    let mut nchars = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if (b & 0xC0) != 0x80 {
            starts[nchars] = i as u16;
            nchars += 1;
        }
    }
    starts[nchars] = bytes.len() as u16;
    // FNV-1a is incremental: the 4- and 5-gram at a position continue the
    // 3-gram's state (same hashes as hashing each gram on its own).
    let step = |mut h: u32, part: &[u8]| {
        for &b in part {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
        h
    };
    let any = nchars >= 3;
    if any {
        for i in 0..=nchars - 3 {
            let at = |k: usize| starts[i + k] as usize;
            let mut h = step(0x811c_9dc5, &bytes[at(0)..at(3)]);
            f(h);
            if i + 4 <= nchars {
                h = step(h, &bytes[at(3)..at(4)]);
                f(h);
                if i + 5 <= nchars {
                    h = step(h, &bytes[at(4)..at(5)]);
                    f(h);
                }
            }
        }
    }
    if !any {
        // Very short forms ("ok"): one gram for the whole thing.
        f(fnv32(bytes));
    }
}

/// Document frequencies of char n-grams over the live questions.
#[derive(Debug, Clone)]
pub struct GramStats {
    df: FxHashMap<u32, u32>,
    docs: u32,
    /// `ln(1 + k)` for small `k` (most document frequencies).
    ln: Vec<f32>,
}

/// Spanish generic questions, with the English `CENTRE_TEXTS`, are built-in
/// background documents of every index's n-gram statistics.
const BACKGROUND_ES: &[&str] = &[
    "¿Dónde está mi pedido?",
    "¿Cómo puedo cambiar mi contraseña?",
    "¿Cuándo llega mi tarjeta?",
    "Quiero un reembolso de mi compra",
    "¿Cómo cancelo mi suscripción?",
    "¿Por qué me cobraron dos veces?",
    "¿Cuál es el horario de atención?",
    "¿Cómo cambio la dirección de envío?",
    "Mi pago fue rechazado, ¿qué hago?",
    "¿Hacen envíos internacionales?",
    "¿Cuánto tarda el envío?",
    "No puedo iniciar sesión en mi cuenta",
    "¿Cómo contacto con soporte?",
    "¿Hay alguna comisión por transferencia?",
    "¿Cómo elimino mi cuenta?",
    "¿Qué métodos de pago aceptan?",
];

impl Default for GramStats {
    /// Statistics holding only the built-in background documents: a few
    /// dozen generic customer questions (English and Spanish), so that in a
    /// new or small index words like "how", "my", "cómo" already weigh
    /// little and a handful of stored questions cannot make them look rare.
    fn default() -> Self {
        let mut st = Self {
            df: FxHashMap::default(),
            docs: 0,
            ln: (0..LN_TABLE).map(|k| (k as f32 + 1.0).ln()).collect(),
        };
        let mut g = Vec::new();
        for t in super::embed::CENTRE_TEXTS.iter().chain(BACKGROUND_ES) {
            grams(&lexical_form(t), &mut g);
            st.update(&g, true);
        }
        st
    }
}

const LN_TABLE: u32 = 2048;

impl GramStats {
    #[inline]
    fn ln1p(&self, k: u32) -> f32 {
        match self.ln.get(k as usize) {
            Some(&v) => v,
            None => ln1p_int(k),
        }
    }

    /// Counts one document's grams (as [`grams`] returns them) in or out.
    pub fn update(&mut self, grams: &[u32], add: bool) {
        let unique = grams
            .iter()
            .enumerate()
            .filter(|&(i, g)| i == 0 || grams[i - 1] != *g)
            .map(|(_, &g)| g);
        if add {
            self.docs += 1;
            for g in unique {
                *self.df.entry(g).or_insert(0) += 1;
            }
        } else {
            self.docs = self.docs.saturating_sub(1);
            for g in unique {
                if let Some(d) = self.df.get_mut(&g) {
                    *d -= 1;
                    if *d == 0 {
                        self.df.remove(&g);
                    }
                }
            }
        }
    }

    /// Counts many documents at once: `unique` holds each document's
    /// distinct grams (concatenated, any order), `docs` the number of
    /// documents. Same result as [`update`](Self::update) per document
    /// (counted straight into the table: with the few hundred thousand
    /// distinct grams of a brand this was 3× faster than radix-sorting the
    /// batch first). `unique` is left empty.
    pub fn add_bulk(&mut self, unique: &mut Vec<u32>, docs: u32) {
        self.docs += docs;
        for &g in unique.iter() {
            *self.df.entry(g).or_insert(0) += 1;
        }
        unique.clear();
    }

    /// Unit-length TF-IDF vector (sublinear tf; smoothed IDF as scikit-learn's,
    /// `ln((N + 1) / (df + 1)) + 1`) of counted grams, sorted by hash.
    pub fn weigh(&self, grams: &[u32], out: &mut Vec<(u32, f32)>) {
        out.clear();
        let mut norm = 0.0f32;
        let ln_n = self.ln1p(self.docs) + 1.0;
        for run in grams.chunk_by(|a, b| a == b) {
            let (g, tf) = (run[0], run.len() as u32);
            let df = self.df.get(&g).copied().unwrap_or(0);
            let tfw = if tf == 1 {
                1.0
            } else {
                1.0 + self.ln1p(tf - 1)
            };
            let w = tfw * (ln_n - self.ln1p(df));
            norm += w * w;
            out.push((g, w));
        }
        let norm = norm.sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|x| x.1 /= norm);
        }
    }

    /// Heap bytes (approximate).
    pub fn heap_bytes(&self) -> usize {
        self.df.capacity() * 9
    }
}

/// Appends the distinct grams of one document ([`grams`] output, sorted) to `out`.
#[cfg(test)]
pub fn push_unique(grams: &[u32], out: &mut Vec<u32>) {
    out.reserve(grams.len());
    let mut prev = None;
    for &g in grams {
        if prev != Some(g) {
            out.push(g);
            prev = Some(g);
        }
    }
}

/// `ln(1 + k)`.
#[inline]
fn ln1p_int(k: u32) -> f32 {
    (k as f32 + 1.0).ln()
}

/// Cosine of two unit TF-IDF vectors sorted by gram.
pub fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j, mut s) = (0usize, 0usize, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_folds_case_accents_punctuation() {
        assert_eq!(
            lexical_form("¿Dónde está   mi PEDIDO?!"),
            "donde esta mi pedido"
        );
        assert_eq!(
            lexical_form("Where's my order??"),
            lexical_form("wheres my ORDER")
        );
        assert_eq!(lexical_form("!!!"), "");
    }

    #[test]
    fn terms_drop_stop_words_and_stem() {
        let mut a = Vec::new();
        let mut b = Vec::new();
        terms("how do i cancel my orders", Lang::En, &mut a);
        terms("cancelling order", Lang::En, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn gram_cosine_tolerates_typos() {
        let mut st = GramStats::default();
        let forms = [
            "where is my parcel",
            "wher is my parcle",
            "reset my password",
        ];
        let gs: Vec<Vec<u32>> = forms
            .iter()
            .map(|f| {
                let mut g = Vec::new();
                grams(f, &mut g);
                g
            })
            .collect();
        for g in &gs {
            st.update(g, true);
        }
        let ws: Vec<Vec<(u32, f32)>> = gs
            .iter()
            .map(|g| {
                let mut w = Vec::new();
                st.weigh(g, &mut w);
                w
            })
            .collect();
        assert!((cosine(&ws[0], &ws[0]) - 1.0).abs() < 1e-4);
        assert!(cosine(&ws[0], &ws[1]) > 0.3);
        assert!(cosine(&ws[0], &ws[1]) > 2.0 * cosine(&ws[0], &ws[2]));
        let mut bulk = GramStats::default();
        let mut all = Vec::new();
        for g in &gs {
            push_unique(g, &mut all);
        }
        let mut set = GramSet::default();
        let mut unique = Vec::new();
        for f in &forms {
            push_unique_grams(f, &mut unique, &mut set);
        }
        unique.sort_unstable();
        let mut sorted_all = all.clone();
        sorted_all.sort_unstable();
        assert_eq!(unique, sorted_all);
        bulk.add_bulk(&mut all, gs.len() as u32);
        assert!(all.is_empty());
        assert_eq!(bulk.docs, st.docs);
        let mut a: Vec<(u32, u32)> = st.df.iter().map(|(&k, &v)| (k, v)).collect();
        let mut b: Vec<(u32, u32)> = bulk.df.iter().map(|(&k, &v)| (k, v)).collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        let before = st.docs;
        st.update(&gs[2], false);
        assert_eq!(st.docs, before - 1);
    }
}
