//! What the page reads from a run besides its logged points: the networks held at a step and
//! measured later, the sample grid, the mode-collapse meter and the EMD yardstick's floor.

use burn::module::Module;

use crate::error::{Code, Error};
use crate::metrics::{emd_from_costs, pairwise_distances};
use crate::nets::classifier::{mode_stats, Classifier, ModeStats};
use crate::tensors::{read_f32, to_bytes};
use crate::train::{LogPoint, Nets, Trainer};

impl Trainer {
    /// Keep the current networks so that [`Trainer::measure_held`] can measure them after training
    /// has moved on: the page's first step need not wait for the step-0 measurement.
    pub fn hold(&mut self) {
        self.instruments.held = Some(Box::new((self.step, self.nets.clone())));
    }

    /// Measure the held networks as [`Trainer::measure`] would have at their step (once; `None`
    /// when nothing is held). The live networks and step are back in place afterwards.
    pub async fn measure_held(&mut self) -> Result<Option<LogPoint>, Error> {
        let Some(mut h) = self.instruments.held.take() else {
            return Ok(None);
        };
        self.swap_held(&mut h);
        let point = self.measure().await;
        self.swap_held(&mut h);
        point.map(Some)
    }

    fn swap_held(&mut self, (step, nets): &mut (u64, Nets)) {
        std::mem::swap(&mut self.step, step);
        std::mem::swap(&mut self.nets, nets);
    }

    /// Classify `MODE_N` generated images (a fixed noise batch) with `clf`: the class histogram,
    /// the classes covered and the histogram's entropy.
    pub async fn mode_stats(&self, clf: &Classifier) -> Result<ModeStats, String> {
        let g = self.nets.g.clone().no_grad();
        let x = g
            .forward(self.batches.mode_noise.clone())
            .inner()
            .add_scalar(1.0)
            .div_scalar(2.0); // [MODE_N, 784] in [0, 1]
        let labels = clf.predict(x).await?;
        Ok(mode_stats(&labels))
    }

    /// EMD between two disjoint sets of real images: the lowest the yardstick can go at this n.
    pub async fn emd_floor(&self) -> Result<f64, String> {
        let n = self.cfg.emd_n;
        let dist = pairwise_distances(
            self.batches.floor_real.clone(),
            self.batches.eval_real.clone(),
        );
        let v = read_f32(dist.reshape([n * n])).await?;
        emd_from_costs(n, &v.iter().map(|&x| x as f64).collect::<Vec<_>>())
    }

    /// The 8 x 8 grid from the fixed noise batch: 64 x 784 bytes, 0 = background, 255 = ink.
    pub async fn samples(&self) -> Result<Vec<u8>, Error> {
        let x = self
            .nets
            .g
            .forward(self.batches.grid_noise.clone())
            .detach()
            .inner();
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
