//! The trainer: one generator step in, numbers out. Nothing here draws or prints.
//!
//! A *step* is one generator update, preceded by `n_critic` discriminator/critic updates (1 for the
//! GAN, 5 for the WGAN), as the WGAN paper counts "generator iterations". Measurements are taken
//! on demand by [`Trainer::measure`], from the current parameters and with a separate random
//! stream, so a run follows the same trajectory whether it is logged every step or never.

use burn::module::{Module, ModuleMapper, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, RmsPropConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::classifier::{mode_stats, Classifier, ModeStats};
use crate::config::{GanLoss, Objective, OptimizerKind, RunConfig};
use crate::data::Mnist;
use crate::metrics::{emd_from_costs, grad_norm_sq, pairwise_distances, spearman};
use crate::model::{Critic, Generator, PIXELS};
use crate::objective::{
    encoder_loss, gan_d_loss, gan_g_loss, gradient_penalty, js_hat, real_gradient_penalty, w_hat,
    wgan_critic_loss, wgan_g_loss,
};
use crate::rng::SplitMix64;

pub use crate::optimality::{Optimality, OptimalityOptions, OptimalityPoint, OPTIMALITY_EVAL_N};

/// Images in the live sample grid (8 x 8), drawn from a noise batch fixed at start.
pub const GRID: usize = 64;

/// One logged point: the run's state after `step` generator updates.
#[derive(Clone, Debug, PartialEq)]
pub struct LogPoint {
    pub step: u64,
    /// GAN only: log 2 - L_D / 2.
    pub js_hat: Option<f64>,
    /// WGAN, WGAN-GP and energy GAN: E f(real) - E f(fake), penalty left out (for the energy GAN
    /// f = -U, so this is the energy gap E U(fake) - E U(real)).
    pub w_hat: Option<f64>,
    /// Exact empirical W1 in pixel space ([0, 1] intensities), n real vs n generated images.
    pub emd: f64,
    /// Discriminator loss L_D (sum of the two BCE means) or critic loss L_f.
    pub loss_d: f64,
    /// Generator loss.
    pub loss_g: f64,
    /// ||grad_theta_G L_G||_2 over all generator parameters.
    pub grad_norm_g: f64,
    /// The probe discriminator's log 2 - L_probe / 2 (when the run has a probe).
    pub js_probe: Option<f64>,
    /// Spearman correlation, over the run's logged points so far (step 0 excluded), between its
    /// own estimate (JS_hat or W_hat) and the EMD yardstick (from 3 points on).
    pub rho_est: Option<f64>,
    /// The same for the probe's JS estimate.
    pub rho_probe: Option<f64>,
}

/// Learning rate of the probe discriminator: Adam(5e-4, 0.5, 0.999), one update per step.
pub const PROBE_LR: f64 = 5e-4;
/// Images per side of the fixed batch the estimates are measured on.
pub const EST_N: usize = 256;
/// Generated images classified by the mode-collapse meter.
pub const MODE_N: usize = 1000;

/// Keeps every critic parameter in [-c, c] (WGAN weight clipping) as a module map; with
/// `f64::INFINITY` it only materialises lazily initialised parameters.
struct Clip(f64);

impl ModuleMapper for Clip {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let (id, tensor, mapper) = param.consume();
        let require_grad = tensor.is_require_grad();
        let mut clipped = if self.0.is_finite() {
            Tensor::from_inner(tensor.inner().clamp(-self.0, self.0))
        } else {
            Tensor::from_inner(tensor.inner())
        };
        if require_grad {
            clipped = clipped.require_grad();
        }
        Param::from_mapped_value(id, clipped, mapper)
    }
}

/// Clamp every parameter of `critic` to [-c, c].
pub fn clip_weights(critic: Critic, c: f64) -> Critic {
    clip_module(critic, c)
}

/// Initialise every parameter of a fresh module now. Burn initialises parameters lazily, and a
/// clone made before that (e.g. a `no_grad()` copy for measuring) would share the pending
/// initialisation, so its flags could leak into the original.
pub fn materialize<M: Module>(m: M) -> M {
    m.map(&mut Clip(f64::INFINITY))
}

