//! What the native tools in `src/bin` share (not built for wasm32): this checkout's files, the
//! page's data, and the `run.key=value` settings their command lines take. Their flags are parsed
//! by clap; this module holds only what is Earthmover's own.

use crate::config::RunConfig;
use crate::data::Mnist;
use crate::nets::Classifier;
use crate::train::Trainer;
use burn::tensor::Device;
use std::path::PathBuf;

/// A file of this checkout. The root is the one `cargo run` gives now (`CARGO_MANIFEST_DIR`), not
/// the one at compile time: with a target directory shared between checkouts, a binary built in
/// another checkout would otherwise read that one's data.
pub fn repo_file(rel: &str) -> PathBuf {
    let root =
        std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    PathBuf::from(root).join(rel)
}

/// The bytes of a checkout file; a missing one stops the tool with its path.
pub fn read(rel: &str) -> Vec<u8> {
    let path = repo_file(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// An MNIST subset of `www/data`, decoded.
pub fn mnist(rel: &str) -> Mnist {
    Mnist::decode(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// What the page loads: the 2k training digits, the 1k held-out digits (the yardstick's and the
/// judges' reference) and the shipped classifier's weights.
pub struct PageData {
    pub train: Mnist,
    pub held_out: Mnist,
    pub classifier: Vec<u8>,
}

impl PageData {
    pub fn load() -> Self {
        PageData {
            train: mnist("www/data/mnist-train-2k.bin.gz"),
            held_out: mnist("www/data/mnist-test-1k.bin.gz"),
            classifier: read("www/data/classifier.bpk"),
        }
    }

    /// A run that measures as the page's does: a trainer on the training digits with the
    /// classifier's yardstick on the held-out ones, and that classifier (for the mode meter).
    pub fn trainer(&self, cfg: RunConfig, device: &Device) -> (Trainer, Classifier) {
        let mut t = Trainer::new(cfg, &self.train, device).unwrap();
        let clf = Classifier::from_bytes(&self.classifier, device).unwrap();
        pollster::block_on(t.set_yardstick(clf.clone(), &self.held_out)).unwrap();
        (t, clf)
    }
}

/// One run's setting from a command line, `gan.clip=0.1`: the run's id, the key, the value (the
/// value is checked by `RunConfig::set` when it is applied).
#[derive(Clone, Debug, PartialEq)]
pub struct RunSetting {
    pub run: String,
    pub key: String,
    pub value: String,
}

impl std::str::FromStr for RunSetting {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (k, value) = s
            .split_once('=')
            .ok_or_else(|| format!("{s:?} is not RUN.KEY=VALUE"))?;
        let (run, key) = k
            .split_once('.')
            .ok_or_else(|| format!("{s:?} is not RUN.KEY=VALUE"))?;
        if run.is_empty() || key.is_empty() {
            return Err(format!("{s:?} is not RUN.KEY=VALUE"));
        }
        Ok(RunSetting {
            run: run.into(),
            key: key.into(),
            value: value.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::RunSetting;

    #[test]
    fn run_settings_parse_and_reject() {
        let s: RunSetting = "wgan.clip=0.1".parse().unwrap();
        assert_eq!(
            (s.run.as_str(), s.key.as_str(), s.value.as_str()),
            ("wgan", "clip", "0.1")
        );
        for bad in ["clip=0.1", "wgan.clip", ".clip=1", "wgan.=1"] {
            assert!(bad.parse::<RunSetting>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_page_data_loads() {
        let d = super::PageData::load();
        assert_eq!((d.train.len(), d.held_out.len()), (2000, 1000));
        assert!(!d.classifier.is_empty());
    }
}
