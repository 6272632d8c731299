//! The static embedding: WordPiece tokens → mean of int8 rows → unit vector.

use std::fmt;

use super::wordpiece::WordPiece;

/// Most WordPiece tokens of one text that count (longer texts are cut).
pub const MAX_TOKENS: usize = 64;

/// Why a model could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "dedupe model: {}", self.0)
    }
}

impl std::error::Error for Error {}

/// Generic customer questions whose mean embedding centres the LSH
/// hyperplanes (static embeddings share a common direction; hashing around
/// it balances buckets). Fixed, so hashing never depends on stored data.
pub(crate) const CENTRE_TEXTS: &[&str] = &[
    "How do I reset my password?",
    "Where is my order?",
    "When will my card arrive?",
    "Can I get a refund?",
    "How do I cancel my subscription?",
    "Why was I charged twice?",
    "What are your opening hours?",
    "How can I change my delivery address?",
    "My payment failed, what should I do?",
    "Do you ship internationally?",
    "How long does shipping take?",
    "I can't log in to my account",
    "How do I contact support?",
    "Is there a fee for transfers?",
    "How do I update my email address?",
    "The app keeps crashing on my phone",
    "Can I change my order after placing it?",
    "What is your return policy?",
    "How do I verify my identity?",
    "Why is my account blocked?",
    "Where can I find my invoice?",
    "Is my data safe with you?",
    "How do I delete my account?",
    "What payment methods do you accept?",
];

/// A distilled static embedding model (see `core/model/README.md`).
///
/// Built once per process/isolate with [`Embedder::from_bytes`] (about a
/// dozen milliseconds natively; the table is copied, the vocabulary parsed)
/// and then shared, e.g. behind an `Rc`/`Arc`, by every [`super::QuestionIndex`].
#[derive(Debug, Clone)]
pub struct Embedder {
    dims: usize,
    /// Per-row scales as stored (a zero scale marks a skipped token).
    scales: Vec<f32>,
    /// Rows re-quantised at load to one global scale, so a text's embedding
    /// is an exact integer sum (fast, vectorised, platform-independent).
    rows: Vec<i8>,
    scale: f32,
    wp: WordPiece,
    centre: Vec<f32>,
    centre_sq: f32,
    /// Seeded LSH hyperplanes (`index::lsh_planes`), shared by every index.
    planes: Vec<i16>,
    /// See [`Embedder::fingerprint`].
    fingerprint: u64,
}

impl Embedder {
    /// Loads the table (`chorus-static-256.bin` format) and `vocab.txt`.
    pub fn from_bytes(table: &[u8], vocab: &str) -> Result<Embedder, Error> {
        let err = |m: &str| Error(m.to_string());
        if table.len() < 16 || &table[..4] != b"CHSE" {
            return Err(err("not a CHSE table"));
        }
        let u32_at =
            |o: usize| u32::from_le_bytes([table[o], table[o + 1], table[o + 2], table[o + 3]]);
        if u32_at(4) != 1 {
            return Err(err("unsupported table version"));
        }
        let rows = u32_at(8) as usize;
        let dims = u32_at(12) as usize;
        if rows == 0 || dims == 0 || dims > 4096 || rows > 65_536 {
            return Err(err("bad table shape"));
        }
        let need = 16 + rows * 4 + rows * dims;
        if table.len() != need {
            return Err(err("table size does not match its header"));
        }
        let wp = WordPiece::from_vocab(vocab).map_err(|e| Error(e.to_string()))?;
        if wp.len() != rows {
            return Err(err("vocabulary and table have different row counts"));
        }
        let scales: Vec<f32> = table[16..16 + rows * 4]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .map(|s| if s.is_finite() { s } else { 0.0 })
            .collect();
        // One global scale: the largest row scale. Rows of frequent tokens,
        // already shrunk by SIF weighting, lose low bits (as a global-scale
        // int8 table would); the distilled figures did not change.
        let scale = scales.iter().copied().fold(0.0f32, f32::max);
        if scale <= 0.0 {
            return Err(err("table has no non-zero row"));
        }
        // Fixed-point ratio per row (16 fractional bits): integer-only
        // re-quantisation, fast in wasm and identical on every platform.
        let mut rows_data: Vec<i8> = Vec::with_capacity(rows * dims);
        for (r, chunk) in table[16 + rows * 4..].chunks_exact(dims).enumerate() {
            let k = ((scales[r] / scale) * 65536.0) as i32;
            rows_data.extend(chunk.iter().map(|&b| {
                let v = i32::from(b as i8) * k;
                ((v + (1 << 15)) >> 16).clamp(-127, 127) as i8
            }));
        }
        let mut e = Embedder {
            dims,
            scales,
            rows: rows_data,
            scale,
            wp,
            centre: Vec::new(),
            centre_sq: 0.0,
            planes: super::index::lsh_planes(dims),
            fingerprint: 0,
        };
        let mut centre = vec![0.0f32; dims];
        for t in CENTRE_TEXTS {
            for (c, v) in centre.iter_mut().zip(e.embed(t)) {
                *c += v;
            }
        }
        let n = CENTRE_TEXTS.len() as f32;
        centre.iter_mut().for_each(|c| *c /= n);
        e.centre_sq = dot(&centre, &centre);
        e.centre = centre;
        let mut ids = Vec::new();
        for t in super::features::probe_texts() {
            e.token_ids(t, &mut ids);
            ids.push(u16::MAX);
        }
        e.fingerprint = super::features::model_fingerprint(dims, &e.rows, &e.scales, &ids)
            ^ u64::from(e.scale.to_bits());
        Ok(e)
    }

