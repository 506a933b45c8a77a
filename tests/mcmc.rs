//! Latent-space MCMC (docs/theory.md 5) on a known 2-D energy: MALA's samples match the target's mean
//! and covariance; unadjusted Langevin in docs/theory.md's form (noise √ε) samples a colder target, which
//! the same check detects; both lower the mean energy from a high-energy start.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::{Device, Tensor, TensorData};
use earthmover::lab::mcmc::{Chains, Sampler};
use earthmover::rng::SplitMix64;

const MU: [f64; 2] = [1.0, -2.0];
const SIGMA: [[f64; 2]; 2] = [[1.0, 0.6], [0.6, 0.5]];

/// U(z) = ½ (z − μ)ᵀ Σ⁻¹ (z − μ), one value per row.
fn energy(device: &Device) -> impl Fn(Tensor<2>) -> Tensor<1> {
    let det = SIGMA[0][0] * SIGMA[1][1] - SIGMA[0][1] * SIGMA[1][0];
    let inv = [
        SIGMA[1][1] / det,
        -SIGMA[0][1] / det,
        -SIGMA[1][0] / det,
        SIGMA[0][0] / det,
    ];
    let lambda = Tensor::<2>::from_data(
        TensorData::new(inv.iter().map(|&v| v as f32).collect(), [2, 2]),
        device,
    );
    let mu = Tensor::<2>::from_data(
        TensorData::new(vec![MU[0] as f32, MU[1] as f32], [1, 2]),
        device,
    );
    move |z: Tensor<2>| {
        let n = z.dims()[0];
        let d = z - mu.clone(); // [n, 2]
        (d.clone().matmul(lambda.clone()) * d)
            .sum_dim(1)
            .reshape([n])
            .mul_scalar(0.5)
    }
}

/// Mean and covariance of the chains' positions collected every 5 steps after 300 burn-in steps
/// (the slow direction of this Σ contracts by only ~4% per step at ε = 0.05).
fn run(sampler: Sampler, eps: f64) -> ([f64; 2], [[f64; 2]; 2], f64, f64, f64) {
    let device = Device::flex().autodiff();
    let u = energy(&device);
    let chains = 2000;
    // Start far up the energy: every chain at μ + (3, 3).
    let start: Vec<f64> = (0..chains)
        .flat_map(|_| [MU[0] + 3.0, MU[1] + 3.0])
        .collect();
    let mut c = pollster::block_on(Chains::new(&u, start, chains, 2, &device)).unwrap();
    let e0 = c.mean_energy();
    let mut rng = SplitMix64::new(11);
    let (mut s, mut ss, mut n, mut acc) = ([0.0; 2], [[0.0; 2]; 2], 0.0, 0.0);
    for t in 0..700 {
        let st = pollster::block_on(c.step(&u, eps, sampler, &mut rng, &device)).unwrap();
        if t >= 300 {
            acc += st.accept_rate / 400.0;
            if t % 5 == 0 {
                for k in 0..chains {
                    let z = [c.z[2 * k], c.z[2 * k + 1]];
                    for i in 0..2 {
                        s[i] += z[i];
                        for j in 0..2 {
                            ss[i][j] += z[i] * z[j];
                        }
                    }
                    n += 1.0;
                }
            }
        }
    }
    let mean = [s[0] / n, s[1] / n];
    let mut cov = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            cov[i][j] = ss[i][j] / n - mean[i] * mean[j];
        }
    }
    (mean, cov, acc, e0, c.mean_energy())
}

#[test]
fn mala_samples_the_target_and_langevin_in_theorys_form_a_colder_one() {
    let (mean, cov, acc, e0, e1) = run(Sampler::Mala, 0.05);
    println!("MALA ε = 0.05: mean {mean:.3?}, cov {cov:.3?}, acceptance {acc:.2}, mean energy {e0:.2} -> {e1:.2}");
    for i in 0..2 {
        assert!(
            (mean[i] - MU[i]).abs() < 0.05,
            "mean {i}: {} vs {}",
            mean[i],
            MU[i]
        );
        for j in 0..2 {
            assert!(
                (cov[i][j] - SIGMA[i][j]).abs() < 0.08 * SIGMA[0][0],
                "cov {i}{j}: {} vs {}",
                cov[i][j],
                SIGMA[i][j]
            );
        }
    }
    assert!(acc > 0.3 && acc < 0.99, "acceptance {acc}");
    assert!(e1 < e0, "MALA lowers the mean energy from a high start");
    // Target mean energy under exp(−U) in 2-D is dim/2 = 1.
    assert!(
        (e1 - 1.0).abs() < 0.2,
        "mean energy {e1} vs 1 under the target"
    );

    let (lmean, lcov, lacc, le0, le1) = run(Sampler::Langevin, 0.05);
    println!("Langevin ε = 0.05: mean {lmean:.3?}, cov {lcov:.3?}, acceptance {lacc:.2}, mean energy {le0:.2} -> {le1:.2}");
    assert!((lacc - 1.0).abs() < 1e-9, "Langevin takes every proposal");
    for i in 0..2 {
        assert!((lmean[i] - MU[i]).abs() < 0.05, "Langevin mean {i}");
        // exp(−2U): half the covariance (up to the step's bias).
        assert!(
            (lcov[i][i] - SIGMA[i][i] / 2.0).abs() < 0.1 * SIGMA[i][i],
            "Langevin var {i}: {} vs {}",
            lcov[i][i],
            SIGMA[i][i] / 2.0
        );
    }
    assert!(
        le1 < le0 && le1 < e1,
        "Langevin ends colder than MALA: {le1} vs {e1}"
    );
}
