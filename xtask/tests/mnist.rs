//! The converted MNIST files (made by `cargo xtask data`, which `cargo xtask test` runs first)
//! load through the engine's checked reader, and damaged copies are refused.

use std::io::Read;
use std::path::PathBuf;

use kindling_engine::datasets::mnist::{DataError, unpack};

fn static_mnist() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/mnist")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("gzip");
    out
}

#[test]
fn converted_mnist_loads_with_its_manifest_and_damage_is_refused() {
    let dir = static_mnist();
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("run `cargo xtask data` first"),
    )
    .unwrap();
    assert_eq!(manifest["licence"], "CC BY-SA 3.0");
    for (split, count) in [("test", 10_000), ("train", 60_000)] {
        let entry = &manifest["sets"][split];
        let compressed = std::fs::read(dir.join(entry["file"].as_str().unwrap())).unwrap();
        assert_eq!(compressed.len() as u64, entry["gzip_bytes"].as_u64().unwrap());
        let packed = gunzip(&compressed);
        let sha = entry["sha256"].as_str().unwrap();
        let set = unpack(&packed, sha).expect("the converted file is intact");
        assert_eq!((set.len(), set.rows, set.cols), (count, 28, 28));
        // Every digit occurs, roughly a tenth of the time each.
        let mut histogram = [0usize; 10];
        set.labels.iter().for_each(|&l| histogram[l as usize] += 1);
        assert!(histogram.iter().all(|&n| n > count / 20 && n < count / 5), "{histogram:?}");
        // The first training image is the famous 5.
        if split == "train" {
            assert_eq!(set.labels[0], 5);
        }
        let truncated = &packed[..packed.len() - 784];
        assert!(matches!(unpack(truncated, sha), Err(DataError::Truncated { .. })));
        let mut altered = packed.clone();
        altered[16 + count + 400] ^= 0x80;
        assert!(matches!(unpack(&altered, sha), Err(DataError::ChecksumMismatch { .. })));
    }
}
