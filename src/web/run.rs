//! One training run, owned by a worker: train, measure, samples, the mode meter, checkpoints, and
//! the "train D to optimality" experiment on its generator.

// The worker awaits each Promise before calling again, so a borrow held across an await is never
// contended.
#![allow(clippy::await_holding_refcell_ref)]

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{build_config, fail, fail_with, settings_of, to_js};
use crate::config::{limits, GanLoss};
use crate::data::Mnist;
use crate::error::Code;
use crate::lab::optimality::{Optimality, OptimalityOptions};
use crate::nets::Classifier;
use crate::train::{Checkpoint, Trainer};

#[cfg(feature = "webgpu")]
thread_local! {
    static WGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

#[cfg(not(feature = "webgpu"))]
async fn wgpu_device() -> Result<Device, JsValue> {
    Err(fail_with(
        Code::Webgpu,
        "this build of Earthmover has no WebGPU backend (it is in www/pkg-gpu)",
    ))
}

/// Start Burn's WebGPU runtime once per worker; later calls reuse the device.
#[cfg(feature = "webgpu")]
async fn wgpu_device() -> Result<Device, JsValue> {
    if let Some(d) = WGPU.with(|w| w.borrow().clone()) {
        return Ok(d);
    }
    let d = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| fail_with(Code::Webgpu, format!("WebGPU could not start: {e}")))?;
    WGPU.with(|w| *w.borrow_mut() = Some(d.clone()));
    Ok(d)
}

/// The device of `backend`: "cpu" or "webgpu" (code `webgpu` where it cannot start).
pub(crate) async fn device_for(backend: &str) -> Result<Device, JsValue> {
    match backend {
        "webgpu" => wgpu_device().await,
        "cpu" => Ok(Device::flex()),
        other => Err(fail_with(
            Code::Settings,
            format!("unknown backend {other:?}; use cpu or webgpu"),
        )),
    }
}

/// A trainer for these settings on `backend`, and its device: what `createRun` and the
/// known-answer check (src/web/check.rs) both start from. Rejects with code `settings`,
/// `data-corrupt` or `webgpu`.
pub(crate) async fn trainer_for(
    objective: &str,
    preset: &str,
    settings: &Array,
    data: &[u8],
    backend: &str,
) -> Result<(Trainer, Device), JsValue> {
    let cfg = build_config(objective, preset, settings)?;
    let mnist = Mnist::decode(data).map_err(|e| fail_with(Code::DataCorrupt, e.to_string()))?;
    let device = device_for(backend).await?;
    let trainer = Trainer::new(cfg, &mnist, &device).map_err(|e| fail_with(Code::Settings, e))?;
    Ok((trainer, device))
}

/// One training run, owned by a worker.
#[wasm_bindgen]
pub struct Run {
    pub(crate) inner: Rc<RefCell<Trainer>>,
    device: Device,
    classifier: Rc<RefCell<Option<Classifier>>>,
}

/// Create a run: `data` is the (gzipped) MNIST subset file, `backend` "cpu" or "webgpu".
/// Rejects with code `settings`, `data-corrupt` or `webgpu`.
#[wasm_bindgen(js_name = createRun)]
pub async fn create_run(
    objective: String,
    preset: String,
    settings: Array,
    data: Vec<u8>,
    backend: String,
) -> Result<Run, JsValue> {
    let (trainer, device) = trainer_for(&objective, &preset, &settings, &data, &backend).await?;
    Ok(Run {
        inner: Rc::new(RefCell::new(trainer)),
        device,
        classifier: Rc::new(RefCell::new(None)),
    })
}

#[wasm_bindgen]
impl Run {
    /// Run `n` generator steps (work is queued on WebGPU; nothing is read back). Returns the
    /// step count.
    pub fn train(&self, n: u32) -> f64 {
        let mut t = self.inner.borrow_mut();
        for _ in 0..n {
            t.train_step();
        }
        t.step_count() as f64
    }

