//! WGAN-GP's input gradient and penalty (docs/theory.md 4) against oracles: the critic's input
//! gradient, written as forward ops, against central finite differences of a float64 copy of the
//! same network; the penalty's gradient with respect to the critic's weights (Burn's one backward
//! through those ops) against finite differences of the float64 penalty.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::{Device, Tensor, TensorData};
use earthmover::nets::{ScoreNet, LEAKY_SLOPE, PIXELS};
use earthmover::objective::gradient_penalty;
use earthmover::rng::SplitMix64;
use earthmover::tensors::load_params;
use earthmover::tensors::{materialize, read_f32, read_module_params};

const WIDTHS: [usize; 2] = [32, 16];

fn block<const D: usize>(t: Tensor<D>) -> Vec<f64> {
    pollster::block_on(read_f32(t))
        .unwrap()
        .iter()
        .map(|&x| x as f64)
        .collect()
}

/// The same MLP in float64 on the host: layers of (W [in][out] row-major, b [out]).
struct Host(Vec<(Vec<f64>, Vec<f64>, usize, usize)>);

impl Host {
    fn new(flat: &[f32]) -> Host {
        let mut dims = vec![PIXELS];
        dims.extend(WIDTHS);
        dims.push(1);
        let mut at = 0;
        let mut layers = Vec::new();
        for w in dims.windows(2) {
            let (i, o) = (w[0], w[1]);
            let take = |n: usize, at: &mut usize| -> Vec<f64> {
                *at += n;
                flat[*at - n..*at].iter().map(|&x| x as f64).collect()
            };
            let wm = take(i * o, &mut at);
            let b = take(o, &mut at);
            layers.push((wm, b, i, o));
        }
        assert_eq!(at, flat.len(), "layout: weight then bias, layer by layer");
        Host(layers)
    }

    /// f(x) and, by the chain rule, ∇ₓf(x).
    fn score_and_grad(&self, x: &[f64]) -> (f64, Vec<f64>) {
        let mut h = x.to_vec();
        let mut slopes = Vec::new();
        let last = self.0.len() - 1;
        for (k, (w, b, i, o)) in self.0.iter().enumerate() {
            let mut a = b.clone();
            for r in 0..*i {
                for c in 0..*o {
                    a[c] += h[r] * w[r * o + c];
                }
            }
            if k < last {
                slopes.push(
                    a.iter()
                        .map(|&v| if v > 0.0 { 1.0 } else { LEAKY_SLOPE })
                        .collect::<Vec<f64>>(),
                );
                h = a
                    .iter()
                    .map(|&v| if v > 0.0 { v } else { LEAKY_SLOPE * v })
                    .collect();
            } else {
                h = a;
            }
        }
        let mut g = vec![1.0];
        for (k, (w, _, i, o)) in self.0.iter().enumerate().rev() {
            if k < last {
                for (gc, s) in g.iter_mut().zip(&slopes[k]) {
                    *gc *= s;
                }
            }
            g = (0..*i)
                .map(|r| (0..*o).map(|c| g[c] * w[r * o + c]).sum())
                .collect();
        }
        (h[0], g)
    }

    fn penalty(&self, real: &[f64], fake: &[f64], eps: &[f64]) -> f64 {
        let n = eps.len();
        (0..n)
            .map(|r| {
                let x: Vec<f64> = (0..PIXELS)
                    .map(|p| eps[r] * real[r * PIXELS + p] + (1.0 - eps[r]) * fake[r * PIXELS + p])
                    .collect();
                let (_, g) = self.score_and_grad(&x);
                (g.iter().map(|v| v * v).sum::<f64>().sqrt() - 1.0).powi(2)
            })
            .sum::<f64>()
            / n as f64
    }
}

fn setup(seed: u64, rows: usize, scale: f32) -> (ScoreNet, Vec<f32>, Device) {
    let device = Device::flex().autodiff();
    device.seed(seed);
    let critic = materialize(ScoreNet::new(&WIDTHS, &device));
    // Larger weights than the init, so that ‖∇f‖ is of order 1 and the penalty is not flat.
    let flat: Vec<f32> = pollster::block_on(read_module_params(&critic))
        .unwrap()
        .iter()
        .map(|w| w * scale)
        .collect();
    let critic = load_params(critic, &flat).unwrap();
    let mut rng = SplitMix64::new(seed + 1);
    let x: Vec<f32> = rng.normals(rows * PIXELS).iter().map(|v| v * 0.5).collect();
    (critic, x, device)
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let d: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let n: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    d / n
}

