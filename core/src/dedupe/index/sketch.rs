//! The LSH sketch of an embedding: seeded integer hyperplanes, sign bits
//! and the least certain bits for multi-probe.

use super::{BITS, LSH_SEED, QuestionIndex, SKETCH_BITS, TABLES};

/// The seeded hyperplanes of the LSH sketch for `dims`-dimensional
/// embeddings: a quarter of the sum of four uniform bytes per entry
/// (roughly Gaussian, in i8 range; integer dot products are exact on every
/// platform). Fixed: hashing must never change.
pub(crate) fn lsh_planes(dims: usize) -> Vec<i16> {
    let mut st = LSH_SEED;
    (0..SKETCH_BITS * dims)
        .map(|_| {
            let mut s = 0i32;
            for _ in 0..4 {
                s += (xorshift(&mut st) >> 56) as i32 - 128;
            }
            (s / 4) as i16
        })
        .collect()
}

/// Integer dot product (exact on every platform: the same integer products
/// summed in any order). No partial sum overflows here: by Cauchy–Schwarz it
/// is at most ‖x‖·‖plane‖ ≤ 2·4096 · 128·√4096 ≈ 6.7e7.
#[inline]
pub(crate) fn dot_i16(a: &[i16], b: &[i16]) -> i32 {
    #[cfg(target_arch = "x86_64")]
    {
        dot_i16_sse2(a, b)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        a.iter()
            .zip(b)
            .map(|(&x, &w)| i32::from(x) * i32::from(w))
            .sum()
    }
}

/// [`dot_i16`] with SSE2 `pmaddwd` (8 products per instruction; SSE2 is
/// part of the x86-64 baseline, so no runtime detection is needed).
#[cfg(target_arch = "x86_64")]
#[inline]
fn dot_i16_sse2(a: &[i16], b: &[i16]) -> i32 {
    use std::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_loadu_si128, _mm_madd_epi16, _mm_setzero_si128,
        _mm_storeu_si128,
    };
    let n = a.len().min(b.len());
    let full = n / 8 * 8;
    let mut lanes = [0i32; 4];
    // SAFETY: SSE2 is always available on x86_64; every load reads 8 i16
    // inside `a[..full]` / `b[..full]` (unaligned loads), the store writes
    // 4 i32 into `lanes`.
    unsafe {
        let mut acc = _mm_setzero_si128();
        let mut i = 0;
        while i < full {
            let x = _mm_loadu_si128(a.as_ptr().add(i).cast::<__m128i>());
            let y = _mm_loadu_si128(b.as_ptr().add(i).cast::<__m128i>());
            acc = _mm_add_epi32(acc, _mm_madd_epi16(x, y));
            i += 8;
        }
        _mm_storeu_si128(lanes.as_mut_ptr().cast::<__m128i>(), acc);
    }
    let rest: i32 = a[full..n]
        .iter()
        .zip(&b[full..n])
        .map(|(&x, &w)| i32::from(x) * i32::from(w))
        .sum();
    lanes.iter().sum::<i32>() + rest
}

/// `t.round()` (half away from zero) as an integer for |t| < 2^23, without
/// the `roundf` library call.
#[inline]
fn round_i32(t: f32) -> i32 {
    let i = t as i32;
    let f = t - i as f32;
    if f >= 0.5 {
        i + 1
    } else if f <= -0.5 {
        i - 1
    } else {
        i
    }
}

fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

impl QuestionIndex {
    /// 64 sign bits of the centred embedding against the seeded hyperplanes,
    /// and per LSH table its two least certain bits.
    pub(super) fn sketch(&self, emb: &[f32]) -> (u64, [[u8; 2]; TABLES]) {
        let mut margins = [0i32; SKETCH_BITS];
        let bits = self.project(emb, &mut margins);
        let mut weak = [[0u8; 2]; TABLES];
        for (t, w) in weak.iter_mut().enumerate() {
            let mut m = [(0i32, 0u8); BITS];
            for (b, x) in m.iter_mut().enumerate() {
                *x = (margins[t * BITS + b], b as u8);
            }
            m.sort_unstable();
            *w = [m[0].1, m[1].1];
        }
        (bits, weak)
    }

    /// The sign bits of [`sketch`](Self::sketch), with each plane's margin.
    pub(super) fn project(&self, emb: &[f32], margins: &mut [i32; SKETCH_BITS]) -> u64 {
        let mut bits = 0u64;
        let Some(m) = &self.model else {
            return bits;
        };
        let d = m.dims();
        let centre = m.centre();
        let planes = m.planes();
        // The centred vector in fixed point (|x| ≤ 2, so ×4096 fits i16).
        let mut x = vec![0i16; d];
        for (xi, (e, c)) in x.iter_mut().zip(emb.iter().zip(centre)) {
            *xi = round_i32(((e - c) * 4096.0).clamp(-32767.0, 32767.0)) as i16;
        }
        for (b, mg) in margins.iter_mut().enumerate() {
            let p = &planes[b * d..(b + 1) * d];
            let v = dot_i16(&x, p);
            if v > 0 {
                bits |= 1 << b;
            }
            *mg = v.saturating_abs();
        }
        bits
    }
}
