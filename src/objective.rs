//! Losses of each objective and the divergence estimate each one yields (THEORY.md 1-2).
//!
//! All GAN losses take the discriminator's *logits* and use softplus, the log-sum-exp-stable form
//! of BCE: -log sigmoid(x) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).

use burn::tensor::activation::softplus;
use burn::tensor::Tensor;

use crate::config::GanLoss;

/// log 2, the ceiling of the Jensen-Shannon divergence.
pub const LN2: f64 = std::f64::consts::LN_2;

/// L_D = -E_real[log D(x)] - E_fake[log(1 - D(G(z)))], the sum of the two BCE means.
pub fn gan_d_loss(real_logits: Tensor<2>, fake_logits: Tensor<2>) -> Tensor<1> {
    softplus(real_logits.neg(), 1.0).mean() + softplus(fake_logits, 1.0).mean()
}

/// The generator's loss on D's logits for fakes.
pub fn gan_g_loss(fake_logits: Tensor<2>, loss: GanLoss) -> Tensor<1> {
    match loss {
        // E[log(1 - D(G(z)))] = -E[softplus(logit)]
        GanLoss::Saturating => softplus(fake_logits, 1.0).mean().neg(),
        // E[-log D(G(z))] = E[softplus(-logit)]
        GanLoss::NonSaturating => softplus(fake_logits.neg(), 1.0).mean(),
    }
}

/// JS_hat = log 2 - L_D / 2: a lower bound of JS(P_r || P_g), tight when D = D*.
pub fn js_hat(loss_d: f64) -> f64 {
    LN2 - loss_d / 2.0
}

/// Critic loss L_f = -(E_real f(x) - E_fake f(G(z))); its negation is W_hat.
pub fn wgan_critic_loss(real_scores: Tensor<2>, fake_scores: Tensor<2>) -> Tensor<1> {
    fake_scores.mean() - real_scores.mean()
}

/// Generator loss L_G = -E_fake f(G(z)).
pub fn wgan_g_loss(fake_scores: Tensor<2>) -> Tensor<1> {
    fake_scores.mean().neg()
}

/// W_hat = E_real f(x) - E_fake f(G(z)) = -L_f.
pub fn w_hat(critic_loss: f64) -> f64 {
    -critic_loss
}
