// Generated from src/config/schema.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.
// Do not edit: tests/schema.rs fails when this file differs from what Rust generates.

// Every run setting the page shows, in form order: key, kind, bounds, and the objectives
// that use it (none: all of them).
export const RUN_KEYS = [
  { key: 'objective', type: 'enum', values: ['gan', 'wgan', 'wgan_gp', 'energy'] },
  { key: 'gan_loss', type: 'enum', values: ['nonsaturating', 'saturating'], objectives: ['gan'] },
  { key: 'net', type: 'enum', values: ['small', 'reference'] },
  { key: 'optimizer', type: 'enum', values: ['adam', 'rmsprop'] },
  { key: 'lr_d', type: 'float', min: 1e-7, max: 1e20 },
  { key: 'lr_g', type: 'float', min: 1e-7, max: 1e20 },
  { key: 'batch', type: 'int', min: 2, max: 512 },
  { key: 'latent', type: 'int', min: 2, max: 256 },
  { key: 'n_critic', type: 'int', min: 1, max: 20 },
  { key: 'clip', type: 'float', min: 1e-4, max: 1, objectives: ['wgan'] },
  { key: 'critic_boost', type: 'int', min: 0, max: 200, objectives: ['wgan'] },
  { key: 'lambda', type: 'float', min: 0, max: 1000, objectives: ['wgan_gp', 'energy'] },
  { key: 'lambda2', type: 'float', min: 0, max: 1000, objectives: ['energy'] },
  { key: 'beta1', type: 'float', min: 0, max: 0.999 },
  { key: 'beta2', type: 'float', min: 0, max: 0.9999 },
  { key: 'seed', type: 'int', min: 0, max: 4294967295 },
];

// Bounds of the lab's experiments.
export const LIMITS = {
  opt_steps: { min: 1, max: 20000 },
  mcmc_eps: { min: 1e-5, max: 1 },
  mcmc_steps: { min: 1, max: 2000 },
  mcmc_samplers: ['mala', 'langevin'],
  theta: { min: -1, max: 1 },
  mu: { min: -4, max: 4 },
  sigma: { min: 0.05, max: 3 },
};
