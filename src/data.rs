//! The MNIST subsets of `www/data/` (format in `www/data/PROVENANCE.md`): decoding and checks.
//!
//! A file is `MNISTSUB`, then u32 N, rows, cols (little-endian), N x 784 pixels and N labels, and
//! may be gzip-compressed as shipped. Anything else is rejected with a message that names the
//! problem, so the page can tell a teacher which file to replace.

use std::fmt;
use std::io::Read;

const MAGIC: &[u8; 8] = b"MNISTSUB";
const HEADER: usize = 20;
/// Largest N we accept: guards the allocation against a corrupt header.
const MAX_IMAGES: usize = 100_000;

/// Decoded images: pixels 0 (background) ..= 255 (ink), row-major, 784 per image.
#[derive(Clone, Debug, PartialEq)]
pub struct Mnist {
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

/// Why a data file was rejected.
#[derive(Clone, Debug, PartialEq)]
pub enum DataError {
    Gzip(String),
    BadMagic,
    BadDimensions { rows: u32, cols: u32 },
    TooMany(usize),
    WrongLength { expected: usize, actual: usize },
    BadLabel { index: usize, label: u8 },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Gzip(e) => write!(f, "the file is not valid gzip ({e})"),
            DataError::BadMagic => write!(f, "the file does not start with MNISTSUB: not an Earthmover MNIST subset"),
            DataError::BadDimensions { rows, cols } => {
                write!(f, "images are {rows}x{cols}, expected 28x28")
            }
            DataError::TooMany(n) => write!(f, "the header claims {n} images, more than {MAX_IMAGES}"),
            DataError::WrongLength { expected, actual } => write!(
                f,
                "the file has {actual} bytes but its header needs exactly {expected}: truncated or corrupt"
            ),
            DataError::BadLabel { index, label } => {
                write!(f, "image {index} has label {label}; labels must be 0..9")
            }
        }
    }
}

impl std::error::Error for DataError {}

impl Mnist {
    /// Decode a subset file, gunzipping first when it starts with the gzip magic.
    pub fn decode(bytes: &[u8]) -> Result<Mnist, DataError> {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut raw = Vec::new();
            flate2::read::GzDecoder::new(bytes)
                .read_to_end(&mut raw)
                .map_err(|e| DataError::Gzip(e.to_string()))?;
            return Self::decode_raw(&raw);
        }
        Self::decode_raw(bytes)
    }

    fn decode_raw(b: &[u8]) -> Result<Mnist, DataError> {
        if b.len() < HEADER || &b[..8] != MAGIC {
            return Err(DataError::BadMagic);
        }
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let (n, rows, cols) = (u32_at(8) as usize, u32_at(12), u32_at(16));
        if rows != 28 || cols != 28 {
            return Err(DataError::BadDimensions { rows, cols });
        }
        if n > MAX_IMAGES {
            return Err(DataError::TooMany(n));
        }
        let expected = HEADER + n * 785;
        if b.len() != expected {
            return Err(DataError::WrongLength {
                expected,
                actual: b.len(),
            });
        }
        let pixels = b[HEADER..HEADER + n * 784].to_vec();
        let labels = b[HEADER + n * 784..].to_vec();
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, &l)| l > 9) {
            return Err(DataError::BadLabel { index, label });
        }
        Ok(Mnist { pixels, labels })
    }

    /// Encode (uncompressed): for tests and tools.
    pub fn encode(&self) -> Vec<u8> {
        let n = self.labels.len() as u32;
        let mut out = MAGIC.to_vec();
        for v in [n, 28, 28] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&self.pixels);
        out.extend_from_slice(&self.labels);
        out
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels scaled to [-1, 1] (p / 127.5 - 1), the generator's tanh range.
    pub fn to_pm1(&self) -> Vec<f32> {
        self.pixels
            .iter()
            .map(|&p| p as f32 / 127.5 - 1.0)
            .collect()
    }
}
