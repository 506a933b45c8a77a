//! The CPU's fast paths of issue 19 against what they replace: the generator's tanh against f64
//! tanh, the LeakyReLU, Adam and RMSProp against Burn's own, bit for bit, the nets' own matrix
//! product against Burn's matmul in value and gradient, and the classifier's forward pass against
//! Burn's convolution and pooling.
#![cfg(not(target_arch = "wasm32"))]

mod common;
mod matmul_check;
use common::t2;

use burn::optim::{AdamConfig, Optimizer, RmsPropConfig};
use burn::tensor::{Device, Tensor, TensorData};
use earthmover::cpu::optim::{FusedAdam, FusedRmsProp};
use earthmover::rng::SplitMix64;
use earthmover::tensors::read_f32;

/// A tensor's floats as bits: equal only when bit for bit the same (NaN included).
fn bits<const D: usize>(t: &Tensor<D>) -> Vec<u32> {
    let v = pollster::block_on(read_f32(t.clone())).unwrap();
    v.iter().map(|f| f.to_bits()).collect()
}

/// The generator's output layer computes tanh in a vectorised loop of its own on the CPU (issue 19;
/// issue 5: libm's tanhf was a quarter of a CPU step) and as 2 sigmoid(2x) - 1 elsewhere. Values
/// and derivative against f64 tanh, across and beyond its range.
#[test]
fn generator_tanh_is_tanh_in_value_and_gradient() {
    let mut xs: Vec<f32> = (-400..=400).map(|i| i as f32 * 0.025).collect();
    xs.extend([
        -1e4,
        -88.0,
        -30.0,
        -1e-6,
        1e-6,
        30.0,
        88.0,
        1e4,
        f32::MIN_POSITIVE,
    ]);
    let device = Device::flex().autodiff();
    let x = t2(&xs, &device).require_grad();
    let y = earthmover::nets::tanh(x.clone());
    let grads = y.clone().sum().backward();
    let dy = pollster::block_on(read_f32(x.grad(&grads).unwrap().reshape([xs.len()]))).unwrap();
    let y = pollster::block_on(read_f32(y.reshape([xs.len()]))).unwrap();
    let (mut worst_y, mut worst_dy) = (0f64, 0f64);
    for ((&x, &y), &dy) in xs.iter().zip(&y).zip(&dy) {
        let t = (x as f64).tanh();
        worst_y = worst_y.max((y as f64 - t).abs());
        worst_dy = worst_dy.max((dy as f64 - (1.0 - t * t)).abs());
    }
    println!(
        "the generator's tanh: max |error| {worst_y:.1e} (value), {worst_dy:.1e} (derivative)"
    );
    assert!(worst_y < 3e-7, "value error {worst_y}");
    assert!(worst_dy < 1e-6, "derivative error {worst_dy}");
}

/// The nets' LeakyReLU (x times a slope taken as a constant on the CPU, issue 19) is Burn's, bit
/// for bit, in value and in gradient, including at 0, at -0 and for NaN.
#[test]
fn leaky_relu_is_burns_bit_for_bit() {
    let mut xs: Vec<f32> = (-300..=300).map(|i| i as f32 * 0.0137).collect();
    xs.extend([0.0, -0.0, 1e-30, -1e-30, 1e4, -1e4, f32::NAN]);
    let device = Device::flex().autodiff();
    let w: Vec<f32> = (0..xs.len()).map(|i| 1.0 + i as f32 * 0.01).collect();
    let run = |ours: bool| {
        let x = t2(&xs, &device).require_grad();
        let y = if ours {
            earthmover::nets::leaky_relu(x.clone(), 0.2)
        } else {
            burn::tensor::activation::leaky_relu(x.clone(), 0.2)
        };
        // A weighted sum, so that each element's gradient differs.
        let grads = (y.clone() * t2(&w, &device)).sum().backward();
        let dy = x.grad(&grads).unwrap();
        (bits(&y), bits(&dy))
    };
    let (ours, burns) = (run(true), run(false));
    assert_eq!(ours.0, burns.0, "values");
    assert_eq!(ours.1, burns.1, "gradients");
}

/// Steps `fused` and Burn's `burn` side by side from `start` through `grads`: the parameters
/// agree bit for bit after every step, and `same_state(step, fused's, Burn's)` checks the state.
/// The parameters must have moved by the end.
fn same_steps<F: Optimizer, B: Optimizer>(
    name: &str,
    (fused, burn): (F, B),
    start: &Tensor<2>,
    grads: &[Tensor<2>],
    same_state: impl Fn(usize, &F::State<2>, &B::State<2>),
) {
    let (mut pf, mut pb) = (start.clone(), start.clone());
    let (mut sf, mut sb) = (None, None);
    for (i, g) in grads.iter().enumerate() {
        (pf, sf) = fused.step(5e-4, pf, g.clone(), sf);
        (pb, sb) = burn.step(5e-4, pb, g.clone(), sb);
        assert_eq!(
            bits(&pf),
            bits(&pb),
            "{name} parameters after step {}",
            i + 1
        );
        same_state(i + 1, sf.as_ref().unwrap(), sb.as_ref().unwrap());
    }
    assert_ne!(bits(&pf), bits(start), "{name}: the parameters moved");
}

