//! The wasm-bindgen surface the page's workers call: conversions only, no logic of its own.
//!
//! Each Web Worker owns one [`Run`]. Methods that read from the device return Promises (WebGPU in
//! a browser allows only asynchronous read-backs); the worker calls them one at a time, so the
//! `RefCell` is never borrowed twice.

// The worker awaits each Promise before calling again, so a borrow held across an await is never
// contended.
#![allow(clippy::await_holding_refcell_ref)]

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::checkpoint::Checkpoint;
use crate::classifier::{Classifier, ModeStats};
use crate::config::{GanLoss, Objective, Preset, RunConfig, KEYS};
use crate::data::Mnist;
use crate::device::{self, AdapterInfo, BackendKind, Requested};
use crate::train::{LogPoint, Optimality, OptimalityOptions, OptimalityPoint, Trainer};

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

pub(crate) fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn opt(v: Option<f64>) -> JsValue {
    v.map(JsValue::from_f64).unwrap_or(JsValue::UNDEFINED)
}

fn point_to_js(p: &LogPoint) -> JsValue {
    let o = Object::new();
    set(&o, "step", JsValue::from_f64(p.step as f64));
    if p.js_hat.is_some() {
        set(&o, "js_hat", opt(p.js_hat));
    }
    if p.w_hat.is_some() {
        set(&o, "w_hat", opt(p.w_hat));
    }
    set(&o, "emd", JsValue::from_f64(p.emd));
    set(&o, "loss_d", JsValue::from_f64(p.loss_d));
    set(&o, "loss_g", JsValue::from_f64(p.loss_g));
    set(&o, "grad_norm_g", JsValue::from_f64(p.grad_norm_g));
    if p.js_probe.is_some() {
        set(&o, "js_probe", opt(p.js_probe));
    }
    set(&o, "rho_est", opt(p.rho_est));
    set(&o, "rho_probe", opt(p.rho_probe));
    o.into()
}

fn mode_to_js(m: &ModeStats) -> JsValue {
    let o = Object::new();
    let counts: Array = m
        .counts
        .iter()
        .map(|&c| JsValue::from_f64(c as f64))
        .collect();
    set(&o, "counts", counts.into());
    set(&o, "covered", JsValue::from_f64(m.covered as f64));
    set(&o, "entropy", JsValue::from_f64(m.entropy));
    o.into()
}

fn optimality_to_js(p: &OptimalityPoint) -> JsValue {
    let o = Object::new();
    set(&o, "k", JsValue::from_f64(p.k as f64));
    set(&o, "js_hat", JsValue::from_f64(p.js_hat));
    set(&o, "grad_saturating", JsValue::from_f64(p.grad_saturating));
    set(
        &o,
        "grad_nonsaturating",
        JsValue::from_f64(p.grad_nonsaturating),
    );
    set(&o, "w_hat", JsValue::from_f64(p.w_hat));
    set(&o, "grad_wgan", JsValue::from_f64(p.grad_wgan));
    o.into()
}

pub(crate) fn reject(e: String) -> JsValue {
    JsValue::from(JsError::new(&e))
}

fn parse_objective(s: &str) -> Result<Objective, JsError> {
    match s {
        "gan" => Ok(Objective::Gan),
        "wgan" => Ok(Objective::Wgan),
        "wgan_gp" => Ok(Objective::WganGp),
        "energy" => Ok(Objective::Energy),
        _ => Err(JsError::new(&format!(
            "unknown objective {s:?}; use gan, wgan, wgan_gp or energy"
        ))),
    }
}

fn parse_preset(s: &str) -> Result<Preset, JsError> {
    match s {
        "paper" => Ok(Preset::Paper),
        "classroom" => Ok(Preset::Classroom),
        _ => Err(JsError::new(&format!(
            "unknown preset {s:?}; use paper or classroom"
        ))),
    }
}

/// A run's settings as `[[key, value], ...]`, in the order of `KEYS`, then the seed.
fn settings_of(cfg: &RunConfig) -> Array {
    KEYS.iter()
        .chain(["seed"].iter())
        .map(|k| {
            let pair = Array::new();
            pair.push(&JsValue::from_str(k));
            pair.push(&JsValue::from_str(&cfg.get(k).unwrap_or_default()));
            JsValue::from(pair)
        })
        .collect()
}

/// The defaults of `objective` under `preset` as `[[key, value], ...]` (the page keeps only the
/// settings that differ from these in its address).
#[wasm_bindgen(js_name = presetSettings)]
pub fn preset_settings(objective: &str, preset: &str) -> Result<Array, JsError> {
    Ok(settings_of(&RunConfig::preset(
        parse_objective(objective)?,
        parse_preset(preset)?,
    )))
}

