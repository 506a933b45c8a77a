//! "Train D to optimality" (docs/theory.md 7.1; Arjovsky & Bottou 2017, Fig. 2): a run's generator is
//! frozen, a discriminator and a critic are trained against it, and the generator's gradient under
//! each loss is measured as they approach their optimum.

use burn::module::Module;
use burn::optim::{GradientsParams, ModuleOptimizer, RmsPropConfig};
use burn::tensor::{Device, Tensor};
use serde::Serialize;

use crate::config::{GanLoss, Objective};
use crate::metrics::grad_norm_sq;
use crate::nets::{Generator, ScoreNet};
use crate::objective::{gan_d_loss, gan_g_loss, js_hat, wgan_critic_loss, wgan_g_loss};
use crate::rng::SplitMix64;
use crate::tensors::{clip_module, materialize, normal_noise, random_rows, read_f32, seeded};
use crate::train::{probe_optimizer, Trainer};

/// Options of the "train D to optimality" experiment (docs/theory.md 7.1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimalityOptions {
    /// Discriminator / critic updates in all.
    pub steps: usize,
    /// Updates between measurements.
    pub log_every: usize,
    /// Discriminator: Adam(lr_d, 0.5, 0.999) on the BCE loss, batch of the run.
    pub lr_d: f64,
    /// Critic: RMSProp(lr_f), weights clipped to [-clip, clip].
    pub lr_f: f64,
    pub clip: f64,
    pub seed: u64,
    /// Continue from the run's own discriminator (GAN run) or critic (WGAN run), as "train it k
    /// steps more"; the other network, and both when false, start from scratch.
    pub from_run: bool,
}

impl OptimalityOptions {
    /// 2,000 updates from scratch with the papers' rates: Adam 2e-4 (GAN), RMSProp 5e-5 and
    /// c = 0.01 (WGAN).
    pub fn paper() -> Self {
        OptimalityOptions {
            steps: 2000,
            log_every: 50,
            lr_d: 2e-4,
            lr_f: 5e-5,
            clip: 0.01,
            seed: 1,
            from_run: true,
        }
    }
}

/// One measurement of the optimality experiment, on a fixed evaluation batch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OptimalityPoint {
    /// Discriminator (and critic) updates so far.
    pub k: usize,
    /// log 2 - L_D / 2 of the discriminator.
    pub js_hat: f64,
    /// ||grad_G E[log(1 - D(G(z)))]||: the saturating (minimax) generator loss.
    pub grad_saturating: f64,
    /// ||grad_G E[-log D(G(z))]||: the non-saturating loss.
    pub grad_nonsaturating: f64,
    /// E_real f - E_fake f of the critic.
    pub w_hat: f64,
    /// ||grad_G (-E f(G(z)))||.
    pub grad_wgan: f64,
}

/// A frozen generator, a fresh discriminator and a fresh critic trained side by side.
pub struct Optimality {
    opts: OptimalityOptions,
    device: Device,
    g: Generator,
    d: ScoreNet,
    f: ScoreNet,
    opt_d: ModuleOptimizer,
    opt_f: ModuleOptimizer,
    data: Tensor<2>,
    n_data: usize,
    batch: usize,
    latent: usize,
    rng: SplitMix64,
    eval_real: Tensor<2>,
    eval_noise: Tensor<2>,
    k: usize,
}

/// Images per side of the optimality experiment's evaluation batch.
pub const OPTIMALITY_EVAL_N: usize = 256;

