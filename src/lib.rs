//! Earthmover: a GAN and a Wasserstein GAN learn MNIST live in the browser.
//!
//! The core (config, model, objective, data, train, metrics, device) is pure Rust on Burn and is
//! tested natively; `web` is the thin wasm-bindgen surface the page's workers call.

pub mod checkpoint;
pub mod classifier;
pub mod config;
pub mod data;
pub mod device;
pub mod mcmc;
pub mod measure;
pub mod metrics;
pub mod model;
pub mod objective;
pub mod optimality;
pub mod refine;
pub mod rng;
pub mod toy;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod web_energy;
#[cfg(target_arch = "wasm32")]
pub mod web_lab;
