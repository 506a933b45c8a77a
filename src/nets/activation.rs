//! The nets' activations, written for Burn's CPU backend (issue 19): the same functions as Burn's,
//! in fewer passes over memory.
//!
//! [`tanh`] (the generator's output) does without libm's scalar `expf` (7% of a small GAN's wasm
//! step in issue 19's profile): on the CPU it computes the values and the derivative in one loop
//! over the raw floats, which the compiler vectorises (wasm SIMD128, AVX natively), and hands
//! autodiff the derivative as a constant: y = t + (x − x̄)·(1 − t²), with x̄ = x detached, is t in
//! value and has the derivative 1 − t². On WebGPU (no synchronous read-back) it is
//! 2 sigmoid(2x) − 1, one `exp` per element where Burn's `tanh` calls `tanhf` on the CPU.
//! [`leaky_relu`] is bit for bit Burn's, in one multiplication each way (below).

use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use crate::tensors::host;

/// LeakyReLU(x): x where x ≥ 0, `slope`·x elsewhere; the same values and gradient as Burn's
/// (`tests/fast_paths.rs`). On the CPU it is x times a slope tensor computed in one loop over the raw
/// floats and taken as a constant, one multiplication forward and one backward; Burn's autodiff
/// composes it from a mask, a scaled copy and `mask_where` (two zero tensors and two more masks in
/// the backward pass).
pub fn leaky_relu(x: Tensor<2>, slope: f64) -> Tensor<2> {
    let device = x.device();
    if device != Device::flex() || !x.is_tracked() {
        return burn::tensor::activation::leaky_relu(x, slope);
    }
    let dims = x.dims();
    let slope = slope as f32;
    let slopes: Vec<f32> = host(x.clone().detach())
        .iter()
        .map(|&v| if v >= 0.0 || v.is_nan() { 1.0 } else { slope })
        .collect();
    x * Tensor::<2>::from_data(TensorData::new(slopes, dims), &device)
}

/// tanh(x) for the generator's output layer.
pub fn tanh(x: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    // Only the CPU reads back synchronously (devices compare ignoring autodiff).
    if device != Device::flex() {
        return sigmoid(x.mul_scalar(2.0)).mul_scalar(2.0).sub_scalar(1.0);
    }
    let dims = x.dims();
    let (t, slope) = tanh_and_derivative(&host(x.clone().detach()));
    let t = Tensor::<2>::from_data(TensorData::new(t, dims), &device);
    if !x.is_tracked() {
        return t;
    }
    let slope = Tensor::<2>::from_data(TensorData::new(slope, dims), &device);
    // Zero in value (x − x exactly), x's own gradient path in the backward pass.
    (x.clone() - x.detach()) * slope + t
}

/// tanh and 1 − tanh² of every element, in a loop the compiler vectorises (no calls, no branches).
fn tanh_and_derivative(x: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let t: Vec<f32> = x.iter().map(|&v| tanh_f32(v)).collect();
    let d = t.iter().map(|&t| 1.0 - t * t).collect();
    (t, d)
}

/// tanh(x) = sign(x)·(1 − e)/(1 + e) with e = exp(−2|x|) ∈ (0, 1]. Absolute error ≤ 2.5e-7 (the
/// test beside Burn's composition asks < 3e-7); NaN stays NaN, ±∞ gives ±1.
#[inline(always)]
fn tanh_f32(x: f32) -> f32 {
    // Beyond |x| = 10, tanh is 1 in f32 (1 − 4e-9); the clamp keeps 2^k a normal number.
    let y = -2.0 * x.abs();
    let y = if y < -20.0 { -20.0 } else { y };
    let e = exp_nonpositive(y);
    let t = (1.0 - e) / (1.0 + e);
    f32::from_bits(t.to_bits() | (x.to_bits() & 0x8000_0000))
}

/// e^y for y in [−20, 0] (and NaN): e^y = 2^k · e^r with k = round(y / ln 2), |r| ≤ ln 2 / 2, and
/// e^r by its Taylor series to r⁶ (truncation ≤ 1.2e-7 relative).
#[inline(always)]
fn exp_nonpositive(y: f32) -> f32 {
    // Round to nearest by the 1.5·2²³ trick (|y / ln 2| < 2²²): one add and one subtract, which
    // vectorise where `f32::round` would not.
    const ROUND: f32 = 12_582_912.0;
    let k = (y * std::f32::consts::LOG2_E + ROUND) - ROUND;
    // ln 2 in two parts (Cody and Waite): k·LN2_HI is exact for the k here, so r keeps its bits.
    const LN2_HI: f32 = 355.0 / 512.0; // ln 2 to 9 bits
    const LN2_LO: f32 = -2.121_944_4e-4; // ln 2 − LN2_HI
    let r = (y - k * LN2_HI) - k * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (1.0 / 2.0
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    // 2^k from its exponent bits (k in [−29, 0]; a NaN k casts to 0 and p carries the NaN).
    let two_k = f32::from_bits(((k as i32 + 127) as u32) << 23);
    p * two_k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_f32_matches_f64_tanh_everywhere() {
        let mut worst = 0f64;
        let mut x = -12.0f32;
        while x <= 12.0 {
            let err = (tanh_f32(x) as f64 - (x as f64).tanh()).abs();
            worst = worst.max(err);
            x += 1e-4;
        }
        assert!(worst < 2.5e-7, "max |error| {worst:.2e}");
        for (x, t) in [
            (0.0f32, 0.0f32),
            (f32::INFINITY, 1.0),
            (f32::NEG_INFINITY, -1.0),
            (1e30, 1.0),
            (-1e30, -1.0),
        ] {
            assert_eq!(tanh_f32(x), t, "tanh({x})");
        }
        assert!(tanh_f32(f32::NAN).is_nan());
        assert!(tanh_f32(-0.0).is_sign_negative());
        // Odd, bit for bit.
        for x in [1e-6f32, 0.1, 0.5, 1.0, 3.0, 9.0] {
            assert_eq!(tanh_f32(-x), -tanh_f32(x));
        }
    }

    #[test]
    fn exp_nonpositive_is_exp() {
        let mut y = -20.0f32;
        while y <= 0.0 {
            let rel = ((exp_nonpositive(y) as f64 - (y as f64).exp()) / (y as f64).exp()).abs();
            assert!(rel < 3e-7, "exp({y}): relative error {rel:.2e}");
            y += 1e-3;
        }
    }
}
