//! Train the mode-collapse meter's digit classifier and write its weights for the page:
//! `cargo run --release --bin train-classifier` -> www/data/classifier.bpk.
//!
//! Deterministic: a fixed seed, a fixed data order, the CPU backend. Prints the test accuracy on
//! the 1k test subset, which `tests/core.rs` checks again from the written file.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
use {
    burn::tensor::Device,
    earthmover::nets::classifier::{accuracy, train_classifier},
    earthmover::tools::mnist,
    std::time::Instant,
};

/// Flags (see the module's header).
#[cfg(not(target_arch = "wasm32"))]
#[derive(clap::Parser)]
#[command(about = "Train the mode meter's digit classifier")]
struct Args {
    /// Where to write the weights.
    #[arg(default_value = "www/data/classifier.bpk")]
    out: String,
    #[arg(default_value_t = 20)]
    epochs: usize,
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use clap::Parser;
    let Args { out, epochs } = Args::parse();
    let train = mnist("www/data/mnist-train-10k.bin.gz");
    let test = mnist("www/data/mnist-test-1k.bin.gz");
    let device = Device::flex();
    let t0 = Instant::now();
    let clf = train_classifier(&train, epochs, 1, &device);
    let secs = t0.elapsed().as_secs_f64();
    let acc = pollster::block_on(accuracy(&clf, &test, &device)).expect("accuracy");
    let train_acc = pollster::block_on(accuracy(&clf, &train, &device)).expect("accuracy");
    eprintln!("train accuracy {train_acc:.4}");
    let bytes = clf.to_bytes().expect("serialise");
    std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("cannot write {out}: {e}"));
    println!(
        "{{\"epochs\":{epochs},\"train_images\":{},\"test_images\":{},\"test_accuracy\":{acc:.4},\"train_seconds\":{secs:.1},\"bytes\":{},\"out\":\"{out}\"}}",
        train.len(),
        test.len(),
        bytes.len()
    );
}
