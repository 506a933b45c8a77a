//! A single-precision matrix product written for the nets' shapes on wasm SIMD128 (issue 19).
//!
//! gemm's simd128 micro-kernel (what Burn's CPU backend calls) holds a 12 × 4 tile: twelve
//! accumulators, three rows of A and a broadcast, sixteen vector registers. V8 keeps one of x86-64's
//! sixteen as its scratch register, so that kernel spills in the browser. This one holds a 4 × 8
//! tile: eight accumulators, two vectors of B and a broadcast, eleven registers. In a micro-benchmark
//! in Chromium 156 on this machine (the nets' shapes, packing included) it ran at 37–41 GFLOP/s
//! against gemm's 26–29; a 3 × 12 tile (thirteen registers) ran at 23–27.
//! A and B are first copied into the order the kernel reads them (contiguous panels), from any
//! strides, so a transposed view (the backward pass's Wᵀ and xᵀ) costs no extra copy.
//!
//! With the crate's `fma` feature (the browser build in www/pkg-fma) each multiply and add of the
//! kernel is one relaxed-SIMD `f32x4.relaxed_madd`: V8 runs this loop front-end bound (every address
//! its own `lea`), so dropping eight of its ~33 instructions gave 1.18–1.33× the steps/s (issue 19).
//!
//! Natively the same code runs on four-float arrays (for the tests; the native build keeps Burn's
//! AVX matmul, see `matmul.rs`).

use std::cell::RefCell;

/// The kernel against a triple loop, for the tests and for each browser build.
mod check;
/// Four floats: wasm's v128 in the browser, an array natively.
mod v;
pub use check::self_check;

/// Rows of C per micro-kernel call.
const MR: usize = 4;
/// Vectors of four columns of C per micro-kernel call.
const NV: usize = 2;
/// Columns of C per micro-kernel call.
const NR: usize = NV * 4;

/// A read-only strided matrix: element (i, j) is `data[offset + i·rs + j·cs]`.
#[derive(Clone, Copy, Debug)]
pub struct Strided<'a> {
    pub data: &'a [f32],
    pub offset: usize,
    pub rs: isize,
    pub cs: isize,
}

impl Strided<'_> {
    /// Panics unless every element of a `rows` × `cols` matrix lies inside `data`.
    fn check(&self, rows: usize, cols: usize) {
        if rows == 0 || cols == 0 {
            return;
        }
        let far = |n: usize, s: isize| (n as isize - 1) * s;
        let (lo_r, hi_r) = (far(rows, self.rs).min(0), far(rows, self.rs).max(0));
        let (lo_c, hi_c) = (far(cols, self.cs).min(0), far(cols, self.cs).max(0));
        let lo = self.offset as isize + lo_r + lo_c;
        let hi = self.offset as isize + hi_r + hi_c;
        assert!(
            lo >= 0 && (hi as usize) < self.data.len(),
            "sgemm: a {rows}×{cols} matrix with strides ({}, {}) from {} overruns {} floats",
            self.rs,
            self.cs,
            self.offset,
            self.data.len()
        );
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        let idx = self.offset as isize + i as isize * self.rs + j as isize * self.cs;
        // In bounds: `check` ran on the whole matrix before any read.
        unsafe { *self.data.get_unchecked(idx as usize) }
    }
}

