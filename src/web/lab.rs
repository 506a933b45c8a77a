//! The toy-case lab's wasm-bindgen surface (docs/theory.md 3): closed forms and the small networks
//! the lab worker trains live. Conversions only.

// The lab worker awaits each Promise before calling again (see web/mod.rs).
#![allow(clippy::await_holding_refcell_ref)]

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{fail_with, to_js};
use crate::config::limits::{self, within};
use crate::error::Code;
use crate::lab::toy::{ToyCase, ToyLab};

/// The toy case `kind` with its parameters, each within its bound of the schema
/// (`config::limits`, which the page reads as `LIMITS`); code `settings` otherwise.
fn toy_case(kind: &str, a: f64, b: f64, sigma: f64) -> Result<ToyCase, JsValue> {
    let range = |(lo, hi): (f64, f64)| format!("[{lo}, {hi}]");
    match kind {
        "lines" if within(a, limits::THETA) => Ok(ToyCase::Lines { theta: a }),
        "gaussians"
            if within(a, limits::MU) && within(b, limits::MU) && within(sigma, limits::SIGMA) =>
        {
            Ok(ToyCase::Gaussians {
                mu_r: a,
                mu_g: b,
                sigma,
            })
        }
        "lines" => Err(fail_with(
            Code::Settings,
            format!("theta={a} must be in {}", range(limits::THETA)),
        )),
        "gaussians" => Err(fail_with(
            Code::Settings,
            format!(
                "means ({a}, {b}) must be in {} and sigma={sigma} in {}",
                range(limits::MU),
                range(limits::SIGMA)
            ),
        )),
        _ => Err(fail_with(
            Code::Settings,
            format!("unknown toy case {kind:?}; use lines or gaussians"),
        )),
    }
}

/// A discriminator and a critic trained live on a toy case, on the CPU.
#[wasm_bindgen]
pub struct Toy {
    inner: Rc<RefCell<ToyLab>>,
    kind: String,
}

#[wasm_bindgen]
impl Toy {
    /// `kind` "lines" (a = theta) or "gaussians" (a = mu_r, b = mu_g, sigma).
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, a: f64, b: f64, sigma: f64, seed: u32) -> Result<Toy, JsValue> {
        let case = toy_case(kind, a, b, sigma)?;
        Ok(Toy {
            inner: Rc::new(RefCell::new(ToyLab::new(
                case,
                seed as u64,
                &Device::flex(),
            ))),
            kind: kind.to_string(),
        })
    }

    /// Move the distributions; the networks keep their weights.
    #[wasm_bindgen(js_name = setCase)]
    pub fn set_case(&self, a: f64, b: f64, sigma: f64) -> Result<(), JsValue> {
        let case = toy_case(&self.kind, a, b, sigma)?;
        self.inner
            .borrow_mut()
            .set_case(case)
            .map_err(|e| fail_with(Code::Settings, e))
    }

    /// `{kl, js, w}` of the current case.
    pub fn exact(&self) -> JsValue {
        to_js(&self.inner.borrow().case().divergences())
    }

    pub fn train(&self, n: u32) -> f64 {
        let mut t = self.inner.borrow_mut();
        t.train(n as usize);
        t.step_count() as f64
    }

    /// Resolves to `{step, js_hat, w_raw, lipschitz, w_hat}`.
    pub fn measure(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner
                .borrow_mut()
                .measure()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(to_js(&p))
        })
    }

    /// Resolves to `{x, d, d_grad, f, f_grad}` (arrays) along `xs` (1-D case).
    pub fn profile(&self, xs: Vec<f64>) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner
                .borrow()
                .profile(&xs)
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(to_js(&p))
        })
    }
}
