//! The classifier's forward pass on the CPU in a few passes over the raw floats (issue 19). The mode
//! meter classifies 1,000 generated digits every few seconds and the feature distance 256 at every
//! judged point; through Burn's CPU convolution and max-pooling a meter pass took 296 ms in the
//! browser, 28% of it in pooling (which also computes the indices only a backward pass needs).
//! Here both convolutions are im2col products through the nets' own kernel (`sgemm`), the bias,
//! ReLU and 2 × 2 max-pooling one pass each: Burn's values up to the order of the sums
//! (`tests/fast_paths.rs`), and a meter pass of 120 ms (Node, the plain-SIMD build), 64% of it in
//! the kernel.

use super::sgemm::{sgemm, Strided};

/// Image side, kernel side, and the sides after each convolution and each pooling.
const SIDE: usize = 28;
const K: usize = 5;
const S1: usize = SIDE - K + 1; // 24
const P1: usize = S1 / 2; // 12
const S2: usize = P1 - K + 1; // 8
const P2: usize = S2 / 2; // 4
/// Channels after each convolution.
const C1: usize = 16;
const C2: usize = 32;
/// Inputs of the dense layer (Burn's NCHW flattening of [C2, P2, P2]) and its outputs.
const FLAT: usize = C2 * P2 * P2;
const OUT: usize = 64;
/// Images per pass through the buffers: the first convolution's im2col is CHUNK × 576 × 25 floats
/// (0.9 MB), within this machine's 1 MB of L2 per core.
const CHUNK: usize = 16;

/// The weights as Burn stores them: conv1 [16, 1, 5, 5], conv2 [32, 16, 5, 5], fc1 [512, 64] (input
/// major), and their biases.
pub struct Weights {
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    pub w2: Vec<f32>,
    pub b2: Vec<f32>,
    pub fc: Vec<f32>,
    pub fc_b: Vec<f32>,
}

/// Row-major matrix view.
fn rows(data: &[f32], cols: usize) -> Strided<'_> {
    Strided {
        data,
        offset: 0,
        rs: cols as isize,
        cs: 1,
    }
}

/// The transpose of a row-major `[cols_t, rows_t]` matrix, read in place: element (i, j) is
/// `data[j·rows_t + i]`.
fn transposed(data: &[f32], rows_t: usize) -> Strided<'_> {
    Strided {
        data,
        offset: 0,
        rs: 1,
        cs: rows_t as isize,
    }
}

/// ReLU(max over each 2 × 2 block + bias) of `m` channel-last maps `side` × `side` × `ch` in `c`,
/// handed to `put(image, row, col, channel, value)`. ReLU and max commute, and the bias is the same
/// over a block, so this is Burn's pool(relu(conv + bias)).
fn pool_relu(
    c: &[f32],
    m: usize,
    side: usize,
    ch: usize,
    bias: &[f32],
    mut put: impl FnMut(usize, usize, usize, usize, f32),
) {
    let at = |i: usize, y: usize, x: usize| ((i * side + y) * side + x) * ch;
    for i in 0..m {
        for y in 0..side / 2 {
            for x in 0..side / 2 {
                let corners = [
                    at(i, 2 * y, 2 * x),
                    at(i, 2 * y, 2 * x + 1),
                    at(i, 2 * y + 1, 2 * x),
                    at(i, 2 * y + 1, 2 * x + 1),
                ];
                // Comparisons, not f32::max: in wasm that is a call to libm's fmaxf, a quarter of
                // a meter pass when it was used here.
                let max = |a: f32, b: f32| if b > a { b } else { a };
                for (k, &b) in bias.iter().enumerate().take(ch) {
                    let v = corners
                        .iter()
                        .map(|&o| c[o + k])
                        .fold(f32::NEG_INFINITY, max);
                    put(i, y, x, k, max(v + b, 0.0));
                }
            }
        }
    }
}