thread_local! {
    /// The packed panels, reused from call to call (a step makes ~30 products).
    static PACKED: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// C = A·B with A m × k, B k × n (any strides), C m × n row-major (`c.len() == m·n`).
pub fn sgemm(m: usize, n: usize, k: usize, a: Strided, b: Strided, c: &mut [f32]) {
    assert_eq!(c.len(), m * n, "sgemm: C must hold m·n floats");
    a.check(m, k);
    b.check(k, n);
    if m == 0 || n == 0 {
        return;
    }
    PACKED.with(|packed| {
        let (pa, pb) = &mut *packed.borrow_mut();
        pack_a(m, k, a, pa);
        grow(pb, NR * k);
        let mut tile = [0f32; MR * NR];
        for jb in 0..n.div_ceil(NR) {
            // B is packed one panel (k × NR) at a time, just before its use, so that the kernel
            // reads the copy back from the cache. Read in place instead, a weight matrix's rows
            // 2 or 4 KB apart fall in the same few L1 sets: the WGAN step was 17% slower.
            let cols = NR.min(n - jb * NR);
            let panel_b = &mut pb[..NR * k];
            pack_b(k, b, jb, cols, panel_b);
            let panel_b = &*panel_b;
            for ib in 0..m.div_ceil(MR) {
                let panel_a = &pa[ib * MR * k..(ib + 1) * MR * k];
                let rows = MR.min(m - ib * MR);
                let corner = (ib * MR) * n + jb * NR;
                if rows == MR && cols == NR {
                    // A whole tile: straight into C.
                    let out = &mut c[corner..corner + (MR - 1) * n + NR];
                    micro(k, panel_a, panel_b, out, n);
                } else {
                    micro(k, panel_a, panel_b, &mut tile, NR);
                    for r in 0..rows {
                        copy(&mut c[corner + r * n..], &tile[r * NR..], cols);
                    }
                }
            }
        }
    });
}

/// `buf` at least `len` long. What it held stays: the panels' padding (rows of A past m, columns
/// of B past n) only ever meets the tile's padding, which is never copied into C.
fn grow(buf: &mut Vec<f32>, len: usize) {
    if buf.len() < len {
        buf.resize(len, 0.0);
    }
}

/// A into panels of MR rows, each stored k-major: `pa[ib][p][r] = A[ib·MR + r][p]`.
fn pack_a(m: usize, k: usize, a: Strided, pa: &mut Vec<f32>) {
    grow(pa, m.div_ceil(MR) * MR * k);
    for (ib, panel) in pa.chunks_exact_mut(MR * k).take(m.div_ceil(MR)).enumerate() {
        let rows = MR.min(m - ib * MR);
        if a.cs == 1 && a.rs >= 0 {
            // Row-major A (a batch of activations): each row is a slice.
            let lines: [&[f32]; MR] = std::array::from_fn(|r| {
                let start = a.offset + (ib * MR + r.min(rows - 1)) * a.rs as usize;
                &a.data[start..start + k]
            });
            interleave(panel, &lines, rows);
        } else if a.rs == 1 && a.cs >= 0 {
            // A transposed view (xᵀ in dL/dW = xᵀ·dL/dy): the panel's rows are contiguous.
            for p in 0..k {
                let start = a.offset + ib * MR + p * a.cs as usize;
                copy(&mut panel[p * MR..], &a.data[start..], rows);
            }
        } else {
            for p in 0..k {
                for r in 0..rows {
                    panel[p * MR + r] = a.at(ib * MR + r, p);
                }
            }
        }
    }
}

/// B's columns jb·NR.. (`cols` of them) into `panel`, k-major: `panel[p][c] = B[p][jb·NR + c]`.
fn pack_b(k: usize, b: Strided, jb: usize, cols: usize, panel: &mut [f32]) {
    if b.cs == 1 && b.rs >= 0 && cols == NR {
        // Row-major B (a weight matrix): NR columns of each row, as two vectors. Pointers, not
        // slices, so no bounds checks in the loop that copies most floats (~12 M a WGAN step).
        let start = b.offset + jb * NR;
        if k > 0 {
            assert!(start + (k - 1) * b.rs as usize + NR <= b.data.len() && panel.len() >= k * NR);
        }
        let (mut src, mut dst) = (b.data[start..].as_ptr(), panel.as_mut_ptr());
        for _ in 0..k {
            // In bounds: k rows of NR floats, rs apart, inside B and the panel (asserted above).
            unsafe {
                for j in 0..NV {
                    v::store_ptr(dst.add(4 * j), v::load(src.add(4 * j)));
                }
                src = src.wrapping_add(b.rs as usize);
                dst = dst.add(NR);
            }
        }
    } else if b.cs == 1 && b.rs >= 0 {
        for p in 0..k {
            let start = b.offset + p * b.rs as usize + jb * NR;
            copy(&mut panel[p * NR..], &b.data[start..], cols);
        }
    } else if b.rs == 1 && b.cs >= 0 {
        // A transposed view (Wᵀ in dL/dx = dL/dy·Wᵀ): each column is a slice.
        let lines: [&[f32]; NR] = std::array::from_fn(|c| {
            let start = b.offset + (jb * NR + c.min(cols - 1)) * b.cs as usize;
            &b.data[start..start + k]
        });
        interleave(panel, &lines, cols);
    } else {
        for p in 0..k {
            for c in 0..cols {
                panel[p * NR + c] = b.at(p, jb * NR + c);
            }
        }
    }
}

/// `panel[p·W + i] = lines[i][p]` for the first `used` lines (W of them, all as long as the panel
/// has rows; lines past `used` are never read): a panel from W rows of A or W columns of B. With all
/// W lines used, four steps of p at a time go as 4 × 4 transposes of vectors.
#[inline(always)]
fn interleave<const W: usize>(panel: &mut [f32], lines: &[&[f32]; W], used: usize) {
    let k = panel.len() / W;
    assert!(W.is_multiple_of(4) && used <= W && lines.iter().all(|l| l.len() == k));
    let done = if used == W { k / 4 * 4 } else { 0 };
    for p in (0..done).step_by(4) {
        for g in (0..W).step_by(4) {
            // In bounds: p + 3 < k, every line holds k floats, and the panel k·W (asserted above).
            unsafe {
                let rows: [v::V; 4] =
                    std::array::from_fn(|i| v::load(lines[g + i].as_ptr().add(p)));
                let cols = v::transpose(rows);
                for (j, col) in cols.into_iter().enumerate() {
                    v::store_ptr(panel.as_mut_ptr().add((p + j) * W + g), col);
                }
            }
        }
    }
    for (p, out) in panel.chunks_exact_mut(W).enumerate().skip(done) {
        for (i, o) in out[..used].iter_mut().enumerate() {
            // In bounds: p < k, i < used ≤ W, every line holds k floats (asserted above).
            *o = unsafe { *lines.get_unchecked(i).get_unchecked(p) };
        }
    }
}

/// The first `len` floats of `src` into `dst`. A slice copy of a length known only at run time is a
/// `memory.copy`, which V8 runs as a call out of the wasm: 14% of a WGAN step went there for copies
/// of 4 and 8 floats. Whole tile rows are copied at a constant length, which compiles to vector moves.
#[inline(always)]
fn copy(dst: &mut [f32], src: &[f32], len: usize) {
    if len == NR {
        dst[..NR].copy_from_slice(&src[..NR]);
    } else if len == MR {
        dst[..MR].copy_from_slice(&src[..MR]);
    } else {
        for (d, &s) in dst[..len].iter_mut().zip(&src[..len]) {
            *d = s;
        }
    }
}

/// The MR × NR tile panel_a · panel_b (over k) into `out`, row r at `out[r·ld..]`. Not inlined:
/// V8 allocates the accumulators to registers in a small function, and spills them in a large one.
#[inline(never)]
#[cfg_attr(
    all(target_arch = "wasm32", feature = "fma"),
    target_feature(enable = "relaxed-simd")
)]
fn micro(k: usize, panel_a: &[f32], panel_b: &[f32], out: &mut [f32], ld: usize) {
    assert!(panel_a.len() >= k * MR && panel_b.len() >= k * NR);
    assert!(out.len() >= (MR - 1) * ld + NR);
    let mut acc = [[v::zero(); NV]; MR];
    let (mut ap, mut bp) = (panel_a.as_ptr(), panel_b.as_ptr());
    for _ in 0..k {
        // In bounds: k steps of MR and NR floats, checked above.
        unsafe {
            let bv: [v::V; NV] = std::array::from_fn(|j| v::load(bp.add(4 * j)));
            for (r, row) in acc.iter_mut().enumerate() {
                let a = v::splat(ap.add(r));
                for (acc, &b) in row.iter_mut().zip(&bv) {
                    *acc = v::mul_add(*acc, a, b);
                }
            }
            ap = ap.wrapping_add(MR);
            bp = bp.wrapping_add(NR);
        }
    }
    for (r, row) in acc.iter().enumerate() {
        for (j, &x) in row.iter().enumerate() {
            v::store(&mut out[r * ld + 4 * j..r * ld + 4 * j + 4], x);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_triple_loop_for_any_shape_and_strides() {
        self_check().unwrap();
    }

    #[test]
    #[should_panic(expected = "overruns")]
    fn a_view_past_the_storage_is_refused() {
        let data = vec![0f32; 10];
        let a = Strided {
            data: &data,
            offset: 0,
            rs: 4,
            cs: 1,
        };
        let mut c = vec![0f32; 9];
        sgemm(3, 3, 4, a, a, &mut c);
    }
}
