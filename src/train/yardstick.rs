//! The instruments that need more than the run itself (issue 16): the feature yardstick (the
//! digit classifier's features of held-out real digits) and two judges, a discriminator and a
//! clipped critic trained towards their optimum against the run's generator and evaluated on the
//! held-out digits: the seeds' claims are about the optimal D and the optimal critic.

use burn::optim::ModuleOptimizer;
use burn::tensor::Tensor;

use crate::data::Mnist;
use crate::metrics::{frechet_distance, Gaussian};
use crate::nets::classifier::{images01, Classifier, FEATURES};
use crate::nets::{Role, ScoreNet};
use crate::objective::{gan_d_loss, wgan_critic_loss};
use crate::rng::SplitMix64;
use crate::tensors::{clip_module, materialize, read_f32, seeded};
use crate::train::{probe_optimizer, rmsprop, Trainer, Watch, EST_N};

/// The yardstick and the judges measure every `JUDGE_EVERY`-th logged point (every 100 GAN or 50
/// WGAN steps in the classroom preset, ~4 s on the page). At every point they cost as much as the
/// training between points: the default page trained 11 / 5.7 steps/s instead of 26 / 13.
pub const JUDGE_EVERY: u64 = 5;
/// Updates of the near-optimal discriminator (the "judge") before every judged point: it is
/// warm-started, so over a run it keeps approaching the optimal D for the current generator.
/// Measured natively over the default page's first 3 minutes (seed 1, GAN / WGAN generator): at
/// every point, 30 updates at Adam 5e-4 gave a mean JS_opt of 0.59 / 0.55; at every 5th point,
/// 30 at 5e-4 gave 0.58 / 0.32, 15 at 5e-4 0.44 / 0.19, and 30 at 2e-3 0.62 / 0.38.
pub const JUDGE_STEPS: usize = 30;
/// The judge's Adam rate (the probe's is 5e-4): at every 5th point it must catch up faster.
pub const JUDGE_LR: f64 = 2e-3;
/// Updates of the critic judge before every judged point. At every point, 10 were enough for
/// W_opt to follow the feature distance (seed 1: rho +0.91 / +0.81); at every 5th point 10 gave
/// +0.87 / +0.50.
pub const CRITIC_JUDGE_STEPS: usize = 30;
/// The critic judge's weight clip and RMSProp rate: the classroom WGAN's, for every run alike.
pub const JUDGE_CLIP: f64 = 0.05;
pub const JUDGE_CRITIC_LR: f64 = 5e-4;
/// Images per side in each judge update, whatever the run's own batch: the judges are one
/// instrument for every run, and a run at batch 512 does not make them 8x dearer. `lesson-check
/// --runs wgan --wgan-steps 1200 wgan.batch=32`, rho(W_opt, FD) on seeds 1 / 2 / 3: judges at the
/// run's batch +0.05 / +0.19 / –, at 64 +0.34 / +0.51 / +0.90 (the WGAN at its own 64: +0.63 /
/// +0.87 / +0.94).
pub const JUDGE_BATCH: usize = 64;

/// How the judge trains: [`Role::Judge`] at [`JUDGE_LR`] on [`JUDGE_BATCH`] images per side.
const JUDGE: Watch = Watch {
    role: Role::Judge,
    lr: JUDGE_LR,
    batch: JUDGE_BATCH,
    clip: 0.0,
};
/// How the critic judge trains: [`Role::CriticJudge`], RMSProp at [`JUDGE_CRITIC_LR`], clipped to
/// [`JUDGE_CLIP`].
const CRITIC_JUDGE: Watch = Watch {
    role: Role::CriticJudge,
    lr: JUDGE_CRITIC_LR,
    batch: JUDGE_BATCH,
    clip: JUDGE_CLIP,
};

/// The feature yardstick: the digit classifier (on the run's plain device) and the Gaussian of
/// its features over held-out real digits, computed once.
pub(crate) struct Yardstick {
    clf: Classifier,
    /// The Gaussian of the classifier's features over the held-out digits.
    real: Gaussian,
    /// Held-out real digits in [-1, 1] on the run's autodiff device: [EST_N, 784].
    held_out: Tensor<2>,
    /// The judge and its Adam, taken out while it trains.
    judge: Option<(ScoreNet, ModuleOptimizer)>,
    /// The critic judge (weights clipped to the run's clip) and its RMSProp.
    critic_judge: Option<(ScoreNet, ModuleOptimizer)>,
    /// The judge's own batches and noise: the run's trajectory does not depend on it.
    rng: SplitMix64,
    /// The step the judges last trained at: a point measured again at the same step (after a
    /// pause, a restore) reads the same judges instead of training them further.
    trained_at: Option<u64>,
}

