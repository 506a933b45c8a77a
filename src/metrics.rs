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

/// Ranks 1..n of `v`, ties given the mean of the ranks they span.
fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = mean_rank;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation: Pearson's correlation of the (tie-averaged) ranks. `None` with
/// fewer than 3 pairs, different lengths, a non-finite value, or a constant series.
pub fn spearman(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len();
    if n < 3 || b.len() != n || a.iter().chain(b).any(|x| !x.is_finite()) {
        return None;
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let mean = (n as f64 + 1.0) / 2.0;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (x, y) = (ra[i] - mean, rb[i] - mean);
        sab += x * y;
        saa += x * x;
        sbb += y * y;
    }
    if saa == 0.0 || sbb == 0.0 {
        return None;
    }
    Some(sab / (saa * sbb).sqrt())
}

#[cfg(test)]
mod tests {
    use super::spearman;

    #[test]
    fn spearman_of_textbook_cases() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(spearman(&a, &[2.0, 4.0, 9.0, 16.0, 100.0]), Some(1.0));
        assert_eq!(spearman(&a, &[5.0, 4.0, 3.0, 2.0, 1.0]), Some(-1.0));
        // 1 - 6 sum d^2 / (n (n^2 - 1)) without ties: d = (0, 0, 1, -1, 0) -> 1 - 12/120 = 0.9.
        let r = spearman(&a, &[1.0, 2.0, 4.0, 3.0, 5.0]).unwrap();
        assert!((r - 0.9).abs() < 1e-12, "{r}");
        // Ties take mean ranks: [1, 2.5, 2.5, 4] vs [1, 2, 3, 4] -> r = 0.9487 (scipy.stats.spearmanr).
        let r = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        assert!((r - 0.948_683_298).abs() < 1e-6, "{r}");
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[1.0, 2.0]), None);
        assert_eq!(spearman(&[1.0, f64::NAN, 2.0], &[1.0, 2.0, 3.0]), None);
    }
}