/// Clamp every float parameter of any module to [-c, c].
pub fn clip_module<M: Module>(m: M, c: f64) -> M {
    m.map(&mut Clip(c))
}

fn optimizer(cfg: &RunConfig) -> ModuleOptimizer {
    match cfg.optimizer {
        OptimizerKind::Adam => AdamConfig::new()
            .with_beta_1(cfg.beta1 as f32)
            .with_beta_2(cfg.beta2 as f32)
            .with_epsilon(1e-8)
            .init(),
        // PyTorch's RMSprop defaults, as the WGAN scripts use them: alpha 0.99, no momentum.
        OptimizerKind::RmsProp => RmsPropConfig::new()
            .with_alpha(0.99)
            .with_momentum(0.0)
            .with_epsilon(1e-8)
            .init(),
    }
}

pub(crate) fn probe_optimizer() -> ModuleOptimizer {
    AdamConfig::new()
        .with_beta_1(0.5)
        .with_beta_2(0.999)
        .with_epsilon(1e-8)
        .init()
}

/// A GAN or WGAN run on one device.
pub struct Trainer {
    pub(crate) cfg: RunConfig,
    pub(crate) device: Device,
    /// The same device without autodiff.
    plain: Device,
    pub(crate) g: Generator,
    pub(crate) d: Critic,
    opt_g: ModuleOptimizer,
    opt_d: ModuleOptimizer,
    /// A discriminator that only watches: trained on real vs generated images, never used by G.
    pub(crate) probe: Option<(Critic, ModuleOptimizer)>,
    /// Energy GAN only: the encoder E(x) -> z, trained with the generator.
    pub(crate) enc: Option<(Critic, ModuleOptimizer)>,
    /// (own estimate, probe JS or NaN, EMD) of every logged point, for the rank correlations.
    pub(crate) series: Vec<(f64, f64, f64)>,
    pub(crate) series_steps_last: Option<u64>,
    /// Fixed noise for the mode-collapse meter: [MODE_N, latent].
    mode_noise: Tensor<2>,
    /// The training images in [-1, 1], uploaded once: [N, 784].
    pub(crate) data: Tensor<2>,
    pub(crate) n_data: usize,
    pub(crate) rng: SplitMix64,
    /// A fixed evaluation batch for the estimates (JS_hat / W_hat / probe / ||grad G||): real
    /// images [EST_N, 784] in [-1, 1] and noise [EST_N, latent]. Fixed, so that the curves move
    /// only when the networks do, not with the sampling noise of a fresh batch.
    est_real: Tensor<2>,
    est_noise: Tensor<2>,
    pub(crate) grid_noise: Tensor<2>,
    eval_noise: Tensor<2>,
    /// Fixed real images for the EMD yardstick, in [0, 1] on the plain device: [emd_n, 784].
    pub(crate) eval_real: Tensor<2>,
    /// A second, disjoint real set: EMD(real, real') is the yardstick's floor at this n.
    floor_real: Tensor<2>,
    pub(crate) step: u64,
    /// The models as they were at a held step (see [`Trainer::hold`]), to be measured later.
    held: Option<Box<Held>>,
}

/// A run's networks at one step: clones share the tensors, so holding them costs no copy.
struct Held {
    step: u64,
    g: Generator,
    d: Critic,
    probe: Option<Critic>,
    enc: Option<Critic>,
}

