//! Every hyperparameter of a run, with the papers' values (docs/theory.md 1-2) and the classroom preset.
//!
//! Settings cross from the page as `key=value` strings; [`RunConfig::set`] checks each one against
//! the schema in [`schema`] and answers with a sentence a teacher can act on, so a bad URL or a
//! slip in the settings panel never reaches the trainer.

pub mod schema;

pub use schema::{limits, ConfigError, Kind, Setting, SETTINGS};

/// An enum of fixed words: `NAMES` (in declaration order), `as_str` and `parse`, the only
/// mapping between the enum and its words (settings, the page, the wasm entry points).
macro_rules! words {
    ($t:ty { $($v:ident = $w:literal),+ $(,)? }) => {
        impl $t {
            pub const NAMES: &'static [&'static str] = &[$($w),+];
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $w),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($w => Some(Self::$v),)+ _ => None }
            }
        }
    };
}

/// Which objective a run optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// Goodfellow et al. 2014: a discriminator with a sigmoid output and a BCE loss.
    Gan,
    /// Arjovsky et al. 2017: a critic with clipped weights and the Kantorovich-Rubinstein loss.
    Wgan,
    /// Gulrajani et al. 2017 (docs/theory.md 4): the same loss, no clipping, a gradient penalty
    /// λ·E[(‖∇f(x̂)‖ − 1)²] on interpolates between real and generated images.
    WganGp,
    /// The energy view (docs/theory.md 5; Kumar et al. 2019, "Maximum Entropy Generators"): the critic
    /// is an energy U = −f, trained with a zero-centred gradient penalty λ·E_real‖∇U‖²; an encoder
    /// E trained with the generator on λ2·‖z − E(G(z))‖² stands in for the generator's entropy.
    Energy,
}

/// The generator's loss in the original GAN (docs/theory.md 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GanLoss {
    /// Minimax: minimise E[log(1 - D(G(z)))]; its gradient vanishes once D is good.
    Saturating,
    /// The "-log D trick": minimise E[-log D(G(z))].
    NonSaturating,
}

/// Network sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NetSize {
    /// G z -> 256 -> 784, D 784 -> 256 -> 1: the anchors' `small-gan`, fast in a browser.
    Small,
    /// PyTorch-GAN's MLPs: G z -> 128 -> 256 -> 512 -> 1024 -> 784 (batch norm), D 784 -> 512 -> 256 -> 1.
    Reference,
}

/// Optimiser for both networks of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    Adam,
    RmsProp,
}

/// A named set of defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preset {
    /// Exactly the published values: reference nets, Adam 2e-4 / RMSProp 5e-5, c = 0.01, n_critic 5.
    Paper,
    /// Small nets and faster learning rates so digits appear within minutes on a laptop CPU.
    Classroom,
}

words!(Objective { Gan = "gan", Wgan = "wgan", WganGp = "wgan_gp", Energy = "energy" });
words!(GanLoss { NonSaturating = "nonsaturating", Saturating = "saturating" });
words!(NetSize { Small = "small", Reference = "reference" });
words!(OptimizerKind { Adam = "adam", RmsProp = "rmsprop" });
words!(Preset { Classroom = "classroom", Paper = "paper" });

/// Everything that defines one training run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    /// GAN or WGAN.
    pub objective: Objective,
    /// Generator loss when `objective` is GAN.
    pub gan_loss: GanLoss,
    /// Network size.
    pub net: NetSize,
    /// Latent size (64 for the small net as in the anchors, 100 in PyTorch-GAN).
    pub latent: usize,
    /// Images per batch, real and fake alike (64 in both papers' scripts).
    pub batch: usize,
    /// Discriminator / critic learning rate.
    pub lr_d: f64,
    /// Generator learning rate.
    pub lr_g: f64,
    /// Optimiser for both networks.
    pub optimizer: OptimizerKind,
    /// Adam's beta1 (0.5 in DCGAN-style GAN training, not Adam's usual 0.9).
    pub beta1: f64,
    /// Adam's beta2.
    pub beta2: f64,
    /// Critic (or discriminator) updates per generator update.
    pub n_critic: usize,
    /// WGAN weight clipping: every critic parameter is kept in [-clip, clip].
    pub clip: f64,
    /// WGAN only: critic updates per generator step during the first
    /// [`BOOST_STEPS`](crate::train::BOOST_STEPS) steps and at
    /// every [`BOOST_EVERY`](crate::train::BOOST_EVERY)-th, instead of `n_critic` (0: never). The WGAN authors' code trains
    /// the critic 100 times there, so that it starts near its optimum and W_hat measures the
    /// distance from the first step on (see [`RunConfig::preset`]).
    pub critic_boost: usize,
    /// Gradient-penalty weight: λ of WGAN-GP (10 in the paper), λ1 of the energy GAN (10 in
    /// Kumar et al.'s code, `--lamda 10`).
    pub lambda: f64,
    /// Energy GAN only: λ2, the weight of the encoder's ‖z − E(G(z))‖² (see [`RunConfig::preset`]).
    pub lambda2: f64,
    /// Seed for weights, noise and batches: same seed, same run.
    pub seed: u64,
    /// Generator steps between logged points (a read-back from the device each time).
    pub log_every: usize,
    /// Images per side of the EMD yardstick (an n x n assignment problem).
    pub emd_n: usize,
    /// Train a probe discriminator alongside the run (it never touches the run's networks), so
    /// that every generator, the WGAN's too, gets a JS estimate.
    pub probe: bool,
}

