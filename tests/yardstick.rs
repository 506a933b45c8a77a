//! The feature yardstick (issue 16): the Fréchet distance against an independent float64
//! computation (moments by plain loops, the matrix square root of Σa Σb by the Denman-Beavers
//! iteration instead of eigendecompositions) and a closed form; on real data, held-out digits sit
//! far closer to the training digits than a fresh generator's noise does.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::tensor::Device;
use earthmover::data::Mnist;
use earthmover::metrics::{frechet_distance, Gaussian};
use earthmover::nets::classifier::{images01, Classifier, FEATURES};
use earthmover::rng::SplitMix64;
use earthmover::tensors::read_f32;
use nalgebra::{DMatrix, DVector};

type M = Vec<Vec<f64>>;

fn mat_mul(a: &M, b: &M) -> M {
    let n = a.len();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| (0..n).map(|k| a[i][k] * b[k][j]).sum())
                .collect()
        })
        .collect()
}

/// Gauss-Jordan inverse with partial pivoting.
fn inverse(a: &M) -> M {
    let n = a.len();
    let mut m: M = a
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut r = r.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for c in 0..n {
        let p = (c..n)
            .max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))
            .unwrap();
        m.swap(c, p);
        let d = m[c][c];
        for v in m[c].iter_mut() {
            *v /= d;
        }
        for r in 0..n {
            if r != c {
                let f = m[r][c];
                let row = m[c].clone();
                for (v, w) in m[r].iter_mut().zip(row) {
                    *v -= f * w;
                }
            }
        }
    }
    m.into_iter().map(|r| r[n..].to_vec()).collect()
}

/// The principal square root of a matrix with positive real eigenvalues (Denman-Beavers).
fn sqrtm(a: &M) -> M {
    let n = a.len();
    let mut y = a.clone();
    let mut z: M = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for _ in 0..60 {
        let (yi, zi) = (inverse(&y), inverse(&z));
        let avg = |p: &M, q: &M| -> M {
            p.iter()
                .zip(q)
                .map(|(r, s)| r.iter().zip(s).map(|(x, w)| (x + w) / 2.0).collect())
                .collect()
        };
        (y, z) = (avg(&y, &zi), avg(&z, &yi));
    }
    y
}

/// Mean and covariance (1 / (n - 1)) by plain loops.
fn moments(x: &[Vec<f64>]) -> (Vec<f64>, M) {
    let (n, d) = (x.len(), x[0].len());
    let mean: Vec<f64> = (0..d)
        .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n as f64)
        .collect();
    let cov = (0..d)
        .map(|a| {
            (0..d)
                .map(|b| {
                    x.iter()
                        .map(|r| (r[a] - mean[a]) * (r[b] - mean[b]))
                        .sum::<f64>()
                        / (n - 1) as f64
                })
                .collect()
        })
        .collect();
    (mean, cov)
}

/// n points in d dimensions, correlated and shifted, as f32 rows.
fn cloud(rng: &mut SplitMix64, n: usize, d: usize, shift: f32, mix: f32) -> Vec<f32> {
    let z = rng.normals(n * d);
    let mut out = vec![0f32; n * d];
    for i in 0..n {
        for j in 0..d {
            let next = z[i * d + (j + 1) % d];
            out[i * d + j] = z[i * d + j] * (1.0 + j as f32 * 0.3) + mix * next + shift * j as f32;
        }
    }
    out
}

#[test]
fn frechet_distance_matches_a_denman_beavers_reference() {
    let mut rng = SplitMix64::new(11);
    let (n, d) = (300, 8);
    for (shift, mix) in [(0.0, 0.0), (0.2, 0.5), (1.0, -0.8)] {
        let a = cloud(&mut rng, n, d, 0.0, 0.3);
        let b = cloud(&mut rng, n, d, shift, mix);
        let got = frechet_distance(
            &Gaussian::fit(&a, n, d).unwrap(),
            &Gaussian::fit(&b, n, d).unwrap(),
        );
        let rows = |v: &[f32]| -> Vec<Vec<f64>> {
            v.chunks(d)
                .map(|r| r.iter().map(|&x| x as f64).collect())
                .collect()
        };
        let ((ma, ca), (mb, cb)) = (moments(&rows(&a)), moments(&rows(&b)));
        let root = sqrtm(&mat_mul(&ca, &cb));
        let tr = |m: &M| (0..d).map(|i| m[i][i]).sum::<f64>();
        let mean: f64 = ma.iter().zip(&mb).map(|(x, y)| (x - y).powi(2)).sum();
        let want = mean + tr(&ca) + tr(&cb) - 2.0 * tr(&root);
        println!("shift {shift}, mix {mix}: Fréchet {got:.9} (reference {want:.9})");
        assert!(
            (got - want).abs() <= 1e-9 * want.max(1.0),
            "{got} vs {want}"
        );
    }
}

#[test]
fn frechet_distance_has_its_closed_form_and_is_zero_on_itself() {
    // N(0, I) vs N(mu, s² I) in d dimensions: |mu|² + d (1 - s)².
    let d = 5;
    let a = Gaussian {
        mean: DVector::zeros(d),
        cov: DMatrix::identity(d, d),
    };
    let b = Gaussian {
        mean: DVector::from_element(d, 0.5),
        cov: DMatrix::identity(d, d) * 9.0,
    };
    let want = d as f64 * 0.25 + d as f64 * 4.0;
    assert!((frechet_distance(&a, &b) - want).abs() < 1e-10);
    assert!((frechet_distance(&b, &a) - want).abs() < 1e-10);
    assert!(frechet_distance(&b, &b).abs() < 1e-10);
    assert!(Gaussian::fit(&[1.0, f32::NAN], 2, 1).is_err());
    assert!(Gaussian::fit(&[1.0], 1, 1).is_err());
}

