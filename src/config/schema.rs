//! The settings schema, written once: every run setting's key, kind, bounds and the objectives
//! that use it, plus the bounds of the lab's experiments. [`RunConfig::set`] checks against it,
//! and the page reads the same table from `www/common/schema.js`, which [`page_module`] writes
//! (`tests/schema.rs` fails when the committed file differs; `UPDATE_GOLDEN=1` rewrites it).

use std::fmt;

use super::{GanLoss, NetSize, Objective, OptimizerKind, RunConfig};

/// A setting that could not be applied; the message says what to do.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// What values a setting takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// One of these words.
    Enum(&'static [&'static str]),
    /// A whole number in [min, max].
    Int(u64, u64),
    /// A finite number in [min, max].
    Float(f64, f64),
}

/// One run setting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Setting {
    pub key: &'static str,
    pub kind: Kind,
    /// The objectives that use it (`None`: every objective); the page's form shows only those.
    pub objectives: Option<&'static [&'static str]>,
    /// Shown in the page's settings form and kept in its address; the others (logging cadence,
    /// yardstick size, probe) are set by presets and tests only.
    pub page: bool,
}

const fn s(key: &'static str, kind: Kind) -> Setting {
    Setting {
        key,
        kind,
        objectives: None,
        page: true,
    }
}

const fn only(mut st: Setting, objectives: &'static [&'static str]) -> Setting {
    st.objectives = Some(objectives);
    st
}

const fn hidden(mut st: Setting) -> Setting {
    st.page = false;
    st
}

/// Every run setting, in the order the page's settings form shows them.
pub const SETTINGS: [Setting; 19] = [
    s("objective", Kind::Enum(Objective::NAMES)),
    only(s("gan_loss", Kind::Enum(GanLoss::NAMES)), &["gan"]),
    s("net", Kind::Enum(NetSize::NAMES)),
    s("optimizer", Kind::Enum(OptimizerKind::NAMES)),
    // Far too large rates are accepted on purpose: a class can watch a run diverge (the page
    // pauses it when a loss stops being finite: a GAN at 1e15 does within 10 steps).
    s("lr_d", Kind::Float(1e-7, 1e20)),
    s("lr_g", Kind::Float(1e-7, 1e20)),
    s("batch", Kind::Int(2, 512)),
    s("latent", Kind::Int(2, 256)),
    s("n_critic", Kind::Int(1, 20)),
    only(s("clip", Kind::Float(1e-4, 1.0)), &["wgan"]),
    only(s("critic_boost", Kind::Int(0, 200)), &["wgan"]),
    only(
        s("lambda", Kind::Float(0.0, 1000.0)),
        &["wgan_gp", "energy"],
    ),
    only(s("lambda2", Kind::Float(0.0, 1000.0)), &["energy"]),
    s("beta1", Kind::Float(0.0, 0.999)),
    s("beta2", Kind::Float(0.0, 0.9999)),
    s("seed", Kind::Int(0, u32::MAX as u64)),
    hidden(s("log_every", Kind::Int(1, 1000))),
    hidden(s("emd_n", Kind::Int(8, 256))),
    hidden(s("probe", Kind::Enum(&["on", "off"]))),
];

/// Bounds of the lab's experiments, shared by the page's address, its panels and the wasm entry
/// points.
pub mod limits {
    /// "Train D to optimality": discriminator / critic updates in all.
    pub const OPT_STEPS: (u64, u64) = (1, 20_000);
    /// Latent MCMC: Langevin / MALA step size ε.
    pub const MCMC_EPS: (f64, f64) = (1e-5, 1.0);
    /// Latent MCMC: steps per request.
    pub const MCMC_STEPS: (u64, u64) = (1, 2000);
    /// Latent MCMC: the samplers, as the page and `Run::refine` name them.
    pub const MCMC_SAMPLERS: &[&str] = &["mala", "langevin"];
    /// The parallel lines: θ, where P_θ's line sits (P_0's is at 0).
    pub const THETA: (f64, f64) = (-1.0, 1.0);
    /// The two Gaussians: each mean, μ_r and μ_g.
    pub const MU: (f64, f64) = (-4.0, 4.0);
    /// The two Gaussians: their common standard deviation σ.
    pub const SIGMA: (f64, f64) = (0.05, 3.0);

    /// Is `x` finite and within `(lo, hi)`?
    pub fn within(x: f64, (lo, hi): (f64, f64)) -> bool {
        x.is_finite() && (lo..=hi).contains(&x)
    }
}

/// The schema entry of `key`.
pub fn setting(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|st| st.key == key)
}

/// Check `value` against `key`'s kind: the canonical word, or the number as text.
fn check(st: &Setting, value: &str) -> Result<String, ConfigError> {
    let (key, v) = (st.key, value.trim());
    match st.kind {
        Kind::Enum(values) => values
            .iter()
            .find(|&&w| w == v)
            .map(|w| w.to_string())
            .ok_or_else(|| ConfigError(format!("{key}={v:?} is not one of {}", values.join(", ")))),
        Kind::Int(lo, hi) => {
            let n: u64 = v
                .parse()
                .map_err(|_| ConfigError(format!("{key}={v:?} is not a whole number")))?;
            if !(lo..=hi).contains(&n) {
                return Err(ConfigError(format!(
                    "{key}={n} is out of range; use {lo} to {hi}"
                )));
            }
            Ok(n.to_string())
        }
        Kind::Float(lo, hi) => {
            let x: f64 = v
                .parse()
                .map_err(|_| ConfigError(format!("{key}={v:?} is not a number")))?;
            if !x.is_finite() || x < lo || x > hi {
                return Err(ConfigError(format!(
                    "{key}={v} is out of range; use {lo:e} to {hi}"
                )));
            }
            Ok(v.to_string())
        }
    }
}

