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

use crate::config::{Objective, Preset, RunConfig, KEYS};
use crate::data::Mnist;
use crate::device::{self, AdapterInfo, BackendKind, Requested};
use crate::train::{LogPoint, Trainer};

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

fn set(obj: &Object, key: &str, value: JsValue) {
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
    o.into()
}

fn parse_objective(s: &str) -> Result<Objective, JsError> {
    match s {
        "gan" => Ok(Objective::Gan),
        "wgan" => Ok(Objective::Wgan),
        _ => Err(JsError::new(&format!(
            "unknown objective {s:?}; use gan or wgan"
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

/// Build a config from a preset and `[[key, value], ...]`; the first bad setting is an error
/// whose message names it and says what to use.
fn build_config(objective: &str, preset: &str, settings: &Array) -> Result<RunConfig, JsError> {
    let mut cfg = RunConfig::preset(parse_objective(objective)?, parse_preset(preset)?);
    for pair in settings.iter() {
        let pair = Array::from(&pair);
        let key = pair.get(0).as_string().unwrap_or_default();
        let value = pair.get(1).as_string().unwrap_or_default();
        cfg.set(&key, &value).map_err(|e| JsError::new(&e.0))?;
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
    Ok(o)
}

thread_local! {
    static WGPU: RefCell<Option<Device>> = const { RefCell::new(None) };
}

/// Start Burn's WebGPU runtime once per worker; later calls reuse the device.
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
    inner: Rc<RefCell<Trainer>>,
    objective: String,
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
        objective,
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

    #[wasm_bindgen(getter)]
    pub fn objective(&self) -> String {
        self.objective.clone()
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
            let p = inner
                .borrow_mut()
                .measure()
                .await
                .map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(point_to_js(&p))
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
                .map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(JsValue::from_f64(f))
        })
    }

    /// Resolves to the sample grid: a Uint8Array of 64 x 784 bytes (0 background, 255 ink).
    pub fn samples(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let s = inner
                .borrow()
                .samples()
                .await
                .map_err(|e| JsValue::from(JsError::new(&e)))?;
            Ok(Uint8Array::from(s.as_slice()).into())
        })
    }
}
