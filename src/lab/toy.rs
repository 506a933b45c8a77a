//! The seeds' toy cases (docs/theory.md 3): closed forms, and a small discriminator and a small critic
//! trained live on samples so the page can put the empirical estimates next to the exact curves.
//!
//! * **Parallel lines**: P_r uniform on {0} x [0, 1], P_g uniform on {theta} x [0, 1].
//!   KL = +inf and JS = log 2 for theta != 0 (both 0 at theta = 0); W = |theta|.
//! * **Two Gaussians**: P_r = N(mu_r, sigma^2), P_g = N(mu_g, sigma^2) on the real line.
//!   KL = (mu_r - mu_g)^2 / (2 sigma^2), W = |mu_r - mu_g|, JS by quadrature (no closed form).
//!
//! The critic's weights are clipped, so it is K-Lipschitz for an unknown K and E_r f - E_g f
//! estimates K W. The lab therefore also measures K_hat = max ||grad_x f|| over real, generated
//! and interpolated points and reports W_hat = (E_r f - E_g f) / K_hat: f / K_hat is (on those
//! points) 1-Lipschitz, so by Kantorovich-Rubinstein this is an estimate of W in its own units.

use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, RmsPropConfig};
use burn::tensor::activation::{leaky_relu, sigmoid};
use burn::tensor::{Device, Tensor, TensorData};
use serde::Serialize;

use crate::nets::LEAKY_SLOPE;
use crate::objective::{gan_d_loss, js_hat, wgan_critic_loss, LN2};
use crate::rng::SplitMix64;
use crate::tensors::{clip_module, materialize, read_f32, seeded};

/// Exact divergences between the two distributions of a toy case.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Divergences {
    /// KL(P_r || P_g); `f64::INFINITY` where the supports do not overlap.
    pub kl: f64,
    /// JS(P_r || P_g), in nats (at most log 2).
    pub js: f64,
    /// W_1(P_r, P_g), the Earth Mover's distance.
    pub w: f64,
}

/// Parallel lines at horizontal offset `theta` (docs/theory.md 3).
pub fn lines_divergences(theta: f64) -> Divergences {
    if theta == 0.0 {
        Divergences {
            kl: 0.0,
            js: 0.0,
            w: 0.0,
        }
    } else {
        Divergences {
            kl: f64::INFINITY,
            js: LN2,
            w: theta.abs(),
        }
    }
}

/// Density of N(mu, sigma^2) at x.
pub fn normal_pdf(x: f64, mu: f64, sigma: f64) -> f64 {
    let z = (x - mu) / sigma;
    (-0.5 * z * z).exp() / (sigma * (std::f64::consts::TAU).sqrt())
}

/// Composite Simpson's rule of `f` over [a, b] with `n` (even) intervals.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * h);
    }
    s * h / 3.0
}

/// x log(x / y) with the convention 0 log 0 = 0.
fn xlogx_y(x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        x * (x / y).ln()
    }
}

/// JS(N(mu_r, s^2) || N(mu_g, s^2)) by Simpson quadrature over +-12 sigma around both means.
pub fn gaussian_js(mu_r: f64, mu_g: f64, sigma: f64) -> f64 {
    let (a, b) = (mu_r.min(mu_g) - 12.0 * sigma, mu_r.max(mu_g) + 12.0 * sigma);
    let integrand = |x: f64| {
        let p = normal_pdf(x, mu_r, sigma);
        let q = normal_pdf(x, mu_g, sigma);
        let m = 0.5 * (p + q);
        0.5 * xlogx_y(p, m) + 0.5 * xlogx_y(q, m)
    };
    simpson(integrand, a, b, 20_000).clamp(0.0, LN2)
}

/// KL, JS and W between two Gaussians of equal width.
pub fn gaussian_divergences(mu_r: f64, mu_g: f64, sigma: f64) -> Divergences {
    let d = mu_r - mu_g;
    Divergences {
        kl: d * d / (2.0 * sigma * sigma),
        js: gaussian_js(mu_r, mu_g, sigma),
        w: d.abs(),
    }
}

/// Which toy case a lab trains on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToyCase {
    /// Uniform on {0} x [0, 1] against uniform on {theta} x [0, 1].
    Lines { theta: f64 },
    /// N(mu_r, sigma^2) against N(mu_g, sigma^2).
    Gaussians { mu_r: f64, mu_g: f64, sigma: f64 },
}

impl ToyCase {
    /// Input dimension of the networks.
    pub fn dim(&self) -> usize {
        match self {
            ToyCase::Lines { .. } => 2,
            ToyCase::Gaussians { .. } => 1,
        }
    }

    /// The exact divergences of this case.
    pub fn divergences(&self) -> Divergences {
        match *self {
            ToyCase::Lines { theta } => lines_divergences(theta),
            ToyCase::Gaussians { mu_r, mu_g, sigma } => gaussian_divergences(mu_r, mu_g, sigma),
        }
    }

