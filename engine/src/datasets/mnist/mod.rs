//! MNIST-style image sets: the original idx files (served gzip-compressed), the manifest that
//! describes them, and the checks that reject a truncated or altered file.

mod idx;
mod manifest;

pub use idx::parse_idx;
pub use manifest::{BadFile, DataFile, MANIFEST_FILE, MnistManifest, Split, Splits};

use serde::{Deserialize, Serialize};

/// Grey-scale images with one label each. Pixels are row-major, one byte each (0 = background).
#[derive(Clone, Debug, PartialEq)]
pub struct Images {
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
    pub labels: Vec<u8>,
}

impl Images {
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Pixels of image `i`.
    pub fn image(&self, i: usize) -> &[u8] {
        let size = self.rows * self.cols;
        &self.pixels[i * size..(i + 1) * size]
    }

    /// The first `n` images (all of them if fewer).
    pub fn take(&self, n: usize) -> Images {
        let n = n.min(self.len());
        Images {
            rows: self.rows,
            cols: self.cols,
            pixels: self.pixels[..n * self.rows * self.cols].to_vec(),
            labels: self.labels[..n].to_vec(),
        }
    }
}

/// Why a data file was refused.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum DataError {
    /// The file does not start with the expected magic number: it is not this kind of file.
    NotADataFile,
    /// The file is shorter than its header says.
    Truncated { expected: usize, actual: usize },
    /// The file is longer than its header says.
    TrailingBytes { expected: usize, actual: usize },
    /// The content does not match the recorded checksum: it was altered or damaged.
    ChecksumMismatch { expected: String, actual: String },
    /// A label outside 0–9.
    BadLabel { index: usize, label: u8 },
    /// Images and labels disagree in count.
    CountMismatch { images: usize, labels: usize },
}

/// SHA-256 of `data` as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(
            sha256_hex(long),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }
}
