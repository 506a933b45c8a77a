//! MCMC refinement of a run's samples in latent space (docs/theory.md 5): the critic read as an energy
//! U(x) = −f(x) (f = the network's raw score, higher = more real), and chains z on U(G(z)).
//!
//! The chains start from the run's fixed grid noise (the 64 z of the live sample grid), so "before"
//! is exactly the grid the page shows. The generator and the critic are frozen copies taken at
//! the start: training may go on, the chains keep sampling the energy they started with. A
//! reference-size generator uses its batch-norm *running* statistics here (frozen layers), so that
//! one chain's image does not depend on where the other chains are.

use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

use crate::config::limits;
use crate::lab::mcmc::{Chains, Sampler, StepStats};
use crate::metrics::{emd_from_costs, pairwise_distances};
use crate::nets::{Generator, ScoreNet};
use crate::rng::SplitMix64;
use crate::tensors::{read_f32, to_bytes};
use crate::train::{Trainer, GRID};

/// How to sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RefineOptions {
    pub sampler: Sampler,
    /// Step size ε (0.01 in Kumar et al.'s latent-space MCMC script, `--alpha .01`).
    pub eps: f64,
    /// Sample the posterior exp(−U(G(z)) − ‖z‖²/2) (with the N(0, I) prior on z) instead of
    /// exp(−U(G(z))) alone.
    pub prior: bool,
    pub seed: u64,
}

impl RefineOptions {
    pub fn new(sampler: Sampler) -> Self {
        RefineOptions {
            sampler,
            eps: 0.01,
            prior: true,
            seed: 1,
        }
    }
}

/// Chains in latent space on a frozen copy of a run's generator and critic.
pub struct Refinement {
    g: Generator,
    d: ScoreNet,
    opts: RefineOptions,
    chains: Chains,
    rng: SplitMix64,
    device: Device,
    /// Real images in [0, 1] for the EMD yardstick: [n, 784].
    eval_real: Tensor<2>,
    n: usize,
    /// Steps taken.
    pub t: usize,
}

/// The chains' energy: U(G(z)) = −f(G(z)), plus ‖z‖²/2 with the prior. [chains, latent] -> [chains].
fn energy_fn<'a>(
    g: &'a Generator,
    d: &'a ScoreNet,
    prior: bool,
) -> impl Fn(Tensor<2>) -> Tensor<1> + 'a {
    move |z: Tensor<2>| {
        let rows = z.dims()[0];
        let u = d.forward(g.forward(z.clone())).neg().reshape([rows]); // [chains]
        if prior {
            u + z
                .powf_scalar(2.0)
                .sum_dim(1)
                .reshape([rows])
                .mul_scalar(0.5)
        } else {
            u
        }
    }
}

impl Refinement {
    /// Start chains at the grid noise on frozen copies of `run`'s generator and critic.
    pub async fn start(run: &Trainer, opts: RefineOptions) -> Result<Refinement, String> {
        let (lo, hi) = limits::MCMC_EPS;
        if !(opts.eps.is_finite() && (lo..=hi).contains(&opts.eps)) {
            return Err(format!(
                "step size {} is out of range; use {lo:e} to {hi}",
                opts.eps
            ));
        }
        let g = run.generator().clone().freeze();
        let d = run.critic().clone().freeze();
        let z: Vec<f64> = read_f32(run.grid_noise().clone().inner())
            .await?
            .into_iter()
            .map(f64::from)
            .collect();
        let latent = run.config().latent;
        let chains = Chains::new(
            &energy_fn(&g, &d, opts.prior),
            z,
            GRID,
            latent,
            run.device(),
        )
        .await?;
        let n = GRID.min(run.config().emd_n);
        Ok(Refinement {
            eval_real: run.eval_real().clone().narrow(0, 0, n),
            n,
            g,
            d,
            opts,
            chains,
            rng: SplitMix64::new(opts.seed ^ 0x3c3c_5a5a),
            device: run.device().clone(),
            t: 0,
        })
    }
}

impl Refinement {
    /// `n` more steps of every chain; the statistics of each.
    pub async fn step(&mut self, n: usize) -> Result<Vec<StepStats>, String> {
        let energy = energy_fn(&self.g, &self.d, self.opts.prior);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let s = self
                .chains
                .step(
                    &energy,
                    self.opts.eps,
                    self.opts.sampler,
                    &mut self.rng,
                    &self.device,
                )
                .await?;
            self.t += 1;
            out.push(s);
        }
        Ok(out)
    }

    /// Mean energy of the chains now (with the prior, U(G(z)) + ‖z‖²/2).
    pub fn mean_energy(&self) -> f64 {
        self.chains.mean_energy()
    }

    /// Mean U(G(z)) alone (the critic's part of the energy, without the prior's ‖z‖²/2).
    pub fn mean_u(&self) -> f64 {
        let d = self.chains.dim;
        let prior = |c: usize| -> f64 {
            if self.opts.prior {
                0.5 * self.chains.z[c * d..(c + 1) * d]
                    .iter()
                    .map(|v| v * v)
                    .sum::<f64>()
            } else {
                0.0
            }
        };
        (0..self.chains.chains)
            .map(|c| self.chains.energy[c] - prior(c))
            .sum::<f64>()
            / self.chains.chains as f64
    }

    pub fn options(&self) -> RefineOptions {
        self.opts
    }

    fn images(&self) -> Tensor<2> {
        let z = Tensor::<2>::from_data(
            TensorData::new(
                self.chains.z.iter().map(|&v| v as f32).collect(),
                [self.chains.chains, self.chains.dim],
            ),
            &self.device,
        );
        self.g.forward(z).detach().inner() // [GRID, 784] in [-1, 1]
    }

    /// The 8 x 8 grid G(z) of the chains' current positions, as bytes.
    pub async fn samples(&self) -> Result<Vec<u8>, String> {
        Ok(to_bytes(&read_f32(self.images()).await?))
    }

    /// Exact EMD between the first n chains' images and n fixed real images (n = min(64, emd_n)).
    pub async fn emd(&self) -> Result<f64, String> {
        let n = self.n;
        let fake = self
            .images()
            .narrow(0, 0, n)
            .add_scalar(1.0)
            .div_scalar(2.0);
        let dist = pairwise_distances(fake, self.eval_real.clone()).reshape([n * n]);
        let v = read_f32(dist).await?;
        emd_from_costs(n, &v.iter().map(|&x| x as f64).collect::<Vec<_>>())
    }

    /// Images per side of [`Refinement::emd`].
    pub fn emd_n(&self) -> usize {
        self.n
    }
}