/// Build a config from a preset and `[[key, value], ...]`; the first bad setting is an error
/// whose message names it and says what to use. An `objective` among the settings replaces
/// `objective` before the preset is taken, so a WGAN-GP run gets WGAN-GP's defaults.
fn build_config(objective: &str, preset: &str, settings: &Array) -> Result<RunConfig, JsError> {
    let pairs: Vec<(String, String)> = settings
        .iter()
        .map(|pair| {
            let pair = Array::from(&pair);
            (
                pair.get(0).as_string().unwrap_or_default(),
                pair.get(1).as_string().unwrap_or_default(),
            )
        })
        .collect();
    let objective = pairs
        .iter()
        .rev()
        .find(|(k, _)| k == "objective")
        .map_or(objective, |(_, v)| v.as_str());
    let mut cfg = RunConfig::preset(parse_objective(objective)?, parse_preset(preset)?);
    for (key, value) in &pairs {
        cfg.set(key, value).map_err(|e| JsError::new(&e.0))?;
    }
    Ok(cfg)
}

/// Decide the backend from what the browser said about WebGPU: `{backend, label, reason}`.
#[wasm_bindgen(js_name = chooseBackend)]
pub fn choose_backend(
    requested: &str,
    has_webgpu: bool,
    has_adapter: bool,
    vendor: String,
    architecture: String,
    description: String,
    is_fallback: bool,
) -> Result<Object, JsError> {
    let requested = Requested::parse(requested).ok_or_else(|| {
        JsError::new(&format!(
            "backend={requested} is not one of auto, cpu, webgpu"
        ))
    })?;
    let info = AdapterInfo {
        vendor,
        architecture,
        description,
        is_fallback,
    };
    let c = device::choose(requested, has_webgpu, has_adapter.then_some(&info));
    let o = Object::new();
    let kind = match c.backend {
        BackendKind::WebGpu => "webgpu",
        BackendKind::Cpu => "cpu",
    };
    set(&o, "backend", JsValue::from_str(kind));
    set(&o, "label", JsValue::from_str(&c.label));
    set(&o, "reason", JsValue::from_str(&c.reason));
    set(&o, "code", JsValue::from_str(&c.code));
    set(&o, "adapter", JsValue::from_str(&info.name()));
    Ok(o)
}

#[cfg(feature = "webgpu")]
thread_local! {
    static WGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

#[cfg(not(feature = "webgpu"))]
async fn wgpu_device() -> Result<Device, String> {
    Err("this build of Earthmover has no WebGPU backend (it is in www/pkg-gpu)".into())
}

/// Start Burn's WebGPU runtime once per worker; later calls reuse the device.
#[cfg(feature = "webgpu")]
async fn wgpu_device() -> Result<Device, String> {
    if let Some(d) = WGPU.with(|w| w.borrow().clone()) {
        return Ok(d);
    }
    let d = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| format!("WebGPU could not start: {e}"))?;
    WGPU.with(|w| *w.borrow_mut() = Some(d.clone()));
    Ok(d)
}

/// One training run, owned by a worker.
#[wasm_bindgen]
pub struct Run {
    pub(crate) inner: Rc<RefCell<Trainer>>,
    device: Device,
    classifier: Rc<RefCell<Option<Classifier>>>,
}