fn features(clf: &Classifier, m: &Mnist) -> Gaussian {
    let v = pollster::block_on(read_f32(clf.features(images01(m, &Device::flex())))).unwrap();
    Gaussian::fit(&v, m.len(), FEATURES).unwrap()
}

#[test]
fn held_out_digits_are_close_to_training_digits_in_feature_space() {
    let clf = common::shipped_classifier(&Device::flex());
    let held_out = common::held_out_1k();
    let (train, test) = (
        features(&clf, &common::mnist_2k()),
        features(&clf, &held_out),
    );
    // Uniform noise images, what an untrained generator's tanh output is close to.
    let mut rng = SplitMix64::new(3);
    let noise = Mnist {
        pixels: (0..1000 * 784)
            .map(|_| (rng.uniform() * 255.0) as u8)
            .collect(),
        labels: vec![0; 1000],
    };
    let noise = features(&clf, &noise);
    let (real, fake) = (
        frechet_distance(&train, &test),
        frechet_distance(&noise, &test),
    );
    println!(
        "feature distance: training vs held-out digits {real:.2}, noise vs held-out {fake:.2}"
    );
    assert!(real * 10.0 < fake, "{real} vs {fake}");
}

/// The yardstick and the judges measure every JUDGE_EVERY-th logged point, step 0 included; the
/// points between carry none of them, and the judged ones carry all three, in their ranges and
/// the same when measured twice.
#[test]
fn the_judges_measure_every_fifth_logged_point() {
    use earthmover::config::{Objective, Preset, RunConfig};
    use earthmover::train::{yardstick::JUDGE_EVERY, Trainer};
    let device = Device::flex();
    let clf = common::shipped_classifier(&device);
    let held_out = common::held_out_1k();
    let cfg = RunConfig::preset(Objective::Gan, Preset::Classroom);
    let every = cfg.log_every as u64;
    let mut t = Trainer::new(cfg, &common::mnist_2k(), &device).unwrap();
    pollster::block_on(t.set_yardstick(clf, &held_out)).unwrap();
    let mut judged = 0;
    for point in 0..=(2 * JUDGE_EVERY) {
        while t.step_count() < point * every {
            t.train_step();
        }
        let p = pollster::block_on(t.measure()).unwrap();
        let due = point % JUDGE_EVERY == 0;
        assert_eq!(p.feature_distance.is_some(), due, "step {}", p.step);
        assert_eq!(p.js_opt.is_some(), due, "step {}", p.step);
        assert_eq!(p.w_opt.is_some(), due, "step {}", p.step);
        if due {
            judged += 1;
            // Measured again at the same step (after a pause, a restore), the point is the same:
            // the judges train once per step (issue 36: measuring twice gave other numbers).
            let again = pollster::block_on(t.measure()).unwrap();
            assert_eq!(again, p, "re-measured at step {}", p.step);
            let js = p.js_opt.unwrap();
            assert!(
                js <= std::f64::consts::LN_2 + 1e-9 && js.is_finite(),
                "JS_opt {js}"
            );
            assert!(p.feature_distance.unwrap() > 0.0);
        }
    }
    assert_eq!(judged, 3);
}

/// Issue 16's acceptance in a native test: over the classroom WGAN's first 1,000 steps (seed 1,
/// logged as the page logs it, the page's first ~80 s), its own estimate W_hat and the feature
/// distance rank the points alike, ρ >= 0.8 (measured: +0.87; seeds 2 and 3 +0.92 and +0.83; over
/// the default page's 3 minutes, ~2,100 steps, +0.86 / +0.90 / +0.91).
#[test]
fn the_classroom_wgan_estimate_tracks_the_feature_distance() {
    use earthmover::config::{Objective, Preset, RunConfig};
    use earthmover::tools::PageData;
    let cfg = RunConfig::preset(Objective::Wgan, Preset::Classroom);
    let every = cfg.log_every as u64;
    let (mut t, _) = PageData::load().trainer(cfg, &Device::flex());
    let points = pollster::block_on(t.train_measured(1000, every)).unwrap();
    let judged: Vec<_> = points
        .iter()
        .filter(|p| p.feature_distance.is_some())
        .collect();
    for p in judged.iter().step_by(4) {
        println!(
            "step {}: W_hat {:.3}, feature distance {:.1}, rho so far {:?}",
            p.step,
            p.w_hat.unwrap(),
            p.feature_distance.unwrap(),
            p.rho_feature
        );
    }
    // W_hat is measured exactly where the feature distance is.
    assert!(points
        .iter()
        .all(|p| p.w_hat.is_some() == p.feature_distance.is_some()));
    let (first, last) = (judged[1], points.last().unwrap());
    assert!(
        last.feature_distance.unwrap() < 0.5 * first.feature_distance.unwrap(),
        "{first:?} -> {last:?}"
    );
    let rho = last.rho_feature.unwrap();
    println!(
        "rho(W_hat, feature distance) after {} steps: {rho:+.3}",
        last.step
    );
    assert!(rho >= 0.8, "rho {rho}");
}
