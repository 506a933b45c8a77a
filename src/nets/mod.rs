//! The networks: the GAN's generator and [`ScoreNet`], the one MLP type behind every [`Role`]
//! (discriminator, critic, probe, judges, encoder), and
//! the small digit classifier behind the mode-collapse meter. Pure Burn modules, no training loop
//! but the classifier's own.

pub mod activation;
pub mod classifier;
pub mod gan;

pub use activation::{leaky_relu, tanh};
pub use classifier::{Classifier, ModeStats};
pub use gan::{Generator, Role, ScoreNet, LEAKY_SLOPE, PIXELS};