/// Create a run: `data` is the (gzipped) MNIST subset file, `backend` "cpu" or "webgpu".
#[wasm_bindgen(js_name = createRun)]
pub async fn create_run(
    objective: String,
    preset: String,
    settings: Array,
    data: Vec<u8>,
    backend: String,
) -> Result<Run, JsError> {
    let cfg = build_config(&objective, &preset, &settings)?;
    let mnist = Mnist::decode(&data)
        .map_err(|e| JsError::new(&format!("The MNIST data file is unusable: {e}.")))?;
    let device = match backend.as_str() {
        "webgpu" => wgpu_device().await.map_err(|e| JsError::new(&e))?,
        "cpu" => Device::flex(),
        other => return Err(JsError::new(&format!("unknown backend {other:?}"))),
    };
    let trainer = Trainer::new(cfg, &mnist, &device).map_err(|e| JsError::new(&e))?;
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

    /// Generator steps so far.
    #[wasm_bindgen(getter)]
    pub fn step(&self) -> f64 {
        self.inner.borrow().step_count() as f64
    }

    /// The objective the run trains: gan, wgan, wgan_gp or energy.
    #[wasm_bindgen(getter)]
    pub fn objective(&self) -> String {
        self.inner
            .borrow()
            .config()
            .get("objective")
            .unwrap_or_default()
    }

    /// Human label of the objective, e.g. "GAN (-log D)".
    #[wasm_bindgen(getter)]
    pub fn label(&self) -> String {
        self.inner.borrow().config().label()
    }

    /// The run's effective settings as `[[key, value], ...]`.
    pub fn settings(&self) -> Array {
        settings_of(self.inner.borrow().config())
    }

    /// Generator steps between logged points.
    #[wasm_bindgen(getter, js_name = logEvery)]
    pub fn log_every(&self) -> u32 {
        self.inner.borrow().config().log_every as u32
    }

    /// Resolves to a logged point `{step, js_hat | w_hat, emd, loss_d, loss_g, grad_norm_g}`,
    /// or rejects with a message when a loss is NaN or infinite.
    pub fn measure(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let p = inner.borrow_mut().measure().await.map_err(reject)?;
            Ok(point_to_js(&p))
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
            let p = inner.borrow_mut().measure_held().await.map_err(reject)?;
            Ok(p.as_ref().map_or(JsValue::NULL, point_to_js))
        })
    }

    /// Resolves to the EMD between two disjoint real sets (the yardstick's floor).
    #[wasm_bindgen(js_name = emdFloor)]
    pub fn emd_floor(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let f = inner.borrow().emd_floor().await.map_err(reject)?;
            Ok(JsValue::from_f64(f))
        })
    }

    /// Switch the GAN's generator loss on the running run: "saturating" or "nonsaturating".
    #[wasm_bindgen(js_name = setGanLoss)]
    pub fn set_gan_loss(&self, loss: &str) -> Result<(), JsError> {
        let loss = match loss {
            "saturating" => GanLoss::Saturating,
            "nonsaturating" => GanLoss::NonSaturating,
            _ => {
                return Err(JsError::new(&format!(
                    "gan_loss={loss:?} is not one of saturating, nonsaturating"
                )))
            }
        };
        self.inner.borrow_mut().set_gan_loss(loss);
        Ok(())
    }

    /// Load the digit classifier (burnpack bytes) that the mode-collapse meter uses.
    #[wasm_bindgen(js_name = loadClassifier)]
    pub fn load_classifier(&self, bytes: &[u8]) -> Result<(), JsError> {
        let c = Classifier::from_bytes(bytes, &self.device).map_err(|e| JsError::new(&e))?;
        *self.classifier.borrow_mut() = Some(c);
        Ok(())
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
                .ok_or_else(|| reject("the digit classifier is not loaded".into()))?;
            let m = inner.borrow().mode_stats(clf).await.map_err(reject)?;
            Ok(mode_to_js(&m))
        })
    }

    /// Start "train D to optimality" on a frozen copy of the current generator.
    pub fn optimality(
        &self,
        steps: u32,
        log_every: u32,
        from_run: bool,
    ) -> Result<OptimalityRun, JsError> {
        if !(1..=20_000).contains(&steps) || !(1..=steps).contains(&log_every) {
            return Err(JsError::new(&format!(
                "steps={steps} must be 1 to 20000 and log_every={log_every} 1 to steps"
            )));
        }
        let opts = OptimalityOptions {
            steps: steps as usize,
            log_every: log_every as usize,
            from_run,
            ..OptimalityOptions::paper()
        };
        Ok(OptimalityRun {
            inner: Rc::new(RefCell::new(self.inner.borrow().optimality(opts))),
        })
    }

    /// Resolves to the run's state as bytes (weights, step, batch stream, logged series), for a
    /// run that must continue elsewhere: on the CPU after a lost WebGPU device, or on another
    /// backend.
    pub fn checkpoint(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let c = inner.borrow().checkpoint().await.map_err(reject)?;
            Ok(Uint8Array::from(c.to_bytes().as_slice()).into())
        })
    }

    /// Continue from a checkpoint of a run with the same settings; on error nothing changes.
    pub fn restore(&self, bytes: &[u8]) -> Result<(), JsError> {
        let c = Checkpoint::from_bytes(bytes)
            .map_err(|e| JsError::new(&format!("The saved run state is unusable: {e}.")))?;
        self.inner
            .borrow_mut()
            .restore(&c)
            .map_err(|e| JsError::new(&format!("The saved run state does not fit: {e}.")))
    }

    /// Resolves to the sample grid: a Uint8Array of 64 x 784 bytes (0 background, 255 ink).
    pub fn samples(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner.borrow().samples().await.map_err(reject)?;
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
            let p = inner.borrow().measure().await.map_err(reject)?;
            Ok(optimality_to_js(&p))
        })
    }
}