impl Optimality {
    /// Freeze `run`'s generator where it is and set up the discriminator and critic to train.
    pub fn new(run: &Trainer, opts: OptimalityOptions) -> Self {
        let cfg = run.config();
        // Continuing a WGAN run's own critic: keep its clip and learning rate, or the first
        // clipping would already change the critic being "trained k steps more".
        let opts = match cfg.objective {
            Objective::Wgan if opts.from_run => OptimalityOptions {
                clip: cfg.clip,
                lr_f: cfg.lr_d,
                ..opts
            },
            _ => opts,
        };
        let device = run.device().clone();
        let (_, d_widths) = cfg.widths();
        let (data, n_data) = run.data();
        let mut rng = SplitMix64::new(opts.seed ^ 0x0b7);
        let eval_real = random_rows(data, n_data, OPTIMALITY_EVAL_N, &mut rng);
        let eval_noise = normal_noise(&mut rng, OPTIMALITY_EVAL_N, cfg.latent, &device);
        let (d, f) = seeded(&device, opts.seed, || {
            let d = match cfg.objective {
                Objective::Gan if opts.from_run => run.critic().clone(),
                _ => materialize(ScoreNet::new(&d_widths, &device)),
            };
            let f = match cfg.objective {
                Objective::Wgan if opts.from_run => clip_module(run.critic().clone(), opts.clip),
                _ => clip_module(ScoreNet::new(&d_widths, &device), opts.clip),
            };
            (d, f)
        });
        Optimality {
            d,
            f,
            opt_d: probe_optimizer(),
            opt_f: RmsPropConfig::new()
                .with_alpha(0.99)
                .with_momentum(0.0)
                .with_epsilon(1e-8)
                .init(),
            g: run.generator().clone(),
            data: data.clone(),
            n_data,
            batch: cfg.batch,
            latent: cfg.latent,
            rng,
            eval_real,
            eval_noise,
            opts,
            device,
            k: 0,
        }
    }

    pub fn options(&self) -> &OptimalityOptions {
        &self.opts
    }

    /// Updates done so far.
    pub fn done(&self) -> usize {
        self.k
    }

    pub fn finished(&self) -> bool {
        self.k >= self.opts.steps
    }

    /// Up to `n` more updates of both the discriminator and the critic (the generator is frozen).
    pub fn advance(&mut self, n: usize) {
        let n = n.min(self.opts.steps - self.k);
        for _ in 0..n {
            let real = random_rows(&self.data, self.n_data, self.batch, &mut self.rng);
            let z = normal_noise(&mut self.rng, self.batch, self.latent, &self.device);
            let fake = self.g.forward(z).detach();
            let loss = gan_d_loss(self.d.forward(real.clone()), self.d.forward(fake.clone()))
                .mul_scalar(0.5);
            let grads = GradientsParams::from_grads(loss.backward(), &self.d);
            self.d = self.opt_d.step(self.opts.lr_d, self.d.clone(), grads);
            let loss = wgan_critic_loss(self.f.forward(real), self.f.forward(fake));
            let grads = GradientsParams::from_grads(loss.backward(), &self.f);
            self.f = clip_module(
                self.opt_f.step(self.opts.lr_f, self.f.clone(), grads),
                self.opts.clip,
            );
            self.k += 1;
        }
    }

    fn g_grad_norm_sq(&self, loss: Tensor<1>) -> Result<Tensor<1>, String> {
        let grads = GradientsParams::from_grads(loss.backward(), &self.g);
        grad_norm_sq(&self.g, &grads).ok_or_else(|| "the generator has no gradient".into())
    }

    /// JS_hat, W_hat and the three generator gradient norms on the fixed evaluation batch.
    pub async fn measure(&self) -> Result<OptimalityPoint, String> {
        let d = self.d.clone().no_grad();
        let f = self.f.clone().no_grad();
        let fake = || self.g.forward(self.eval_noise.clone());
        let real_d = d.forward(self.eval_real.clone());
        let fake_d = d.forward(fake().detach());
        let loss_d = gan_d_loss(real_d, fake_d).inner();
        let sat = self.g_grad_norm_sq(gan_g_loss(d.forward(fake()), GanLoss::Saturating))?;
        let nonsat = self.g_grad_norm_sq(gan_g_loss(d.forward(fake()), GanLoss::NonSaturating))?;
        let w =
            (f.forward(self.eval_real.clone()).mean() - f.forward(fake().detach()).mean()).inner();
        let wg = self.g_grad_norm_sq(wgan_g_loss(f.forward(fake())))?;
        let v = read_f32(Tensor::cat(
            vec![loss_d, sat.inner(), nonsat.inner(), w, wg.inner()],
            0,
        ))
        .await?;
        if v.iter().any(|x| !x.is_finite()) {
            return Err("a loss became non-finite during the optimality experiment".into());
        }
        Ok(OptimalityPoint {
            k: self.k,
            js_hat: js_hat(v[0] as f64),
            grad_saturating: (v[1] as f64).sqrt(),
            grad_nonsaturating: (v[2] as f64).sqrt(),
            w_hat: v[3] as f64,
            grad_wgan: (v[4] as f64).sqrt(),
        })
    }
}
