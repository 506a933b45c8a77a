//! The CPU backend's fast paths (issue 19), in one layer of their own: passes of our own over the
//! raw floats of Burn's `flex` tensors where Burn's generic ops take several (the activations, the
//! classifier's forward pass, Adam and RMSProp), and our own wasm SIMD matrix kernel plugged into
//! Burn as a backend extension. Each gives Burn's values (bit for bit, or up to the order of the
//! sums: `tests/fast_paths.rs`, `tests/matmul_check`). Whether a tensor takes them is decided in
//! one place, [`fast_paths`]; on any other device (WebGPU) the models run Burn's ops unchanged.
//! The models (`nets`) and the trainer (`train`) call in here; nothing here knows the models.

use burn::tensor::Device;

pub mod activation;
pub mod classifier;
pub mod matmul;
pub mod optim;
pub mod sgemm;

/// Whether tensors on `device` take the CPU fast paths: Burn's `flex` backend, whose tensors are
/// read and written synchronously in this thread's memory. Devices compare by hardware identity,
/// so an autodiff device on `flex` takes them too.
pub fn fast_paths(device: &Device) -> bool {
    *device == Device::flex()
}
