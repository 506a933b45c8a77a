//! MCMC in latent space (docs/theory.md 5): Langevin and MALA on an energy U(z), for a batch of chains.
//!
//! The energy and its gradient are evaluated on the device (autodiff with respect to z, e.g.
//! U(G(z)) with the critic as the energy); the chains' arithmetic and the Metropolis decision run
//! on the host in float64 (the latent batch is small: chains x latent numbers).
//!
//! Proposal, as docs/theory.md writes it: z' = z − ε∇U(z) + √ε·α, α ~ N(0, I), i.e. a Gaussian
//! q(z'|z) ∝ exp(−‖z' − z + ε∇U(z)‖² / (2ε)). *Langevin* takes every proposal; with noise √ε
//! (not √(2ε)) its small-step limit samples exp(−2U), a colder target that concentrates on low
//! energy. *MALA* accepts with probability min(1, e^{−U(z')} q(z|z') / (e^{−U(z)} q(z'|z))), which
//! makes exp(−U) exactly invariant whatever the proposal.

use burn::tensor::{Device, Tensor, TensorData};

use crate::rng::SplitMix64;
use crate::tensors::read_f32;

/// Which chain to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampler {
    Langevin,
    Mala,
}

impl Sampler {
    /// The sampler a word of the schema (`config::limits::MCMC_SAMPLERS`) names.
    pub fn parse(word: &str) -> Result<Sampler, String> {
        match word {
            "langevin" => Ok(Sampler::Langevin),
            "mala" => Ok(Sampler::Mala),
            other => Err(format!(
                "unknown sampler {other:?}; use {}",
                crate::config::limits::MCMC_SAMPLERS.join(" or ")
            )),
        }
    }
}

/// A batch of chains: positions [chains, dim] and, cached, their energies and gradients.
#[derive(Clone, Debug)]
pub struct Chains {
    pub z: Vec<f64>,
    pub chains: usize,
    pub dim: usize,
    pub energy: Vec<f64>,
    grad: Vec<f64>,
}

/// What one step did.
#[derive(Clone, Debug, PartialEq)]
pub struct StepStats {
    /// Share of chains whose proposal was accepted (1 for Langevin).
    pub accept_rate: f64,
    /// Mean energy over the chains after the step.
    pub mean_energy: f64,
}

/// U and ∇U at `z` [chains, dim] (host f64), through `energy`, which maps a tensor of positions
/// on an autodiff `device` to one energy per row.
pub async fn evaluate<F>(
    energy: &F,
    z: &[f64],
    chains: usize,
    dim: usize,
    device: &Device,
) -> Result<(Vec<f64>, Vec<f64>), String>
where
    F: Fn(Tensor<2>) -> Tensor<1>,
{
    let zt = Tensor::<2>::from_data(
        TensorData::new(z.iter().map(|&v| v as f32).collect(), [chains, dim]),
        device,
    )
    .require_grad();
    let u = energy(zt.clone()); // [chains]
    let grads = u.clone().sum().backward();
    let g = zt.grad(&grads).ok_or("the energy does not depend on z")?;
    let u = read_f32(u.detach().inner()).await?;
    let g = read_f32(g).await?;
    let f = |v: Vec<f32>| v.into_iter().map(|x| x as f64).collect::<Vec<f64>>();
    let (u, g) = (f(u), f(g));
    if !u.iter().chain(&g).all(|x| x.is_finite()) {
        return Err("the energy or its gradient is not finite".into());
    }
    Ok((u, g))
}

impl Chains {
    /// Chains at `z` (row-major [chains, dim]), with their energies evaluated.
    pub async fn new<F>(
        energy: &F,
        z: Vec<f64>,
        chains: usize,
        dim: usize,
        device: &Device,
    ) -> Result<Chains, String>
    where
        F: Fn(Tensor<2>) -> Tensor<1>,
    {
        if z.len() != chains * dim {
            return Err(format!("{} values for {chains} x {dim} chains", z.len()));
        }
        let (energy_v, grad) = evaluate(energy, &z, chains, dim, device).await?;
        Ok(Chains {
            z,
            chains,
            dim,
            energy: energy_v,
            grad,
        })
    }

    pub fn mean_energy(&self) -> f64 {
        self.energy.iter().sum::<f64>() / self.chains as f64
    }

    /// One Langevin or MALA step of every chain with step size `eps`.
    pub async fn step<F>(
        &mut self,
        energy: &F,
        eps: f64,
        sampler: Sampler,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Result<StepStats, String>
    where
        F: Fn(Tensor<2>) -> Tensor<1>,
    {
        if !(eps.is_finite() && eps > 0.0) {
            return Err(format!("step size {eps} must be a positive number"));
        }
        let noise = rng.normals(self.chains * self.dim);
        let sd = eps.sqrt();
        let prop: Vec<f64> = (0..self.z.len())
            .map(|i| self.z[i] - eps * self.grad[i] + sd * noise[i] as f64)
            .collect();
        let (u2, g2) = evaluate(energy, &prop, self.chains, self.dim, device).await?;
        let mut accepted = 0;
        for (c, &u_new) in u2.iter().enumerate() {
            let row = c * self.dim..(c + 1) * self.dim;
            let take = match sampler {
                Sampler::Langevin => true,
                Sampler::Mala => {
                    // log q(to | from) up to the shared constant: −‖to − from + ε∇U(from)‖² / (2ε).
                    let log_q = |to: &[f64], from: &[f64], g_from: &[f64]| -> f64 {
                        -(0..self.dim)
                            .map(|k| (to[k] - from[k] + eps * g_from[k]).powi(2))
                            .sum::<f64>()
                            / (2.0 * eps)
                    };
                    let (z, p) = (&self.z[row.clone()], &prop[row.clone()]);
                    let log_alpha = -u_new + self.energy[c] + log_q(z, p, &g2[row.clone()])
                        - log_q(p, z, &self.grad[row.clone()]);
                    rng.uniform().ln() < log_alpha
                }
            };
            if take {
                accepted += 1;
                self.z[row.clone()].copy_from_slice(&prop[row.clone()]);
                self.grad[row.clone()].copy_from_slice(&g2[row]);
                self.energy[c] = u_new;
            }
        }
        Ok(StepStats {
            accept_rate: accepted as f64 / self.chains as f64,
            mean_energy: self.mean_energy(),
        })
    }
}
