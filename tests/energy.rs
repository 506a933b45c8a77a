//! WGAN-GP and the energy GAN (issue 6, docs/theory.md 4-5) trained natively on the page's MNIST subset,
//! and latent-space MCMC on a trained run: every figure is printed so the log doubles as a report.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::tensor::Device;
use earthmover::config::{Objective, Preset, RunConfig};
use earthmover::lab::mcmc::Sampler;
use earthmover::lab::refine::{RefineOptions, Refinement};
use earthmover::train::{LogPoint, Trainer};

fn block<T, E: std::fmt::Debug>(f: impl std::future::Future<Output = Result<T, E>>) -> T {
    pollster::block_on(f).unwrap()
}

/// Train `steps` generator steps, measuring every `every`.
fn train(cfg: RunConfig, steps: u64, every: u64) -> (Trainer, Vec<LogPoint>) {
    let mut t = Trainer::new(cfg, &common::mnist_2k(), &Device::flex()).unwrap();
    let pts = block(t.train_measured(steps, every));
    (t, pts)
}

#[test]
fn wgan_gp_trains_without_clipping_and_its_w_hat_is_a_critic_estimate() {
    let cfg = RunConfig::preset(Objective::WganGp, Preset::Classroom);
    let (t, pts) = train(cfg, 300, 50);
    for p in &pts {
        println!(
            "WGAN-GP step {}: W_hat {:.3}, EMD {:.3}, |grad G| {:.3e}",
            p.step,
            p.w_hat.unwrap(),
            p.emd,
            p.grad_norm_g
        );
        assert!(p.js_hat.is_none() && p.w_hat.unwrap().is_finite() && p.emd.is_finite());
    }
    let (first, last) = (&pts[0], pts.last().unwrap());
    assert!(
        last.emd < 0.7 * first.emd,
        "the samples improve: {first:?} -> {last:?}"
    );
    assert!(
        last.w_hat.unwrap() > 0.0,
        "the critic tells real from fake: {last:?}"
    );
    // No clipping: the critic's weights leave [-0.05, 0.05], which clipping would forbid.
    let w = block(t.critic_params());
    let max = w.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    println!("largest |critic weight| after 300 steps: {max:.3}");
    assert!(max > 0.05);
}

#[test]
fn energy_gan_trains_its_encoder_and_checkpoints_it() {
    let cfg = RunConfig::preset(Objective::Energy, Preset::Classroom);
    let (t, pts) = train(cfg.clone(), 200, 100);
    let (first, last) = (&pts[0], pts.last().unwrap());
    println!("energy GAN: energy gap {:.3} -> {:.3}, EMD {:.3} -> {:.3}, L_G (U + λ2 encoder term) {:.3} -> {:.3}", first.w_hat.unwrap(), last.w_hat.unwrap(), first.emd, last.emd, first.loss_g, last.loss_g);
    assert!(last.emd < 0.8 * first.emd, "{first:?} -> {last:?}");
    // L_G starts near λ2·E‖z‖² = 0.1 · 64 (the encoder knows nothing) and falls as it learns.
    assert!(
        first.loss_g > 4.0 && last.loss_g < first.loss_g - 2.0,
        "{first:?} -> {last:?}"
    );
    // The encoder is part of the checkpoint: a restored run has the same weights and measures the
    // same point.
    let c = block(t.checkpoint());
    let mut a = t;
    let mut b = Trainer::new(cfg, &common::mnist_2k(), &Device::flex()).unwrap();
    b.restore(&c).unwrap();
    assert!(
        block(a.samples()) == block(b.samples()),
        "restored samples differ"
    );
    // L_G includes the encoder's term λ2‖z − E(G(z))‖²: equal only if the encoder came back too.
    let (pa, pb) = (block(a.measure()), block(b.measure()));
    assert_eq!((pa.loss_g, pa.w_hat, pa.emd), (pb.loss_g, pb.w_hat, pb.emd));
    let mut wrong = RunConfig::preset(Objective::WganGp, Preset::Classroom);
    wrong.seed = 1;
    let mut w = Trainer::new(wrong, &common::mnist_2k(), &Device::flex()).unwrap();
    let e = w.restore(&c).unwrap_err();
    // A WGAN-GP run has no encoder: the record's encoder does not fit it.
    assert!(e.contains("do not fit this run's"), "{e}");
}

#[test]
fn latent_mcmc_on_a_trained_critic_lowers_the_mean_energy() {
    let cfg = RunConfig::preset(Objective::WganGp, Preset::Classroom);
    let (t, _) = train(cfg, 300, 300);
    // MALA on the posterior exp(-U(G(z)) - |z|^2/2), from the grid noise (exact prior samples).
    // Tilting the prior by exp(-U) can only lower the mean of U (E_q U <= E_p U); the chains
    // should show it.
    let mut r = block(Refinement::start(
        &t,
        RefineOptions {
            eps: 0.1,
            ..RefineOptions::new(Sampler::Mala)
        },
    ));
    let (u0, d0) = (r.mean_u(), block(r.emd()));
    let mut late = Vec::new();
    let mut acc = 0.0;
    for i in 0..100 {
        let s = block(r.step(1));
        acc += s[0].accept_rate / 100.0;
        if i >= 50 {
            late.push(r.mean_u());
        }
    }
    let u_late = late.iter().sum::<f64>() / late.len() as f64;
    println!("MALA eps 0.1, 100 steps: mean U(G(z)) {u0:.3} -> {u_late:.3} (mean of steps 51-100), acceptance {acc:.3}, EMD {d0:.3} -> {:.3}", block(r.emd()));
    assert!(u_late < u0 - 0.2, "{u0} -> {u_late}");
    assert!(
        acc > 0.05 && acc < 0.95,
        "MALA rejects some proposals and takes others: {acc}"
    );
    // Langevin takes every step.
    let mut l = block(Refinement::start(&t, RefineOptions::new(Sampler::Langevin)));
    assert!(block(l.step(5)).iter().all(|s| s.accept_rate == 1.0));
    assert!(pollster::block_on(Refinement::start(
        &t,
        RefineOptions {
            eps: -1.0,
            ..RefineOptions::new(Sampler::Mala)
        }
    ))
    .is_err());
}