    /// Bytes Burn's memory pool holds on this run's device (WebGPU buffers, in use or kept for
    /// reuse); 0 on the CPU, which has no pool. The WebGPU soak holds its growth to 10%: a leak
    /// like burn #4792 shows here first.
    #[wasm_bindgen(getter, js_name = poolBytes)]
    pub fn pool_bytes(&self) -> f64 {
        self.device
            .memory_pool_usage()
            .map_or(0.0, |u| u.bytes_reserved as f64)
    }

    /// Generator steps so far.
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> f64 {
        self.inner.borrow().step_count() as f64
    }

    /// The objective the run trains: gan, wgan, wgan_gp or energy.
    #[wasm_bindgen(getter)]
    pub fn objective(&self) -> String {
        self.inner.borrow().config().objective.as_str().into()
    }

    /// Human label of the objective, e.g. "GAN (-log D)".
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> String {
        self.inner.borrow().config().label()
    }

    /// The run's effective settings as `[[key, value], ...]`.
    pub fn settings(&self) -> JsValue {
        settings_of(self.inner.borrow().config())
    }

    /// Generator steps between logged points.
    #[wasm_bindgen(getter, js_name = logEvery)]
    pub fn log_every(&self) -> u32 {
        self.inner.borrow().config().log_every as u32
    }