#[test]
fn input_gradient_matches_finite_differences_and_autodiff() {
    for seed in [1, 2, 3] {
        let rows = 4;
        let (critic, x, device) = setup(seed, rows, 4.0);
        let xt = Tensor::<2>::from_data(TensorData::new(x.clone(), [rows, PIXELS]), &device);
        let (score, g) = critic.score_and_input_grad(xt.clone());
        let (score, g) = (block(score.detach()), block(g.detach()));
        let host = Host::new(&pollster::block_on(read_module_params(&critic)).unwrap());
        let mut rng = SplitMix64::new(seed + 100);
        let h = 1e-4;
        let (mut ours, mut fd) = (vec![], vec![]);
        for r in 0..rows {
            let xr: Vec<f64> = x[r * PIXELS..(r + 1) * PIXELS]
                .iter()
                .map(|&v| v as f64)
                .collect();
            let (f, _) = host.score_and_grad(&xr);
            assert!(
                (f - score[r]).abs() < 1e-4 * (1.0 + f.abs()),
                "f32 forward {} vs f64 {f}",
                score[r]
            );
            for _ in 0..50 {
                let p = rng.below(PIXELS);
                let (mut up, mut down) = (xr.clone(), xr.clone());
                up[p] += h;
                down[p] -= h;
                fd.push((host.score_and_grad(&up).0 - host.score_and_grad(&down).0) / (2.0 * h));
                ours.push(g[r * PIXELS + p]);
            }
        }
        let e = rel(&ours, &fd);
        // Burn's own autodiff on the input, for the whole gradient.
        let xr = xt.detach().require_grad();
        let grads = critic.forward(xr.clone()).sum().backward();
        let auto: Vec<f64> = block(xr.grad(&grads).unwrap());
        let e_auto = rel(&g, &auto);
        let norm = (g.iter().map(|v| v * v).sum::<f64>() / rows as f64).sqrt();
        println!("seed {seed}: ‖∇ₓf‖ ≈ {norm:.3}; rel. error vs finite differences {e:.2e}, vs autodiff {e_auto:.2e}");
        assert!(e < 1e-3, "input gradient vs finite differences: {e}");
        assert!(e_auto < 1e-5, "input gradient vs autodiff: {e_auto}");
    }
}

#[test]
fn penalty_weight_gradient_matches_finite_differences() {
    for seed in [4, 5] {
        let rows = 6;
        let (critic, real, device) = setup(seed, rows, 4.0);
        let mut rng = SplitMix64::new(seed + 7);
        let fake: Vec<f32> = rng.normals(rows * PIXELS).iter().map(|v| v * 0.5).collect();
        let eps: Vec<f32> = (0..rows).map(|_| rng.uniform() as f32).collect();
        let t = |v: &[f32], d: [usize; 2]| {
            Tensor::<2>::from_data(TensorData::new(v.to_vec(), d), &device)
        };
        let p = gradient_penalty(
            &critic,
            t(&real, [rows, PIXELS]),
            t(&fake, [rows, PIXELS]),
            t(&eps, [rows, 1]),
        );
        let value = block(p.clone().detach())[0];
        let grads = p.backward();
        // Autodiff gradients of every weight matrix, flattened in parameter order with zeros for
        // the biases (on which the penalty does not depend).
        let ws = critic.weights();
        let flat = pollster::block_on(read_module_params(&critic)).unwrap();
        let host = Host::new(&flat);
        let f64s = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
        let (real64, fake64, eps64) = (f64s(&real), f64s(&fake), f64s(&eps));
        let v64 = host.penalty(&real64, &fake64, &eps64);
        assert!(
            (value - v64).abs() < 1e-4 * (1.0 + v64),
            "penalty f32 {value} vs f64 {v64}"
        );
        let mut offset = 0;
        let (mut ours, mut fd) = (vec![], vec![]);
        for w in &ws {
            let [i, o] = w.dims();
            let gw = block(w.grad(&grads).expect("weight gradient"));
            for _ in 0..25 {
                let e = rng.below(i * o);
                let h = 1e-4;
                let mut up: Vec<f64> = f64s(&flat);
                let mut down = up.clone();
                up[offset + e] += h;
                down[offset + e] -= h;
                let (hu, hd) = (Host::from_f64(&up), Host::from_f64(&down));
                fd.push(
                    (hu.penalty(&real64, &fake64, &eps64) - hd.penalty(&real64, &fake64, &eps64))
                        / (2.0 * h),
                );
                ours.push(gw[e]);
            }
            offset += i * o + o; // this layer's weight and bias
        }
        let e = rel(&ours, &fd);
        println!("seed {seed}: penalty {v64:.4}; weight-gradient rel. error vs finite differences {e:.2e}");
        assert!(e < 1e-3, "penalty gradient vs finite differences: {e}");
    }
}

impl Host {
    fn from_f64(flat: &[f64]) -> Host {
        let f: Vec<f32> = flat.iter().map(|&x| x as f32).collect();
        let mut h = Host::new(&f);
        // Keep the float64 values (the f32 round trip above only fixes the layout).
        let mut at = 0;
        for (w, b, _, _) in h.0.iter_mut() {
            for x in w.iter_mut().chain(b.iter_mut()) {
                *x = flat[at];
                at += 1;
            }
        }
        h
    }
}