    /// `n` points from P_r (`real`) or P_g, row-major [n, dim].
    fn sample(&self, real: bool, n: usize, rng: &mut SplitMix64) -> Vec<f32> {
        match *self {
            ToyCase::Lines { theta } => {
                let x = if real { 0.0 } else { theta };
                (0..n)
                    .flat_map(|_| [x as f32, rng.uniform() as f32])
                    .collect()
            }
            ToyCase::Gaussians { mu_r, mu_g, sigma } => {
                let mu = if real { mu_r } else { mu_g };
                rng.normals(n)
                    .into_iter()
                    .map(|z| (mu + sigma * z as f64) as f32)
                    .collect()
            }
        }
    }
}

/// A small MLP: dim -> 64 -> 64 -> 1 with LeakyReLU(0.2), raw score out.
#[derive(Module, Debug)]
pub struct ToyNet {
    hidden: Vec<Linear>,
    out: Linear,
}

/// Hidden width of the toy networks.
pub const TOY_WIDTH: usize = 64;

impl ToyNet {
    pub fn new(dim: usize, device: &Device) -> Self {
        ToyNet {
            hidden: vec![
                LinearConfig::new(dim, TOY_WIDTH).init(device),
                LinearConfig::new(TOY_WIDTH, TOY_WIDTH).init(device),
            ],
            out: LinearConfig::new(TOY_WIDTH, 1).init(device),
        }
    }

    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let mut h = x; // [n, dim]
        for fc in &self.hidden {
            h = leaky_relu(fc.forward(h), LEAKY_SLOPE); // [n, 64]
        }
        self.out.forward(h) // [n, 1]
    }
}

/// Hyperparameters of the toy lab (fixed: the toy cases are about the loss, not tuning).
pub const TOY_BATCH: usize = 256;
/// Discriminator: Adam(1e-3, 0.5, 0.999) on the BCE loss.
pub const TOY_LR_D: f64 = 1e-3;
/// Critic: RMSProp(1e-3) with weights clipped to [-TOY_CLIP, TOY_CLIP].
pub const TOY_LR_F: f64 = 1e-3;
pub const TOY_CLIP: f64 = 0.1;

/// One measurement of the lab's two networks.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ToyPoint {
    /// Training steps so far (each step updates both networks once).
    pub step: u64,
    /// log 2 - L_D / 2 from the discriminator.
    pub js_hat: f64,
    /// E_r f - E_g f, in the clipped critic's own units (K W).
    pub w_raw: f64,
    /// max ||grad_x f|| over real, generated and interpolated points: the critic's K, estimated.
    pub lipschitz: f64,
    /// w_raw / lipschitz: the critic's estimate of W.
    pub w_hat: f64,
}

/// Both networks evaluated along a line of inputs (1-D case): what the page plots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Profile {
    pub x: Vec<f64>,
    /// D(x) = sigmoid(logit), a probability.
    pub d: Vec<f64>,
    /// |dD/dx|.
    pub d_grad: Vec<f64>,
    /// f(x) / K_hat (scaled to be 1-Lipschitz), shifted so that its mean over `x` is 0.
    pub f: Vec<f64>,
    /// |df/dx| / K_hat.
    pub f_grad: Vec<f64>,
}

/// A discriminator and a critic learning to tell P_r from P_g, live.
pub struct ToyLab {
    case: ToyCase,
    device: Device,
    d: ToyNet,
    f: ToyNet,
    opt_d: ModuleOptimizer,
    opt_f: ModuleOptimizer,
    rng: SplitMix64,
    step: u64,
    lipschitz: f64,
}

impl ToyLab {
    pub fn new(case: ToyCase, seed: u64, device: &Device) -> Self {
        let device = device.clone().autodiff();
        let dim = case.dim();
        // The critic draws first (its clipping materialises it), then the discriminator, as when
        // the discriminator was still initialised lazily at its first forward pass.
        let (d, f) = seeded(&device, seed, || {
            let d = ToyNet::new(dim, &device);
            let f = clip_module(ToyNet::new(dim, &device), TOY_CLIP);
            (materialize(d), f)
        });
        ToyLab {
            case,
            d,
            f,
            opt_d: AdamConfig::new()
                .with_beta_1(0.5)
                .with_beta_2(0.999)
                .with_epsilon(1e-8)
                .init(),
            opt_f: RmsPropConfig::new()
                .with_alpha(0.99)
                .with_momentum(0.0)
                .with_epsilon(1e-8)
                .init(),
            rng: SplitMix64::new(seed ^ 0x70_79),
            device,
            step: 0,
            lipschitz: 1.0,
        }
    }

    pub fn case(&self) -> ToyCase {
        self.case
    }

    /// Move the distributions (the slider); the networks keep learning from where they are.
    pub fn set_case(&mut self, case: ToyCase) -> Result<(), String> {
        if case.dim() != self.case.dim() {
            return Err("a lab cannot switch between the two toy cases; start a new one".into());
        }
        self.case = case;
        Ok(())
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }

    fn batch(&mut self, real: bool, n: usize) -> Tensor<2> {
        let v = self.case.sample(real, n, &mut self.rng);
        Tensor::from_data(TensorData::new(v, [n, self.case.dim()]), &self.device)
    }

    /// `n` updates of each network on fresh samples.
    pub fn train(&mut self, n: usize) {
        for _ in 0..n {
            let real = self.batch(true, TOY_BATCH);
            let fake = self.batch(false, TOY_BATCH);
            let loss = gan_d_loss(self.d.forward(real.clone()), self.d.forward(fake.clone()))
                .mul_scalar(0.5);
            let grads = GradientsParams::from_grads(loss.backward(), &self.d);
            self.d = self.opt_d.step(TOY_LR_D, self.d.clone(), grads);

            let loss = wgan_critic_loss(self.f.forward(real), self.f.forward(fake));
            let grads = GradientsParams::from_grads(loss.backward(), &self.f);
            self.f = clip_module(self.opt_f.step(TOY_LR_F, self.f.clone(), grads), TOY_CLIP);
            self.step += 1;
        }
    }

    /// ||grad_x net(x)|| per row of `x` [n, dim], as a device tensor [n].
    fn input_grad_norms(&self, net: &ToyNet, x: Tensor<2>) -> Tensor<1> {
        let n = x.shape().dims::<2>()[0];
        let x = x.detach().require_grad();
        let out = net.forward(x.clone()).sum();
        let grads = out.backward();
        let g = x.grad(&grads).expect("the input takes a gradient"); // [n, dim]
        g.powi_scalar(2).sum_dim(1).sqrt().reshape([n])
    }

    /// JS_hat, W_hat (raw and Lipschitz-normalised) on fresh samples of 2,048 per side.
    pub async fn measure(&mut self) -> Result<ToyPoint, String> {
        const N: usize = 2048;
        let real = self.batch(true, N);
        let fake = self.batch(false, N);
        let t: Vec<f32> = (0..N).map(|_| self.rng.uniform() as f32).collect();
        let t = Tensor::<2>::from_data(TensorData::new(t, [N, 1]), &self.device);
        let mix = real.clone().mul(t.clone()) + fake.clone().mul(t.neg().add_scalar(1.0));
        let loss_d = gan_d_loss(
            self.d.forward(real.clone()).detach(),
            self.d.forward(fake.clone()).detach(),
        );
        let w = self.f.forward(real.clone()).detach().mean()
            - self.f.forward(fake.clone()).detach().mean();
        let norms = self.input_grad_norms(&self.f, Tensor::cat(vec![real, fake, mix], 0));
        let k = norms.max(); // [1]
        let v = read_f32(Tensor::cat(vec![loss_d.inner(), w.inner(), k.inner()], 0)).await?;
        let (loss_d, w_raw, k) = (v[0] as f64, v[1] as f64, v[2] as f64);
        if !(loss_d.is_finite() && w_raw.is_finite() && k.is_finite()) {
            return Err("a toy network's output became non-finite".into());
        }
        self.lipschitz = k.max(1e-12);
        Ok(ToyPoint {
            step: self.step,
            js_hat: js_hat(loss_d),
            w_raw,
            lipschitz: k,
            w_hat: w_raw / self.lipschitz,
        })
    }

    /// D(x), f(x) and their input gradients along `xs` (the 1-D case only). Uses the K_hat of the
    /// last [`ToyLab::measure`].
    pub async fn profile(&self, xs: &[f64]) -> Result<Profile, String> {
        if self.case.dim() != 1 {
            return Err("profiles are drawn for the 1-D case only".into());
        }
        let n = xs.len();
        let x = Tensor::<2>::from_data(
            TensorData::new(xs.iter().map(|&v| v as f32).collect(), [n, 1]),
            &self.device,
        );
        let xg = x.clone().require_grad();
        let d = sigmoid(self.d.forward(xg.clone())); // [n, 1]
        let grads = d.clone().sum().backward();
        let d_grad = xg.grad(&grads).expect("the input takes a gradient"); // [n, 1]
        let f = self.f.forward(x.clone()).detach(); // [n, 1]
        let f_grad = self.input_grad_norms(&self.f, x);
        let all = Tensor::cat(
            vec![
                d.detach().inner().reshape([n]),
                d_grad.abs().reshape([n]),
                f.inner().reshape([n]),
                f_grad.inner(),
            ],
            0,
        );
        let v = read_f32(all).await?;
        let k = self.lipschitz;
        let col = |i: usize| v[i * n..(i + 1) * n].iter().map(|&x| x as f64);
        let f_raw: Vec<f64> = col(2).map(|y| y / k).collect();
        let mean = f_raw.iter().sum::<f64>() / n.max(1) as f64;
        Ok(Profile {
            x: xs.to_vec(),
            d: col(0).collect(),
            d_grad: col(1).collect(),
            f: f_raw.iter().map(|y| y - mean).collect(),
            f_grad: col(3).map(|g| g / k).collect(),
        })
    }
}
