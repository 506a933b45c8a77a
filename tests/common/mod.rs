//! Shared by the native integration tests.
#![cfg(not(target_arch = "wasm32"))]

use earthmover::data::Mnist;

/// The 2,000-image subset the page ships.
pub fn mnist_2k() -> Mnist {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/www/data/mnist-train-2k.bin.gz"
    ))
    .unwrap();
    Mnist::decode(&bytes).unwrap()
}