impl RunConfig {
    /// The defaults of `objective` under `preset`.
    pub fn preset(objective: Objective, preset: Preset) -> Self {
        let base = RunConfig {
            objective,
            gan_loss: GanLoss::NonSaturating,
            net: NetSize::Reference,
            latent: 100,
            batch: 64,
            lr_d: 2e-4,
            lr_g: 2e-4,
            optimizer: OptimizerKind::Adam,
            beta1: 0.5,
            beta2: 0.999,
            n_critic: 1,
            clip: 0.01,
            critic_boost: 0,
            lambda: 10.0,
            lambda2: 1.0,
            seed: 1,
            log_every: 25,
            emd_n: 64,
            probe: true,
        };
        let paper = match objective {
            Objective::Gan => base,
            // WGAN paper, Algorithm 1: RMSProp(5e-5), c = 0.01, n_critic = 5. (The authors' code
            // also trains the critic 100 times in the first 25 generator steps and every 500th:
            // `wgan.critic_boost=100`; Algorithm 1 does not, and neither does this preset.)
            Objective::Wgan => RunConfig {
                lr_d: 5e-5,
                lr_g: 5e-5,
                optimizer: OptimizerKind::RmsProp,
                n_critic: 5,
                ..base
            },
            // WGAN-GP paper, Algorithm 1: λ = 10, n_critic = 5, Adam(1e-4, β1 = 0, β2 = 0.9).
            Objective::WganGp => RunConfig {
                lr_d: 1e-4,
                lr_g: 1e-4,
                beta1: 0.0,
                beta2: 0.9,
                n_critic: 5,
                lambda: 10.0,
                ..base
            },
            // Kumar et al.'s code (energy_based_generative_models, scripts/train/ebm_mnist.py):
            // Adam(1e-4, betas (0.5, 0.9)), 5 energy updates per generator update, penalty
            // `--lamda 10`. Their entropy term is a DeepInfoMax estimate of I(X, Z) added with
            // weight 1; the seed's L2 encoder replaces that estimator, and we keep its weight 1
            // (λ2 appears in neither source with a value).
            Objective::Energy => RunConfig {
                lr_d: 1e-4,
                lr_g: 1e-4,
                beta1: 0.5,
                beta2: 0.9,
                n_critic: 5,
                lambda: 10.0,
                lambda2: 1.0,
                ..base
            },
        };
        match preset {
            Preset::Paper => paper,
            // Small nets train ~7x faster in the browser; the rates below were picked by the
            // classroom sweep in docs/lesson-tuning.md (digits within ~2 minutes, both runs still stable).
            Preset::Classroom => match objective {
                // Faster rates bring the digits sooner and break the lesson (issue 19, natively,
                // seeds 1 / 2 / 3, `lesson-check`): the mode meter first saw 8 classes at step
                // 1,040 / 600 / 1,180 at 5e-4, at 900 / 800 / 740 at 1e-3 and 580 / 600 / 540 at
                // 2e-3, but the near-optimal D's mean JS over 3 minutes fell from 0.64 to 0.57
                // at 1e-3 (0.56-0.58 at 2e-3 over 1,200 steps), below the lesson's 0.9 log 2.
                Objective::Gan => RunConfig {
                    net: NetSize::Small,
                    latent: 64,
                    lr_d: 5e-4,
                    lr_g: 5e-4,
                    log_every: 20,
                    // The GAN's own discriminator is already a discriminator trained once per
                    // step, and its JS_hat is on the page; a probe beside it cost the default page
                    // a fifth of the GAN's steps (471-498 instead of 399-414 steps after 20 s).
                    probe: false,
                    ..paper
                },
                Objective::Wgan => RunConfig {
                    net: NetSize::Small,
                    latent: 64,
                    lr_d: 5e-4,
                    lr_g: 5e-4,
                    log_every: 10,
                    // With c = 0.01 the small critic is too weak: the generator sat on one blurry
                    // "average digit" (1 class covered of 10 after 1,000 steps, seed 1); with
                    // c = 0.05 it covered 9 classes by step 1,000 (README, classroom sweep).
                    clip: 0.05,
                    // The WGAN authors' critic schedule, at 25 instead of 100 updates: without it
                    // the critic's W_hat fell within 50 steps and then sat near 1 while the digits
                    // formed, moving against the feature distance (rho -0.07 / -0.41 / -0.18 on
                    // seeds 1-3 over the page's first 3 minutes); with it +0.42 / +0.57 / +0.46,
                    // with the same digits (README, "Does the default page teach the lesson?").
                    critic_boost: 25,
                    ..paper
                },
                // The papers' optimisers on the small nets, at the classroom rate 5e-4 (README,
                // classroom sweep: WGAN-GP at 1e-4 still drew one blurry class after 600 steps, at
                // 5e-4 it covered 8 of 10 classes by step 900).
                Objective::WganGp => RunConfig {
                    net: NetSize::Small,
                    latent: 64,
                    lr_d: 5e-4,
                    lr_g: 5e-4,
                    log_every: 10,
                    ..paper
                },
                // λ2 = 1 sums over 64 latent numbers and outweighs the energy: 2 classes covered
                // after 900 steps; λ2 = 0.1 covered 6 (λ2 = 10: one blurry class).
                Objective::Energy => RunConfig {
                    net: NetSize::Small,
                    latent: 64,
                    lr_d: 5e-4,
                    lr_g: 5e-4,
                    lambda2: 0.1,
                    log_every: 10,
                    ..paper
                },
            },
        }
    }

