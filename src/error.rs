//! What can go wrong in a run, as a code the page words in the reader's language and a technical
//! detail kept as it is. The codes are produced here, in Rust, so that no script recognises an
//! error by its English text.

use serde::Serialize;

/// Kinds of failure the page tells apart: the one vocabulary of the core, the workers and the
/// page. `www/common/codes.js` is generated from it ([`page_module`]; `tests/schema.rs` fails when
/// the committed file differs), and the page words each code in both languages (`err.<code>` in
/// `www/i18n/en.js` and `zh.js`; `tests/codes.test.mjs` checks every code has its words and that
/// every code a script raises is one of these).
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
    /// Raised by the workers (www/workers): the WebAssembly module did not load.
    Wasm,
    /// Raised by the workers: the data file could not be fetched (network).
    DataFetch,
    /// Raised by the workers: the server answered the data request with an HTTP error.
    DataHttp,
    /// Raised by the workers: the classifier could not be fetched (network).
    ClassifierFetch,
    /// Raised by the workers: the server answered the classifier request with an HTTP error.
    ClassifierHttp,
    /// Raised by the run worker: training stopped on an unexpected failure.
    Training,
    /// Raised by the page: a worker could not start or died.
    Worker,
    /// Raised by the page: settings were not applied (the run continues unchanged).
    NotApplied,
    /// Anything else (an unknown request, a failure without a code).
    Generic,
}

impl Code {
    /// Every code, in the order of the enum.
    pub const ALL: [Code; 16] = [
        Code::Settings,
        Code::DataCorrupt,
        Code::Classifier,
        Code::Webgpu,
        Code::Device,
        Code::Diverged,
        Code::Checkpoint,
        Code::Wasm,
        Code::DataFetch,
        Code::DataHttp,
        Code::ClassifierFetch,
        Code::ClassifierHttp,
        Code::Training,
        Code::Worker,
        Code::NotApplied,
        Code::Generic,
    ];

    /// The code as the page and the workers write it (what serde writes too).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Settings => "settings",
            Code::DataCorrupt => "data-corrupt",
            Code::Classifier => "classifier",
            Code::Webgpu => "webgpu",
            Code::Device => "device",
            Code::Diverged => "diverged",
            Code::Checkpoint => "checkpoint",
            Code::Wasm => "wasm",
            Code::DataFetch => "data-fetch",
            Code::DataHttp => "data-http",
            Code::ClassifierFetch => "classifier-fetch",
            Code::ClassifierHttp => "classifier-http",
            Code::Training => "training",
            Code::Worker => "worker",
            Code::NotApplied => "not-applied",
            Code::Generic => "generic",
        }
    }
}

/// The page's copy of the codes as an ES module (`www/common/codes.js`). Generated, never edited
/// by hand.
pub fn page_module() -> String {
    let mut out = String::from(
        "// Generated from src/error.rs by `UPDATE_GOLDEN=1 cargo test --release --test schema`.\n\
         // Do not edit: tests/schema.rs fails when this file differs from what Rust generates.\n\n\
         // Every error code the core, the workers and the page raise; the page words each one as\n\
         // `err.<code with - as _>` in both language tables (tests/codes.test.mjs).\n\
         export const ERROR_CODES = [\n",
    );
    for c in Code::ALL {
        out += &format!("  '{}',\n", c.as_str());
    }
    out += "];\n";
    out
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
