//! The known-answer check a backend passes before a class trains on it (issue 34).
//!
//! On the web, a WebGPU kernel that fails validation is skipped silently and returns stale data
//! (tracel-ai/cubecl #1641), and drivers have returned zeros (wgpu #1881): a run could teach
//! nonsense with nothing on screen to say so. So before the first WebGPU step the page runs the
//! same fixed computation on the CPU build and on WebGPU and compares what comes back:
//!
//! - the start: one run's state at step 0 (weights, batch stream), made on the CPU and restored on
//!   both, so both begin from the same numbers (a device's own weight initialisation differs);
//! - one full training step: every critic update of the step and the generator update, forward,
//!   backward and optimiser (Adam or RMSProp, the WGAN's clipping included);
//! - then read back through the instruments' path: every parameter of the generator and of the
//!   critic, the generator's images of the sample grid's noise, and the critic's scores of them.
//!
//! Each part is compared by its relative L2 error, ‖candidate − reference‖ / ‖reference‖, and the
//! check passes when the largest is at most [`TOLERANCE`].

use burn::module::Module;
use burn::tensor::Tensor;
use serde::Serialize;

use super::{Checkpoint, Trainer};
use crate::tensors::{load_params, read_f32, read_module_params};

/// The largest relative L2 error a part may have. One step in float32 on two backends differs by
/// summation order only: ~1e-7 relative in each product, and at most a few 1e-5 after Adam's or
/// RMSProp's first update (which divides by the gradient's own size, so a gradient that is ~0 on
/// both may change sign). A kernel that computes something else, or reads a stale buffer, is off
/// by 1e-2 or more. 1e-3 lies between, two orders of magnitude from each.
pub const TOLERANCE: f64 = 1e-3;

/// What one step from the start leaves behind, read back from a device.
#[derive(Clone, Debug, PartialEq)]
pub struct Fingerprint {
    /// (name, values): "generator", "critic", "images", "scores".
    pub parts: Vec<(&'static str, Vec<f32>)>,
}

/// The outcome of comparing a candidate's fingerprint with the reference's.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The largest relative L2 error over the parts; infinite when a value is not finite or a
    /// part is missing.
    pub max_rel_error: f64,
    /// The part with that error.
    pub worst: String,
    pub tolerance: f64,
    pub ok: bool,
}

impl Trainer {
    /// The fingerprint of one training step from `start` (a checkpoint of a run with the same
    /// settings, at any device). `fault` (tests only) perturbs a tenth of the generator's weights
    /// by 5% after the step, as a kernel that writes wrong values would.
    pub async fn known_answer(
        &mut self,
        start: &Checkpoint,
        fault: bool,
    ) -> Result<Fingerprint, String> {
        self.restore(start)?;
        self.train_step();
        if fault {
            let mut v = read_module_params(&self.nets.g).await?;
            let n = v.len() / 10;
            v[..n].iter_mut().for_each(|x| *x *= 1.05);
            self.nets.g = load_params(self.nets.g.clone(), &v)?;
        }
        let generator = read_module_params(&self.nets.g).await?;
        let critic = read_module_params(&self.nets.d).await?;
        let x: Tensor<2> = self
            .nets
            .g
            .forward(self.batches.grid_noise.clone())
            .detach();
        let scores = read_f32(self.nets.d.clone().no_grad().forward(x.clone()).inner()).await?;
        let images = read_f32(x.inner()).await?;
        Ok(Fingerprint {
            parts: vec![
                ("generator", generator),
                ("critic", critic),
                ("images", images),
                ("scores", scores),
            ],
        })
    }
}

fn rel_error(reference: &[f32], candidate: &[f32]) -> f64 {
    if reference.len() != candidate.len() || candidate.iter().any(|x| !x.is_finite()) {
        return f64::INFINITY;
    }
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (a, b) in reference.iter().zip(candidate) {
        diff += (*a as f64 - *b as f64).powi(2);
        norm += (*a as f64).powi(2);
    }
    diff.sqrt() / norm.sqrt().max(1e-12)
}