    /// Hidden layer widths of (generator, critic) for this run's network size.
    pub fn widths(&self) -> (Vec<usize>, Vec<usize>) {
        match self.net {
            NetSize::Small => (vec![256], vec![256]),
            NetSize::Reference => (vec![128, 256, 512, 1024], vec![512, 256]),
        }
    }

    /// Short label such as "GAN (-log D)" or "WGAN (clip 0.01)".
    pub fn label(&self) -> String {
        match (self.objective, self.gan_loss) {
            (Objective::Gan, GanLoss::NonSaturating) => "GAN (-log D)".into(),
            (Objective::Gan, GanLoss::Saturating) => "GAN (minimax)".into(),
            (Objective::Wgan, _) => format!("WGAN (clip {})", self.clip),
            (Objective::WganGp, _) => format!("WGAN-GP (λ {})", self.lambda),
            (Objective::Energy, _) => {
                format!("Energy GAN (λ1 {}, λ2 {})", self.lambda, self.lambda2)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_values_are_the_published_ones() {
        let g = RunConfig::preset(Objective::Gan, Preset::Paper);
        assert_eq!((g.lr_d, g.beta1, g.beta2, g.batch), (2e-4, 0.5, 0.999, 64));
        assert_eq!(
            (g.net, g.latent, g.optimizer),
            (NetSize::Reference, 100, OptimizerKind::Adam)
        );
        let w = RunConfig::preset(Objective::Wgan, Preset::Paper);
        assert_eq!((w.lr_d, w.clip, w.n_critic), (5e-5, 0.01, 5));
        assert_eq!(w.optimizer, OptimizerKind::RmsProp);
        let gp = RunConfig::preset(Objective::WganGp, Preset::Paper);
        assert_eq!(
            (gp.lr_d, gp.lr_g, gp.beta1, gp.beta2, gp.n_critic, gp.lambda),
            (1e-4, 1e-4, 0.0, 0.9, 5, 10.0)
        );
        assert_eq!(gp.optimizer, OptimizerKind::Adam);
        let e = RunConfig::preset(Objective::Energy, Preset::Paper);
        assert_eq!(
            (e.lr_d, e.beta1, e.beta2, e.n_critic, e.lambda, e.lambda2),
            (1e-4, 0.5, 0.9, 5, 10.0, 1.0)
        );
    }

    #[test]
    fn set_rejects_bad_values_with_a_message_and_keeps_the_old_value() {
        let mut c = RunConfig::preset(Objective::Gan, Preset::Classroom);
        let before = c.clone();
        let e = c.set("lr_d", "abc").unwrap_err();
        assert!(e.0.contains("lr_d") && e.0.contains("not a number"), "{e}");
        assert!(c
            .set("lr_d", "1e21")
            .unwrap_err()
            .0
            .contains("out of range"));
        assert!(c.set("lr_d", "NaN").is_err());
        assert!(c.set("batch", "0").is_err());
        assert!(c.set("batch", "-3").is_err());
        assert!(c
            .set("optimizer", "sgd")
            .unwrap_err()
            .0
            .contains("adam, rmsprop"));
        assert!(c
            .set("colour", "red")
            .unwrap_err()
            .0
            .contains("unknown setting"));
        assert_eq!(c, before);
    }

    #[test]
    fn every_key_round_trips_through_get_and_set() {
        for preset in [Preset::Paper, Preset::Classroom] {
            for obj in [
                Objective::Gan,
                Objective::Wgan,
                Objective::WganGp,
                Objective::Energy,
            ] {
                let c = RunConfig::preset(obj, preset);
                let mut d = RunConfig::preset(Objective::Gan, Preset::Classroom);
                for st in SETTINGS.iter() {
                    d.set(st.key, &c.get(st.key).unwrap()).unwrap();
                }
                assert_eq!(c, d);
            }
        }
    }
}
