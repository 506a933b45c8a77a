//! Adam and RMSProp as the runs use them, each parameter's update in one pass on the CPU (issue 19).
//!
//! Burn's `Adam` and `RmsProp` update a parameter with one tensor op per term: thirteen passes
//! over memory for Adam (each allocating), nine for RMSProp. A GAN step updates ~560,000
//! parameters, a WGAN step three times as many, so those passes were ~6% of a small GAN's wasm step
//! (issue 19's profile: `mul_scalar`, the in-place adds, divisions and subtractions, `sqrt`).
//! On Burn's CPU backend these optimisers read the parameter, its gradient and its state once,
//! update them in one loop the compiler vectorises, and hand them back (Burn's CPU backend moves a
//! tensor's buffer out without a copy where nothing else holds it, and back in without one).
//!
//! They are Burn's optimisers in every other respect: the same arithmetic in the same order in
//! f32 (the results are bit for bit Burn's, `tests/fast_paths.rs`), Burn's state types (so the
//! checkpoints' records do not change), and Burn's own implementation on any other device.

use burn::optim::{
    Adam, AdamConfig, AdamState, AdaptiveMomentumState, CenteredState, LearningRate,
    ModuleOptimizer, Optimizer, RmsProp, RmsPropConfig, RmsPropState, SquareAvgState,
};
use burn::tensor::{Device, Shape, Tensor, TensorData};

use crate::tensors::host;

/// Adam without weight decay or AMSGrad, as `AdamConfig` builds it.
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    beta_2: f32,
    epsilon: f32,
    burn: Adam,
}

impl FusedAdam {
    pub fn new(beta_1: f32, beta_2: f32, epsilon: f32) -> Self {
        let burn = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(beta_2)
            .with_epsilon(epsilon)
            .build();
        FusedAdam {
            beta_1,
            beta_2,
            epsilon,
            burn,
        }
    }

    pub fn init(self) -> ModuleOptimizer {
        self.into()
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = AdamState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let device = tensor.device();
        if !super::fast_paths(&device) {
            return self.burn.step(lr, tensor, grad, state);
        }
        let shape = tensor.shape();
        let mut p = host(tensor);
        let g = host(grad);
        let (time, mut m, mut v) = match state {
            Some(s) => (
                s.momentum.time + 1,
                host(s.momentum.moment_1),
                host(s.momentum.moment_2),
            ),
            // Burn starts from m = (1 − β₁)g, v = (1 − β₂)g², which is this loop from zeros.
            None => (1, vec![0.0; p.len()], vec![0.0; p.len()]),
        };
        let (b1, b2) = (self.beta_1, self.beta_2);
        let (c1, c2) = (1.0 - b1, 1.0 - b2);
        let bias_correction2_sqrt = (1.0 - b2.powi(time as i32)).sqrt();
        let factor = bias_correction2_sqrt / (1.0 - b1.powi(time as i32));
        let eps = self.epsilon * bias_correction2_sqrt;
        let lr = lr as f32;
        for (((p, &g), m), v) in p.iter_mut().zip(&g).zip(&mut m).zip(&mut v) {
            *m = *m * b1 + g * c1;
            *v = *v * b2 + (g * g) * c2;
            *p -= ((*m * factor) / (v.sqrt() + eps)) * lr;
        }
        let momentum = AdaptiveMomentumState::new(
            time,
            device_tensor(m, &shape, &device),
            device_tensor(v, &shape, &device),
        );
        (
            device_tensor(p, &shape, &device),
            Some(AdamState::new(momentum)),
        )
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        <Adam as Optimizer>::to_device(state, device)
    }
}

/// RMSProp without momentum, centring or weight decay (PyTorch's defaults, as the WGAN scripts use
/// it), as `RmsPropConfig` builds it.
#[derive(Clone)]
pub struct FusedRmsProp {
    alpha: f32,
    epsilon: f32,
    burn: RmsProp,
}

impl FusedRmsProp {
    pub fn new(alpha: f32, epsilon: f32) -> Self {
        let burn = RmsPropConfig::new()
            .with_alpha(alpha)
            .with_momentum(0.0)
            .with_epsilon(epsilon)
            .build();
        FusedRmsProp {
            alpha,
            epsilon,
            burn,
        }
    }

    pub fn init(self) -> ModuleOptimizer {
        self.into()
    }
}

impl Optimizer for FusedRmsProp {
    type State<const D: usize> = RmsPropState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let device = tensor.device();
        if !super::fast_paths(&device) {
            return self.burn.step(lr, tensor, grad, state);
        }
        let shape = tensor.shape();
        let mut p = host(tensor);
        let g = host(grad);
        let mut s = match state {
            // `centered.avg` is the same tensor as `square_avg` (no centring): drop it first, so
            // that the buffer is this loop's alone and moves out without a copy.
            Some(RmsPropState { square_avg, .. }) => host(square_avg.square_avg),
            None => vec![0.0; p.len()],
        };
        let (alpha, c) = (self.alpha, 1.0 - self.alpha);
        let (eps, lr) = (self.epsilon, lr as f32);
        for ((p, &g), s) in p.iter_mut().zip(&g).zip(&mut s) {
            *s = *s * alpha + (g * g) * c;
            *p -= (g / (s.sqrt() + eps)) * lr;
        }
        let square_avg = device_tensor(s, &shape, &device);
        let state = RmsPropState::new(
            SquareAvgState::new(square_avg.clone()),
            CenteredState::new(None, square_avg),
            None,
        );
        (device_tensor(p, &shape, &device), Some(state))
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        <RmsProp as Optimizer>::to_device(state, device)
    }
}

fn device_tensor<const D: usize>(v: Vec<f32>, shape: &Shape, device: &Device) -> Tensor<D> {
    Tensor::from_data(TensorData::new(v, shape.clone()), device)
}
