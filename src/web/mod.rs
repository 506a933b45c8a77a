//! The wasm-bindgen surface the page's workers call: conversions only, no logic of its own. The
//! only module that imports `wasm_bindgen`, `js_sys` and `web_sys`.
//!
//! Values cross to JavaScript through their `Serialize` impls (serde-wasm-bindgen), and every
//! failure as a JS `Error` whose `code` (an [`error::Code`](crate::error::Code), kebab-case) the
//! page words in the reader's language and whose message is the technical detail.
//!
//! Each Web Worker owns one [`run::Run`]. Methods that read from the device return Promises
//! (WebGPU in a browser allows only asynchronous read-backs); the worker calls them one at a time,
//! so a `RefCell` is never borrowed twice.

use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::config::{Objective, Preset, RunConfig};
use crate::device::{self, AdapterInfo, Requested};
use crate::error::{Code, Error};

pub mod check;
pub mod energy;
pub mod lab;
pub mod run;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// This build's matrix kernel against a triple loop (`src/cpu/sgemm/check.rs`): `undefined` when
/// every product matches, else the first element that does not. `tests/kernel.test.mjs` calls it on
/// both CPU builds (plain SIMD and relaxed-SIMD FMA) in Chromium and Firefox.
#[wasm_bindgen(js_name = checkMatmul)]
pub fn check_matmul() -> Option<String> {
    crate::cpu::sgemm::self_check().err()
}

/// A Rust value as plain JS data: structs and maps as objects, vectors as arrays, `None` as null
/// (or left out where the type says so).
pub(crate) fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Every type passed here is plain data (numbers, strings, vectors, options), which always
    // converts; a type that does not is a bug, and stops the call with its name and the reason
    // rather than handing the page `undefined` (issue 36).
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or_else(|e| {
            panic!(
                "{} did not convert to JS data: {e}",
                std::any::type_name::<T>()
            )
        })
}

/// A JS `Error` carrying `code` and, as its message, the detail.
pub(crate) fn fail(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.detail);
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &to_js(&e.code));
    err.into()
}

/// The same, from a code and a message.
pub(crate) fn fail_with(code: Code, detail: impl Into<String>) -> JsValue {
    fail(Error::new(code, detail))
}

fn parse_objective(s: &str) -> Result<Objective, JsValue> {
    Objective::parse(s).ok_or_else(|| {
        fail_with(
            Code::Settings,
            format!(
                "unknown objective {s:?}; use {}",
                Objective::NAMES.join(", ")
            ),
        )
    })
}

fn parse_preset(s: &str) -> Result<Preset, JsValue> {
    Preset::parse(s).ok_or_else(|| {
        fail_with(
            Code::Settings,
            format!("unknown preset {s:?}; use {}", Preset::NAMES.join(", ")),
        )
    })
}

/// A run's settings as `[[key, value], ...]`, in the schema's order.
pub(crate) fn settings_of(cfg: &RunConfig) -> JsValue {
    to_js(&cfg.pairs())
}

/// The defaults of `objective` under `preset` as `[[key, value], ...]` (the page keeps only the
/// settings that differ from these in its address).
#[wasm_bindgen(js_name = presetSettings)]
pub fn preset_settings(objective: &str, preset: &str) -> Result<JsValue, JsValue> {
    Ok(settings_of(&RunConfig::preset(
        parse_objective(objective)?,
        parse_preset(preset)?,
    )))
}

/// Build a config from a preset and `[[key, value], ...]`; the first bad setting is an error
/// (code `settings`) whose message names it and says what to use. An `objective` among the
/// settings replaces `objective` before the preset is taken, so a WGAN-GP run gets WGAN-GP's
/// defaults.
pub(crate) fn build_config(
    objective: &str,
    preset: &str,
    settings: &Array,
) -> Result<RunConfig, JsValue> {
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
        cfg.set(key, value)
            .map_err(|e| fail_with(Code::Settings, e.0))?;
    }
    Ok(cfg)
}

/// What [`choose_backend`] answers: the decision, and the adapter's name.
#[derive(Serialize)]
struct BackendChoice {
    #[serde(flatten)]
    choice: device::Choice,
    adapter: String,
}

/// Decide the backend from what the browser said about WebGPU and whether the page is a secure
/// context: `{backend, label, reason, code, adapter}`.
#[wasm_bindgen(js_name = chooseBackend)]
#[allow(clippy::too_many_arguments)]
pub fn choose_backend(
    requested: &str,
    has_webgpu: bool,
    secure: bool,
    has_adapter: bool,
    vendor: String,
    architecture: String,
    description: String,
    is_fallback: bool,
) -> Result<JsValue, JsValue> {
    let requested = Requested::parse(requested).ok_or_else(|| {
        fail_with(
            Code::Settings,
            format!("backend={requested} is not one of auto, cpu, webgpu"),
        )
    })?;
    let info = AdapterInfo {
        vendor,
        architecture,
        description,
        is_fallback,
    };
    let choice = device::choose(requested, has_webgpu, secure, has_adapter.then_some(&info));
    Ok(to_js(&BackendChoice {
        choice,
        adapter: info.name(),
    }))
}
