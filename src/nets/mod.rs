//! The networks: the GAN's generator and discriminator/critic (one MLP type serves as both), and
//! the small digit classifier behind the mode-collapse meter. Pure Burn modules, no training loop
//! but the classifier's own.

pub mod activation;
pub mod classifier;
pub mod gan;

pub use activation::{leaky_relu, tanh};
pub use classifier::{Classifier, ModeStats};
pub use gan::{Critic, Generator, LEAKY_SLOPE, PIXELS};
