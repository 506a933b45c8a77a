//! The classroom sweep behind the presets' defaults for WGAN, WGAN-GP and the energy GAN: trains
//! each natively on the page's MNIST subset and prints its estimates, yardstick, mode coverage and
//! what latent MCMC does on it. A tool to run by hand, not a test (it asserts nothing):
//!
//!     STEPS=600 OBJ=wgan_gp,energy LR=5e-4 B1=0.5 L2=0.1 cargo run --release --bin sweep

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use {
    burn::tensor::Device,
    earthmover::config::{Objective, Preset, RunConfig},
    earthmover::lab::mcmc::Sampler,
    earthmover::lab::refine::{RefineOptions, Refinement},
    earthmover::nets::classifier::Classifier,
    earthmover::train::{LogPoint, Trainer},
};

#[cfg(not(target_arch = "wasm32"))]
fn block<T, E: std::fmt::Debug>(f: impl std::future::Future<Output = Result<T, E>>) -> T {
    pollster::block_on(f).unwrap()
}

#[cfg(not(target_arch = "wasm32"))]
fn classifier() -> Classifier {
    let bytes = earthmover::tools::read("www/data/classifier.bpk");
    Classifier::from_bytes(&bytes, &Device::flex()).unwrap()
}

/// Train `steps` generator steps, measuring every `every`.
#[cfg(not(target_arch = "wasm32"))]
fn train(cfg: RunConfig, steps: u64, every: u64) -> (Trainer, Vec<LogPoint>) {
    let mnist = earthmover::tools::mnist("www/data/mnist-train-2k.bin.gz");
    let mut t = Trainer::new(cfg, &mnist, &Device::flex()).unwrap();
    let pts = block(t.train_measured(steps, every));
    (t, pts)
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let clf = classifier();
    let steps: u64 = std::env::var("STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let only = std::env::var("OBJ").unwrap_or_default();
    for (name, obj) in [
        ("wgan", Objective::Wgan),
        ("wgan_gp", Objective::WganGp),
        ("energy", Objective::Energy),
    ] {
        if !only.is_empty() && !only.split(',').any(|o| o == name) {
            continue;
        }
        let mut cfg = RunConfig::preset(obj, Preset::Classroom);
        if let Ok(v) = std::env::var("L2") {
            if obj == Objective::Energy {
                cfg.set("lambda2", &v).unwrap();
            }
        }
        if let Ok(v) = std::env::var("LR") {
            if obj != Objective::Wgan {
                cfg.set("lr_d", &v).unwrap();
                cfg.set("lr_g", &v).unwrap();
            }
        }
        if let Ok(v) = std::env::var("B1") {
            if obj != Objective::Wgan {
                cfg.set("beta1", &v).unwrap();
            }
        }
        let t0 = std::time::Instant::now();
        let (t, pts) = train(cfg, steps, steps / 6);
        let secs = t0.elapsed().as_secs_f64();
        let m = block(t.mode_stats(&clf));
        for p in &pts {
            println!(
                "{name} step {}: W_hat {:.3} EMD {:.3} |gradG| {:.3e} L_G {:.3}",
                p.step,
                p.w_hat.unwrap(),
                p.emd,
                p.grad_norm_g,
                p.loss_g
            );
        }
        println!(
            "{name}: {:.1} steps/s, classes covered {:?}",
            steps as f64 / secs,
            m
        );
        for (sampler, eps, prior) in [
            (Sampler::Mala, 0.01, true),
            (Sampler::Mala, 0.1, true),
            (Sampler::Mala, 0.1, false),
            (Sampler::Langevin, 0.01, true),
            (Sampler::Langevin, 0.1, false),
        ] {
            let mut r = block(Refinement::start(
                &t,
                RefineOptions {
                    eps,
                    prior,
                    ..RefineOptions::new(sampler)
                },
            ));
            let (e0, u0, d0) = (r.mean_energy(), r.mean_u(), block(r.emd()));
            let st = block(r.step(100));
            let acc: f64 = st.iter().map(|s| s.accept_rate).sum::<f64>() / st.len() as f64;
            let m = block(r.samples());
            let _ = m;
            println!("  {sampler:?} eps {eps} prior {prior}: energy {e0:.3} -> {:.3}, U {u0:.3} -> {:.3}, EMD {d0:.4} -> {:.4}, mean acceptance {acc:.3}", r.mean_energy(), r.mean_u(), block(r.emd()));
        }
    }
}
