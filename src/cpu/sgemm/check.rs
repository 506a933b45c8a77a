//! [`sgemm`](super::sgemm) against a triple loop: every edge of the tile (m, n not multiples of 4
//! or 8, k = 1), row-major and transposed operands, an offset into the storage. A plain function,
//! not only a test, so that each browser build checks its own kernel: `cargo test` runs it on the
//! four-float arrays, `tests/kernel.test.mjs` through the wasm's `checkMatmul` on the plain-SIMD
//! and the relaxed-SIMD (FMA) builds in Chromium and Firefox.

use super::{sgemm, Strided};

fn naive(m: usize, n: usize, k: usize, a: Strided, b: Strided) -> Vec<f32> {
    let mut c = vec![0f32; m * n];
    for i in 0..m {
        for j in 0..n {
            c[i * n + j] = (0..k).map(|p| a.at(i, p) * b.at(p, j)).sum();
        }
    }
    c
}

/// `len` floats in [-1, 1] from a xorshift stream.
fn floats(len: usize, seed: u32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s % 2001) as f32 / 1000.0 - 1.0
        })
        .collect()
}

/// A `rows` × `cols` matrix stored from `off` in `data`, row-major or (`transposed`) column-major.
fn view(data: &[f32], off: usize, rows: usize, cols: usize, transposed: bool) -> Strided<'_> {
    let (rs, cs) = if transposed { (1, rows) } else { (cols, 1) };
    Strided {
        data,
        offset: off,
        rs: rs as isize,
        cs: cs as isize,
    }
}

/// Ok when every element of C, for every shape and layout above, is within 1e-5·√k (relative, for
/// elements above 1) of the triple loop, and every element was written; else the first that is not.
pub fn self_check() -> Result<(), String> {
    let shapes = [
        (1, 1, 1),
        (3, 12, 5),
        (4, 13, 1),
        (64, 100, 784),
        (100, 64, 7),
        (5, 25, 33),
    ];
    for (m, n, k) in shapes {
        for transpose_a in [false, true] {
            for transpose_b in [false, true] {
                let off = 3;
                let ad = floats(off + m * k, 1 + m as u32);
                let bd = floats(off + k * n, 2 + n as u32);
                let a = view(&ad, off, m, k, transpose_a);
                let b = view(&bd, off, k, n, transpose_b);
                let mut c = vec![f32::NAN; m * n];
                sgemm(m, n, k, a, b, &mut c);
                let want = naive(m, n, k, a, b);
                for (i, (&got, &want)) in c.iter().zip(&want).enumerate() {
                    let tol = 1e-5 * (k as f32).sqrt() * want.abs().max(1.0);
                    // A NaN (an element never written) fails too.
                    if got.is_nan() || (got - want).abs() > tol {
                        return Err(format!(
                            "{m}×{k}·{k}×{n} (Aᵀ {transpose_a}, Bᵀ {transpose_b}): C[{i}] = {got}, want {want}"
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
