//! What the transfer tests and the table example share: MNIST (or Fashion-MNIST) from a folder
//! as `cargo xtask data` writes it, and a backbone trained briefly on digits 0–4.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kindling_engine::burn::nn::loss::CrossEntropyLossConfig;
use kindling_engine::burn::optim::{AdamConfig, GradientsParams};
use kindling_engine::burn::tensor::Device;
use kindling_engine::datasets::mnist::{Images, MnistManifest, batch};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};
use kindling_engine::rng::Rng;

/// `static/<name>` of this repository.
pub fn data_folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../static")
        .join(name)
}

fn gunzip(path: &Path) -> Vec<u8> {
    use std::io::Read;
    let compressed = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask data` first)", path.display()));
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut raw)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    raw
}

/// The (train, test) sets of the idx folder `folder`, checked against its manifest.
pub fn load(folder: &Path) -> (Images, Images) {
    let manifest_path = folder.join("manifest.json");
    let text = std::fs::read_to_string(&manifest_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run `cargo xtask data` first)",
            manifest_path.display()
        )
    });
    let manifest = MnistManifest::from_json(&text).expect("manifest");
    let read = |split: &kindling_engine::datasets::mnist::Split| {
        let images = gunzip(&folder.join(&split.images.file));
        let labels = gunzip(&folder.join(&split.labels.file));
        split.decode(&images, &labels).expect("data files")
    };
    (read(&manifest.sets.train), read(&manifest.sets.test))
}

/// A residual network of the default shape trained for `steps` Adam steps (0.002, batch 64) on
/// `train` (digits 0–4, labels 0–4).
pub fn train_backbone(train: &Images, steps: usize, seed: u64, device: &Device) -> Resnet {
    let settings = ResnetSettings {
        classes: 5,
        ..ResnetSettings::default()
    };
    device.seed(seed);
    let mut model = ResnetConfig::from_settings(&settings).init(device);
    let mut optimizer = AdamConfig::new().init();
    let loss = CrossEntropyLossConfig::new().init(device);
    let mut rng = Rng::new(seed);
    let mut order: Vec<usize> = (0..train.len()).collect();
    rng.shuffle(&mut order);
    for step in 0..steps {
        let start = (step * 64) % (train.len() - 64);
        let (x, y) = batch(train, order[start..start + 64].iter().copied(), device);
        let l = loss.forward(model.forward(x), y);
        let grads = GradientsParams::from_grads(l.backward(), &model);
        model = optimizer.step(0.002, model, grads);
    }
    model
}
