//! The nets' matrix products through [`sgemm`](super::sgemm) in the browser (issue 19), plugged
//! into Burn as a backend extension: a forward on Burn's CPU backend (`Flex`) and a backward pass
//! of its own on `Autodiff<Flex>` (dL/dA = dL/dC·Bᵀ and dL/dB = Aᵀ·dL/dC, both again through
//! `sgemm`, the transposes as strided views).
//!
//! [`linear`] and [`matmul`] take this path on the CPU in wasm only. Natively Burn's matmul (gemm
//! with AVX) is faster, and on WebGPU the product stays on the GPU; there they are Burn's own ops.
//! [`matmul_own`] takes the path on any CPU build, for the tests.

use burn::backend::autodiff::checkpoint::{base::Checkpointer, strategy::CheckpointStrategy};
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::backend::autodiff::Autodiff;
use burn::backend::flex::FlexTensor;
use burn::backend::tensor::FloatTensor;
use burn::backend::{backend_extension, DType, Dispatch, Flex, Shape};
use burn::nn::Linear;
use burn::tensor::Tensor;

use super::sgemm::{sgemm, Strided};

/// Smallest m, n and k the extension takes: below it (the critic's one-column output layer), the
/// padded tile would be mostly zeros and Burn's product is as fast.
pub const MIN_DIM: usize = 4;

std::thread_local! {
    static OWN_PRODUCTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many products our kernel has computed on this thread (forward and backward): the tests
/// assert that it ran, so that a change in how devices compare cannot quietly compare Burn's
/// matmul with itself (issue 36).
pub fn own_products() -> u64 {
    OWN_PRODUCTS.with(|c| c.get())
}

#[backend_extension(Flex, Autodiff)]
pub trait OwnMatmul: burn::backend::Backend {
    /// lhs · rhs for two matrices ([m, k] · [k, n] -> [m, n]).
    fn own_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self>;
}

impl OwnMatmul for Flex {
    fn own_matmul(lhs: FlexTensor, rhs: FlexTensor) -> FlexTensor {
        product(&lhs, &rhs)
    }
}

impl<C: CheckpointStrategy> OwnMatmul for Autodiff<Flex, C> {
    fn own_matmul(lhs: FloatTensor<Self>, rhs: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct OwnMatmulBackward;

        impl Backward<Flex, 2> for OwnMatmulBackward {
            /// The forward's lhs (kept when rhs needs a gradient) and rhs (when lhs does).
            type State = (Option<FlexTensor>, Option<FlexTensor>);

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _checkpointer: &mut Checkpointer,
            ) {
                let [node_lhs, node_rhs] = ops.parents;
                let grad = grads.consume::<Flex>(&ops.node);
                let (lhs, rhs) = ops.state;
                if let (Some(node), Some(rhs)) = (node_lhs, rhs) {
                    grads.register::<Flex>(node.id, product(&grad, &rhs.transpose(0, 1)));
                }
                if let (Some(node), Some(lhs)) = (node_rhs, lhs) {
                    grads.register::<Flex>(node.id, product(&lhs.transpose(0, 1), &grad));
                }
            }
        }

        let (lhs_tracked, rhs_tracked) = (lhs.is_tracked(), rhs.is_tracked());
        match OwnMatmulBackward
            .prepare::<C>([lhs.node(), rhs.node()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (l, r) = (lhs.primitive().clone(), rhs.primitive().clone());
                let out = product(&l, &r);
                prep.finish((rhs_tracked.then_some(l), lhs_tracked.then_some(r)), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(product(lhs.primitive(), rhs.primitive())),
        }
    }
}

/// [m, k] · [k, n] of two f32 Flex tensors, any strides, into a new row-major tensor.
fn product(lhs: &FlexTensor, rhs: &FlexTensor) -> FlexTensor {
    OWN_PRODUCTS.with(|c| c.set(c.get() + 1));
    assert!(
        lhs.dtype() == DType::F32 && rhs.dtype() == DType::F32,
        "own_matmul: f32 only"
    );
    let (a, [m, k]) = strided(lhs);
    let (b, [k2, n]) = strided(rhs);
    assert_eq!(k, k2, "own_matmul: [{m}, {k}] · [{k2}, {n}]");
    let mut out = FlexTensor::empty(Shape::new([m, n]), DType::F32);
    sgemm(m, n, k, a, b, out.storage_mut::<f32>());
    out
}

fn strided(t: &FlexTensor) -> (Strided<'_>, [usize; 2]) {
    let layout = t.layout();
    let (dims, strides) = (layout.shape(), layout.strides());
    assert_eq!(dims.num_dims(), 2, "own_matmul: matrices only");
    let view = Strided {
        data: t.storage::<f32>(),
        offset: layout.start_offset(),
        rs: strides[0],
        cs: strides[1],
    };
    (view, [dims[0], dims[1]])
}

/// lhs · rhs through the extension on a CPU device, Burn's matmul elsewhere or for small sizes.
pub fn matmul_own(lhs: Tensor<2>, rhs: Tensor<2>) -> Tensor<2> {
    let ([m, k], [_, n]) = (lhs.dims(), rhs.dims());
    if !super::fast_paths(&lhs.device()) || m.min(n).min(k) < MIN_DIM {
        return lhs.matmul(rhs);
    }
    Tensor::from_dispatch(<Dispatch as OwnMatmul>::own_matmul(
        lhs.into_dispatch(),
        rhs.into_dispatch(),
    ))
}

/// lhs · rhs: [`matmul_own`] in the browser's CPU build, Burn's matmul elsewhere.
pub fn matmul(lhs: Tensor<2>, rhs: Tensor<2>) -> Tensor<2> {
    if cfg!(target_arch = "wasm32") {
        matmul_own(lhs, rhs)
    } else {
        lhs.matmul(rhs)
    }
}

/// A Linear layer's forward, x·W + b, its product through [`matmul`].
pub fn linear(fc: &Linear, x: Tensor<2>) -> Tensor<2> {
    let y = matmul(x, fc.weight.val());
    match &fc.bias {
        Some(b) => y + b.val().unsqueeze(),
        None => y,
    }
}