impl Trainer {
    /// Build a run on `device` (a plain device; autodiff is added here).
    pub fn new(cfg: RunConfig, mnist: &Mnist, device: &Device) -> Result<Trainer, String> {
        let n_data = mnist.len();
        if n_data < 2 * cfg.emd_n {
            return Err(format!(
                "the data set has {n_data} images; the EMD yardstick needs at least {}",
                2 * cfg.emd_n
            ));
        }
        let plain = device.clone();
        let device = device.clone().autodiff();
        device.seed(cfg.seed);
        let (g_widths, d_widths) = cfg.widths();
        let g = materialize(Generator::new(cfg.latent, &g_widths, &device));
        let d = materialize(Critic::new(&d_widths, &device));
        let probe = cfg.probe.then(|| {
            (
                materialize(Critic::new(&d_widths, &device)),
                probe_optimizer(),
            )
        });
        let enc = (cfg.objective == Objective::Energy).then(|| {
            (
                materialize(Critic::with_outputs(&d_widths, cfg.latent, &device)),
                optimizer(&cfg),
            )
        });
        let pm1 = mnist.to_pm1();
        let data = Tensor::<2>::from_data(TensorData::new(pm1.clone(), [n_data, PIXELS]), &device);

        let rng = SplitMix64::new(cfg.seed);
        let mut fixed = SplitMix64::new(cfg.seed.wrapping_add(0x9e37));
        let grid_noise = Self::noise_from(&mut fixed, GRID, cfg.latent, &device);
        let eval_noise = Self::noise_from(&mut fixed, cfg.emd_n, cfg.latent, &device);
        let mode_noise = Self::noise_from(&mut fixed, MODE_N, cfg.latent, &device);
        // Two disjoint real sets for the yardstick: a random permutation prefix.
        let mut order: Vec<usize> = (0..n_data).collect();
        for i in (1..n_data).rev() {
            order.swap(i, fixed.below(i + 1));
        }
        // Gathered on the host: only these rows are uploaded, in [0, 1].
        let real_set = |idx: &[usize]| {
            let rows: Vec<f32> = idx
                .iter()
                .flat_map(|&i| {
                    pm1[i * PIXELS..(i + 1) * PIXELS]
                        .iter()
                        .map(|&x| (x + 1.0) / 2.0)
                })
                .collect();
            Tensor::<2>::from_data(TensorData::new(rows, [idx.len(), PIXELS]), &plain)
        };
        let eval_real = real_set(&order[..cfg.emd_n]);
        let floor_real = real_set(&order[cfg.emd_n..2 * cfg.emd_n]);
        let est_real = random_rows(&data, n_data, EST_N, &mut fixed);
        let est_noise = Self::noise_from(&mut fixed, EST_N, cfg.latent, &device);

        Ok(Trainer {
            opt_g: optimizer(&cfg),
            opt_d: optimizer(&cfg),
            cfg,
            device,
            plain,
            g,
            d,
            probe,
            enc,
            series: Vec::new(),
            series_steps_last: None,
            mode_noise,
            data,
            n_data,
            rng,
            est_real,
            est_noise,
            grid_noise,
            eval_noise,
            eval_real,
            floor_real,
            step: 0,
            held: None,
        })
    }

    pub fn config(&self) -> &RunConfig {
        &self.cfg
    }

    /// Switch the GAN's generator loss (saturating / -log D) without restarting the run.
    pub fn set_gan_loss(&mut self, loss: GanLoss) {
        self.cfg.gan_loss = loss;
    }

    /// Generator updates so far.
    pub fn step_count(&self) -> u64 {
        self.step
    }

    pub(crate) fn noise_from(
        rng: &mut SplitMix64,
        n: usize,
        latent: usize,
        device: &Device,
    ) -> Tensor<2> {
        Tensor::from_data(
            TensorData::new(rng.normals(n * latent), [n, latent]),
            device,
        )
    }

    fn noise(rng: &mut SplitMix64, cfg: &RunConfig, device: &Device) -> Tensor<2> {
        Self::noise_from(rng, cfg.batch, cfg.latent, device)
    }

    /// A batch drawn uniformly with replacement, gathered on the device.
    fn real_batch(&self, rng: &mut SplitMix64) -> Tensor<2> {
        random_rows(&self.data, self.n_data, self.cfg.batch, rng) // [batch, 784]
    }