/// The runs' one-pass Adam and RMSProp (issue 19) are Burn's, bit for bit: parameters and
/// optimiser state over several steps, from the first (no state yet) on, as the runs set them.
#[test]
fn fused_optimisers_are_burns_bit_for_bit() {
    let device = Device::flex();
    let mut rng = SplitMix64::new(19);
    let n = 1000;
    let mut values = |scale: f32| -> Tensor<2> {
        let v: Vec<f32> = rng.normals(n).iter().map(|&x| x * scale).collect();
        Tensor::from_data(TensorData::new(v, [n / 10, 10]), &device)
    };
    let start = values(0.1);
    let grads: Vec<Tensor<2>> = (0..6)
        .map(|i| values(if i == 2 { 1e-6 } else { 3.0 }))
        .collect();

    let adam = AdamConfig::new()
        .with_beta_1(0.5)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
        .build();
    same_steps(
        "Adam",
        (FusedAdam::new(0.5, 0.999, 1e-8), adam),
        &start,
        &grads,
        |step, f, b| {
            let (f, b) = (&f.momentum, &b.momentum);
            assert_eq!(f.time, b.time);
            assert_eq!(
                bits(&f.moment_1),
                bits(&b.moment_1),
                "Adam m after step {step}"
            );
            assert_eq!(
                bits(&f.moment_2),
                bits(&b.moment_2),
                "Adam v after step {step}"
            );
        },
    );

    let rmsprop = RmsPropConfig::new()
        .with_alpha(0.99)
        .with_momentum(0.0)
        .with_epsilon(1e-8)
        .build();
    same_steps(
        "RMSProp",
        (FusedRmsProp::new(0.99, 1e-8), rmsprop),
        &start,
        &grads,
        |step, f, b| {
            assert_eq!(
                bits(&f.square_avg.square_avg),
                bits(&b.square_avg.square_avg),
                "RMSProp state after step {step}"
            );
            assert_eq!(bits(&f.centered.avg), bits(&b.centered.avg));
        },
    );
}

/// The nets' own matrix product (`cpu::matmul`, the browser's CPU build; natively run through
/// `matmul_own` on the kernel's portable code) against Burn's matmul, in value and both gradients
/// (`tests/matmul_check`, shared with the browser test).
#[test]
fn own_matmul_is_burns_matmul_in_value_and_gradient() {
    pollster::block_on(matmul_check::own_matmul_matches_burn(
        &Device::flex().autodiff(),
        7,
    ));
}

/// The classifier's CPU passes (im2col products, ReLU and pooling of its own) give Burn's features
/// up to the order of the sums, and the same digit for every held-out digit and for generator-like
/// noise: what the mode meter counts and the feature distance measures does not change.
#[test]
fn classifier_features_are_burns() {
    use earthmover::nets::classifier::images01;
    let device = Device::flex();
    let clf = common::shipped_classifier(&device);
    let held_out = common::held_out_1k();
    // The held-out digits, then 37 images of uniform noise (not a multiple of the 16-image chunk).
    let mut rng = SplitMix64::new(5);
    let noise: Vec<f32> = (0..37 * 784).map(|_| rng.uniform() as f32).collect();
    let images = Tensor::cat(
        vec![
            images01(&held_out, &device),
            t2(&noise, &device).reshape([37, 784]),
        ],
        0,
    );
    let n = held_out.len() + 37;
    let ours = pollster::block_on(read_f32(clf.features(images.clone()))).unwrap();
    let burns = pollster::block_on(read_f32(clf.features_with_burn(images.clone()))).unwrap();
    assert_eq!(ours.len(), n * 64);
    let scale = burns.iter().fold(0f32, |a, &b| a.max(b.abs()));
    let worst = ours
        .iter()
        .zip(&burns)
        .fold(0f32, |a, (x, y)| a.max((x - y).abs()));
    assert!(
        worst <= 1e-5 * scale,
        "features differ by {worst} (largest {scale})"
    );
    let pred = |f: &[f32]| {
        let logits = clf.classify_features(Tensor::from_data(
            TensorData::new(f.to_vec(), [n, 64]),
            &device,
        ));
        pollster::block_on(read_f32(logits)).unwrap()
    };
    let (a, b) = (pred(&ours), pred(&burns));
    let argmax = |row: &[f32]| {
        row.iter()
            .enumerate()
            .fold(0, |m, (i, &v)| if v > row[m] { i } else { m })
    };
    let differ = a
        .chunks(10)
        .zip(b.chunks(10))
        .filter(|(x, y)| argmax(x) != argmax(y))
        .count();
    assert_eq!(differ, 0, "{differ} of {n} images classified differently");
}
