//! The trainer: one generator step in, numbers out. Nothing here draws or prints.
//!
//! A *step* is one generator update, preceded by `n_critic` discriminator/critic updates (1 for the
//! GAN, 5 for the WGAN), as the WGAN paper counts "generator iterations". Measurements are taken
//! on demand by [`Trainer::measure`], from the current parameters and with a separate random
//! stream, so a run follows the same trajectory whether it is logged every step or never.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor, TensorData};

use crate::config::{GanLoss, Objective, OptimizerKind, RunConfig};
use crate::data::Mnist;
use crate::nets::{Generator, Role, ScoreNet, PIXELS};
use crate::objective::{
    encoder_loss, gan_d_loss, gan_g_loss, gradient_penalty, real_gradient_penalty,
    wgan_critic_loss, wgan_g_loss,
};
use crate::rng::SplitMix64;
use crate::tensors::{
    clip_module, materialize, normal_noise, random_rows, read_module_params, seeded,
};

pub mod checkpoint;
pub mod known_answer;
pub mod measure;
mod parts;
pub mod point;
mod views;
pub mod yardstick;

use crate::cpu::optim::{FusedAdam, FusedRmsProp};
pub use checkpoint::Checkpoint;
pub(crate) use parts::{Batches, Instruments, Nets, Optimizers, Watch};
pub use point::LogPoint;

/// The WGAN authors' critic schedule (`critic_boost`): boosted during the first 25 generator steps
/// and at every 500th (Arjovsky et al.'s code: `if gen_iterations < 25 or gen_iterations % 500 == 0`).
pub const BOOST_STEPS: u64 = 25;
pub const BOOST_EVERY: u64 = 500;

/// Critic updates that bring a copy of the clipped WGAN's critic up to date before its estimate
/// W_hat is read (at every judged point, [`yardstick::JUDGE_EVERY`]): the critic the generator
/// trains against lags it at 5 updates per step, so its loss under-reads the supremum W is defined
/// by. Measured with `lesson-check --runs wgan` over the default page's first 3 minutes, ρ(W_hat,
/// feature distance) on seeds 1 / 2 / 3: the lagging critic +0.33 / +0.56 / +0.38; caught up with
/// 10 updates at every logged point +0.53 / +0.80 / +0.66, 25 at every judged point +0.76 / +0.92 /
/// +0.90, 50 +0.86 / +0.90 / +0.91 (README, "Does the default page teach the lesson?").
pub const CATCH_UP: usize = 50;

/// Images in the live sample grid (8 x 8), drawn from a noise batch fixed at start.
pub const GRID: usize = 64;

/// Learning rate of the probe discriminator: Adam(5e-4, 0.5, 0.999), one update per step.
pub const PROBE_LR: f64 = 5e-4;
/// Images per side of the fixed batch the estimates are measured on.
pub const EST_N: usize = 256;
/// Generated images classified by the mode-collapse meter.
pub const MODE_N: usize = 1000;

/// The optimiser a run's settings ask for.
fn optimizer(cfg: &RunConfig) -> ModuleOptimizer {
    match cfg.optimizer {
        OptimizerKind::Adam => FusedAdam::new(cfg.beta1 as f32, cfg.beta2 as f32, 1e-8).init(),
        OptimizerKind::RmsProp => rmsprop(),
    }
}

/// RMSProp as the WGAN scripts use it (PyTorch's defaults: alpha 0.99, no momentum).
pub fn rmsprop() -> ModuleOptimizer {
    FusedRmsProp::new(0.99, 1e-8).init()
}

/// The probe discriminator's optimiser (also the optimality experiment's discriminator):
/// Adam(0.5, 0.999).
pub fn probe_optimizer() -> ModuleOptimizer {
    FusedAdam::new(0.5, 0.999, 1e-8).init()
}

/// A GAN or WGAN run on one device: the run itself (settings, device, step, batch stream), its
/// networks and optimisers, its data and its instruments.
pub struct Trainer {
    cfg: RunConfig,
    device: Device,
    /// The same device without autodiff.
    plain: Device,
    step: u64,
    rng: SplitMix64,
    nets: Nets,
    opts: Optimizers,
    batches: Batches,
    instruments: Instruments,
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
        let (g_widths, d_widths) = cfg.widths();
        let nets = seeded(&device, cfg.seed, || Nets {
            g: materialize(Generator::new(cfg.latent, &g_widths, &device)),
            d: materialize(ScoreNet::new(&d_widths, &device)),
            probe: cfg
                .probe
                .then(|| materialize(ScoreNet::new(&d_widths, &device))),
            enc: (cfg.objective == Objective::Energy)
                .then(|| materialize(ScoreNet::with_outputs(&d_widths, cfg.latent, &device))),
        });
        let pm1 = mnist.to_pm1();
        let data = Tensor::<2>::from_data(TensorData::new(pm1.clone(), [n_data, PIXELS]), &device);