    /// Discriminator/critic loss on one batch (the value the optimiser minimises is this, halved
    /// for the GAN as in PyTorch-GAN; Adam does not care about the scale).
    fn critic_loss(&self, rng: &mut SplitMix64) -> Tensor<1> {
        let real = self.real_batch(rng);
        let fake = self
            .g
            .forward(Self::noise(rng, &self.cfg, &self.device))
            .detach();
        let real_scores = self.d.forward(real.clone()); // [batch, 1]
        let fake_scores = self.d.forward(fake.clone()); // [batch, 1]
        let lambda = self.cfg.lambda;
        match self.cfg.objective {
            Objective::Gan => gan_d_loss(real_scores, fake_scores),
            Objective::Wgan => wgan_critic_loss(real_scores, fake_scores),
            Objective::WganGp => {
                let eps: Vec<f32> = (0..self.cfg.batch).map(|_| rng.uniform() as f32).collect();
                let eps =
                    Tensor::<2>::from_data(TensorData::new(eps, [self.cfg.batch, 1]), &self.device);
                wgan_critic_loss(real_scores, fake_scores)
                    + gradient_penalty(&self.d, real, fake, eps).mul_scalar(lambda)
            }
            Objective::Energy => {
                wgan_critic_loss(real_scores, fake_scores)
                    + real_gradient_penalty(&self.d, real).mul_scalar(lambda)
            }
        }
    }

    /// Generator loss for noise `z` through a critic whose weights take no gradient (for the
    /// energy GAN with the encoder term, whose gradient also reaches the encoder).
    fn generator_loss(&self, z: Tensor<2>) -> Tensor<1> {
        let fake = self.g.forward(z.clone());
        let scores = self.d.clone().no_grad().forward(fake.clone());
        match self.cfg.objective {
            Objective::Gan => gan_g_loss(scores, self.cfg.gan_loss),
            Objective::Wgan | Objective::WganGp => wgan_g_loss(scores),
            Objective::Energy => {
                let loss = wgan_g_loss(scores);
                match &self.enc {
                    Some((enc, _)) => {
                        loss + encoder_loss(z, enc.forward(fake)).mul_scalar(self.cfg.lambda2)
                    }
                    None => loss,
                }
            }
        }
    }

    /// One generator step: `n_critic` critic updates, then one generator update.
    pub fn train_step(&mut self) {
        let mut rng = self.rng.clone();
        for _ in 0..self.cfg.n_critic {
            let loss = self.critic_loss(&mut rng);
            let loss = match self.cfg.objective {
                Objective::Gan => loss.mul_scalar(0.5),
                _ => loss,
            };
            let grads = GradientsParams::from_grads(loss.backward(), &self.d);
            self.d = self.opt_d.step(self.cfg.lr_d, self.d.clone(), grads);
            if self.cfg.objective == Objective::Wgan {
                self.d = clip_weights(self.d.clone(), self.cfg.clip);
            }
        }
        if let Some((probe, mut opt)) = self.probe.take() {
            let real = self.real_batch(&mut rng);
            let fake = self
                .g
                .forward(Self::noise(&mut rng, &self.cfg, &self.device))
                .detach();
            let loss = gan_d_loss(probe.forward(real), probe.forward(fake)).mul_scalar(0.5);
            let grads = GradientsParams::from_grads(loss.backward(), &probe);
            let probe = opt.step(PROBE_LR, probe, grads);
            self.probe = Some((probe, opt));
        }
        let loss_g = self.generator_loss(Self::noise(&mut rng, &self.cfg, &self.device));
        let mut grads = loss_g.backward();
        let g_grads = GradientsParams::from_module(&mut grads, &self.g);
        self.g = self.opt_g.step(self.cfg.lr_g, self.g.clone(), g_grads);
        if let Some((enc, mut opt)) = self.enc.take() {
            let e_grads = GradientsParams::from_module(&mut grads, &enc);
            let enc = opt.step(self.cfg.lr_g, enc, e_grads);
            self.enc = Some((enc, opt));
        }
        self.rng = rng;
        self.step += 1;
    }

