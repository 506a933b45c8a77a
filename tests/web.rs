//! Browser tests (wasm-pack test --headless --chrome): the same trainer, in wasm, with the
//! asynchronous read-backs the page uses; on WebGPU when the browser exposes an adapter.
#![cfg(target_arch = "wasm32")]

use burn::tensor::Device;
use earthmover::config::{Objective, Preset, RunConfig};
use earthmover::data::Mnist;
use earthmover::objective::LN2;
use earthmover::train::Trainer;
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod matmul_check;

wasm_bindgen_test_configure!(run_in_browser);

const DATA: &[u8] = include_bytes!("../www/data/mnist-train-2k.bin.gz");

fn tiny(objective: Objective) -> RunConfig {
    let mut c = RunConfig::preset(objective, Preset::Classroom);
    c.batch = 16;
    c.emd_n = 16;
    c
}

async fn train_and_check(device: &Device, objective: Objective, steps: usize) -> f64 {
    let mnist = Mnist::decode(DATA).expect("shipped data decodes");
    let mut t = Trainer::new(tiny(objective), &mnist, device).unwrap();
    let p0 = t.measure().await.unwrap();
    let t0 = js_sys::Date::now();
    for _ in 0..steps {
        t.train_step();
    }
    let p1 = t.measure().await.unwrap();
    let ms = (js_sys::Date::now() - t0) / steps as f64;
    assert_eq!(p1.step, steps as u64);
    for p in [&p0, &p1] {
        assert!(
            p.emd.is_finite()
                && p.loss_d.is_finite()
                && p.loss_g.is_finite()
                && p.grad_norm_g > 0.0,
            "{p:?}"
        );
        if let Some(js) = p.js_hat {
            assert!(js <= LN2 + 1e-9);
        }
    }
    let s = t.samples().await.unwrap();
    assert_eq!(s.len(), 64 * 784);
    assert!(s.iter().any(|&v| v != s[0]), "samples are not constant");
    if objective == Objective::Wgan {
        let c = t.config().clip as f32;
        assert!(t
            .critic_params()
            .await
            .unwrap()
            .iter()
            .all(|p| p.abs() <= c));
    }
    ms
}

#[wasm_bindgen_test]
async fn cpu_training_runs_in_the_browser() {
    let cpu = Device::flex();
    let gan = train_and_check(&cpu, Objective::Gan, 20).await;
    let wgan = train_and_check(&cpu, Objective::Wgan, 5).await;
    console_log!("wasm CPU (batch 16, small nets, incl. measure): GAN {gan:.1} ms/step, WGAN {wgan:.1} ms/step");
}

/// `navigator.gpu.requestAdapter()` is non-null.
#[cfg(feature = "webgpu")]
async fn has_webgpu_adapter() -> bool {
    let Ok(nav) = Reflect::get(&js_sys::global(), &"navigator".into()) else {
        return false;
    };
    let Ok(gpu) = Reflect::get(&nav, &"gpu".into()) else {
        return false;
    };
    if gpu.is_undefined() || gpu.is_null() {
        return false;
    }
    let Ok(f) = Reflect::get(&gpu, &"requestAdapter".into()) else {
        return false;
    };
    let Ok(p) = f.unchecked_into::<Function>().call0(&gpu) else {
        return false;
    };
    match JsFuture::from(p.unchecked_into::<Promise>()).await {
        Ok(a) => !a.is_null() && !a.is_undefined(),
        Err(_) => false,
    }
}

/// Ignored unless the runner is given `--include-ignored`: build.sh passes it when
/// scripts/webgpu-probe.mjs finds an adapter in the same Chromium, and otherwise prints
/// "skipped: no WebGPU adapter" beside the runner's "1 ignored". Run, it fails without an adapter:
/// a test that returned early would be counted as passed.
#[cfg(feature = "webgpu")]
#[wasm_bindgen_test]
#[ignore = "needs a WebGPU adapter: build.sh runs it where scripts/webgpu-probe.mjs finds one"]
async fn webgpu_training_runs() {
    assert!(
        has_webgpu_adapter().await,
        "no WebGPU adapter in this browser (run without --include-ignored to skip this test)"
    );
    let device = Device::wgpu_options()
        .init_async()
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))
        .unwrap();
    let gan = train_and_check(&device, Objective::Gan, 2).await;
    let wgan = train_and_check(&device, Objective::Wgan, 1).await;
    console_log!("WebGPU (batch 16, small nets, incl. measure): GAN {gan:.0} ms/step, WGAN {wgan:.0} ms/step");
    // What the WebGPU soak holds to 10% (`Run::poolBytes`): Burn's pool reports the buffers the
    // runs above left in it.
    let pool = device.memory_pool_usage();
    console_log!("Burn's WebGPU memory pool after training: {pool:?}");
    assert!(
        pool.is_some_and(|u| u.bytes_reserved > 0),
        "no pool reading on WebGPU: {pool:?}"
    );
    // The page's known-answer check (src/train/known_answer.rs) on this adapter: one step from the
    // CPU's start agrees within the tolerance, and the injected fault is caught.
    use earthmover::train::known_answer::compare;
    let mnist = Mnist::decode(DATA).expect("shipped data decodes");
    for objective in [Objective::Gan, Objective::Wgan] {
        let mut cpu = Trainer::new(tiny(objective), &mnist, &Device::flex()).unwrap();
        let mut gpu = Trainer::new(tiny(objective), &mnist, &device).unwrap();
        let start = cpu.checkpoint().await.unwrap();
        let reference = cpu.known_answer(&start, false).await.unwrap();
        let c = compare(&reference, &gpu.known_answer(&start, false).await.unwrap());
        console_log!("known-answer check on WebGPU, {objective:?}: {c:?}");
        assert!(c.ok, "{objective:?}: {c:?}");
        let c = compare(&reference, &gpu.known_answer(&start, true).await.unwrap());
        assert!(!c.ok, "{objective:?}: the injected fault passed: {c:?}");
    }
}

/// The nets' own wasm SIMD128 matrix product (`cpu::sgemm`, what the page's CPU build trains
/// with) against Burn's matmul in this browser, in value and both gradients
/// (`tests/matmul_check`; natively the same check runs on the kernel's portable code).
#[wasm_bindgen_test]
async fn own_simd_matmul_is_burns_matmul_in_value_and_gradient() {
    matmul_check::own_matmul_matches_burn(&Device::flex().autodiff(), 11).await;
}