        let rng = SplitMix64::new(cfg.seed);
        let mut fixed = SplitMix64::new(cfg.seed.wrapping_add(0x9e37));
        let grid_noise = normal_noise(&mut fixed, GRID, cfg.latent, &device);
        let eval_noise = normal_noise(&mut fixed, cfg.emd_n, cfg.latent, &device);
        let mode_noise = normal_noise(&mut fixed, MODE_N, cfg.latent, &device);
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
        let est_noise = normal_noise(&mut fixed, EST_N, cfg.latent, &device);

        let opts = Optimizers {
            g: optimizer(&cfg),
            d: optimizer(&cfg),
            probe: nets.probe.as_ref().map(|_| probe_optimizer()),
            enc: nets.enc.as_ref().map(|_| optimizer(&cfg)),
        };
        Ok(Trainer {
            cfg,
            device,
            plain,
            step: 0,
            rng,
            nets,
            opts,
            batches: Batches {
                data,
                n_data,
                est_real,
                est_noise,
                grid_noise,
                eval_noise,
                mode_noise,
                eval_real,
                floor_real,
            },
            instruments: Instruments {
                series: Vec::new(),
                series_steps_last: None,
                yardstick: None,
                held: None,
            },
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

    fn noise(rng: &mut SplitMix64, cfg: &RunConfig, device: &Device) -> Tensor<2> {
        normal_noise(rng, cfg.batch, cfg.latent, device)
    }

    /// `n` training images drawn uniformly with replacement, gathered on the device.
    fn real_batch(&self, n: usize, rng: &mut SplitMix64) -> Tensor<2> {
        random_rows(&self.batches.data, self.batches.n_data, n, rng) // [n, 784]
    }

    /// `n` real images and `n` detached generated ones from `rng`: what the networks that only
    /// watch the run (the probe, the judges) train on.
    fn watcher_batch(&self, n: usize, rng: &mut SplitMix64) -> (Tensor<2>, Tensor<2>) {
        let real = self.real_batch(n, rng); // [n, 784]
        let noise = normal_noise(rng, n, self.cfg.latent, &self.device);
        let fake = self.nets.g.forward(noise).detach(); // [n, 784]
        (real, fake)
    }

    /// One update of a network that only watches (the probe, the judges, the caught-up critic) on
    /// a watcher batch of `w.batch` per side: a discriminator by the halved cross-entropy, a
    /// critic by the Kantorovich-Rubinstein loss with every weight clipped afterwards.
    fn watch_step(
        &self,
        (d, mut opt): (ScoreNet, ModuleOptimizer),
        w: Watch,
        rng: &mut SplitMix64,
    ) -> (ScoreNet, ModuleOptimizer) {
        let (real, fake) = self.watcher_batch(w.batch, rng);
        let (real, fake) = (d.forward(real), d.forward(fake));
        if w.role.is_critic() {
            let loss = wgan_critic_loss(real, fake);
            let grads = GradientsParams::from_grads(loss.backward(), &d);
            (clip_module(opt.step(w.lr, d, grads), w.clip), opt)
        } else {
            let loss = gan_d_loss(real, fake).mul_scalar(0.5);
            let grads = GradientsParams::from_grads(loss.backward(), &d);
            (opt.step(w.lr, d, grads), opt)
        }
    }

    /// Discriminator/critic loss on one batch (the value the optimiser minimises is this, halved
    /// for the GAN as in PyTorch-GAN; Adam does not care about the scale).
    fn critic_loss(&self, rng: &mut SplitMix64) -> Tensor<1> {
        let real = self.real_batch(self.cfg.batch, rng);
        let fake = self
            .nets
            .g
            .forward(Self::noise(rng, &self.cfg, &self.device))
            .detach();
        let real_scores = self.nets.d.forward(real.clone()); // [batch, 1]
        let fake_scores = self.nets.d.forward(fake.clone()); // [batch, 1]
        let lambda = self.cfg.lambda;
        match self.cfg.objective {
            Objective::Gan => gan_d_loss(real_scores, fake_scores),
            Objective::Wgan => wgan_critic_loss(real_scores, fake_scores),
            Objective::WganGp => {
                let eps: Vec<f32> = (0..self.cfg.batch).map(|_| rng.uniform() as f32).collect();
                let eps =
                    Tensor::<2>::from_data(TensorData::new(eps, [self.cfg.batch, 1]), &self.device);
                wgan_critic_loss(real_scores, fake_scores)
                    + gradient_penalty(&self.nets.d, real, fake, eps).mul_scalar(lambda)
            }
            Objective::Energy => {
                wgan_critic_loss(real_scores, fake_scores)
                    + real_gradient_penalty(&self.nets.d, real).mul_scalar(lambda)
            }
        }
    }

    /// Generator loss for noise `z` through a critic whose weights take no gradient (for the
    /// energy GAN with the encoder term, whose gradient also reaches the encoder).
    fn generator_loss(&self, z: Tensor<2>) -> Tensor<1> {
        let fake = self.nets.g.forward(z.clone());
        let scores = self.nets.d.clone().no_grad().forward(fake.clone());
        match self.cfg.objective {
            Objective::Gan => gan_g_loss(scores, self.cfg.gan_loss),
            Objective::Wgan | Objective::WganGp => wgan_g_loss(scores),
            Objective::Energy => {
                let loss = wgan_g_loss(scores);
                match &self.nets.enc {
                    Some(enc) => {
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
        for _ in 0..self.critic_updates() {
            let loss = self.critic_loss(&mut rng);
            let loss = match self.cfg.objective {
                Objective::Gan => loss.mul_scalar(0.5),
                _ => loss,
            };
            let grads = GradientsParams::from_grads(loss.backward(), &self.nets.d);
            self.nets.d = self.opts.d.step(self.cfg.lr_d, self.nets.d.clone(), grads);
            if self.cfg.objective == Objective::Wgan {
                self.nets.d = clip_module(self.nets.d.clone(), self.cfg.clip);
            }
        }
        if let (Some(net), Some(opt)) = (self.nets.probe.take(), self.opts.probe.take()) {
            let watch = Watch {
                role: Role::Probe,
                lr: PROBE_LR,
                batch: self.cfg.batch,
                clip: 0.0,
            };
            let (net, opt) = self.watch_step((net, opt), watch, &mut rng);
            (self.nets.probe, self.opts.probe) = (Some(net), Some(opt));
        }
        let loss_g = self.generator_loss(Self::noise(&mut rng, &self.cfg, &self.device));
        let mut grads = loss_g.backward();
        let g_grads = GradientsParams::from_module(&mut grads, &self.nets.g);
        self.nets.g = self
            .opts
            .g
            .step(self.cfg.lr_g, self.nets.g.clone(), g_grads);
        if let (Some(enc), Some(opt)) = (self.nets.enc.take(), self.opts.enc.as_mut()) {
            let e_grads = GradientsParams::from_module(&mut grads, &enc);
            self.nets.enc = Some(opt.step(self.cfg.lr_g, enc, e_grads));
        }
        self.rng = rng;
        self.step += 1;
    }

    /// Critic updates before the next generator step: `n_critic`, or the WGAN's `critic_boost`
    /// during its first [`BOOST_STEPS`] steps and at every [`BOOST_EVERY`]-th.
    pub fn critic_updates(&self) -> usize {
        let boosted = self.step < BOOST_STEPS || self.step.is_multiple_of(BOOST_EVERY);
        if self.cfg.objective == Objective::Wgan && self.cfg.critic_boost > 0 && boosted {
            self.cfg.critic_boost
        } else {
            self.cfg.n_critic
        }
    }

    /// The generator as it is now (clones share tensors: no copy).
    pub fn generator(&self) -> &Generator {
        &self.nets.g
    }

    /// The discriminator (GAN) or critic as it is now.
    pub fn critic(&self) -> &ScoreNet {
        &self.nets.d
    }

    /// The run's device, with autodiff.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// The training images in [-1, 1] on the device, [N, 784], and N.
    pub fn data(&self) -> (&Tensor<2>, usize) {
        (&self.batches.data, self.batches.n_data)
    }

    /// The fixed noise behind the sample grid: [GRID, latent].
    pub fn grid_noise(&self) -> &Tensor<2> {
        &self.batches.grid_noise
    }

    /// The EMD yardstick's fixed real images in [0, 1]: [emd_n, 784].
    pub fn eval_real(&self) -> &Tensor<2> {
        &self.batches.eval_real
    }

    /// Every critic parameter, flattened (for tests of the clipping).
    pub async fn critic_params(&self) -> Result<Vec<f32>, String> {
        read_module_params(&self.nets.d).await
    }
}