    /// Measure the current state: losses on a fresh batch, the generator's gradient norm, and the
    /// EMD yardstick. No parameter changes; one read-back from the device.
    pub async fn measure(&mut self) -> Result<LogPoint, String> {
        let fake = self.g.forward(self.est_noise.clone()).detach(); // [EST_N, 784]
        let real_scores = self.d.forward(self.est_real.clone()).detach();
        let d_frozen = self.d.clone().no_grad();
        let fake_scores = d_frozen.forward(fake.clone());
        // The critics' own estimate leaves their penalty out: W_hat (or the energy gap) alone.
        let loss_d = match self.cfg.objective {
            Objective::Gan => gan_d_loss(real_scores, fake_scores),
            _ => wgan_critic_loss(real_scores, fake_scores),
        }
        .inner();
        let loss_g = self.generator_loss(self.est_noise.clone());
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.g);
        let gn2 = grad_norm_sq(&self.g, &grads).ok_or("the generator has no gradient")?;
        let loss_probe = match &self.probe {
            Some((probe, _)) => gan_d_loss(
                probe.forward(self.est_real.clone()).detach(),
                probe.forward(fake.detach()).detach(),
            )
            .inner(),
            None => Tensor::<1>::zeros([1], &self.plain),
        };

        let n = self.cfg.emd_n;
        let fake = self.g.forward(self.eval_noise.clone()).detach().inner();
        let fake = fake.add_scalar(1.0).div_scalar(2.0); // [n, 784] in [0, 1]
        let dist = pairwise_distances(fake, self.eval_real.clone()).reshape([n * n]);
        let all = Tensor::cat(vec![loss_d, loss_g.inner(), gn2, loss_probe, dist], 0);
        let v = read_f32(all).await?;

        let (loss_d, loss_g, gn2) = (v[0] as f64, v[1] as f64, v[2] as f64);
        if !(loss_d.is_finite() && loss_g.is_finite() && gn2.is_finite()) {
            return Err(format!(
                "a loss became non-finite at step {} (L_D = {loss_d}, L_G = {loss_g}): the learning rate is probably too high",
                self.step
            ));
        }
        let js_probe = self.probe.as_ref().map(|_| js_hat(v[3] as f64));
        let costs: Vec<f64> = v[4..].iter().map(|&x| x as f64).collect();
        let emd = emd_from_costs(n, &costs)?;
        let (js, w) = match self.cfg.objective {
            Objective::Gan => (Some(js_hat(loss_d)), None),
            _ => (None, Some(w_hat(loss_d))),
        };
        let own = js.or(w).unwrap_or(f64::NAN);
        // A point re-measured at the same step (e.g. after a pause) replaces the last one. Step 0
        // is left out: a critic that has never been trained estimates nothing yet.
        if self.series_steps_last == Some(self.step) {
            self.series.pop();
        }
        if self.step > 0 {
            self.series.push((own, js_probe.unwrap_or(f64::NAN), emd));
            self.series_steps_last = Some(self.step);
        }
        let col =
            |k: usize| -> Vec<f64> { self.series.iter().map(|p| [p.0, p.1, p.2][k]).collect() };
        let emds = col(2);
        Ok(LogPoint {
            step: self.step,
            js_hat: js,
            w_hat: w,
            emd,
            loss_d,
            loss_g,
            grad_norm_g: gn2.sqrt(),
            js_probe,
            rho_est: spearman(&col(0), &emds),
            rho_probe: js_probe.and_then(|_| spearman(&col(1), &emds)),
        })
    }

    /// Keep the current networks so that [`Trainer::measure_held`] can measure them after training
    /// has moved on: the page's first step need not wait for the step-0 measurement.
    pub fn hold(&mut self) {
        self.held = Some(Box::new(Held {
            step: self.step,
            g: self.g.clone(),
            d: self.d.clone(),
            probe: self.probe.as_ref().map(|p| p.0.clone()),
            enc: self.enc.as_ref().map(|e| e.0.clone()),
        }));
    }

    /// Measure the held networks as [`Trainer::measure`] would have at their step (once; `None`
    /// when nothing is held). The live networks and step are back in place afterwards.
    pub async fn measure_held(&mut self) -> Result<Option<LogPoint>, String> {
        let Some(mut h) = self.held.take() else {
            return Ok(None);
        };
        self.swap_held(&mut h);
        let point = self.measure().await;
        self.swap_held(&mut h);
        point.map(Some)
    }

    fn swap_held(&mut self, h: &mut Held) {
        std::mem::swap(&mut self.step, &mut h.step);
        std::mem::swap(&mut self.g, &mut h.g);
        std::mem::swap(&mut self.d, &mut h.d);
        if let (Some(p), Some(hp)) = (self.probe.as_mut(), h.probe.as_mut()) {
            std::mem::swap(&mut p.0, hp);
        }
        if let (Some(e), Some(he)) = (self.enc.as_mut(), h.enc.as_mut()) {
            std::mem::swap(&mut e.0, he);
        }
    }

    /// Classify `MODE_N` generated images (a fixed noise batch) with `clf`: the class histogram,
    /// the classes covered and the histogram's entropy.
    pub async fn mode_stats(&self, clf: &Classifier) -> Result<ModeStats, String> {
        let g = self.g.clone().no_grad();
        let x = g
            .forward(self.mode_noise.clone())
            .inner()
            .add_scalar(1.0)
            .div_scalar(2.0); // [MODE_N, 784] in [0, 1]
        let labels = clf.predict(x).await?;
        Ok(mode_stats(&labels))
    }

    /// Start the "train D to optimality" experiment on a frozen copy of this run's generator.
    pub fn optimality(&self, opts: OptimalityOptions) -> Optimality {
        Optimality::new(self, opts)
    }

    /// EMD between two disjoint sets of real images: the lowest the yardstick can go at this n.
    pub async fn emd_floor(&self) -> Result<f64, String> {
        let n = self.cfg.emd_n;
        let dist = pairwise_distances(self.floor_real.clone(), self.eval_real.clone());
        let v = read_f32(dist.reshape([n * n])).await?;
        emd_from_costs(n, &v.iter().map(|&x| x as f64).collect::<Vec<_>>())
    }

    /// The 8 x 8 grid from the fixed noise batch: 64 x 784 bytes, 0 = background, 255 = ink.
    pub async fn samples(&self) -> Result<Vec<u8>, String> {
        let x = self.g.forward(self.grid_noise.clone()).detach().inner();
        let v = read_f32(x).await?;
        if !v.iter().all(|p| p.is_finite()) {
            return Err(format!(
                "the generator's images are not finite numbers at step {}: the learning rate is probably too high",
                self.step
            ));
        }
        Ok(to_bytes(&v))
    }

    /// Every critic parameter, flattened (for tests of the clipping).
    pub async fn critic_params(&self) -> Result<Vec<f32>, String> {
        read_module_params(&self.d).await
    }
}

