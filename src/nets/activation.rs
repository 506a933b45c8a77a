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
use burn::tensor::{Tensor, TensorData};

use crate::cpu::{self, fast_paths};
use crate::tensors::host;

/// LeakyReLU(x): x where x ≥ 0, `slope`·x elsewhere; the same values and gradient as Burn's
/// (`tests/fast_paths.rs`). On the CPU it is x times a slope tensor computed in one loop over the raw
/// floats and taken as a constant, one multiplication forward and one backward; Burn's autodiff
/// composes it from a mask, a scaled copy and `mask_where` (two zero tensors and two more masks in
/// the backward pass).
pub fn leaky_relu(x: Tensor<2>, slope: f64) -> Tensor<2> {
    let device = x.device();
    if !fast_paths(&device) || !x.is_tracked() {
        return burn::tensor::activation::leaky_relu(x, slope);
    }
    let dims = x.dims();
    let slopes = cpu::activation::leaky_slopes(&host(x.clone().detach()), slope as f32);
    x * Tensor::<2>::from_data(TensorData::new(slopes, dims), &device)
}

/// tanh(x) for the generator's output layer.
pub fn tanh(x: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    // Only the CPU reads back synchronously.
    if !fast_paths(&device) {
        return sigmoid(x.mul_scalar(2.0)).mul_scalar(2.0).sub_scalar(1.0);
    }
    let dims = x.dims();
    let (t, slope) = cpu::activation::tanh_and_derivative(&host(x.clone().detach()));
    let t = Tensor::<2>::from_data(TensorData::new(t, dims), &device);
    if !x.is_tracked() {
        return t;
    }
    let slope = Tensor::<2>::from_data(TensorData::new(slope, dims), &device);
    // Zero in value (x − x exactly), x's own gradient path in the backward pass.
    (x.clone() - x.detach()) * slope + t
}