impl Yardstick {
    /// The classifier's features of `fake` [EST_N, 784] (in [-1, 1]), flattened: [EST_N * 64].
    pub(super) fn features(&self, fake: Tensor<2>) -> Tensor<1> {
        let images = fake.inner().add_scalar(1.0).div_scalar(2.0); // [EST_N, 784] in [0, 1]
        self.clf.features(images).reshape([EST_N * FEATURES])
    }

    /// The feature distance of features read back from [`Yardstick::features`].
    pub(super) fn distance(&self, features: &[f32]) -> Result<f64, String> {
        Ok(frechet_distance(
            &Gaussian::fit(features, EST_N, FEATURES)?,
            &self.real,
        ))
    }

    /// The judges' losses, held-out real digits against `fake` [EST_N, 784]: (L_D of the D judge,
    /// L_f of the critic judge), on the plain device.
    pub(super) fn judge_losses(&self, fake: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let real = self.held_out.clone();
        let (judge, critic) = (self.judge.as_ref(), self.critic_judge.as_ref());
        let (judge, critic) = (
            &judge.expect("the judge is back after training").0,
            &critic.expect("the critic judge is back after training").0,
        );
        let d = gan_d_loss(
            judge.forward(real.clone()).detach(),
            judge.forward(fake.clone().detach()).detach(),
        );
        let f = wgan_critic_loss(
            critic.forward(real).detach(),
            critic.forward(fake.detach()).detach(),
        );
        (d.inner(), f.inner())
    }
}

impl Trainer {
    /// Whether a point logged now carries the yardstick and the judges: every
    /// [`JUDGE_EVERY`]-th logged point, step 0 included.
    pub(super) fn judged_now(&self) -> bool {
        let every = self.cfg.log_every.max(1) as u64 * JUDGE_EVERY;
        self.step.is_multiple_of(every)
    }

    /// Load the feature yardstick: `clf` (on this run's plain device) and the held-out real
    /// digits its reference statistics come from (at least 256, never trained on).
    pub async fn set_yardstick(&mut self, clf: Classifier, held_out: &Mnist) -> Result<(), String> {
        if held_out.len() < EST_N {
            return Err(format!(
                "the held-out set has {} images; the feature yardstick needs at least {EST_N}",
                held_out.len()
            ));
        }
        let feats = clf.features(images01(held_out, &self.plain));
        let v = read_f32(feats).await?;
        let real = Gaussian::fit(&v, held_out.len(), FEATURES)?;
        let held_out = images01(held_out, &self.device)
            .narrow(0, 0, EST_N)
            .mul_scalar(2.0)
            .sub_scalar(1.0); // [EST_N, 784] in [-1, 1]
        let (_, d_widths) = self.cfg.widths();
        let seed = self.cfg.seed ^ 0x7a1d;
        let clip = JUDGE_CLIP;
        let (judge, critic_judge) = seeded(&self.device, seed, || {
            let judge = materialize(ScoreNet::new(&d_widths, &self.device));
            let critic = clip_module(ScoreNet::new(&d_widths, &self.device), clip);
            (judge, critic)
        });
        self.instruments.yardstick = Some(Yardstick {
            clf,
            real,
            held_out,
            judge: Some((judge, probe_optimizer())),
            critic_judge: Some((critic_judge, rmsprop())),
            rng: SplitMix64::new(seed),
            trained_at: None,
        });
        Ok(())
    }

    /// The judges' step: at a judged point (every [`JUDGE_EVERY`]-th logged point), train the near-optimal
    /// discriminator and critic further against the generator as it is, once per step. Returns
    /// whether the point is judged (the yardstick is loaded and the step is a judged one). Only
    /// the judges change: the run's networks, optimisers and streams do not.
    pub fn judge_step(&mut self) -> bool {
        if self.instruments.yardstick.is_none() || !self.judged_now() {
            return false;
        }
        // Out of the trainer while it trains, so that the trainer lends its batches.
        let Some(mut y) = self.instruments.yardstick.take() else {
            return false;
        };
        if y.trained_at != Some(self.step) {
            if let Some(mut judge) = y.judge.take() {
                for _ in 0..JUDGE_STEPS {
                    judge = self.watch_step(judge, JUDGE, &mut y.rng);
                }
                y.judge = Some(judge);
            }
            if let Some(mut critic) = y.critic_judge.take() {
                for _ in 0..CRITIC_JUDGE_STEPS {
                    critic = self.watch_step(critic, CRITIC_JUDGE, &mut y.rng);
                }
                y.critic_judge = Some(critic);
            }
            y.trained_at = Some(self.step);
        }
        self.instruments.yardstick = Some(y);
        true
    }
}