/// Images in [-1, 1] as bytes, 0 = background, 255 = ink.
pub(crate) fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter()
        .map(|&p| ((p + 1.0) * 127.5).round().clamp(0.0, 255.0) as u8)
        .collect()
}

/// `count` rows of `data` [n_data, d] drawn uniformly with replacement, gathered on its device.
pub(crate) fn random_rows(
    data: &Tensor<2>,
    n_data: usize,
    count: usize,
    rng: &mut SplitMix64,
) -> Tensor<2> {
    let idx: Vec<i32> = (0..count).map(|_| rng.below(n_data) as i32).collect();
    let idx = Tensor::<1, Int>::from_data(TensorData::new(idx, [count]), &data.device());
    data.clone().select(0, idx) // [count, d]
}

/// Read a tensor back as f32, asynchronously (the only kind of read WebGPU allows in a browser).
pub async fn read_f32<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, String> {
    let data = t
        .into_data_async()
        .await
        .map_err(|e| format!("device read-back failed: {e:?}"))?;
    data.try_to_vec::<f32>()
        .map_err(|e| format!("device read-back gave unexpected data: {e:?}"))
}

/// All float parameters of a module, flattened and concatenated.
pub async fn read_module_params<M: Module>(m: &M) -> Result<Vec<f32>, String> {
    struct Collect(Vec<Tensor<1>>);
    impl burn::module::ModuleVisitor for Collect {
        fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
            let t = p.val().inner();
            let n = t.shape().num_elements();
            self.0.push(t.reshape([n]));
        }
    }
    let mut c = Collect(Vec::new());
    m.visit(&mut c);
    read_f32(Tensor::cat(c.0, 0)).await
}
