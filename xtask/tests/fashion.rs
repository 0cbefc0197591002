//! The converted Fashion-MNIST files (made by `cargo xtask data` from the Debian package) are
//! the package's files, byte for byte, and load through the engine's checked reader.

use std::path::PathBuf;

use kindling_engine::datasets::fashion::FOLDER;
use kindling_engine::datasets::mnist::{MANIFEST_FILE, MnistManifest};
use xtask::data::{FASHION_SOURCES, current_manifest, gunzip_file};

#[test]
fn converted_fashion_mnist_is_the_packages_files_with_ten_balanced_classes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../static")
        .join(FOLDER);
    let text =
        std::fs::read_to_string(dir.join(MANIFEST_FILE)).expect("run `cargo xtask data` first");
    let manifest = MnistManifest::from_json(&text).unwrap();
    assert_eq!(
        (manifest.name.as_str(), manifest.licence.as_str()),
        ("Fashion-MNIST", "MIT")
    );
    assert_eq!(current_manifest(&dir), Some(manifest.clone()));
    for ((split, entry), count) in manifest.splits().into_iter().zip([10_000, 60_000]) {
        let (images, labels) = (
            gunzip_file(&dir, &entry.images.file).unwrap(),
            gunzip_file(&dir, &entry.labels.file).unwrap(),
        );
        for file in [&entry.images, &entry.labels] {
            let name = file.file.strip_suffix(".gz").unwrap();
            assert!(
                FASHION_SOURCES.contains(&(name, file.sha256.as_str())),
                "{name}"
            );
        }
        let set = entry.decode(&images, &labels).expect("intact files");
        assert_eq!((set.len(), set.rows, set.cols), (count, 28, 28), "{split}");
        // Fashion-MNIST has exactly a tenth of each class in each split.
        let mut histogram = [0usize; 10];
        set.labels.iter().for_each(|&l| histogram[l as usize] += 1);
        assert_eq!(histogram, [count / 10; 10], "{split}");
    }
}