    /// Embedding dimensions (256 for the shipped model).
    pub fn dims(&self) -> usize {
        self.dims
    }

    /// A hash of the table, its vocabulary (through the WordPiece ids of
    /// fixed probe texts) and the hashing planes: what precomputed features
    /// depend on (see [`super::feature_stamp`]).
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// The seeded LSH hyperplanes (`SKETCH_BITS` × `dims`).
    pub(crate) fn planes(&self) -> &[i16] {
        &self.planes
    }

    /// The fixed centre used to hash embeddings (see `CENTRE_TEXTS`).
    pub fn centre(&self) -> &[f32] {
        &self.centre
    }

    /// WordPiece ids of `text` that carry a vector (no `[UNK]`, no zero rows),
    /// at most [`MAX_TOKENS`]; appended to `out`.
    pub fn token_ids(&self, text: &str, out: &mut Vec<u16>) {
        let start = out.len();
        // Cut absurdly long inputs before tokenising (bounded work per call).
        let text = truncate_chars(text, 4 * MAX_TOKENS * 8);
        self.wp.encode(text, start + MAX_TOKENS * 2, out);
        let unk = self.wp.unk();
        let mut w = start;
        for r in start..out.len() {
            let id = out[r];
            if id != unk && self.scales.get(id as usize).is_some_and(|&s| s > 0.0) {
                out[w] = id;
                w += 1;
            }
        }
        out.truncate(w.min(start + MAX_TOKENS));
    }

    /// Integer sum of the rows of `ids` into `acc` (`dims` long).
    pub fn sum_ids(&self, ids: &[u16], acc: &mut [i32]) {
        acc.iter_mut().for_each(|x| *x = 0);
        let d = self.dims;
        for &id in ids {
            let r = id as usize;
            if r >= self.scales.len() {
                continue;
            }
            let row = &self.rows[r * d..(r + 1) * d];
            for (o, &q) in acc.iter_mut().zip(row) {
                *o += i32::from(q);
            }
        }
    }

    /// Cosine, after removing the common direction (`centre`), between the
    /// unit vector `q` and the embedding of `ids`. `q_c = q·centre` is
    /// precomputed by the caller.
    pub fn centred_cos_ids(
        &self,
        q: &[f32],
        q_c: f32,
        ids: &[u16],
        acc: &mut [i32],
    ) -> Option<f32> {
        self.sum_ids(ids, acc);
        let (mut qa, mut aa, mut ac) = (0.0f32, 0.0f32, 0.0f32);
        for ((&a, &x), &c) in acc.iter().zip(q).zip(&self.centre) {
            let a = a as f32;
            qa += a * x;
            aa += a * a;
            ac += a * c;
        }
        if aa <= 0.0 {
            return None;
        }
        let n = aa.sqrt();
        let (qa, ac) = (qa / n, ac / n);
        let cc = self.centre_sq;
        let num = qa - q_c - ac + cc;
        let den = ((1.0 - 2.0 * q_c + cc) * (1.0 - 2.0 * ac + cc))
            .max(1e-12)
            .sqrt();
        Some(num / den)
    }

