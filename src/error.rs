//! What can go wrong in a run, as a code the page words in the reader's language and a technical
//! detail kept as it is. The codes are produced here, in Rust, so that no script recognises an
//! error by its English text.

use serde::Serialize;

/// Kinds of failure the page tells apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    /// A setting, preset or option was refused; nothing changed.
    Settings,
    /// The MNIST data file could not be decoded.
    DataCorrupt,
    /// The digit classifier's file could not be loaded.
    Classifier,
    /// WebGPU could not start (the page falls back to the CPU).
    Webgpu,
    /// A read-back from the device failed.
    Device,
    /// A loss or the samples stopped being finite numbers: the run cannot go on.
    Diverged,
    /// A saved run state could not be restored.
    Checkpoint,
}

/// A failure with its code and a technical detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Error {
    pub code: Code,
    pub detail: String,
}

impl Error {
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Error {
            code,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for Error {}

/// The core's read-backs report failures as text: those are device failures.
impl From<String> for Error {
    fn from(detail: String) -> Self {
        Error::new(Code::Device, detail)
    }
}
