//! An idx folder as `cargo xtask data` writes it (`static/mnist/`, `static/fashion-mnist/`) read
//! from disk: the manifest, then each gzip-compressed file checked against it (its size as
//! served, then [`Split::decode`]'s checks). Native programs and tests read it so; the worker
//! fetches the same files from the site.

use std::fmt;
use std::io::Read;
use std::path::Path;

use super::{BadFile, Images, MANIFEST_FILE, MnistManifest, Split};

/// A folder's manifest and its two sets.
pub struct IdxFolder {
    pub manifest: MnistManifest,
    pub train: Images,
    pub test: Images,
}

/// Why a folder could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum FolderError {
    /// A file is missing or unreadable.
    Unreadable {
        file: String,
        message: String,
    },
    BadManifest {
        message: String,
    },
    /// The served (compressed) file is not as long as the manifest says.
    WrongSize {
        file: String,
        expected: u64,
        actual: u64,
    },
    /// The file is not gzip or does not decompress.
    BadGzip {
        file: String,
    },
    /// It decompresses, but is not the file the manifest describes.
    Corrupt(BadFile),
}

impl fmt::Display for FolderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable { file, message } => write!(f, "{file}: {message}"),
            Self::BadManifest { message } => write!(f, "{MANIFEST_FILE}: {message}"),
            Self::WrongSize {
                file,
                expected,
                actual,
            } => write!(f, "{file}: {actual} bytes, the manifest says {expected}"),
            Self::BadGzip { file } => write!(f, "{file}: not a gzip file"),
            Self::Corrupt(bad) => write!(f, "{}: {:?}", bad.file, bad.error),
        }
    }
}

fn read(dir: &Path, file: &str) -> Result<Vec<u8>, FolderError> {
    std::fs::read(dir.join(file)).map_err(|e| FolderError::Unreadable {
        file: file.to_string(),
        message: e.to_string(),
    })
}

fn gunzip(dir: &Path, file: &super::DataFile) -> Result<Vec<u8>, FolderError> {
    let compressed = read(dir, &file.file)?;
    if compressed.len() as u64 != file.gzip_bytes {
        return Err(FolderError::WrongSize {
            file: file.file.clone(),
            expected: file.gzip_bytes,
            actual: compressed.len() as u64,
        });
    }
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .map_err(|_| FolderError::BadGzip {
            file: file.file.clone(),
        })?;
    Ok(raw)
}

fn split(dir: &Path, split: &Split) -> Result<Images, FolderError> {
    let (images, labels) = (gunzip(dir, &split.images)?, gunzip(dir, &split.labels)?);
    split.decode(&images, &labels).map_err(FolderError::Corrupt)
}

/// The manifest of `dir` and both its sets, every file checked.
pub fn load_folder(dir: &Path) -> Result<IdxFolder, FolderError> {
    let text =
        String::from_utf8(read(dir, MANIFEST_FILE)?).map_err(|e| FolderError::BadManifest {
            message: e.to_string(),
        })?;
    let manifest =
        MnistManifest::from_json(&text).map_err(|message| FolderError::BadManifest { message })?;
    let test = split(dir, &manifest.sets.test)?;
    let train = split(dir, &manifest.sets.train)?;
    Ok(IdxFolder {
        manifest,
        train,
        test,
    })
}
