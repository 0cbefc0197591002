//! MNIST-style image sets (MNIST, Fashion-MNIST): the original idx files (served gzip-compressed), the manifest that
//! describes them, and the checks that reject a truncated or altered file.

#[cfg(feature = "compute")]
mod batch;
#[cfg(feature = "compute")]
mod folder;
mod idx;
mod manifest;

#[cfg(feature = "compute")]
pub use batch::batch;
#[cfg(feature = "compute")]
pub use folder::{FolderError, IdxFolder, load_folder};

pub use idx::parse_idx;
pub use manifest::{BadFile, DataFile, MANIFEST_FILE, MnistManifest, Split, Splits};

use serde::{Deserialize, Serialize};

/// MNIST's pixel mean and standard deviation, for pixels scaled to [0, 1].
pub const PIXEL_MEAN: f32 = 0.1307;
pub const PIXEL_STD: f32 = 0.3081;

/// A pixel scaled to [0, 1], normalised with MNIST's mean and deviation: what the networks read.
pub fn normalise(pixel: f32) -> f32 {
    (pixel - PIXEL_MEAN) / PIXEL_STD
}

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

    /// Only the images labelled with one of `classes`, each relabelled with its label's
    /// position in `classes` (digits 0–4 stay 0–4; `[3, 8]` makes 3 → 0 and 8 → 1).
    pub fn with_classes(&self, classes: &[u8]) -> Images {
        let mut subset = Images {
            rows: self.rows,
            cols: self.cols,
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        for (i, label) in self.labels.iter().enumerate() {
            if let Some(position) = classes.iter().position(|c| c == label) {
                subset.pixels.extend_from_slice(self.image(i));
                subset.labels.push(position as u8);
            }
        }
        subset
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

/// Why an image set (MNIST, Fashion-MNIST) could not be loaded from the site.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum DataLoadError {
    /// The request itself failed (offline, blocked).
    Network { file: String, message: String },
    /// The server answered with an error status.
    Http { file: String, status: u16 },
    /// The manifest is not what `cargo xtask data` writes.
    BadManifest { message: String },
    /// The file is not gzip or does not decompress.
    BadGzip { file: String },
    /// The file arrived but is damaged.
    Corrupt { file: String, error: DataError },
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
    fn a_class_subset_keeps_its_images_and_renumbers_their_labels() {
        let images = Images {
            rows: 1,
            cols: 2,
            pixels: vec![10, 11, 20, 21, 30, 31, 40, 41],
            labels: vec![3, 8, 5, 3],
        };
        let subset = images.with_classes(&[8, 3]);
        assert_eq!(subset.labels, vec![1, 0, 1]);
        assert_eq!(subset.pixels, vec![10, 11, 20, 21, 40, 41]);
        assert_eq!((subset.rows, subset.cols), (1, 2));
        let none = images.with_classes(&[]);
        assert!(none.is_empty() && none.pixels.is_empty());
        let first = images.with_classes(&[0, 1, 2, 3, 4]);
        assert_eq!(first.labels, vec![3, 3]);
    }

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
