//! `static/mnist/manifest.json`, written by `cargo xtask data`: where MNIST comes from, its
//! licence, and for each split the two gzip-compressed idx files with their sizes and SHA-256.
//! The worker reads it before downloading the files, the About page shows it.
//!
//! The files are the standard idx files, only gzip-compressed: the same bytes as any packed form,
//! in two requests a split instead of one, and a format every MNIST reader knows.

use serde::{Deserialize, Serialize};

use super::idx::{assemble, exact_length, image_dims, label_count};
use super::{DataError, Images, sha256_hex};

/// The manifest's name in the data folder.
pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MnistManifest {
    pub name: String,
    pub source: String,
    pub authors: String,
    pub licence: String,
    pub sets: Splits,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Splits {
    pub train: Split,
    pub test: Split,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Split {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub images: DataFile,
    pub labels: DataFile,
}

/// One file as the site serves it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DataFile {
    /// Its name next to the manifest.
    pub file: String,
    /// Size once decompressed.
    pub bytes: u64,
    /// Size as served.
    pub gzip_bytes: u64,
    /// Of the decompressed file.
    pub sha256: String,
}

/// A file of the manifest and why it was refused.
#[derive(Clone, Debug, PartialEq)]
pub struct BadFile {
    pub file: String,
    pub error: DataError,
}

impl MnistManifest {
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// The small test set first: the worker fetches it first, so that a broken site fails fast.
    pub fn splits(&self) -> [(&'static str, &Split); 2] {
        [("test", &self.sets.test), ("train", &self.sets.train)]
    }

    pub fn files(&self) -> impl Iterator<Item = &DataFile> {
        self.splits()
            .into_iter()
            .flat_map(|(_, split)| split.files())
    }

    /// Bytes to download, all files together.
    pub fn gzip_bytes(&self) -> u64 {
        self.files().map(|f| f.gzip_bytes).sum()
    }
}

impl Split {
    pub fn files(&self) -> [&DataFile; 2] {
        [&self.images, &self.labels]
    }

    /// The split's two decompressed files, checked and parsed: each file's header against its
    /// length (so a cut-off download says so), its length against the manifest's, then its
    /// checksum, then the labels.
    pub fn decode(&self, images: &[u8], labels: &[u8]) -> Result<Images, BadFile> {
        let blame = |file: &DataFile| {
            let file = file.file.clone();
            move |error| BadFile { file, error }
        };
        let dims = image_dims(images).map_err(blame(&self.images))?;
        self.images.check(images).map_err(blame(&self.images))?;
        let count = label_count(labels).map_err(blame(&self.labels))?;
        self.labels.check(labels).map_err(blame(&self.labels))?;
        assemble(images, labels, dims, count).map_err(blame(&self.labels))
    }
}

impl DataFile {
    /// Describes `raw` (the decompressed file) served as `file`, `gzip_bytes` long.
    pub fn describe(file: &str, raw: &[u8], gzip_bytes: u64) -> Self {
        Self {
            file: file.to_string(),
            bytes: raw.len() as u64,
            gzip_bytes,
            sha256: sha256_hex(raw),
        }
    }

    /// `raw` (the decompressed file) against the recorded size, then the recorded SHA-256.
    pub fn check(&self, raw: &[u8]) -> Result<(), DataError> {
        exact_length(raw, usize::try_from(self.bytes).unwrap_or(usize::MAX))?;
        self.check_sha256(raw)
    }

    pub fn check_sha256(&self, raw: &[u8]) -> Result<(), DataError> {
        let actual = sha256_hex(raw);
        if actual == self.sha256 {
            Ok(())
        } else {
            Err(DataError::ChecksumMismatch {
                expected: self.sha256.clone(),
                actual,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::idx::tests::{tiny, tiny_idx};
    use super::*;

    fn split(images: &[u8], labels: &[u8]) -> Split {
        Split {
            count: 2,
            rows: 2,
            cols: 3,
            images: DataFile::describe("i.gz", images, 7),
            labels: DataFile::describe("l.gz", labels, 5),
        }
    }

    #[test]
    fn a_split_decodes_and_damage_is_refused_naming_the_file() {
        let (images, labels) = tiny_idx();
        let split = split(&images, &labels);
        assert_eq!(split.decode(&images, &labels), Ok(tiny()));
        let bad = |file: &str, error| {
            Err(BadFile {
                file: file.into(),
                error,
            })
        };
        let cut = &images[..images.len() - 1];
        assert_eq!(
            split.decode(cut, &labels),
            bad(
                "i.gz",
                DataError::Truncated {
                    expected: 28,
                    actual: 27
                }
            )
        );
        let mut altered = images.clone();
        altered[20] ^= 1;
        assert!(
            matches!(split.decode(&altered, &labels), Err(BadFile { file, error: DataError::ChecksumMismatch { .. } }) if file == "i.gz")
        );
        assert_eq!(
            split.decode(&images, &images),
            bad("l.gz", DataError::NotADataFile)
        );
        assert_eq!(
            split.decode(b"PK\x03\x04 not ours at all", &labels),
            bad("i.gz", DataError::NotADataFile)
        );
        // A file whose header agrees with its length, but not with the manifest's size.
        let mut recorded = split.clone();
        recorded.images.bytes = 30;
        assert_eq!(
            recorded.decode(&images, &labels),
            bad(
                "i.gz",
                DataError::Truncated {
                    expected: 30,
                    actual: 28
                }
            )
        );
        // A label file whose checksum is recorded but whose labels are not digits.
        let mut digits = labels.clone();
        digits[8] = 10;
        let forged = Split {
            labels: DataFile::describe("l.gz", &digits, 5),
            ..split.clone()
        };
        assert_eq!(
            forged.decode(&images, &digits),
            bad(
                "l.gz",
                DataError::BadLabel {
                    index: 0,
                    label: 10
                }
            )
        );
    }

    #[test]
    fn the_manifest_round_trips_and_the_old_packed_format_is_refused() {
        let (images, labels) = tiny_idx();
        let manifest = MnistManifest {
            name: "MNIST".into(),
            source: "s".into(),
            authors: "a".into(),
            licence: "CC BY-SA 3.0".into(),
            sets: Splits {
                train: split(&images, &labels),
                test: split(&images, &labels),
            },
        };
        assert_eq!(
            MnistManifest::from_json(&manifest.to_json()),
            Ok(manifest.clone())
        );
        assert_eq!(manifest.gzip_bytes(), 24);
        assert_eq!(manifest.files().count(), 4);
        // As the packed format (`train.kim.gz`, one file a split) described it.
        let old = r#"{ "name": "MNIST", "source": "s", "authors": "a", "licence": "l", "sets": {
            "train": { "file": "train.kim.gz", "count": 60000, "rows": 28, "cols": 28, "bytes": 47100016, "gzip_bytes": 9688611, "sha256": "f3" },
            "test": { "file": "test.kim.gz", "count": 10000, "rows": 28, "cols": 28, "bytes": 7850016, "gzip_bytes": 1612940, "sha256": "76" } } }"#;
        assert!(MnistManifest::from_json(old).is_err());
        assert!(MnistManifest::from_json("{}").is_err());
    }
}
