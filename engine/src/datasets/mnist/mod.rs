//! MNIST-style image sets: parsing the original idx files, Kindling's compact packed form, and
//! the checks that reject a truncated or altered file.

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
#[serde(tag = "kind", rename_all = "snake_case")]
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

fn be_u32(bytes: &[u8], at: usize) -> Option<usize> {
    bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn exact_length(bytes: &[u8], expected: usize) -> Result<(), DataError> {
    match bytes.len().cmp(&expected) {
        std::cmp::Ordering::Less => Err(DataError::Truncated { expected, actual: bytes.len() }),
        std::cmp::Ordering::Greater => Err(DataError::TrailingBytes { expected, actual: bytes.len() }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

/// Parses an idx3 image file and its idx1 label file (the original MNIST format).
pub fn parse_idx(images: &[u8], labels: &[u8]) -> Result<Images, DataError> {
    if be_u32(images, 0) != Some(0x0803) || be_u32(labels, 0) != Some(0x0801) {
        return Err(DataError::NotADataFile);
    }
    let header = |bytes: &[u8], at| be_u32(bytes, at).ok_or(DataError::Truncated { expected: 16, actual: bytes.len() });
    let (count, rows, cols) = (header(images, 4)?, header(images, 8)?, header(images, 12)?);
    let label_count = header(labels, 4)?;
    exact_length(images, 16 + count * rows * cols)?;
    exact_length(labels, 8 + label_count)?;
    if count != label_count {
        return Err(DataError::CountMismatch { images: count, labels: label_count });
    }
    let set = Images { rows, cols, pixels: images[16..].to_vec(), labels: labels[8..].to_vec() };
    check_labels(&set)?;
    Ok(set)
}

fn check_labels(set: &Images) -> Result<(), DataError> {
    match set.labels.iter().position(|&l| l > 9) {
        Some(index) => Err(DataError::BadLabel { index, label: set.labels[index] }),
        None => Ok(()),
    }
}

/// Magic bytes of Kindling's packed image sets.
const PACKED_MAGIC: &[u8; 4] = b"KIM1";

/// Kindling's packed form: `KIM1`, count, rows, cols (u32 little-endian), the labels, then the
/// pixels. Served gzip-compressed; its SHA-256 is recorded in the data manifest.
pub fn pack(set: &Images) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + set.labels.len() + set.pixels.len());
    out.extend_from_slice(PACKED_MAGIC);
    for v in [set.len(), set.rows, set.cols] {
        out.extend_from_slice(&(v as u32).to_le_bytes());
    }
    out.extend_from_slice(&set.labels);
    out.extend_from_slice(&set.pixels);
    out
}

/// Reads the packed form back; `expected_sha256` (lower-case hex) guards against alteration.
pub fn unpack(bytes: &[u8], expected_sha256: &str) -> Result<Images, DataError> {
    if bytes.len() < 16 || &bytes[..4] != PACKED_MAGIC {
        return Err(DataError::NotADataFile);
    }
    let le = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
    let (count, rows, cols) = (le(4), le(8), le(12));
    exact_length(bytes, 16 + count + count * rows * cols)?;
    let actual = sha256_hex(bytes);
    if actual != expected_sha256 {
        return Err(DataError::ChecksumMismatch { expected: expected_sha256.to_string(), actual });
    }
    let set = Images { rows, cols, labels: bytes[16..16 + count].to_vec(), pixels: bytes[16 + count..].to_vec() };
    check_labels(&set)?;
    Ok(set)
}

/// SHA-256 of `data` as lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Images {
        Images { rows: 2, cols: 3, pixels: (0..12).collect(), labels: vec![3, 9] }
    }

    #[test]
    fn sha256_matches_the_standard_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let long = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        assert_eq!(sha256_hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }

    #[test]
    fn idx_files_parse_and_bad_ones_are_refused() {
        let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
        images.extend(0..12u8);
        let labels = vec![0, 0, 8, 1, 0, 0, 0, 2, 3, 9];
        assert_eq!(parse_idx(&images, &labels), Ok(tiny()));
        assert_eq!(parse_idx(&images[..20], &labels), Err(DataError::Truncated { expected: 28, actual: 20 }));
        assert_eq!(parse_idx(&labels, &images), Err(DataError::NotADataFile));
        let mut bad = labels.clone();
        bad[9] = 12;
        assert_eq!(parse_idx(&images, &bad), Err(DataError::BadLabel { index: 1, label: 12 }));
    }

    #[test]
    fn packed_form_round_trips_and_rejects_damage() {
        let packed = pack(&tiny());
        let sum = sha256_hex(&packed);
        assert_eq!(unpack(&packed, &sum), Ok(tiny()));
        assert!(matches!(unpack(&packed[..packed.len() - 1], &sum), Err(DataError::Truncated { .. })));
        let mut altered = packed.clone();
        altered[20] ^= 1;
        assert!(matches!(unpack(&altered, &sum), Err(DataError::ChecksumMismatch { .. })));
        assert_eq!(unpack(b"PK\x03\x04 not ours at all", &sum), Err(DataError::NotADataFile));
    }
}
