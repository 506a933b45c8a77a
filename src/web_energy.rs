//! The energy view's wasm-bindgen surface (THEORY.md 5): MCMC in latent space on a run's critic
//! read as an energy. Conversions only; the sampling is `refine.rs`.

// The worker awaits each Promise before calling again (see web.rs).
#![allow(clippy::await_holding_refcell_ref)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Object, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::mcmc::Sampler;
use crate::refine::{RefineOptions, Refinement};
use crate::web::{reject, set, Run};

#[wasm_bindgen]
impl Run {
    /// Resolves to a [`RefineRun`]: chains at the grid noise on frozen copies of the generator
    /// and critic. `sampler` is "langevin" or "mala"; `prior` adds ‖z‖²/2 to the energy.
    pub fn refine(&self, sampler: &str, eps: f64, prior: bool, seed: u32) -> Promise {
        let inner = self.inner.clone();
        let sampler = match sampler {
            "langevin" => Ok(Sampler::Langevin),
            "mala" => Ok(Sampler::Mala),
            other => Err(format!("unknown sampler {other:?}; use langevin or mala")),
        };
        future_to_promise(async move {
            let opts = RefineOptions {
                eps,
                prior,
                seed: seed as u64,
                ..RefineOptions::new(sampler.map_err(reject)?)
            };
            let r = inner.borrow().refine(opts).await.map_err(reject)?;
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
        let r = self.inner.borrow();
        let o = Object::new();
        set(&o, "t", JsValue::from_f64(r.t as f64));
        set(&o, "energy", JsValue::from_f64(r.mean_energy()));
        set(&o, "u", JsValue::from_f64(r.mean_u()));
        o.into()
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
                .map_err(reject)?;
            let accept = stats.iter().map(|s| s.accept_rate).sum::<f64>() / stats.len() as f64;
            let r = inner.borrow();
            let o = Object::new();
            set(&o, "t", JsValue::from_f64(r.t as f64));
            set(&o, "accept", JsValue::from_f64(accept));
            set(&o, "energy", JsValue::from_f64(r.mean_energy()));
            set(&o, "u", JsValue::from_f64(r.mean_u()));
            Ok(o.into())
        })
    }

    /// Resolves to the 8 x 8 grid G(z) at the chains' positions (64 x 784 bytes).
    pub fn samples(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner.borrow().samples().await.map_err(reject)?;
            Ok(Uint8Array::from(s.as_slice()).into())
        })
    }

    /// Resolves to the exact EMD between the chains' first n images and n real ones.
    pub fn emd(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let e = inner.borrow().emd().await.map_err(reject)?;
            Ok(JsValue::from_f64(e))
        })
    }

    /// Images per side of the EMD.
    #[wasm_bindgen(getter, js_name = emdN)]
    pub fn emd_n(&self) -> u32 {
        self.inner.borrow().emd_n() as u32
    }
}
