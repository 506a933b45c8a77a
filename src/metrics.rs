//! Measurements independent of either network: the exact empirical EMD in pixel space, the
//! Fréchet distance between two sets of feature vectors, and the generator's gradient norm
//! (docs/theory.md 6).

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

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

/// A set of points summarised by its mean and covariance: what the Fréchet distance compares.
#[derive(Clone, Debug, PartialEq)]
pub struct Gaussian {
    pub mean: DVector<f64>,
    pub cov: DMatrix<f64>,
}

impl Gaussian {
    /// From `n` rows of `d` features, row-major; the covariance with 1/(n - 1).
    pub fn fit(rows: &[f32], n: usize, d: usize) -> Result<Gaussian, String> {
        if n < 2 || d == 0 || rows.len() != n * d {
            return Err(format!(
                "a Gaussian fit needs n >= 2 rows of d > 0 features; got {} values for n = {n}, d = {d}",
                rows.len()
            ));
        }
        if rows.iter().any(|x| !x.is_finite()) {
            return Err("a feature is not a finite number".into());
        }
        let x = DMatrix::from_fn(n, d, |i, j| rows[i * d + j] as f64);
        let mean = x.row_mean().transpose(); // [d]
        let centred = DMatrix::from_fn(n, d, |i, j| x[(i, j)] - mean[j]);
        let cov = centred.transpose() * &centred / (n - 1) as f64; // [d, d]
        Ok(Gaussian { mean, cov })
    }
}

/// Σ^{1/2} of a symmetric positive semi-definite matrix, from its eigendecomposition (eigenvalues
/// below zero, rounding noise, count as zero).
fn sqrt_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    let e = SymmetricEigen::new(m.clone());
    let root = e.eigenvalues.map(|l| l.max(0.0).sqrt());
    &e.eigenvectors * DMatrix::from_diagonal(&root) * e.eigenvectors.transpose()
}

/// The Fréchet distance between two Gaussians, as FID computes it on Inception features:
/// ‖μa − μb‖² + tr(Σa + Σb − 2 (Σa Σb)^{1/2}). tr((Σa Σb)^{1/2}) is the sum of the square roots of
/// the eigenvalues of Σa^{1/2} Σb Σa^{1/2}, which is symmetric PSD and similar to Σa Σb.
pub fn frechet_distance(a: &Gaussian, b: &Gaussian) -> f64 {
    let mean = (&a.mean - &b.mean).norm_squared();
    let sa = sqrt_psd(&a.cov);
    let m = &sa * &b.cov * &sa;
    let m = (&m + m.transpose()) * 0.5; // exactly symmetric
    let cross: f64 = SymmetricEigen::new(m)
        .eigenvalues
        .iter()
        .map(|l| l.max(0.0).sqrt())
        .sum();
    (mean + a.cov.trace() + b.cov.trace() - 2.0 * cross).max(0.0)
}
