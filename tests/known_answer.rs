//! The known-answer check (src/train/known_answer.rs): a run restored from another run's start
//! gives the same fingerprint after one step, and a perturbed step is caught.
#![cfg(not(target_arch = "wasm32"))]
mod common;

use burn::tensor::Device;
use earthmover::config::{Objective, Preset, RunConfig};
use earthmover::train::known_answer::{compare, Fingerprint, TOLERANCE};
use earthmover::train::Trainer;

fn pair(objective: Objective) -> (Trainer, Trainer) {
    let m = common::mnist_2k();
    let cfg = RunConfig::preset(objective, Preset::Classroom);
    let a = Trainer::new(cfg.clone(), &m, &Device::flex()).unwrap();
    let mut b = Trainer::new(cfg, &m, &Device::flex()).unwrap();
    // Other weights and another batch stream: only the restored start can make the two agree.
    b.train_step();
    b.train_step();
    (a, b)
}

#[test]
fn one_step_from_the_same_start_agrees_and_a_perturbed_step_does_not() {
    for objective in [Objective::Gan, Objective::Wgan] {
        let (mut a, mut b) = pair(objective);
        let start = pollster::block_on(a.checkpoint()).unwrap();
        let reference = pollster::block_on(a.known_answer(&start, false)).unwrap();
        let same = pollster::block_on(b.known_answer(&start, false)).unwrap();
        let c = compare(&reference, &same);
        assert!(c.ok && c.max_rel_error < 1e-6, "{objective:?}: {c:?}");
        // Every part was read back and has values.
        let names: Vec<_> = reference
            .parts
            .iter()
            .map(|(n, v)| (*n, !v.is_empty()))
            .collect();
        assert_eq!(
            names,
            [
                ("generator", true),
                ("critic", true),
                ("images", true),
                ("scores", true)
            ]
        );
        // The step changed the weights: the check compares trained numbers, not the start's.
        let after = pollster::block_on(b.checkpoint()).unwrap();
        assert_eq!((start.step, after.step), (0, 1));

        let faulty = pollster::block_on(b.known_answer(&start, true)).unwrap();
        let c = compare(&reference, &faulty);
        assert!(
            !c.ok && c.max_rel_error > 10.0 * TOLERANCE,
            "{objective:?}: {c:?}"
        );
        // The fingerprint survives the trip between the two wasm builds.
        assert_eq!(Fingerprint::from_bytes(&faulty.to_bytes()).unwrap(), faulty);
    }
}
