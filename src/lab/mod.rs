//! The theory lab's experiments, built on a run or on nothing at all: the toy cases with closed
//! forms (parallel lines, two Gaussians), "train D to optimality" on a run's frozen generator,
//! latent-space MCMC (Langevin, MALA) and its use to refine a run's samples on its critic's energy.

pub mod mcmc;
pub mod optimality;
pub mod refine;
pub mod toy;
