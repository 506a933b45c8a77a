//! What a run reports, from its current networks: the logged point (estimates, losses, the
//! generator's gradient norm, the EMD yardstick), the yardstick's floor, the sample grid, the
//! mode-collapse meter, and step 0 measured after the page's first step (held networks).

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use serde::Serialize;

use crate::config::Objective;
use crate::error::{Code, Error};
use crate::metrics::{emd_from_costs, grad_norm_sq, pairwise_distances, spearman};
use crate::nets::classifier::{mode_stats, Classifier, ModeStats};
use crate::nets::{Critic, Generator};
use crate::objective::{gan_d_loss, js_hat, w_hat, wgan_critic_loss};
use crate::tensors::{read_f32, to_bytes};
use crate::train::Trainer;

/// One logged point: the run's state after `step` generator updates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogPoint {
    pub step: u64,
    /// GAN only: log 2 - L_D / 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js_hat: Option<f64>,
    /// WGAN, WGAN-GP and energy GAN: E f(real) - E f(fake), penalty left out (for the energy GAN
    /// f = -U, so this is the energy gap E U(fake) - E U(real)).
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js_probe: Option<f64>,
    /// Spearman correlation, over the run's logged points so far (step 0 excluded), between its
    /// own estimate (JS_hat or W_hat) and the EMD yardstick (from 3 points on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_est: Option<f64>,
    /// The same for the probe's JS estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_probe: Option<f64>,
}

/// A run's networks at one step: clones share the tensors, so holding them costs no copy.
pub(crate) struct Held {
    step: u64,
    g: Generator,
    d: Critic,
    probe: Option<Critic>,
    enc: Option<Critic>,
}

impl Trainer {
    /// Measure the current state: losses on a fresh batch, the generator's gradient norm, and the
    /// EMD yardstick. No parameter changes; one read-back from the device.
    pub async fn measure(&mut self) -> Result<LogPoint, Error> {
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
        let gn2 = grad_norm_sq(&self.g, &grads)
            .ok_or_else(|| "the generator has no gradient".to_string())?;
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
            return Err(Error::new(Code::Diverged, format!(
                "a loss became non-finite at step {} (L_D = {loss_d}, L_G = {loss_g}): the learning rate is probably too high",
                self.step
            )));
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
    pub async fn measure_held(&mut self) -> Result<Option<LogPoint>, Error> {
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

    /// Start the "train D to optimality" experiment    /// EMD between two disjoint sets of real images: the lowest the yardstick can go at this n.
    pub async fn emd_floor(&self) -> Result<f64, String> {
        let n = self.cfg.emd_n;
        let dist = pairwise_distances(self.floor_real.clone(), self.eval_real.clone());
        let v = read_f32(dist.reshape([n * n])).await?;
        emd_from_costs(n, &v.iter().map(|&x| x as f64).collect::<Vec<_>>())
    }

    /// The 8 x 8 grid from the fixed noise batch: 64 x 784 bytes, 0 = background, 255 = ink.
    pub async fn samples(&self) -> Result<Vec<u8>, Error> {
        let x = self.g.forward(self.grid_noise.clone()).detach().inner();
        let v = read_f32(x).await?;
        if !v.iter().all(|p| p.is_finite()) {
            return Err(Error::new(Code::Diverged, format!(
                "the generator's images are not finite numbers at step {}: the learning rate is probably too high",
                self.step
            )));
        }
        Ok(to_bytes(&v))
    }
}
