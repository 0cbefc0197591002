//! Fashion-MNIST as `cargo xtask data` writes it (`static/fashion-mnist/`) loads through the
//! engine's checked folder reader, and a damaged folder is refused naming the file and the fault.

mod transfer_common;

use std::path::{Path, PathBuf};

use kindling_engine::datasets::fashion::{CLASSES, FOLDER};
use kindling_engine::datasets::mnist::{
    BadFile, DataError, FolderError, MANIFEST_FILE, MnistManifest, load_folder,
};

const COPIES: [&str; 5] = ["cut", "garbage", "swapped", "size", "sum"];

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kindling-fashion-{name}-{}", std::process::id()))
}

/// A scratch folder holding `manifest` and copies of the test split's files of `from`.
fn damaged_copy(name: &str, from: &Path, manifest: &MnistManifest) -> PathBuf {
    let dir = scratch(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in manifest.sets.test.files() {
        let _ = std::fs::copy(from.join(&file.file), dir.join(&file.file));
    }
    std::fs::write(dir.join(MANIFEST_FILE), manifest.to_json()).unwrap();
    dir
}

#[test]
fn fashion_mnist_loads_checked_and_damage_is_refused() {
    let dir = transfer_common::data_folder(FOLDER);
    let loaded = load_folder(&dir).expect("run `cargo xtask data` first");
    assert_eq!(loaded.manifest.licence, "MIT");
    for (set, count) in [(&loaded.train, 60_000), (&loaded.test, 10_000)] {
        assert_eq!((set.len(), set.rows, set.cols), (count, 28, 28));
        for class in 0..CLASSES.len() as u8 {
            assert_eq!(
                set.labels.iter().filter(|&&l| l == class).count(),
                count / 10
            );
        }
    }
    let manifest = loaded.manifest;
    let test = &manifest.sets.test;

    let missing = std::env::temp_dir().join("kindling-fashion-nowhere");
    assert!(
        matches!(load_folder(&missing), Err(FolderError::Unreadable { file, .. }) if file == MANIFEST_FILE)
    );

    // A served file cut short.
    let cut = damaged_copy("cut", &dir, &manifest);
    let images = std::fs::read(cut.join(&test.images.file)).unwrap();
    std::fs::write(cut.join(&test.images.file), &images[..images.len() / 2]).unwrap();
    assert_eq!(
        load_folder(&cut).err(),
        Some(FolderError::WrongSize {
            file: test.images.file.clone(),
            expected: test.images.gzip_bytes,
            actual: test.images.gzip_bytes / 2,
        })
    );

    // Not gzip at all, at the right size.
    let garbage = damaged_copy("garbage", &dir, &manifest);
    std::fs::write(
        garbage.join(&test.labels.file),
        vec![7u8; test.labels.gzip_bytes as usize],
    )
    .unwrap();
    assert_eq!(
        load_folder(&garbage).err(),
        Some(FolderError::BadGzip {
            file: test.labels.file.clone()
        })
    );

    let corrupt = |name: &str, edit: &dyn Fn(&mut MnistManifest)| -> Option<BadFile> {
        let mut edited = manifest.clone();
        edit(&mut edited);
        match load_folder(&damaged_copy(name, &dir, &edited)) {
            Err(FolderError::Corrupt(bad)) => Some(bad),
            other => panic!("{name}: {:?}", other.err()),
        }
    };
    // The label file where the images should be: the wrong magic number.
    let swapped = corrupt("swapped", &|m| {
        m.sets.test.images = m.sets.test.labels.clone()
    });
    assert_eq!(
        swapped,
        Some(BadFile {
            file: test.labels.file.clone(),
            error: DataError::NotADataFile
        })
    );
    // A size the file does not have.
    let size = corrupt("size", &|m| m.sets.test.images.bytes -= 784);
    assert_eq!(
        size,
        Some(BadFile {
            file: test.images.file.clone(),
            error: DataError::TrailingBytes {
                expected: test.images.bytes as usize - 784,
                actual: test.images.bytes as usize
            }
        })
    );
    // Another file's checksum.
    let sum = corrupt("sum", &|m| {
        m.sets.test.labels.sha256 = m.sets.train.labels.sha256.clone()
    });
    assert!(
        matches!(&sum, Some(BadFile { file, error: DataError::ChecksumMismatch { .. } }) if *file == test.labels.file),
        "{sum:?}"
    );
    for name in COPIES {
        let _ = std::fs::remove_dir_all(scratch(name));
    }
}
