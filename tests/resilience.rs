//! A run survives what a classroom throws at it: checkpoints (for a lost WebGPU device) restore a
//! run exactly (weights and optimiser moments: it continues bit-identically), corrupt checkpoints are refused with a reason, and a diverging run is caught.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::mnist_2k;

use burn::tensor::Device;
use earthmover::config::{Objective, Preset, RunConfig};
use earthmover::data::Mnist;
use earthmover::error::Code;
use earthmover::tensors::read_module_params;
use earthmover::train::checkpoint::Checkpoint;
use earthmover::train::Trainer;

fn trainer(objective: Objective, preset: Preset, m: &Mnist) -> Trainer {
    Trainer::new(RunConfig::preset(objective, preset), m, &Device::flex()).unwrap()
}

/// Every float parameter of the run's networks, flattened: (generator, critic).
fn weights(t: &Trainer) -> (Vec<f32>, Vec<f32>) {
    (
        pollster::block_on(read_module_params(t.generator())).unwrap(),
        pollster::block_on(read_module_params(t.critic())).unwrap(),
    )
}

#[test]
fn a_checkpoint_restores_weights_step_stream_and_series_exactly() {
    let m = mnist_2k();
    for (objective, preset) in [
        (Objective::Wgan, Preset::Classroom),
        (Objective::Gan, Preset::Paper), // reference nets, batch norm in G
    ] {
        let mut a = trainer(objective, preset, &m);
        for _ in 0..12 {
            a.train_step();
            if a.step_count().is_multiple_of(4) {
                pollster::block_on(a.measure()).unwrap();
            }
        }
        let c = pollster::block_on(a.checkpoint()).unwrap();
        assert_eq!(c.step, 12);
        assert_eq!(c.series.len(), 3);
        // Generator, critic and probe optimisers: the CPU device can record their moments.
        assert_eq!(c.optim.as_ref().map(|o| o.len()), Some(3));
        let bytes = c.to_bytes();
        let back = Checkpoint::from_bytes(&bytes).unwrap();
        // Bytes, not the struct: the series holds NaN where a run has no feature distance.
        assert!(back.to_bytes() == bytes, "bytes round-trip");
        println!(
            "{objective:?} {preset:?}: checkpoint {} bytes (networks {}, optimisers {:?})",
            bytes.len(),
            c.nets.len(),
            c.optim
                .as_ref()
                .map(|o| o.iter().map(|b| b.len()).collect::<Vec<_>>())
        );

        // A fresh run with the same settings takes it over: same weights, same samples, same step.
        let mut b = trainer(objective, preset, &m);
        b.restore(&back).unwrap();
        let c2 = pollster::block_on(b.checkpoint()).unwrap();
        // By bits: the series holds NaN where a run has no feature distance.
        let bits = |c: &Checkpoint| -> Vec<u64> {
            c.series.iter().flatten().map(|x| x.to_bits()).collect()
        };
        assert_eq!(
            (c2.step, c2.rng_state, bits(&c2)),
            (c.step, c.rng_state, bits(&c))
        );
        assert!(weights(&a) == weights(&b), "restored weights differ");
        assert_eq!(
            pollster::block_on(a.samples()).unwrap(),
            pollster::block_on(b.samples()).unwrap()
        );
        // Both go on training and measuring from there.
        b.train_step();
        let p = pollster::block_on(b.measure()).unwrap();
        assert_eq!(p.step, 13);
        // The probe's ρ rests on the restored series (the clipped WGAN's own estimate is
        // measured at the judged points only, none of them since step 0).
        assert!(p.emd.is_finite() && p.rho_probe.is_some(), "{p:?}");
    }
}