    /// Resolves to a logged point (`LogPoint`'s fields), or rejects with code `diverged` when a
    /// loss is NaN or infinite (`device` when the read-back failed).
    pub fn measure(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner.borrow_mut().measure().await.map_err(fail)?;
            Ok(to_js(&p))
        })
    }

    /// Keep the current networks for [`Run::measure_held`]: under autoplay the worker trains
    /// first and measures step 0 after the first step is on screen.
    pub fn hold(&self) {
        self.inner.borrow_mut().hold();
    }

    /// Resolves to the held networks' point (as `measure` would have given at their step), or
    /// to null when nothing is held.
    #[wasm_bindgen(js_name = measureHeld)]
    pub fn measure_held(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner.borrow_mut().measure_held().await.map_err(fail)?;
            Ok(p.as_ref().map_or(JsValue::NULL, to_js))
        })
    }

    /// Resolves to the EMD between two disjoint real sets (the yardstick's floor).
    #[wasm_bindgen(js_name = emdFloor)]
    pub fn emd_floor(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let f = inner
                .borrow()
                .emd_floor()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(JsValue::from_f64(f))
        })
    }

    /// Switch the GAN's generator loss on the running run: "saturating" or "nonsaturating".
    #[wasm_bindgen(js_name = setGanLoss)]
    pub fn set_gan_loss(&self, loss: &str) -> Result<(), JsValue> {
        let loss = GanLoss::parse(loss).ok_or_else(|| {
            fail_with(
                Code::Settings,
                format!(
                    "gan_loss={loss:?} is not one of {}",
                    GanLoss::NAMES.join(", ")
                ),
            )
        })?;
        self.inner.borrow_mut().set_gan_loss(loss);
        Ok(())
    }

    /// Load the digit classifier (burnpack bytes) for the mode-collapse meter and the feature
    /// yardstick, with the held-out real digits (the gzipped test subset) the yardstick compares
    /// with. Resolves once both are ready; rejects with code `classifier` (nothing changes then).
    #[wasm_bindgen(js_name = loadClassifier)]
    pub fn load_classifier(&self, bytes: &[u8], held_out: &[u8]) -> Promise {
        let inner = self.inner.clone();
        let slot = self.classifier.clone();
        let loaded = Classifier::from_bytes(bytes, &self.device).and_then(|c| {
            let m = Mnist::decode(held_out)
                .map_err(|e| format!("the held-out digits are unusable: {e}"))?;
            Ok((c, m))
        });
        future_to_promise(async move {
            let (clf, held_out) = loaded.map_err(|e| fail_with(Code::Classifier, e))?;
            inner
                .borrow_mut()
                .set_yardstick(clf.clone(), &held_out)
                .await
                .map_err(|e| fail_with(Code::Classifier, e))?;
            *slot.borrow_mut() = Some(clf);
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Resolves to `{counts: [10], covered, entropy}` for 1,000 generated digits.
    #[wasm_bindgen(js_name = modeStats)]
    pub fn mode_stats(&self) -> Promise {
        let inner = self.inner.clone();
        let clf = self.classifier.clone();
        future_to_promise(async move {
            let clf = clf.borrow();
            let clf = clf
                .as_ref()
                .ok_or_else(|| fail_with(Code::Classifier, "the digit classifier is not loaded"))?;
            let m = inner
                .borrow()
                .mode_stats(clf)
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(to_js(&m))
        })
    }

    /// Start "train D to optimality" on a frozen copy of the current generator.
    pub fn optimality(
        &self,
        steps: u32,
        log_every: u32,
        from_run: bool,
    ) -> Result<OptimalityRun, JsValue> {
        let (lo, hi) = limits::OPT_STEPS;
        let steps = steps as u64;
        if !(lo..=hi).contains(&steps) || !(1..=steps).contains(&(log_every as u64)) {
            return Err(fail_with(
                Code::Settings,
                format!("steps={steps} must be {lo} to {hi} and log_every={log_every} 1 to steps"),
            ));
        }
        let opts = OptimalityOptions {
            steps: steps as usize,
            log_every: log_every as usize,
            from_run,
            ..OptimalityOptions::paper()
        };
        let o = Optimality::new(&self.inner.borrow(), opts);
        Ok(OptimalityRun {
            inner: Rc::new(RefCell::new(o)),
        })
    }

    /// Resolves to the run's state as bytes (weights, optimiser moments, step, batch stream,
    /// logged series), for a run that must continue elsewhere: on the CPU after a lost WebGPU
    /// device, or on another backend.
    pub fn checkpoint(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let c = inner
                .borrow()
                .checkpoint()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(Uint8Array::from(c.to_bytes().as_slice()).into())
        })
    }

    /// Continue from a checkpoint of a run with the same settings; on error (code `checkpoint`)
    /// nothing changes.
    pub fn restore(&self, bytes: &[u8]) -> Result<(), JsValue> {
        let c = Checkpoint::from_bytes(bytes).map_err(|e| {
            fail_with(
                Code::Checkpoint,
                format!("the saved run state is unusable: {e}"),
            )
        })?;
        self.inner.borrow_mut().restore(&c).map_err(|e| {
            fail_with(
                Code::Checkpoint,
                format!("the saved run state does not fit: {e}"),
            )
        })
    }

    /// Resolves to the sample grid: a Uint8Array of 64 x 784 bytes (0 background, 255 ink), or
    /// rejects with code `diverged` when the images are not finite.
    pub fn samples(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner.borrow().samples().await.map_err(fail)?;
            Ok(Uint8Array::from(s.as_slice()).into())
        })
    }
}

/// The "train D to optimality" experiment of one run (its generator frozen).
#[wasm_bindgen]
pub struct OptimalityRun {
    inner: Rc<RefCell<Optimality>>,
}

#[wasm_bindgen]
impl OptimalityRun {
    /// Up to `n` more discriminator and critic updates; returns the updates done so far.
    pub fn advance(&self, n: u32) -> f64 {
        let mut o = self.inner.borrow_mut();
        o.advance(n as usize);
        o.done() as f64
    }

    #[wasm_bindgen(getter)]
    pub fn finished(&self) -> bool {
        self.inner.borrow().finished()
    }

    #[wasm_bindgen(getter, js_name = logEvery)]
    pub fn log_every(&self) -> u32 {
        self.inner.borrow().options().log_every as u32
    }

    /// Resolves to `{k, js_hat, grad_saturating, grad_nonsaturating, w_hat, grad_wgan}`.
    pub fn measure(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner
                .borrow()
                .measure()
                .await
                .map_err(|e| fail_with(Code::Device, e))?;
            Ok(to_js(&p))
        })
    }
}
