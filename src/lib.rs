//! Earthmover: a GAN and a Wasserstein GAN learn MNIST live in the browser.
//!
//! Layers, each using only those above it:
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`rng`], [`tensors`], [`data`], [`config`], [`device`] | the project's RNG, tensor helpers, the MNIST subset, every setting, the backend choice |
//! | [`cpu`] | the CPU backend's fast paths (our matrix kernel, one-pass activations, classifier and optimisers), and the one place that decides who takes them |
//! | [`nets`] | generator, discriminator/critic, digit classifier |
//! | [`objective`], [`metrics`] | losses with the estimate each yields; EMD, gradient norms, rank correlation |
//! | [`train`] | the trainer: one step in, numbers out; its measurements and checkpoints |
//! | [`lab`] | experiments: toy cases, D to optimality, MCMC in latent space |
//! | [`tools`] (native only) | what the command-line tools in `src/bin` share: the checkout's data, run settings |
//! | `web` (wasm32 only) | the wasm-bindgen surface the page's workers call, nothing else |

pub mod config;
pub mod cpu;
pub mod data;
pub mod device;
pub mod error;
pub mod lab;
pub mod metrics;
pub mod nets;
pub mod objective;
pub mod rng;
pub mod tensors;
pub mod train;

#[cfg(not(target_arch = "wasm32"))]
pub mod tools;

#[cfg(target_arch = "wasm32")]
pub mod web;
