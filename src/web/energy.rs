//! The energy view's wasm-bindgen surface (docs/theory.md 5): MCMC in latent space on a run's critic
//! read as an energy. Conversions only; the sampling is `lab/refine.rs`.

// The worker awaits each Promise before calling again (see web/mod.rs).
#![allow(clippy::await_holding_refcell_ref)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::run::Run;
use super::{fail_with, to_js};
use crate::error::Code;
use crate::lab::mcmc::Sampler;
use crate::lab::refine::{RefineOptions, Refinement};

/// Where the chains are: steps taken, mean energy (with the prior when on), mean U(G(z)), and
/// the mean acceptance over the last request's steps (when it took any).
#[derive(Serialize)]
struct ChainState {
    t: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    accept: Option<f64>,
    energy: f64,
    u: f64,
}

fn state_of(r: &Refinement, accept: Option<f64>) -> JsValue {
    to_js(&ChainState {
        t: r.t,
        accept,
        energy: r.mean_energy(),
        u: r.mean_u(),
    })
}

#[wasm_bindgen]
impl Run {
    /// Resolves to a [`RefineRun`]: chains at the grid noise on frozen copies of the generator
    /// and critic. `sampler` is "langevin" or "mala"; `prior` adds ‖z‖²/2 to the energy.
    pub fn refine(&self, sampler: &str, eps: f64, prior: bool, seed: u32) -> Promise {
        let inner = self.inner.clone();
        let sampler = Sampler::parse(sampler).map_err(|e| fail_with(Code::Settings, e));
        future_to_promise(async move {
            let opts = RefineOptions {
                eps,
                prior,
                seed: seed as u64,
                ..RefineOptions::new(sampler?)
            };
            let r = Refinement::start(&inner.borrow(), opts)
                .await
                .map_err(|e| fail_with(Code::Settings, e))?;
            Ok(RefineRun {
                inner: Rc::new(RefCell::new(r)),
            }
            .into())
        })
    }
}

/// Latent-space chains of one run.
#[wasm_bindgen]
pub struct RefineRun {
    inner: Rc<RefCell<Refinement>>,
}

#[wasm_bindgen]
impl RefineRun {
    /// Steps taken.
    #[wasm_bindgen(getter)]
    pub fn t(&self) -> f64 {
        self.inner.borrow().t as f64
    }

    /// `{t, energy, u}` now: the mean energy (with the prior when on) and the mean U(G(z)).
    pub fn state(&self) -> JsValue {
        state_of(&self.inner.borrow(), None)
    }

    /// Resolves to `{t, accept, energy, u}` after `n` more steps (accept: the mean share of
    /// proposals taken over those steps).
    pub fn step(&self, n: u32) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let stats = inner
                .borrow_mut()
                .step(n.max(1) as usize)
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            let accept = stats.iter().map(|s| s.accept_rate).sum::<f64>() / stats.len() as f64;
            Ok(state_of(&inner.borrow(), Some(accept)))
        })
    }

    /// Resolves to the 8 x 8 grid G(z) at the chains' positions (64 x 784 bytes).
    pub fn samples(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner
                .borrow()
                .samples()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(Uint8Array::from(s.as_slice()).into())
        })
    }

    /// Resolves to the exact EMD between the chains' first n images and n real ones.
    pub fn emd(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let e = inner
                .borrow()
                .emd()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(JsValue::from_f64(e))
        })
    }

    /// Images per side of the EMD.
    #[wasm_bindgen(getter, js_name = emdN)]
    pub fn emd_n(&self) -> u32 {
        self.inner.borrow().emd_n() as u32
    }
}
