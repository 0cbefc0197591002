//! What the transfer tests and the table example share: MNIST (or Fashion-MNIST) from a folder
//! as `cargo xtask data` writes it, and a backbone trained briefly on digits 0–4.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kindling_engine::burn::nn::loss::CrossEntropyLossConfig;
use kindling_engine::burn::optim::{AdamConfig, GradientsParams};
use kindling_engine::burn::tensor::Device;
use kindling_engine::datasets::mnist::{Images, batch, load_folder};
use kindling_engine::lessons::transfer::config::Target;
use kindling_engine::lessons::transfer::sample::target_images;
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};
use kindling_engine::rng::Rng;

/// `static/<name>` of this repository.
pub fn data_folder(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../static")
        .join(name)
}

/// The (train, test) sets of the idx folder `folder`, every file checked against its manifest.
pub fn load(folder: &Path) -> (Images, Images) {
    let loaded = load_folder(folder)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask data` first)", folder.display()));
    (loaded.train, loaded.test)
}

/// `target`'s (train, test) sets, labelled 0..`target.classes()`.
pub fn load_target(target: Target) -> (Images, Images) {
    let (train, test) = load(&data_folder(target.folder()));
    (target_images(target, &train), target_images(target, &test))
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

/// The shipped backbone (`static/models/mnist04-resnet.safetensors`, digits 0–4) and its shape.
pub fn shipped_backbone(device: &Device) -> (Resnet, ResnetSettings) {
    let path = data_folder("models/mnist04-resnet.safetensors");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (model, card) = checkpoint::load(&bytes, device).expect("the shipped backbone loads");
    (model, card.settings)
}