/// Compare `candidate` with `reference` part by part.
pub fn compare(reference: &Fingerprint, candidate: &Fingerprint) -> Comparison {
    let mut worst = (0.0f64, String::new());
    for (name, r) in &reference.parts {
        let e = candidate
            .parts
            .iter()
            .find(|(n, _)| n == name)
            .map_or(f64::INFINITY, |(_, c)| rel_error(r, c));
        // NaN never compares greater: count it as infinite.
        let e = if e.is_nan() { f64::INFINITY } else { e };
        if e > worst.0 || worst.1.is_empty() {
            worst = (e, (*name).to_string());
        }
    }
    Comparison {
        max_rel_error: worst.0,
        ok: worst.0 <= TOLERANCE,
        worst: worst.1,
        tolerance: TOLERANCE,
    }
}

impl Fingerprint {
    /// As bytes, to carry from one wasm build to the other: per part a name length, the name, a
    /// value count and the values (little-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::new();
        for (name, v) in &self.parts {
            b.push(name.len() as u8);
            b.extend_from_slice(name.as_bytes());
            b.extend_from_slice(&(v.len() as u32).to_le_bytes());
            v.iter().for_each(|x| b.extend_from_slice(&x.to_le_bytes()));
        }
        b
    }

    /// The inverse of [`Fingerprint::to_bytes`]; unknown part names are an error.
    pub fn from_bytes(mut b: &[u8]) -> Result<Fingerprint, String> {
        const NAMES: [&str; 4] = ["generator", "critic", "images", "scores"];
        let bad = || "a known-answer fingerprint is truncated".to_string();
        let mut parts = Vec::new();
        while !b.is_empty() {
            let len = *b.first().ok_or_else(bad)? as usize;
            let name = b.get(1..1 + len).ok_or_else(bad)?;
            let name = NAMES
                .into_iter()
                .find(|n| n.as_bytes() == name)
                .ok_or_else(|| {
                    format!(
                        "unknown fingerprint part {:?}",
                        String::from_utf8_lossy(name)
                    )
                })?;
            let count = b.get(1 + len..5 + len).ok_or_else(bad)?;
            let count = u32::from_le_bytes([count[0], count[1], count[2], count[3]]) as usize;
            let body = b.get(5 + len..5 + len + 4 * count).ok_or_else(bad)?;
            let values = body
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            parts.push((name, values));
            b = &b[5 + len + 4 * count..];
        }
        Ok(Fingerprint { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(g: Vec<f32>, img: Vec<f32>) -> Fingerprint {
        Fingerprint {
            parts: vec![("generator", g), ("images", img)],
        }
    }

    #[test]
    fn equal_parts_pass_and_a_one_percent_error_fails() {
        let a = fp(vec![1.0, -2.0, 3.0], vec![0.5; 4]);
        let c = compare(&a, &a.clone());
        assert!(c.ok && c.max_rel_error == 0.0, "{c:?}");
        let b = fp(vec![1.0, -2.0, 3.0], vec![0.505; 4]);
        let c = compare(&a, &b);
        assert!(!c.ok, "{c:?}");
        assert_eq!(c.worst, "images");
        assert!((c.max_rel_error - 0.01).abs() < 1e-6, "{c:?}");
    }

    #[test]
    fn nan_missing_parts_and_wrong_lengths_fail() {
        let a = fp(vec![1.0, 2.0], vec![1.0]);
        for b in [
            fp(vec![1.0, f32::NAN], vec![1.0]),
            fp(vec![1.0], vec![1.0]),
            Fingerprint {
                parts: vec![("generator", vec![1.0, 2.0])],
            },
        ] {
            let c = compare(&a, &b);
            assert!(!c.ok && c.max_rel_error.is_infinite(), "{c:?}");
        }
    }

    #[test]
    fn bytes_round_trip_and_truncation_is_an_error() {
        let a = fp(vec![1.0, -2.5, 3.25], vec![0.5; 4]);
        let b = a.to_bytes();
        assert_eq!(Fingerprint::from_bytes(&b).unwrap(), a);
        assert!(Fingerprint::from_bytes(&b[..b.len() - 1]).is_err());
    }
}