/// The 64 features (after fc1's ReLU) of each of the `n` images in `x` ([n · 784], intensities in
/// [0, 1]): [n · 64].
pub fn features(x: &[f32], n: usize, w: &Weights) -> Vec<f32> {
    assert_eq!(
        x.len(),
        n * SIDE * SIDE,
        "the classifier takes 28 × 28 images"
    );
    let mut out = vec![0f32; n * OUT];
    let (mut cols1, mut c1, mut p1) = (Vec::new(), Vec::new(), Vec::new());
    let (mut cols2, mut c2, mut p2) = (Vec::new(), Vec::new(), Vec::new());
    // W2 [32, 16, 5, 5] as [32, 5, 5, 16]: the order of conv2's patch columns below.
    let mut w2 = vec![0f32; C2 * C1 * K * K];
    for o in 0..C2 {
        for ch in 0..C1 {
            for t in 0..K * K {
                w2[(o * K * K + t) * C1 + ch] = w.w2[(o * C1 + ch) * K * K + t];
            }
        }
    }
    let w2 = &w2[..];
    for start in (0..n).step_by(CHUNK) {
        let m = CHUNK.min(n - start);
        let images = &x[start * SIDE * SIDE..(start + m) * SIDE * SIDE];
        // conv1: each output pixel's 5 × 5 patch as a row, [m · 576, 25], times W1ᵀ [25, 16].
        cols1.resize(m * S1 * S1 * K * K, 0.0);
        for (i, img) in images.chunks_exact(SIDE * SIDE).enumerate() {
            for y in 0..S1 {
                for xx in 0..S1 {
                    let row = ((i * S1 + y) * S1 + xx) * K * K;
                    for ky in 0..K {
                        let src = (y + ky) * SIDE + xx;
                        cols1[row + ky * K..row + ky * K + K].copy_from_slice(&img[src..src + K]);
                    }
                }
            }
        }
        c1.resize(m * S1 * S1 * C1, 0.0);
        let k1 = K * K;
        sgemm(
            m * S1 * S1,
            C1,
            k1,
            rows(&cols1, k1),
            transposed(&w.w1, k1),
            &mut c1,
        );
        p1.resize(m * P1 * P1 * C1, 0.0);
        pool_relu(&c1, m, S1, C1, &w.b1, |i, y, x, k, v| {
            p1[((i * P1 + y) * P1 + x) * C1 + k] = v;
        });
        // conv2: patches of 5 × 5 pixels × 16 channels, columns (row, column, channel): each
        // patch row is 80 contiguous floats of the channel-last p1; W2 permuted to match.
        let k2 = C1 * K * K;
        cols2.resize(m * S2 * S2 * k2, 0.0);
        for i in 0..m {
            for y in 0..S2 {
                for xx in 0..S2 {
                    let row = ((i * S2 + y) * S2 + xx) * k2;
                    for ky in 0..K {
                        let src = ((i * P1 + y + ky) * P1 + xx) * C1;
                        let dst = row + ky * K * C1;
                        cols2[dst..dst + K * C1].copy_from_slice(&p1[src..src + K * C1]);
                    }
                }
            }
        }
        c2.resize(m * S2 * S2 * C2, 0.0);
        sgemm(
            m * S2 * S2,
            C2,
            k2,
            rows(&cols2, k2),
            transposed(w2, k2),
            &mut c2,
        );
        // Flattened as Burn flattens [C2, P2, P2]: channel, then row, then column.
        p2.resize(m * FLAT, 0.0);
        pool_relu(&c2, m, S2, C2, &w.b2, |i, y, x, k, v| {
            p2[i * FLAT + k * P2 * P2 + y * P2 + x] = v;
        });
        let f = &mut out[start * OUT..(start + m) * OUT];
        sgemm(m, OUT, FLAT, rows(&p2, FLAT), rows(&w.fc, OUT), f);
        for row in f.chunks_exact_mut(OUT) {
            for (v, &b) in row.iter_mut().zip(&w.fc_b) {
                *v = (*v + b).max(0.0);
            }
        }
    }
    out
}
