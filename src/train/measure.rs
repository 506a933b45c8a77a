//! What a run reports, from its current networks: the logged point (estimates, losses, the
//! generator's gradient norm, the EMD yardstick and the feature yardstick), the EMD's floor, the
//! sample grid, the mode-collapse meter, and step 0 measured after the page's first step (held
//! networks).

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

use crate::config::Objective;
use crate::error::{Code, Error};
use crate::metrics::{emd_from_costs, grad_norm_sq, pairwise_distances, spearman};
use crate::nets::{Role, ScoreNet};
use crate::objective::{gan_d_loss, js_hat, w_hat, wgan_critic_loss};
use crate::rng::SplitMix64;
use crate::tensors::read_f32;
use crate::train::{LogPoint, Trainer, Watch, CATCH_UP, EST_N};

/// The scalars of a logged point, read back from the device in one transfer together with the
/// EMD's costs and the classifier's features: [`Readout::parts`] writes them in the order
/// [`Readout::read`] reads them, so the order lives in one place.
struct Readout<T> {
    /// K̂, the estimating critic's largest input-gradient norm (0 without a critic estimate).
    k_hat: T,
    /// The critic loss W_hat is read from (the caught-up copy's for the clipped WGAN).
    loss_w: T,
    /// The run's own D or critic loss.
    loss_d: T,
    loss_g: T,
    /// ‖∇G L_G‖².
    grad_norm_sq: T,
    loss_probe: T,
    /// The judges' losses (0 at points that are not judged).
    loss_judge: T,
    loss_critic_judge: T,
}

impl Readout<Tensor<1>> {
    const LEN: usize = 8;

    fn parts(self) -> Vec<Tensor<1>> {
        vec![
            self.k_hat,
            self.loss_w,
            self.loss_d,
            self.loss_g,
            self.grad_norm_sq,
            self.loss_probe,
            self.loss_judge,
            self.loss_critic_judge,
        ]
    }
}

impl Readout<f64> {
    fn read(v: &[f32]) -> Readout<f64> {
        let x = |i: usize| v[i] as f64;
        Readout {
            k_hat: x(0),
            loss_w: x(1),
            loss_d: x(2),
            loss_g: x(3),
            grad_norm_sq: x(4),
            loss_probe: x(5),
            loss_judge: x(6),
            loss_critic_judge: x(7),
        }
    }
}

/// The columns of a run's series (`Trainer::series`, one row per logged point after step 0),
/// between which the rank correlations are taken.
mod col {
    /// The run's own estimate: JS_hat or W_hat.
    pub const OWN: usize = 0;
    /// The probe's JS_hat.
    pub const PROBE: usize = 1;
    pub const EMD: usize = 2;
    pub const FEATURE_DISTANCE: usize = 3;
}

