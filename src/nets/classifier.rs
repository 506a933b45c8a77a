//! The mode-collapse meter (docs/theory.md 6, 7.4): a small CNN that tells which digit a generated image
//! shows, trained on the 10k training subset by `cargo run --release --bin train-classifier`. Its
//! weights ship with the page as a Burn record (burnpack bytes) and are loaded in each run's worker.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig};
use burn::optim::{AdamConfig, GradientsParams};
use burn::store::ModuleRecord;
use burn::tensor::activation::{log_softmax, relu};
use burn::tensor::{Bytes, Device, Int, Tensor, TensorData};
use serde::Serialize;

use crate::data::Mnist;
use crate::nets::PIXELS;
use crate::rng::SplitMix64;
use crate::tensors::{host, materialize, read_f32, seeded};

/// The forward pass on the CPU in passes of our own.
use crate::cpu::{self, classifier as cpu_pass};

/// Digit classes.
pub const CLASSES: usize = 10;
/// Features the classifier's last layer reads.
pub const FEATURES: usize = 64;
/// A class counts as covered when at least this share of the samples falls in it.
pub const COVERED_SHARE: f64 = 0.05;

/// conv 5x5 (1 -> 16) -> ReLU -> max-pool 2 -> conv 5x5 (16 -> 32) -> ReLU -> max-pool 2 ->
/// 512 -> 64 -> ReLU -> 10 logits. About 30k parameters (~120 kB of f32).
#[derive(Module, Debug)]
pub struct Classifier {
    conv1: Conv2d,
    conv2: Conv2d,
    pool: MaxPool2d,
    fc1: Linear,
    fc2: Linear,
}

impl Classifier {
    pub fn new(device: &Device) -> Self {
        Classifier {
            conv1: Conv2dConfig::new([1, 16], [5, 5]).init(device),
            conv2: Conv2dConfig::new([16, 32], [5, 5]).init(device),
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            fc1: LinearConfig::new(32 * 4 * 4, FEATURES).init(device),
            fc2: LinearConfig::new(FEATURES, CLASSES).init(device),
        }
    }

    /// Images [n, 784] with intensities in [0, 1] (1 = ink) -> the 64 features the last layer
    /// reads [n, 64]: the space of the feature distance (as FID uses Inception's pool features).
    /// On the CPU, when no gradient is asked for, in passes of our own over the raw floats
    /// ([`cpu`]: a mode-meter pass of 1,000 images 120 ms in V8 instead of 296 ms through Burn's
    /// convolution and pooling); else Burn's.
    pub fn features(&self, images: Tensor<2>) -> Tensor<2> {
        let device = images.device();
        // Devices compare ignoring autodiff; the classifier in training has tracked weights.
        if !cpu::fast_paths(&device) || self.fc1.weight.val().is_tracked() {
            return self.features_with_burn(images);
        }
        let n = images.shape().dims::<2>()[0];
        let bias = |b: &Option<burn::module::Param<Tensor<1>>>, len: usize| {
            b.as_ref().map_or_else(|| vec![0.0; len], |b| host(b.val()))
        };
        let weights = cpu_pass::Weights {
            w1: host(self.conv1.weight.val()),
            b1: bias(&self.conv1.bias, 16),
            w2: host(self.conv2.weight.val()),
            b2: bias(&self.conv2.bias, 32),
            fc: host(self.fc1.weight.val()),
            fc_b: bias(&self.fc1.bias, FEATURES),
        };
        let f = cpu_pass::features(&host(images), n, &weights);
        Tensor::from_data(TensorData::new(f, [n, FEATURES]), &device)
    }

    /// [`Classifier::features`] through Burn's own convolution and pooling, on any device (what the
    /// CPU passes are tested against, `tests/fast_paths.rs`).
    pub fn features_with_burn(&self, images: Tensor<2>) -> Tensor<2> {
        let n = images.shape().dims::<2>()[0];
        let x = images.reshape([n, 1, 28, 28]);
        let x = self.pool.forward(relu(self.conv1.forward(x))); // [n, 16, 12, 12]
        let x = self.pool.forward(relu(self.conv2.forward(x))); // [n, 32, 4, 4]
        let x = x.reshape([n, 32 * 4 * 4]);
        relu(self.fc1.forward(x)) // [n, 64]
    }

    /// Images [n, 784] with intensities in [0, 1] (1 = ink) -> logits [n, 10].
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        self.classify_features(self.features(images)) // [n, 10]
    }

    /// Features [n, 64] (from [`Classifier::features`]) -> logits [n, 10].
    pub fn classify_features(&self, features: Tensor<2>) -> Tensor<2> {
        self.fc2.forward(features)
    }

    /// Predicted class of each row of `images` [n, 784] in [0, 1].
    pub async fn predict(&self, images: Tensor<2>) -> Result<Vec<u8>, String> {
        let n = images.shape().dims::<2>()[0];
        let classes = self.forward(images).argmax(1).reshape([n]).float();
        let v = read_f32(classes).await?;
        Ok(v.iter().map(|&c| c as u8).collect())
    }

    /// The weights as burnpack bytes (what the page ships).
    pub fn to_bytes(self) -> Result<Vec<u8>, String> {
        let bytes = self
            .into_record()
            .into_bytes()
            .map_err(|e| format!("could not serialise the classifier: {e}"))?;
        Ok(bytes.to_vec())
    }

    /// Load weights written by [`Classifier::to_bytes`].
    pub fn from_bytes(bytes: &[u8], device: &Device) -> Result<Self, String> {
        let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| format!("the classifier weights are unreadable: {e}"))?;
        Classifier::new(device)
            .try_load_record(record)
            .map_err(|e| format!("the classifier weights do not fit the network: {e}"))
    }
}

