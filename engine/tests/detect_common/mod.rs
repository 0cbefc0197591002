//! What the detection tests and the quality example share: MNIST from `static/mnist/` (as
//! `cargo xtask data` writes it) and the shipped `mnist-resnet` backbone.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use kindling_engine::burn::tensor::Device;
use kindling_engine::datasets::mnist::{Images, load_folder};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::Resnet;

/// `static/<name>` of this repository.
pub fn static_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../static")
        .join(name)
}

/// MNIST's (train, test) sets, every file checked against its manifest.
pub fn mnist() -> (Images, Images) {
    let folder = static_path("mnist");
    let loaded = load_folder(&folder)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask data` first)", folder.display()));
    (loaded.train, loaded.test)
}

/// The shipped backbone (`static/models/mnist-resnet.safetensors`, all ten digits) and its shape.
pub fn shipped_backbone(device: &Device) -> (Resnet, ResnetSettings) {
    let path = static_path("models/mnist-resnet.safetensors");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (model, card) = checkpoint::load(&bytes, device).expect("the shipped backbone loads");
    (model, card.settings)
}
