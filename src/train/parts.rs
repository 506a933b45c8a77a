//! The parts a [`Trainer`](super::Trainer) is made of, as a reader thinks of them: its networks
//! and their optimisers, its data and fixed batches, and the instruments that measure it, plus
//! how a network that only watches the run trains.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::tensor::Tensor;

use super::yardstick;
use crate::nets::{Generator, Role, ScoreNet};

/// A run's networks as one module: one record holds them all (a checkpoint) and one clone holds
/// them at a step (see [`Trainer::hold`]). Clones share the tensors: no copy.
#[derive(Module, Debug)]
pub(crate) struct Nets {
    pub g: Generator,
    /// [`Role::Discriminator`] (the GAN) or [`Role::Critic`] (the others).
    pub d: ScoreNet,
    /// [`Role::Probe`], where the settings ask for it.
    pub probe: Option<ScoreNet>,
    /// [`Role::Encoder`]: the energy GAN only.
    pub enc: Option<ScoreNet>,
}

/// The optimisers of [`Nets`], net by net.
pub(crate) struct Optimizers {
    pub g: ModuleOptimizer,
    pub d: ModuleOptimizer,
    pub probe: Option<ModuleOptimizer>,
    pub enc: Option<ModuleOptimizer>,
}

/// The training images and the fixed batches that the measurements read.
pub(crate) struct Batches {
    /// The training images in [-1, 1], uploaded once: [N, 784].
    pub data: Tensor<2>,
    pub n_data: usize,
    /// A fixed evaluation batch for the estimates (JS_hat / W_hat / probe / ||grad G||): real
    /// images [EST_N, 784] in [-1, 1] and noise [EST_N, latent]. Fixed, so that the curves move
    /// only when the networks do, not with the sampling noise of a fresh batch.
    pub est_real: Tensor<2>,
    pub est_noise: Tensor<2>,
    /// The noise behind the sample grid: [GRID, latent].
    pub grid_noise: Tensor<2>,
    /// The noise behind the EMD yardstick's generated images: [emd_n, latent].
    pub eval_noise: Tensor<2>,
    /// Fixed noise for the mode-collapse meter: [MODE_N, latent].
    pub mode_noise: Tensor<2>,
    /// Fixed real images for the EMD yardstick, in [0, 1] on the plain device: [emd_n, 784].
    pub eval_real: Tensor<2>,
    /// A second, disjoint real set: EMD(real, real') is the yardstick's floor at this n.
    pub floor_real: Tensor<2>,
}

/// What measures the run without steering it.
pub(crate) struct Instruments {
    /// [own estimate, probe JS, EMD, feature distance] of every logged point (NaN where a run has
    /// none), for the rank correlations (`measure::col`).
    pub series: Vec<[f64; 4]>,
    pub series_steps_last: Option<u64>,
    /// The feature yardstick (digit classifier and held-out real digits) and the judges, once
    /// loaded.
    pub yardstick: Option<yardstick::Yardstick>,
    /// The networks as they were at a held step (see [`Trainer::hold`]), to be measured later.
    pub held: Option<Box<(u64, Nets)>>,
}

/// How a network that only watches the run trains (the probe, the judges, the clipped WGAN's
/// caught-up critic): its role decides the loss (cross-entropy, or Kantorovich-Rubinstein with
/// every weight clipped to `clip`), at rate `lr` on `batch` images per side.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Watch {
    pub role: Role,
    pub lr: f64,
    pub batch: usize,
    pub clip: f64,
}