    /// Cosine between a unit vector `q` and the embedding of `ids`
    /// (`None` when `ids` has no vector). `acc` is scratch (`dims` long).
    pub fn cos_ids(&self, q: &[f32], ids: &[u16], acc: &mut [i32]) -> Option<f32> {
        self.sum_ids(ids, acc);
        let mut dotp = 0.0f32;
        let mut norm = 0.0f32;
        for (&a, &x) in acc.iter().zip(q) {
            let a = a as f32;
            dotp += a * x;
            norm += a * a;
        }
        if norm > 0.0 {
            Some(dotp / norm.sqrt())
        } else {
            None
        }
    }

    /// Soft token alignment of a query's tokens with each of `cands` (token
    /// id lists), in `[-1, 1]`: for each token of one side its best cosine
    /// to a token of the other, weighted by the token row's norm (the
    /// distilled table's frequency weighting), averaged over each side, and
    /// the two averages combined by their harmonic mean (0 when either is
    /// not positive). Cosines are computed once per distinct candidate token
    /// (candidates share most of their tokens).
    pub fn soft_align(&self, q: &[u16], cands: &[&[u16]], out: &mut Vec<f32>) {
        out.clear();
        let d = self.dims;
        let known = |id: u16| (id as usize) < self.scales.len();
        let row = |id: u16| &self.rows[id as usize * d..(id as usize + 1) * d];
        let norm = |id: u16| {
            let s: i32 = row(id).iter().map(|&v| i32::from(v) * i32::from(v)).sum();
            (s as f32).sqrt()
        };
        // Distinct query tokens with a non-zero row, and each query position's one.
        let mut uq: Vec<(u16, f32)> = Vec::new();
        let mut qpos: Vec<usize> = Vec::with_capacity(q.len());
        for &id in q {
            if !known(id) {
                continue;
            }
            let at = match uq.iter().position(|x| x.0 == id) {
                Some(i) => i,
                None => {
                    let n = norm(id);
                    if n <= 0.0 {
                        continue;
                    }
                    uq.push((id, n));
                    uq.len() - 1
                }
            };
            qpos.push(at);
        }
        let nq = uq.len();
        let mut qrows: Vec<i16> = Vec::with_capacity(nq * d);
        for &(qid, _) in &uq {
            qrows.extend(row(qid).iter().map(|&v| i16::from(v)));
        }
        let mut y16 = vec![0i16; d];
        // Per distinct candidate token: its norm, then its cosine to each distinct query token.
        let mut memo: super::hash::FxHashMap<u16, u32> = super::hash::FxHashMap::default();
        let mut table: Vec<f32> = Vec::new();
        let mut best_q = vec![0.0f32; nq];
        let mut cols: Vec<u32> = Vec::new();
        for c in cands {
            cols.clear();
            for &id in c.iter() {
                if !known(id) {
                    continue;
                }
                let at = *memo.entry(id).or_insert_with(|| {
                    let at = (table.len() / (nq + 1)) as u32;
                    let ny = norm(id);
                    table.push(ny);
                    for (o, &v) in y16.iter_mut().zip(row(id)) {
                        *o = i16::from(v);
                    }
                    for (x, &(_, nx)) in qrows.chunks_exact(d).zip(&uq) {
                        let dp = super::index::dot_i16(x, &y16);
                        table.push(if ny > 0.0 { dp as f32 / (nx * ny) } else { 0.0 });
                    }
                    at
                });
                if table[at as usize * (nq + 1)] > 0.0 {
                    cols.push(at);
                }
            }
            if nq == 0 || cols.is_empty() {
                out.push(0.0);
                continue;
            }
            best_q.iter_mut().for_each(|b| *b = -1.0);
            let (mut pb, mut wb) = (0.0f32, 0.0f32);
            for &at in &cols {
                let t = &table[at as usize * (nq + 1)..(at as usize + 1) * (nq + 1)];
                let (ny, cs) = (t[0], &t[1..]);
                let mut best = -1.0f32;
                for (b, &c) in best_q.iter_mut().zip(cs) {
                    *b = b.max(c);
                    best = best.max(c);
                }
                pb += ny * best;
                wb += ny;
            }
            let (mut pa, mut wa) = (0.0f32, 0.0f32);
            for &i in &qpos {
                pa += uq[i].1 * best_q[i];
                wa += uq[i].1;
            }
            let (p, r) = (pa / wa, pb / wb);
            out.push(if p + r <= 0.0 {
                0.0
            } else {
                2.0 * p * r / (p + r)
            });
        }
    }