impl RunConfig {
    /// Apply one `key=value` setting, or say why not; on error nothing changes. Values are
    /// checked against [`SETTINGS`] so the trainer can assume a sane configuration.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let st = setting(key).ok_or_else(|| {
            let known: Vec<&str> = SETTINGS.iter().map(|st| st.key).collect();
            ConfigError(format!(
                "unknown setting '{key}'; known settings: {}",
                known.join(", ")
            ))
        })?;
        let v = check(st, value)?;
        // `check` accepted it, so every parse below succeeds.
        let int = || v.parse::<u64>().unwrap_or_default();
        let float = || v.parse::<f64>().unwrap_or_default();
        match key {
            "objective" => self.objective = Objective::parse(&v).unwrap_or(self.objective),
            "gan_loss" => self.gan_loss = GanLoss::parse(&v).unwrap_or(self.gan_loss),
            "net" => self.net = NetSize::parse(&v).unwrap_or(self.net),
            "optimizer" => self.optimizer = OptimizerKind::parse(&v).unwrap_or(self.optimizer),
            "probe" => self.probe = v == "on",
            "latent" => self.latent = int() as usize,
            "batch" => self.batch = int() as usize,
            "n_critic" => self.n_critic = int() as usize,
            "log_every" => self.log_every = int() as usize,
            "emd_n" => self.emd_n = int() as usize,
            "seed" => self.seed = int(),
            "lr_d" => self.lr_d = float(),
            "lr_g" => self.lr_g = float(),
            "beta1" => self.beta1 = float(),
            "beta2" => self.beta2 = float(),
            "clip" => self.clip = float(),
            "critic_boost" => self.critic_boost = int() as usize,
            "lambda" => self.lambda = float(),
            "lambda2" => self.lambda2 = float(),
            _ => unreachable!("every key of SETTINGS is applied above"),
        }
        Ok(())
    }

    /// The value of `key` as [`RunConfig::set`] would accept it back.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "objective" => self.objective.as_str().into(),
            "gan_loss" => self.gan_loss.as_str().into(),
            "net" => self.net.as_str().into(),
            "optimizer" => self.optimizer.as_str().into(),
            "probe" => if self.probe { "on" } else { "off" }.into(),
            "latent" => self.latent.to_string(),
            "batch" => self.batch.to_string(),
            "n_critic" => self.n_critic.to_string(),
            "log_every" => self.log_every.to_string(),
            "emd_n" => self.emd_n.to_string(),
            "lr_d" => self.lr_d.to_string(),
            "lr_g" => self.lr_g.to_string(),
            "beta1" => self.beta1.to_string(),
            "beta2" => self.beta2.to_string(),
            "clip" => self.clip.to_string(),
            "critic_boost" => self.critic_boost.to_string(),
            "lambda" => self.lambda.to_string(),
            "lambda2" => self.lambda2.to_string(),
            "seed" => self.seed.to_string(),
            _ => return None,
        })
    }

    /// Every setting as `(key, value)`, in [`SETTINGS`] order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        SETTINGS
            .iter()
            .map(|st| (st.key.to_string(), self.get(st.key).unwrap_or_default()))
            .collect()
    }
}

/// A number as JavaScript reads it back exactly (Rust's shortest round-trip form).
fn js_number(x: f64) -> String {
    if x == 0.0 || (1e-3..1e6).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

fn js_words(words: &[&str]) -> String {
    let q: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    format!("[{}]", q.join(", "))
}

/// The page's copy of the schema as an ES module: `RUN_KEYS` (the settings the page shows, in
/// form order) and `LIMITS` (the experiments' bounds). Generated, never edited by hand.
pub fn page_module() -> String {
    let mut out = String::from(
        "// Generated from src/config/schema.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.\n\
         // Do not edit: tests/schema.rs fails when this file differs from what Rust generates.\n\n\
         // Every run setting the page shows, in form order: key, kind, bounds, and the objectives\n\
         // that use it (none: all of them).\n\
         export const RUN_KEYS = [\n",
    );
    for st in SETTINGS.iter().filter(|st| st.page) {
        let kind = match st.kind {
            Kind::Enum(values) => format!("type: 'enum', values: {}", js_words(values)),
            Kind::Int(lo, hi) => format!("type: 'int', min: {lo}, max: {hi}"),
            Kind::Float(lo, hi) => format!(
                "type: 'float', min: {}, max: {}",
                js_number(lo),
                js_number(hi)
            ),
        };
        let objectives = st
            .objectives
            .map(|o| format!(", objectives: {}", js_words(o)))
            .unwrap_or_default();
        out += &format!("  {{ key: '{}', {kind}{objectives} }},\n", st.key);
    }
    out += "];\n\n// Bounds of the lab's experiments.\nexport const LIMITS = {\n";
    let int = |(lo, hi): (u64, u64)| format!("{{ min: {lo}, max: {hi} }}");
    out += &format!("  opt_steps: {},\n", int(limits::OPT_STEPS));
    out += &format!(
        "  mcmc_eps: {{ min: {}, max: {} }},\n",
        js_number(limits::MCMC_EPS.0),
        js_number(limits::MCMC_EPS.1)
    );
    out += &format!("  mcmc_steps: {},\n", int(limits::MCMC_STEPS));
    out += &format!("  mcmc_samplers: {},\n", js_words(limits::MCMC_SAMPLERS));
    let float =
        |(lo, hi): (f64, f64)| format!("{{ min: {}, max: {} }}", js_number(lo), js_number(hi));
    out += &format!("  theta: {},\n", float(limits::THETA));
    out += &format!("  mu: {},\n", float(limits::MU));
    out += &format!("  sigma: {},\n", float(limits::SIGMA));
    out += "};\n";
    out
}