/// Images of `m` in [0, 1] as a device tensor [n, 784].
pub fn images01(m: &Mnist, device: &Device) -> Tensor<2> {
    let v: Vec<f32> = m.pixels.iter().map(|&p| p as f32 / 255.0).collect();
    Tensor::from_data(TensorData::new(v, [m.len(), PIXELS]), device)
}

/// Share of `test` the classifier labels correctly.
pub async fn accuracy(clf: &Classifier, test: &Mnist, device: &Device) -> Result<f64, String> {
    let pred = clf.predict(images01(test, device)).await?;
    let right = pred
        .iter()
        .zip(&test.labels)
        .filter(|(p, l)| p == l)
        .count();
    Ok(right as f64 / test.len() as f64)
}

/// Row `i` of `m`, shifted by (dx, dy) pixels (zeros shifted in), into `out` in [0, 1].
fn shifted(m: &Mnist, i: usize, dx: isize, dy: isize, out: &mut Vec<f32>) {
    let img = &m.pixels[i * PIXELS..(i + 1) * PIXELS];
    for y in 0..28isize {
        for x in 0..28isize {
            let (sx, sy) = (x - dx, y - dy);
            let v = if (0..28).contains(&sx) && (0..28).contains(&sy) {
                img[(sy * 28 + sx) as usize] as f32 / 255.0
            } else {
                0.0
            };
            out.push(v);
        }
    }
}

/// Train from scratch: Adam, batch 64, `epochs` passes over `train` in a seeded order, each image
/// shifted by up to 2 pixels (augmentation), cross-entropy; the learning rate steps down from
/// 1e-3 to 3e-4 and 1e-4 over the last 40% of the epochs. Returns the classifier on the plain
/// `device`.
pub fn train_classifier(train: &Mnist, epochs: usize, seed: u64, device: &Device) -> Classifier {
    let ad = device.clone().autodiff();
    let mut clf = seeded(&ad, seed, || materialize(Classifier::new(&ad)));
    let mut opt = AdamConfig::new().init();
    let mut rng = SplitMix64::new(seed);
    const BATCH: usize = 64;
    for epoch in 0..epochs {
        let lr = match epoch * 10 / epochs.max(1) {
            0..=5 => 1e-3,
            6..=7 => 3e-4,
            _ => 1e-4,
        };
        let mut order: Vec<usize> = (0..train.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        for chunk in order.chunks(BATCH) {
            let b = chunk.len();
            let mut x = Vec::with_capacity(b * PIXELS);
            for &i in chunk {
                let dx = rng.below(5) as isize - 2;
                let dy = rng.below(5) as isize - 2;
                shifted(train, i, dx, dy, &mut x);
            }
            let x = Tensor::<2>::from_data(TensorData::new(x, [b, PIXELS]), &ad);
            let y: Vec<i32> = chunk.iter().map(|&i| train.labels[i] as i32).collect();
            let y = Tensor::<2, Int>::from_data(TensorData::new(y, [b, 1]), &ad);
            let logp = log_softmax(clf.forward(x), 1); // [b, 10]
            let loss = logp.gather(1, y).mean().neg();
            let grads = GradientsParams::from_grads(loss.backward(), &clf);
            clf = opt.step(lr, clf, grads);
        }
    }
    // Back to a plain (inference) module.
    let bytes = clf
        .to_bytes()
        .expect("serialising a fresh classifier cannot fail");
    Classifier::from_bytes(&bytes, device).expect("the bytes just written load back")
}

/// What the mode-collapse meter shows for one batch of generated images.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ModeStats {
    /// Samples per class.
    pub counts: [usize; CLASSES],
    /// Classes holding at least [`COVERED_SHARE`] of the samples.
    pub covered: usize,
    /// Entropy of the class histogram in nats (log 10 = 2.303 when uniform, 0 for one class).
    pub entropy: f64,
}

/// Histogram, coverage and entropy of predicted labels.
pub fn mode_stats(labels: &[u8]) -> ModeStats {
    let mut counts = [0usize; CLASSES];
    for &l in labels {
        counts[(l as usize).min(CLASSES - 1)] += 1;
    }
    let n = labels.len().max(1) as f64;
    let covered = counts
        .iter()
        .filter(|&&c| c as f64 / n >= COVERED_SHARE)
        .count();
    let entropy = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum();
    ModeStats {
        counts,
        covered,
        entropy,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mode_stats_of_uniform_and_collapsed_histograms() {
        let uniform: Vec<u8> = (0..1000).map(|i| (i % 10) as u8).collect();
        let s = mode_stats(&uniform);
        assert_eq!((s.counts, s.covered), ([100; 10], 10));
        assert!((s.entropy - 10f64.ln()).abs() < 1e-12);
        let collapsed = vec![3u8; 1000];
        let s = mode_stats(&collapsed);
        assert_eq!((s.covered, s.entropy), (1, 0.0));
        // 4.9% is not covered, 5% is.
        let mut v = vec![1u8; 951];
        v.extend(vec![2u8; 49]);
        assert_eq!(mode_stats(&v).covered, 1);
        let mut v = vec![1u8; 950];
        v.extend(vec![2u8; 50]);
        assert_eq!(mode_stats(&v).covered, 2);
    }
}
