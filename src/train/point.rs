//! The logged point: what a run reports at a logged step, as the page, the tools and the class
//! rooms receive it.

use serde::Serialize;

/// The metrics of a [`LogPoint`], every field but `step`, in its order: what the page's
/// `snapshot().runs[i].metrics` carries and what a class room accepts from a student
/// (`www/common/metrics.js` is generated from this; tests/schema.rs holds it to the struct).
pub const METRIC_KEYS: [&str; 15] = [
    "js_hat",
    "w_hat",
    "lipschitz",
    "w_norm",
    "emd",
    "feature_distance",
    "loss_d",
    "loss_g",
    "grad_norm_g",
    "js_opt",
    "w_opt",
    "js_probe",
    "rho_est",
    "rho_probe",
    "rho_feature",
];

/// `www/common/metrics.js`: [`METRIC_KEYS`] as an ES module. Generated, never edited by hand.
pub fn metrics_module() -> String {
    let keys: Vec<String> = METRIC_KEYS.iter().map(|k| format!("'{k}'")).collect();
    format!(
        "// Generated from src/train/point.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.\n\
         // Do not edit: tests/schema.rs fails when this file differs from what Rust generates.\n\n\
         // The metrics of a logged point (every field of Rust's LogPoint but its step).\n\
         export const METRIC_KEYS = [{}];\n",
        keys.join(", ")
    )
}

/// One logged point: the run's state after `step` generator updates.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogPoint {
    pub step: u64,
    /// GAN only: log 2 - L_D / 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js_hat: Option<f64>,
    /// WGAN, WGAN-GP and energy GAN: E f(real) - E f(fake), penalty left out (for the energy GAN
    /// f = -U, so this is the energy gap E U(fake) - E U(real)). The clipped WGAN's is read from
    /// its critic brought up to date ([`CATCH_UP`](super::CATCH_UP) more updates on a copy) and
    /// only at the judged points, as `feature_distance` is; its critic's loss is in `loss_d` at
    /// every point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w_hat: Option<f64>,
    /// Where W_hat is: K̂, the largest ‖∇ₓf‖ over the fixed batch's real, generated and interpolated
    /// images (pixels in [-1, 1]): the critic's Lipschitz constant, estimated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lipschitz: Option<f64>,
    /// Critics only: W_hat / (2 K̂), the critic's estimate of W1 in the EMD's units ([0, 1]
    /// pixels; the factor 2 is the change from [-1, 1]): comparable over a run whose critic's K
    /// drifts, and a lower bound of the true W1 when the critic is near its optimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w_norm: Option<f64>,
    /// Exact empirical W1 in pixel space ([0, 1] intensities), n real vs n generated images:
    /// exactly the distance the WGAN's critic estimates, up to its Lipschitz constant.
    pub emd: f64,
    /// The Fréchet distance between the digit classifier's features of 256 generated images (a
    /// fixed noise batch) and of the held-out real digits: lower = closer to real digits, in a
    /// space where distance means "looks like a digit" (as FID uses Inception's features). Absent
    /// until the classifier is loaded, and at the points between judged ones
    /// ([`JUDGE_EVERY`](super::yardstick::JUDGE_EVERY)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature_distance: Option<f64>,
    /// Discriminator loss L_D (sum of the two BCE means) or critic loss L_f.
    pub loss_d: f64,
    /// Generator loss.
    pub loss_g: f64,
    /// ||grad_theta_G L_G||_2 over all generator parameters.
    pub grad_norm_g: f64,
    /// JS_hat of a discriminator trained towards optimality against this generator (the judge,
    /// [`JUDGE_STEPS`](super::yardstick::JUDGE_STEPS) more updates before each judged point),
    /// evaluated on held-out real digits it never trained on: the seeds' claim is about the
    /// optimal D. Absent until the yardstick (with its held-out digits) is loaded, and at the
    /// points between judged ones, as `w_opt` and `feature_distance` are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js_opt: Option<f64>,
    /// E f(held-out real) − E f(generated) of a clipped critic trained towards optimality the
    /// same way (the critic judge): W at a near-optimal critic, up to its Lipschitz constant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub w_opt: Option<f64>,
    /// The probe discriminator's log 2 - L_probe / 2 (when the run has a probe).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub js_probe: Option<f64>,
    /// Spearman correlation, over the run's logged points so far (step 0 excluded), between its
    /// own estimate (JS_hat or W_hat) and the EMD yardstick (from 3 points on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_est: Option<f64>,
    /// The same for the probe's JS estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_probe: Option<f64>,
    /// Spearman correlation between the run's own estimate and the feature distance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho_feature: Option<f64>,
}
