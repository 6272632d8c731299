//! The lexical side of duplicate detection: the folded "lexical form" of a
//! question, its index terms (shared normalisation: folded, stop words out,
//! Snowball-stemmed) and character 3–5-gram TF-IDF vectors, which catch
//! typos, product names and numbers that embeddings blur.

use crate::normalize::{self, Lang};

use super::embed::truncate_chars;
use super::hash::{FxHashMap, fnv32};

/// Longest lexical form kept per question (bytes).
pub const MAX_FORM_BYTES: usize = 320;

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

/// Hashed char 3-, 4- and 5-grams of `" " + form + " "` with their counts,
/// sorted by hash.
pub fn grams(form: &str, out: &mut Vec<(u32, u16)>) {
    out.clear();
    if form.is_empty() {
        return;
    }
    let mut padded = String::with_capacity(form.len() + 2);
    padded.push(' ');
    padded.push_str(form);
    padded.push(' ');
    let bytes = padded.as_bytes();
    let mut starts: Vec<usize> = padded.char_indices().map(|(i, _)| i).collect();
    let nchars = starts.len();
    starts.push(bytes.len());
    for n in 3..=5usize {
        if nchars < n {
            break;
        }
        for i in 0..=nchars - n {
            let g = &bytes[starts[i]..starts[i + n]];
            out.push((fnv32(g), 1));
        }
    }
    if out.is_empty() {
        // Very short forms ("ok"): one gram for the whole thing.
        out.push((fnv32(bytes), 1));
    }
    out.sort_unstable_by_key(|g| g.0);
    let mut w = 0usize;
    for r in 0..out.len() {
        if w > 0 && out[w - 1].0 == out[r].0 {
            out[w - 1].1 = out[w - 1].1.saturating_add(1);
        } else {
            out[w] = out[r];
            w += 1;
        }
    }
    out.truncate(w);
}

/// Document frequencies of char n-grams over the live questions.
#[derive(Debug, Default, Clone)]
pub struct GramStats {
    df: FxHashMap<u32, u32>,
    docs: u32,
}

impl GramStats {
    /// Counts one document's grams in (`+1`) or out (`-1`).
    pub fn update(&mut self, grams: &[(u32, u16)], add: bool) {
        if add {
            self.docs += 1;
            for &(g, _) in grams {
                *self.df.entry(g).or_insert(0) += 1;
            }
        } else {
            self.docs = self.docs.saturating_sub(1);
            for &(g, _) in grams {
                if let Some(d) = self.df.get_mut(&g) {
                    *d -= 1;
                    if *d == 0 {
                        self.df.remove(&g);
                    }
                }
            }
        }
    }

    /// Unit-length TF-IDF vector (sublinear tf; smoothed IDF as scikit-learn's,
    /// `ln((N + 1) / (df + 1)) + 1`) of counted grams, sorted by hash.
    pub fn weigh(&self, grams: &[(u32, u16)], out: &mut Vec<(u32, f32)>) {
        out.clear();
        let mut norm = 0.0f32;
        let ln_n = ln1p_int(self.docs) + 1.0;
        for &(g, tf) in grams {
            let df = self.df.get(&g).copied().unwrap_or(0);
            let w = (1.0 + ln1p_int(u32::from(tf) - 1)) * (ln_n - ln1p_int(df));
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
        let gs: Vec<Vec<(u32, u16)>> = forms
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
        st.update(&gs[2], false);
        assert_eq!(st.docs, 2);
    }
}
