//! Losses of each objective and the divergence estimate each one yields (docs/theory.md 1-2).
//!
//! All GAN losses take the discriminator's *logits* and use softplus, the log-sum-exp-stable form
//! of BCE: -log sigmoid(x) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).

use burn::tensor::activation::softplus;
use burn::tensor::Tensor;

use crate::config::GanLoss;
use crate::nets::ScoreNet;

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

/// WGAN-GP's penalty (Gulrajani et al. 2017; docs/theory.md 4): E[(‖∇ₓf(x̂)‖₂ − 1)²] on interpolates
/// x̂ = ε·real + (1 − ε)·fake, ε ~ U[0, 1] per row (`eps` [batch, 1]). Differentiable once with
/// respect to the critic's weights; multiply by λ (10 in the paper) and add to the critic loss.
pub fn gradient_penalty(
    critic: &ScoreNet,
    real: Tensor<2>,
    fake: Tensor<2>,
    eps: Tensor<2>,
) -> Tensor<1> {
    let x_hat = real.detach() * eps.clone() + fake.detach() * eps.neg().add_scalar(1.0); // [batch, 784]
    let (_, g) = critic.score_and_input_grad(x_hat);
    // A tiny floor inside the root keeps its derivative finite where ∇ₓf = 0.
    let norm = g.powf_scalar(2.0).sum_dim(1).add_scalar(1e-12).sqrt(); // [batch, 1]
    norm.sub_scalar(1.0).powf_scalar(2.0).mean()
}

/// The energy GAN's zero-centred penalty (docs/theory.md 5; Kumar et al. 2019): E_real ‖∇ₓU(x)‖².
/// The network outputs f = −U (higher = more real, as every other critic here), and ‖∇U‖ = ‖∇f‖.
/// Multiply by λ1 and add to the energy loss E_real U − E_fake U = E_fake f − E_real f, which is
/// [`wgan_critic_loss`]: the energy model's loss is the WGAN critic's, regularised differently.
pub fn real_gradient_penalty(critic: &ScoreNet, real: Tensor<2>) -> Tensor<1> {
    let (_, g) = critic.score_and_input_grad(real.detach());
    g.powf_scalar(2.0).sum_dim(1).mean()
}

/// The encoder term λ2·E‖z − E(G(z))‖² (summed over the latent, averaged over the batch): an
/// InfoGAN-style bound on I(X, Z) that stands in for the generator's entropy. Many z mapped to
/// one image cannot all be recovered from it, so mode collapse costs the generator here.
pub fn encoder_loss(z: Tensor<2>, recovered: Tensor<2>) -> Tensor<1> {
    (z - recovered).powf_scalar(2.0).sum_dim(1).mean()
}