impl Trainer {
    /// The clipped WGAN's critic as its estimate is read: a copy of the critic and its optimiser,
    /// trained [`CATCH_UP`] more times against the generator as it is now (the run's own loss, rate
    /// and clip, on batches from a stream of its own), then dropped: the run trains on exactly as
    /// if it had not been measured.
    fn caught_up_critic(&self) -> ScoreNet {
        let mut rng =
            SplitMix64::new(self.cfg.seed ^ self.step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut critic = (self.nets.d.clone(), self.opts.d.clone());
        let own = Watch {
            role: Role::Critic,
            lr: self.cfg.lr_d,
            batch: self.cfg.batch,
            clip: self.cfg.clip,
        };
        for _ in 0..CATCH_UP {
            critic = self.watch_step(critic, own, &mut rng);
        }
        critic.0
    }

    /// K̂: the largest input-gradient norm of `critic` over the fixed real batch, `fake` [EST_N,
    /// 784] and their interpolates at fixed mixing weights (i + 0.5) / EST_N, as WGAN-GP draws
    /// them. On the plain device: [1].
    fn lipschitz_estimate(&self, critic: &ScoreNet, fake: Tensor<2>) -> Tensor<1> {
        let eps: Vec<f32> = (0..EST_N)
            .map(|i| (i as f32 + 0.5) / EST_N as f32)
            .collect();
        let eps =
            Tensor::<2>::from_data(burn::tensor::TensorData::new(eps, [EST_N, 1]), &self.plain);
        let (real, fake) = (self.batches.est_real.clone().inner(), fake.inner());
        let mixed = real.clone() * eps.clone() + fake.clone() * eps.neg().add_scalar(1.0);
        let points = Tensor::cat(vec![real, fake, mixed], 0); // [3 EST_N, 784]
        let (_, grad) = critic.score_and_input_grad(Tensor::from_inner(points));
        grad.inner()
            .powi_scalar(2)
            .sum_dim(1)
            .sqrt()
            .max()
            .reshape([1])
    }

    /// Add a point's row (see [`col`]) to the series behind the rank correlations. A point
    /// re-measured at the same step (e.g. after a pause) replaces the last one. Step 0 is left
    /// out: a critic that has never been trained estimates nothing yet.
    fn record(&mut self, row: [f64; 4]) {
        let ins = &mut self.instruments;
        if ins.series_steps_last == Some(self.step) {
            ins.series.pop();
        }
        if self.step > 0 {
            ins.series.push(row);
            ins.series_steps_last = Some(self.step);
        }
    }

    /// Spearman's ρ of columns a and b over the points that have both: the clipped WGAN's
    /// estimate and the feature distance are measured at the judged points only, and points
    /// logged before the classifier was loaded have no feature distance.
    fn rho(&self, a: usize, b: usize) -> Option<f64> {
        let (x, y): (Vec<f64>, Vec<f64>) = self
            .instruments
            .series
            .iter()
            .filter(|p| p[a].is_finite() && p[b].is_finite())
            .map(|p| (p[a], p[b]))
            .unzip();
        spearman(&x, &y)
    }

    /// The logged point of the current step: the judges' step ([`Trainer::judge_step`], at the
    /// judged points only, once per step), then [`Trainer::read_point`].
    pub async fn measure(&mut self) -> Result<LogPoint, Error> {
        // The yardstick and the judges measure every JUDGE_EVERY-th logged point only: they cost
        // more than the rest of a point, and the class sees a curve every few seconds either way.
        let judged = self.judge_step();
        self.read_point(judged).await
    }

    /// Read the current state: losses on a fixed batch, the generator's gradient norm, the EMD
    /// yardstick, and at a judged point the judges' estimates and the feature distance. The run's
    /// networks and the judges do not change (the clipped WGAN's caught-up critic is a copy); the
    /// point joins the series behind the rank correlations. One read-back from the device.
    async fn read_point(&mut self, judged: bool) -> Result<LogPoint, Error> {
        let judge = self.instruments.yardstick.as_ref().filter(|_| judged);
        let fake = self.nets.g.forward(self.batches.est_noise.clone()).detach(); // [EST_N, 784]
        let real_scores = self.nets.d.forward(self.batches.est_real.clone()).detach();
        let d_frozen = self.nets.d.clone().no_grad();
        let fake_scores = d_frozen.forward(fake.clone());
        // The critics' own estimate leaves their penalty out: W_hat (or the energy gap) alone.
        let loss_d = match self.cfg.objective {
            Objective::Gan => gan_d_loss(real_scores, fake_scores),
            _ => wgan_critic_loss(real_scores, fake_scores),
        }
        .inner();
        // The critic W_hat is read from: the run's own for WGAN-GP and the energy GAN; for the
        // clipped WGAN the same critic brought up to date (`CATCH_UP`), at the judged points only.
        let est_critic = match self.cfg.objective {
            Objective::Gan => None,
            Objective::Wgan => self.judged_now().then(|| self.caught_up_critic().no_grad()),
            _ => Some(d_frozen.clone()),
        };
        // The run's own critic has just scored the batch: only the caught-up copy scores it again.
        let loss_w = match (&est_critic, self.cfg.objective) {
            (Some(c), Objective::Wgan) => wgan_critic_loss(
                c.forward(self.batches.est_real.clone()).detach(),
                c.forward(fake.clone()),
            )
            .inner(),
            (Some(_), _) => loss_d.clone(),
            (None, _) => Tensor::<1>::zeros([1], &self.plain),
        };
        let loss_g = self.generator_loss(self.batches.est_noise.clone());
        let grads = GradientsParams::from_grads(loss_g.backward(), &self.nets.g);
        let gn2 = grad_norm_sq(&self.nets.g, &grads)
            .ok_or_else(|| "the generator has no gradient".to_string())?;
        let loss_probe = match &self.nets.probe {
            Some(probe) => gan_d_loss(
                probe.forward(self.batches.est_real.clone()).detach(),
                probe.forward(fake.clone().detach()).detach(),
            )
            .inner(),
            None => Tensor::<1>::zeros([1], &self.plain),
        };

        let (loss_opt, loss_wopt) = match judge {
            Some(y) => y.judge_losses(fake.clone()),
            None => (
                Tensor::<1>::zeros([1], &self.plain),
                Tensor::<1>::zeros([1], &self.plain),
            ),
        };
        let k_hat = match &est_critic {
            None => Tensor::<1>::zeros([1], &self.plain),
            Some(critic) => self.lipschitz_estimate(critic, fake.clone()),
        };
        let feats = judge.map(|y| y.features(fake.clone()));
        let n = self.cfg.emd_n;
        let fake = self
            .nets
            .g
            .forward(self.batches.eval_noise.clone())
            .detach()
            .inner();
        let fake = fake.add_scalar(1.0).div_scalar(2.0); // [n, 784] in [0, 1]
        let dist = pairwise_distances(fake, self.batches.eval_real.clone()).reshape([n * n]);
        let mut parts = Readout {
            k_hat,
            loss_w,
            loss_d,
            loss_g: loss_g.inner(),
            grad_norm_sq: gn2,
            loss_probe,
            loss_judge: loss_opt,
            loss_critic_judge: loss_wopt,
        }
        .parts();
        parts.push(dist);
        parts.extend(feats);
        // The scalars, then the n x n costs, then the features.
        let v = read_f32(Tensor::cat(parts, 0)).await?;
        let r = Readout::read(&v);
        let (k_hat, loss_w, loss_d, loss_g, gn2) =
            (r.k_hat, r.loss_w, r.loss_d, r.loss_g, r.grad_norm_sq);
        let (loss_probe, loss_opt, loss_wopt) = (r.loss_probe, r.loss_judge, r.loss_critic_judge);
        let (costs, feats) = v[Readout::LEN..].split_at(n * n);
        if !(loss_d.is_finite() && loss_g.is_finite() && gn2.is_finite()) {
            return Err(Error::new(Code::Diverged, format!(
                "a loss became non-finite at step {} (L_D = {loss_d}, L_G = {loss_g}): the learning rate is probably too high",
                self.step
            )));
        }
        let js_probe = self.nets.probe.as_ref().map(|_| js_hat(loss_probe));
        let js_opt = judge.map(|_| js_hat(loss_opt));
        let w_opt = judge.map(|_| w_hat(loss_wopt));
        let costs: Vec<f64> = costs.iter().map(|&x| x as f64).collect();
        let emd = emd_from_costs(n, &costs)?;
        let feature_distance = judge.map(|y| y.distance(feats)).transpose()?;
        let js = (self.cfg.objective == Objective::Gan).then(|| js_hat(loss_d));
        let w = est_critic.map(|_| w_hat(loss_w));
        let lipschitz = w.map(|_| k_hat);
        let w_norm = w.map(|w| w / (2.0 * k_hat.max(1e-12)));
        let own = js.or(w).unwrap_or(f64::NAN);
        let mut row = [f64::NAN; 4];
        row[col::OWN] = own;
        row[col::PROBE] = js_probe.unwrap_or(f64::NAN);
        row[col::EMD] = emd;
        row[col::FEATURE_DISTANCE] = feature_distance.unwrap_or(f64::NAN);
        self.record(row);
        let rho = |a: usize, b: usize| self.rho(a, b);
        Ok(LogPoint {
            step: self.step,
            js_hat: js,
            w_hat: w,
            lipschitz,
            w_norm,
            emd,
            loss_d,
            loss_g,
            grad_norm_g: gn2.sqrt(),
            js_probe,
            rho_est: rho(col::OWN, col::EMD),
            rho_probe: js_probe.and_then(|_| rho(col::PROBE, col::EMD)),
            feature_distance,
            js_opt,
            w_opt,
            rho_feature: self
                .instruments
                .yardstick
                .as_ref()
                .and_then(|_| rho(col::OWN, col::FEATURE_DISTANCE)),
        })
    }

    /// Measure now, then train `steps` generator steps and measure after every `every`-th of
    /// them: the points a page logging every `every` steps shows (for the native tools and tests).
    pub async fn train_measured(&mut self, steps: u64, every: u64) -> Result<Vec<LogPoint>, Error> {
        self.train_measured_with(steps, every, |_, _, _| {}).await
    }

    /// [`Trainer::train_measured`], calling `on_point(trainer, step, point)` after each point is
    /// measured, step 0 included (`lesson-check` runs the mode meter there).
    pub async fn train_measured_with(
        &mut self,
        steps: u64,
        every: u64,
        mut on_point: impl FnMut(&Self, u64, &LogPoint),
    ) -> Result<Vec<LogPoint>, Error> {
        let mut points = vec![self.measure().await?];
        on_point(self, 0, &points[0]);
        for s in 1..=steps {
            self.train_step();
            if s.is_multiple_of(every) {
                let point = self.measure().await?;
                on_point(self, s, &point);
                points.push(point);
            }
        }
        Ok(points)
    }
}