/// A run restored from a checkpoint continues exactly as the run it was taken from: the same
/// weights to the last bit after more steps, for Adam (GAN, WGAN-GP, energy GAN with its encoder)
/// and RMSProp (WGAN). Without the optimisers' moments the first step after the restore differs.
#[test]
fn a_restored_run_continues_bit_identically() {
    let m = mnist_2k();
    for objective in [
        Objective::Gan,
        Objective::Wgan,
        Objective::WganGp,
        Objective::Energy,
    ] {
        let mut a = trainer(objective, Preset::Classroom, &m);
        for _ in 0..6 {
            a.train_step();
        }
        let c = pollster::block_on(a.checkpoint()).unwrap();
        let mut b = trainer(objective, Preset::Classroom, &m);
        b.restore(&Checkpoint::from_bytes(&c.to_bytes()).unwrap())
            .unwrap();
        // The same checkpoint without its optimiser records: moments restart from zero.
        let mut fresh = trainer(objective, Preset::Classroom, &m);
        fresh
            .restore(&Checkpoint {
                optim: None,
                ..c.clone()
            })
            .unwrap();
        for _ in 0..4 {
            a.train_step();
            b.train_step();
            fresh.train_step();
        }
        assert_eq!(b.step_count(), 10);
        assert!(
            weights(&a) == weights(&b),
            "{objective:?}: restored run drifted"
        );
        assert!(
            weights(&a) != weights(&fresh),
            "{objective:?}: the moments made no difference, so the test above proves nothing"
        );
    }
}

#[test]
fn corrupt_or_mismatched_checkpoints_are_refused_and_change_nothing() {
    let m = mnist_2k();
    let mut a = trainer(Objective::Gan, Preset::Classroom, &m);
    a.train_step();
    let c = pollster::block_on(a.checkpoint()).unwrap();
    let bytes = c.to_bytes();
    for (bad, why) in [
        (bytes[..bytes.len() - 3].to_vec(), "truncated"),
        (bytes[..20].to_vec(), "truncated"),
        (b"not a checkpoint at all".to_vec(), "header"),
        ([bytes.clone(), vec![0]].concat(), "unexpected bytes"),
        (vec![], "truncated"),
    ] {
        let e = Checkpoint::from_bytes(&bad).unwrap_err();
        assert!(e.contains(why), "{why}: {e}");
    }
    // A checkpoint of the small nets does not fit the reference nets.
    let mut r = trainer(Objective::Gan, Preset::Paper, &m);
    let before = pollster::block_on(r.checkpoint()).unwrap();
    let e = r.restore(&c).unwrap_err();
    assert!(e.contains("do not fit this run's"), "{e}");
    let after = pollster::block_on(r.checkpoint()).unwrap();
    assert!(
        after == before,
        "a refused checkpoint changed the run: step {} -> {}, networks equal {}, optimisers equal {}",
        before.step,
        after.step,
        after.nets == before.nets,
        after.optim == before.optim
    );
}

#[test]
fn a_far_too_large_learning_rate_is_reported_not_drawn() {
    let m = mnist_2k();
    let mut cfg = RunConfig::preset(Objective::Gan, Preset::Classroom);
    cfg.set("lr_d", "1e15").unwrap();
    cfg.set("lr_g", "1e15").unwrap();
    let mut t = Trainer::new(cfg, &m, &Device::flex()).unwrap();
    pollster::block_on(t.measure()).unwrap();
    let mut failed_at = None;
    for _ in 0..40 {
        t.train_step();
        if let Err(e) = pollster::block_on(t.measure()) {
            assert_eq!(e.code, Code::Diverged, "{e}");
            assert!(
                e.detail.contains("learning rate is probably too high"),
                "{e}"
            );
            failed_at = Some(t.step_count());
            break;
        }
    }
    let at = failed_at.expect("lr 1e15 should overflow within 40 steps");
    println!("GAN at lr 1e15: loss non-finite at step {at}");
    // The sample grid refuses to draw non-finite images rather than showing garbage.
    for _ in 0..20 {
        t.train_step();
    }
    let e = pollster::block_on(t.samples());
    if let Err(e) = e {
        assert_eq!(e.code, Code::Diverged, "{e}");
        assert!(e.detail.contains("not finite"), "{e}");
    }
}
