//! Shared by the native integration tests.
#![cfg(not(target_arch = "wasm32"))]
// Each test crate includes this module and uses only some of it.
#![allow(dead_code)]

use burn::tensor::{Device, Tensor, TensorData};
use earthmover::data::Mnist;
use earthmover::nets::Classifier;

/// A file of this checkout, by its path from the repository root. The root is read when the test
/// runs (cargo sets `CARGO_MANIFEST_DIR` for it), not baked in at compile time: with one target
/// directory shared between checkouts, a binary built in another one would otherwise read that
/// checkout's files, or fail where it has been deleted.
pub fn repo_file(rel: &str) -> std::path::PathBuf {
    let root =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    std::path::Path::new(&root).join(rel)
}

/// The 2,000-image subset the page ships.
pub fn mnist_2k() -> Mnist {
    let bytes = std::fs::read(repo_file("www/data/mnist-train-2k.bin.gz")).unwrap();
    Mnist::decode(&bytes).unwrap()
}

/// The 1,000 held-out digits the page ships (the yardstick's and the judges' reference).
pub fn held_out_1k() -> Mnist {
    let bytes = std::fs::read(repo_file("www/data/mnist-test-1k.bin.gz")).unwrap();
    Mnist::decode(&bytes).unwrap()
}

/// The digit classifier the page ships, on `device`.
pub fn shipped_classifier(device: &Device) -> Classifier {
    Classifier::from_bytes(
        &std::fs::read(repo_file("www/data/classifier.bpk")).unwrap(),
        device,
    )
    .unwrap()
}

/// `v` as a column tensor [len, 1].
pub fn t2(v: &[f32], device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(v.to_vec(), [v.len(), 1]), device)
}
