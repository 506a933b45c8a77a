//! The known-answer check's wasm surface (src/train/known_answer.rs): the worker computes the
//! reference on the CPU build and the candidate on the WebGPU build, and carries the start and
//! the fingerprints between the two builds as bytes.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::run::trainer_for;
use super::{fail_with, to_js};
use crate::error::Code;
use crate::train::known_answer::{compare, Fingerprint};
use crate::train::Checkpoint;

/// One training step of a run with these settings on `backend`, from `start` (a checkpoint's
/// bytes; none: the run's own step 0 on this backend). Resolves to `{start, fingerprint}` (both
/// bytes: the start used, for the other backend, and what the step left behind). `fault` (tests
/// only, `?fault=check`) perturbs the step's result as a wrong kernel would. Rejects with code
/// `settings`, `data-corrupt`, `webgpu` or `device`.
#[wasm_bindgen(js_name = knownAnswer)]
pub async fn known_answer(
    objective: String,
    preset: String,
    settings: Array,
    data: Vec<u8>,
    backend: String,
    start: Option<Vec<u8>>,
    fault: bool,
) -> Result<JsValue, JsValue> {
    let (mut trainer, _) = trainer_for(&objective, &preset, &settings, &data, &backend).await?;
    let start = match start {
        Some(bytes) => Checkpoint::from_bytes(&bytes)
            .map_err(|e| fail_with(Code::Checkpoint, format!("the check's start: {e}")))?,
        None => trainer
            .checkpoint()
            .await
            .map_err(|e| fail_with(Code::Device, e))?,
    };
    let fingerprint = trainer
        .known_answer(&start, fault)
        .await
        .map_err(|e| fail_with(Code::Device, e))?;
    let out = Object::new();
    let set = |k: &str, v: &[u8]| Reflect::set(&out, &k.into(), &Uint8Array::from(v).into());
    set("start", &start.to_bytes())?;
    set("fingerprint", &fingerprint.to_bytes())?;
    Ok(out.into())
}

/// Compare a candidate's fingerprint with the reference's:
/// `{maxRelError, worst, tolerance, ok}` (maxRelError is null where it is infinite).
#[wasm_bindgen(js_name = compareKnownAnswer)]
pub fn compare_known_answer(reference: &[u8], candidate: &[u8]) -> Result<JsValue, JsValue> {
    let read = |b: &[u8]| Fingerprint::from_bytes(b).map_err(|e| fail_with(Code::Device, e));
    Ok(to_js(&compare(&read(reference)?, &read(candidate)?)))
}
