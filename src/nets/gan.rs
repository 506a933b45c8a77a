//! Generator and discriminator/critic MLPs (docs/theory.md 1; anchors' WORKLOADS.md).
//!
//! Both nets use LeakyReLU(0.2); the critic outputs a raw score (a logit for the GAN, f(x) for the
//! WGAN), so losses can use log-sum-exp-stable forms. Linear layers use Burn's default init, which is
//! PyTorch's `nn.Linear` init (U(-1/sqrt(fan_in), 1/sqrt(fan_in))); their products go through
//! [`linear`] (our own wasm SIMD kernel in the browser's CPU build).

use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use super::activation::{leaky_relu, tanh};
use crate::cpu::matmul::{linear, matmul};

/// LeakyReLU slope of every hidden layer (PyTorch-GAN, DCGAN).
pub const LEAKY_SLOPE: f64 = 0.2;
/// PyTorch-GAN writes `BatchNorm1d(out, 0.8)`: the 0.8 is the *epsilon*. Kept for fidelity.
pub const BN_EPSILON: f64 = 0.8;
/// Pixels per image.
pub const PIXELS: usize = 784;

/// Linear -> (BatchNorm) -> LeakyReLU.
#[derive(Module, Debug)]
pub struct Block {
    fc: Linear,
    bn: Option<BatchNorm>,
}

impl Block {
    fn new(d_in: usize, d_out: usize, batch_norm: bool, device: &Device) -> Self {
        Block {
            fc: LinearConfig::new(d_in, d_out).init(device),
            bn: batch_norm.then(|| {
                BatchNormConfig::new(d_out)
                    .with_epsilon(BN_EPSILON)
                    .init(device)
            }),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = linear(&self.fc, x); // [batch, d_out]
        let x = match &self.bn {
            Some(bn) => bn.forward(x), // [batch, d_out]
            None => x,
        };
        leaky_relu(x, LEAKY_SLOPE) // [batch, d_out]
    }
}

/// z -> image in [-1, 1].
#[derive(Module, Debug)]
pub struct Generator {
    hidden: Vec<Block>,
    out: Linear,
}

impl Generator {
    /// `widths` are the hidden layers; batch norm on every hidden layer but the first, as in
    /// PyTorch-GAN (`normalize=False` on its first block).
    pub fn new(latent: usize, widths: &[usize], device: &Device) -> Self {
        let mut hidden = Vec::new();
        let mut d_in = latent;
        for (i, &w) in widths.iter().enumerate() {
            hidden.push(Block::new(d_in, w, i > 0, device));
            d_in = w;
        }
        Generator {
            hidden,
            out: LinearConfig::new(d_in, PIXELS).init(device),
        }
    }

    pub fn forward(&self, z: Tensor<2>) -> Tensor<2> {
        let mut x = z; // [batch, latent]
        for block in &self.hidden {
            x = block.forward(x); // [batch, width]
        }
        tanh(linear(&self.out, x)) // [batch, 784]
    }
}

/// Image -> one raw score (or, as the encoder, `outputs` numbers): the one network type behind
/// every [`Role`] a run gives it.
#[derive(Module, Debug)]
pub struct ScoreNet {
    hidden: Vec<Linear>,
    out: Linear,
}

/// What a [`ScoreNet`] is for. One MLP type serves six roles; the role decides its loss and how
/// it is trained (`train::Watch` for the ones that only watch), never its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The GAN's discriminator D(x), a logit: trained by the halved cross-entropy, and the network
    /// the generator trains against.
    Discriminator,
    /// The WGAN's critic f(x): trained by the Kantorovich-Rubinstein loss (clipped, or penalised
    /// for WGAN-GP and the energy GAN), and the network the generator trains against. Also its
    /// caught-up copy, read for the clipped WGAN's W_hat.
    Critic,
    /// A discriminator that only watches a run (probe JS_hat): one update per step, never used by
    /// the generator.
    Probe,
    /// The near-optimal discriminator behind JS_opt, trained further at every judged point.
    Judge,
    /// The near-optimal clipped critic behind W_opt, trained further at every judged point.
    CriticJudge,
    /// The energy GAN's encoder E(x) -> z, trained with the generator.
    Encoder,
}

impl Role {
    /// Whether a network in this role is a critic (Kantorovich-Rubinstein loss, a Lipschitz
    /// constraint) rather than a discriminator (cross-entropy on a logit).
    pub fn is_critic(self) -> bool {
        matches!(self, Role::Critic | Role::CriticJudge)
    }
}

impl ScoreNet {
    pub fn new(widths: &[usize], device: &Device) -> Self {
        Self::with_outputs(widths, 1, device)
    }

    /// The same MLP with `outputs` numbers per image: the energy GAN's encoder E(x) -> z uses the
    /// critic's widths and the latent size.
    pub fn with_outputs(widths: &[usize], outputs: usize, device: &Device) -> Self {
        let mut hidden = Vec::new();
        let mut d_in = PIXELS;
        for &w in widths {
            hidden.push(LinearConfig::new(d_in, w).init(device));
            d_in = w;
        }
        ScoreNet {
            hidden,
            out: LinearConfig::new(d_in, outputs).init(device),
        }
    }

    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        let mut x = images; // [batch, 784]
        for fc in &self.hidden {
            x = leaky_relu(linear(fc, x), LEAKY_SLOPE); // [batch, width]
        }
        linear(&self.out, x) // [batch, 1]
    }

    /// f(x) and the input gradient ∇ₓf(x) of every row, the gradient written as ordinary forward
    /// tensor ops (docs/theory.md 4): Burn has no double backward, so WGAN-GP's penalty on ‖∇ₓf‖ is
    /// built from these ops and differentiated once. For f = W_out·h_L, h_l = lrelu(W_l·h_(l-1)):
    /// ∇ₓf = W_1ᵀ·diag(lrelu'(a_1))·…·W_Lᵀ·diag(lrelu'(a_L))·W_outᵀ. The slopes lrelu'(a) are
    /// piecewise constant (1 or 0.2), so they are taken as constants (detached): their derivative
    /// is zero almost everywhere, as in a true double backward.
    pub fn score_and_input_grad(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let batch = images.dims()[0];
        let mut x = images; // [batch, 784]
        let mut slopes = Vec::with_capacity(self.hidden.len());
        for fc in &self.hidden {
            let a = linear(fc, x); // [batch, width]
            let slope = a
                .clone()
                .detach()
                .greater_elem(0.0)
                .float()
                .mul_scalar(1.0 - LEAKY_SLOPE)
                .add_scalar(LEAKY_SLOPE); // [batch, width]: 1 where a > 0, else 0.2
            slopes.push(slope);
            x = leaky_relu(a, LEAKY_SLOPE);
        }
        let score = linear(&self.out, x); // [batch, 1]
                                          // Back to the input, one layer at a time: g <- (g ⊙ slope) · Wᵀ (Linear weights are [in, out]).
        let mut g = self.out.weight.val().transpose().repeat_dim(0, batch); // [batch, width_L]
        for (fc, slope) in self.hidden.iter().zip(slopes).rev() {
            g = matmul(g * slope, fc.weight.val().transpose()); // [batch, width_(l-1)]
        }
        (score, g) // [batch, 1], [batch, 784]
    }

    /// The weight matrices, first layer to output (for tests of gradients with respect to them).
    pub fn weights(&self) -> Vec<Tensor<2>> {
        self.hidden
            .iter()
            .chain(std::iter::once(&self.out))
            .map(|fc| fc.weight.val())
            .collect()
    }
}
