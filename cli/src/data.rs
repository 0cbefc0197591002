//! MNIST from a folder as `cargo xtask data` writes it (`static/mnist/`): the manifest and the
//! four gzip-compressed idx files, checked against the manifest's sizes and SHA-256.

use std::io::Read;
use std::path::{Path, PathBuf};

use kindling_engine::datasets::mnist::{Images, MANIFEST_FILE, MnistManifest};

/// The MNIST folder: `--data`, else `static/mnist` under the current directory, else this
/// repository's `static/mnist` (so `cargo run` works from anywhere in the checkout).
pub fn folder(data: Option<&Path>) -> PathBuf {
    if let Some(dir) = data {
        return dir.to_path_buf();
    }
    let here = PathBuf::from("static/mnist");
    if here.join(MANIFEST_FILE).is_file() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/mnist")
}

/// The training and test sets, and the manifest that describes them.
pub struct Mnist {
    pub manifest: MnistManifest,
    pub train: Images,
    pub test: Images,
}

impl Mnist {
    pub fn load(dir: &Path) -> Result<Self, String> {
        let manifest = read_manifest(dir)?;
        let (train, test) = (
            split(dir, &manifest, "train")?,
            split(dir, &manifest, "test")?,
        );
        Ok(Self {
            manifest,
            train,
            test,
        })
    }

    /// The training data's SHA-256 as a card records it: the hex of the train images file's
    /// SHA-256 (as the manifest lists it), then the labels file's.
    pub fn train_sha256(&self) -> String {
        let train = &self.manifest.sets.train;
        format!("{}{}", train.images.sha256, train.labels.sha256)
    }
}

fn missing(dir: &Path, why: &str) -> String {
    format!(
        "MNIST is not in {} ({why}). In the Kindling repository, `cargo xtask data` puts it in \
         static/mnist/; or point --data at a folder with manifest.json and the four \
         gzip-compressed idx files it lists.",
        dir.display()
    )
}

fn read_manifest(dir: &Path) -> Result<MnistManifest, String> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| missing(dir, &e.to_string()))?;
    MnistManifest::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn gunzip(dir: &Path, file: &str) -> Result<Vec<u8>, String> {
    let path = dir.join(file);
    let compressed = std::fs::read(&path).map_err(|e| missing(dir, &format!("{file}: {e}")))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .map_err(|e| format!("{}: not a gzip file ({e})", path.display()))?;
    Ok(raw)
}

/// One split (`train` or `test`), checked against the manifest.
fn split(dir: &Path, manifest: &MnistManifest, name: &str) -> Result<Images, String> {
    let (_, entry) = manifest
        .splits()
        .into_iter()
        .find(|(split, _)| *split == name)
        .ok_or_else(|| format!("the manifest has no {name} set"))?;
    let images = gunzip(dir, &entry.images.file)?;
    let labels = gunzip(dir, &entry.labels.file)?;
    entry.decode(&images, &labels).map_err(|bad| {
        format!(
            "{}: {:?} (run `cargo xtask data` to fetch MNIST again)",
            dir.join(&bad.file).display(),
            bad.error
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_says_how_to_get_mnist() {
        let dir = std::env::temp_dir().join("kindling-cli-no-mnist-here");
        let error = Mnist::load(&dir).err().expect("no data there");
        assert!(error.contains("cargo xtask data"), "{error}");
        assert!(error.contains("--data"), "{error}");
    }
}
