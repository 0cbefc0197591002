//! The converted MNIST files (made by `cargo xtask data`, which `cargo xtask test` runs first)
//! load through the engine's checked reader, and damaged copies are refused.

use std::path::PathBuf;

use kindling_engine::datasets::mnist::{BadFile, DataError, MANIFEST_FILE, MnistManifest};
use xtask::data::{SOURCES, current_manifest, gunzip_file};

fn static_mnist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/mnist")
}

#[test]
fn converted_mnist_loads_with_its_manifest_and_damage_is_refused() {
    let dir = static_mnist();
    let text =
        std::fs::read_to_string(dir.join(MANIFEST_FILE)).expect("run `cargo xtask data` first");
    let manifest = MnistManifest::from_json(&text).unwrap();
    assert_eq!(manifest.licence, "CC BY-SA 3.0");
    assert_eq!(current_manifest(&dir), Some(manifest.clone()));
    for ((split, entry), count) in manifest.splits().into_iter().zip([10_000, 60_000]) {
        let (images, labels) = (
            gunzip_file(&dir, &entry.images.file).unwrap(),
            gunzip_file(&dir, &entry.labels.file).unwrap(),
        );
        for (file, raw) in [(&entry.images, &images), (&entry.labels, &labels)] {
            let served = std::fs::metadata(dir.join(&file.file)).unwrap().len();
            assert_eq!(
                (served, raw.len() as u64),
                (file.gzip_bytes, file.bytes),
                "{}",
                file.file
            );
            // The standard files, byte for byte.
            let name = file.file.strip_suffix(".gz").unwrap();
            assert!(SOURCES.contains(&(name, file.sha256.as_str())), "{name}");
        }
        let set = entry
            .decode(&images, &labels)
            .expect("the converted files are intact");
        assert_eq!((set.len(), set.rows, set.cols), (count, 28, 28), "{split}");
        assert_eq!((entry.count, entry.rows, entry.cols), (count, 28, 28));
        // Every digit occurs, roughly a tenth of the time each.
        let mut histogram = [0usize; 10];
        set.labels.iter().for_each(|&l| histogram[l as usize] += 1);
        assert!(
            histogram.iter().all(|&n| n > count / 20 && n < count / 5),
            "{histogram:?}"
        );
        // The first training image is the famous 5.
        if split == "train" {
            assert_eq!(set.labels[0], 5);
        }
        let images_file = entry.images.file.clone();
        let truncated = &images[..images.len() - 784];
        assert!(
            matches!(entry.decode(truncated, &labels), Err(BadFile { file, error: DataError::Truncated { .. } }) if file == images_file)
        );
        let mut altered = images.clone();
        altered[16 + 400] ^= 0x80;
        assert!(
            matches!(entry.decode(&altered, &labels), Err(BadFile { file, error: DataError::ChecksumMismatch { .. } }) if file == images_file)
        );
        let mut wrong_label = labels.clone();
        wrong_label[8] = (wrong_label[8] + 1) % 10;
        assert!(
            matches!(entry.decode(&images, &wrong_label), Err(BadFile { file, error: DataError::ChecksumMismatch { .. } }) if file == entry.labels.file)
        );
    }
}

#[test]
fn an_old_or_incomplete_data_folder_is_noticed() {
    let dir = std::env::temp_dir().join(format!("kindling-old-mnist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // The manifest of the former packed format (one `.kim.gz` file a split).
    let old = r#"{ "name": "MNIST", "source": "s", "authors": "a", "licence": "l", "sets": {
        "train": { "file": "train.kim.gz", "count": 60000, "rows": 28, "cols": 28, "bytes": 47100016, "gzip_bytes": 9688611, "sha256": "f3" },
        "test": { "file": "test.kim.gz", "count": 10000, "rows": 28, "cols": 28, "bytes": 7850016, "gzip_bytes": 1612940, "sha256": "76" } } }"#;
    std::fs::write(dir.join(MANIFEST_FILE), old).unwrap();
    assert_eq!(current_manifest(&dir), None);
    // The current manifest, without its files.
    std::fs::copy(static_mnist().join(MANIFEST_FILE), dir.join(MANIFEST_FILE)).unwrap();
    assert_eq!(current_manifest(&dir), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
