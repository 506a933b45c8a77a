//! The nets' own matrix product (`cpu::matmul::matmul_own`) against Burn's matmul: value and both
//! gradients. Shared by `tests/fast_paths.rs` (natively, on the kernel's portable code) and
//! `tests/web.rs` (in the browser, on its SIMD code); async because the browser reads back so.

use burn::tensor::{Device, Tensor, TensorData};
use earthmover::cpu::matmul::{matmul_own, own_products, MIN_DIM};
use earthmover::rng::SplitMix64;
use earthmover::tensors::read_f32;

/// (m, k, n, B given transposed, A tracked): a transposed operand (the backward pass's Wᵀ), an
/// untracked one (a batch of data), edges of the 4 × 8 tile, and sizes handed back to Burn.
pub const CASES: [(usize, usize, usize, bool, bool); 6] = [
    (64, 784, 256, false, false),
    (64, 100, 128, false, true),
    (64, 256, 784, true, true),
    (5, 13, 25, false, true),
    (64, 256, 1, false, true),
    (3, 3, 3, true, true),
];

/// Panics, naming the case and the tensor, where C, dA or dB differ from Burn's by more than 2e-5
/// (relative, or absolute below 1), or where dA exists for an untracked A.
pub async fn own_matmul_matches_burn(device: &Device, seed: u64) {
    let mut rng = SplitMix64::new(seed);
    let mut rand =
        |len: usize| -> Vec<f32> { (0..len).map(|_| rng.uniform() as f32 * 2.0 - 1.0).collect() };
    for (m, k, n, transpose_b, track_a) in CASES {
        let what = format!("[{m}, {k}]·[{k}, {n}] (Bᵀ {transpose_b}, A tracked {track_a})");
        let a_data = TensorData::new(rand(m * k), [m, k]);
        let b_shape = if transpose_b { [n, k] } else { [k, n] };
        let b_data = TensorData::new(rand(k * n), b_shape);
        let up = TensorData::new(rand(m * n), [m, n]);
        let mut results = Vec::new();
        for own in [true, false] {
            let a = Tensor::<2>::from_data(a_data.clone(), device);
            let a = if track_a { a.require_grad() } else { a };
            let b = Tensor::<2>::from_data(b_data.clone(), device).require_grad();
            let b_used = if transpose_b {
                b.clone().transpose()
            } else {
                b.clone()
            };
            let before = own_products();
            let c = if own {
                matmul_own(a.clone(), b_used)
            } else {
                a.clone().matmul(b_used)
            };
            let grads = (c.clone() * Tensor::<2>::from_data(up.clone(), device))
                .sum()
                .backward();
            // Our kernel ran: the forward and one product per tracked operand (B always, A when
            // tracked), where the sizes are its own; Burn's otherwise.
            let ours = if own && m.min(k).min(n) >= MIN_DIM {
                2 + track_a as u64
            } else {
                0
            };
            assert_eq!(
                own_products() - before,
                ours,
                "{what}: own products (own path {own})"
            );
            let da = a.grad(&grads);
            assert_eq!(
                da.is_some(),
                track_a,
                "{what}: dA exists only when A is tracked"
            );
            let mut floats = Vec::new();
            for t in [Some(c.inner()), Some(b.grad(&grads).unwrap()), da] {
                floats.push(match t {
                    Some(t) => read_f32(t).await.unwrap(),
                    None => Vec::new(),
                });
            }
            results.push(floats);
        }
        for (name, (own, burn)) in ["C", "dB", "dA"]
            .iter()
            .zip(results[0].iter().zip(&results[1]))
        {
            assert_eq!(own.len(), burn.len(), "{what} {name}: sizes");
            let worst = own
                .iter()
                .zip(burn)
                .map(|(o, b)| (o - b).abs() / b.abs().max(1.0))
                .fold(0f32, f32::max);
            assert!(
                worst < 2e-5,
                "{what} {name}: worst relative difference {worst:e}"
            );
        }
    }
}
