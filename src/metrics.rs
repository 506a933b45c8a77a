//! Measurements independent of either network: the exact empirical EMD in pixel space, and the
//! generator's gradient norm (THEORY.md 6).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;

/// Pairwise Euclidean distances between the rows of `a` [n, d] and `b` [m, d], as one tensor op:
/// ||a_i - b_j||^2 = ||a_i||^2 + ||b_j||^2 - 2 a_i . b_j.
pub fn pairwise_distances(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let a2 = a.clone().powi_scalar(2).sum_dim(1); // [n, 1]
    let b2 = b.clone().powi_scalar(2).sum_dim(1).transpose(); // [1, m]
    let ab = a.matmul(b.transpose()); // [n, m]
    (a2 + b2 - ab.mul_scalar(2.0)).clamp_min(0.0).sqrt() // [n, m]
}

/// Exact W1 between two uniform empirical measures of n points each, given their n x n cost
/// matrix (row-major): with equal weights the optimal plan is a permutation (Birkhoff), so
/// W1 = min over assignments of the mean matched cost. Solved by `lsap` (SciPy's algorithm).
pub fn emd_from_costs(n: usize, costs: &[f64]) -> Result<f64, String> {
    if n == 0 || costs.len() != n * n {
        return Err(format!(
            "EMD needs an n x n cost matrix, got {} entries for n = {n}",
            costs.len()
        ));
    }
    if costs.iter().any(|c| !c.is_finite()) {
        return Err("EMD cost matrix holds a non-finite distance".into());
    }
    let costs = costs.to_vec();
    let total = lsap::get_assigned_cost(n, n, &costs, false)
        .map_err(|e| format!("assignment failed: {e:?}"))?;
    Ok(total / n as f64)
}

/// sum over the generator's parameters of ||grad||^2, as a device scalar (read it back when
/// logging only). Parameters without a gradient contribute nothing.
pub fn grad_norm_sq<M: Module>(module: &M, grads: &GradientsParams) -> Option<Tensor<1>> {
    struct Acc<'a> {
        grads: &'a GradientsParams,
        sum: Option<Tensor<1>>,
    }
    impl ModuleVisitor for Acc<'_> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if let Some(g) = self.grads.get::<D>(param.id) {
                let s = g.powi_scalar(2).sum();
                self.sum = Some(match self.sum.take() {
                    Some(acc) => acc + s,
                    None => s,
                });
            }
        }
    }
    let mut acc = Acc { grads, sum: None };
    module.visit(&mut acc);
    acc.sum
}