    /// Writes the L2-normalised mean of the rows of `ids` into `out`
    /// (`dims` long). Returns false (and zeros) when `ids` is empty.
    pub fn embed_ids(&self, ids: &[u16], out: &mut [f32]) -> bool {
        let mut acc = vec![0i32; self.dims];
        self.embed_ids_with(ids, out, &mut acc)
    }

    /// [`embed_ids`](Self::embed_ids) with caller-provided scratch `acc`
    /// (`dims` long).
    pub(crate) fn embed_ids_with(&self, ids: &[u16], out: &mut [f32], acc: &mut [i32]) -> bool {
        self.sum_ids(ids, acc);
        for (o, &a) in out.iter_mut().zip(acc.iter()) {
            *o = a as f32 * self.scale;
        }
        normalize(out)
    }

    /// The unit-length embedding of `text` (all zeros when no token is known).
    pub fn embed(&self, text: &str) -> Vec<f32> {
        let mut ids = Vec::new();
        self.token_ids(text, &mut ids);
        let mut v = vec![0.0; self.dims];
        self.embed_ids(&ids, &mut v);
        v
    }
}

/// Scales `v` to unit length; false (and zeros) for a zero or non-finite vector.
pub fn normalize(v: &mut [f32]) -> bool {
    let n: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 1e-12 && n.is_finite() {
        v.iter_mut().for_each(|x| *x /= n);
        true
    } else {
        v.iter_mut().for_each(|x| *x = 0.0);
        false
    }
}

/// Dot product (cosine for unit vectors).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Four accumulators: vectorises, and the summation order is fixed.
    let mut acc = [0.0f32; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ca.remainder().iter().zip(cb.remainder()) {
        s += x * y;
    }
    s
}

/// The longest prefix of `s` with at most `max` bytes, cut on a char boundary.
pub fn truncate_chars(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 4-dim toy model: vocabulary and table for unit tests (no 8 MB load).
    pub(crate) fn toy() -> Embedder {
        let (table, vocab) = toy_table();
        Embedder::from_bytes(&table, vocab).unwrap()
    }

    /// The toy model's table bytes and vocabulary.
    pub(crate) fn toy_table() -> (Vec<u8>, &'static str) {
        let vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\ncard\narrive\ndelivered\npassword\nreset\nforgot\nrefund\nmoney\nback\nwhen\nmy\n";
        let rows: [[i8; 4]; 15] = [
            [0, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0, 0, 0],
            [127, 10, 0, 0],
            [100, 30, 0, 0],
            [110, 20, 5, 0],
            [0, 127, 10, 0],
            [5, 110, 0, 10],
            [0, 100, 20, 0],
            [0, 0, 127, 10],
            [10, 0, 110, 0],
            [0, 10, 100, 20],
            [3, 3, 3, 3],
            [2, 2, 2, 2],
        ];
        let mut table = b"CHSE".to_vec();
        for v in [1u32, 15, 4] {
            table.extend_from_slice(&v.to_le_bytes());
        }
        for (i, _) in rows.iter().enumerate() {
            let s: f32 = if i < 4 { 0.0 } else { 0.01 };
            table.extend_from_slice(&s.to_le_bytes());
        }
        for r in rows {
            table.extend(r.iter().map(|&x| x as u8));
        }
        (table, vocab)
    }

    #[test]
    fn toy_model_loads_and_embeds() {
        let e = toy();
        let a = e.embed("When will my card arrive?");
        let b = e.embed("card delivered");
        let c = e.embed("forgot password");
        assert!((dot(&a, &a) - 1.0).abs() < 1e-5);
        assert!(dot(&a, &b) > 0.9);
        assert!(dot(&a, &c) < 0.5);
        assert!(e.embed("zzz ###").iter().all(|&x| x == 0.0));
    }

    #[test]
    fn rejects_bad_tables() {
        let vocab = "[UNK]\n";
        assert!(Embedder::from_bytes(b"", vocab).is_err());
        assert!(Embedder::from_bytes(b"CHSE\x01\0\0\0\x01\0\0\0\x04\0\0\0", vocab).is_err());
        assert!(Embedder::from_bytes(b"XXXX\x01\0\0\0\x01\0\0\0\x04\0\0\0", vocab).is_err());
    }

    #[test]
    fn truncate_is_char_safe() {
        assert_eq!(truncate_chars("héllo", 2), "h");
        assert_eq!(truncate_chars("abc", 10), "abc");
    }
}
