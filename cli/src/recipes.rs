//! How each shipped model is made. The card of each file records its recipe (settings, seed,
//! epochs, optimiser, schedule, data, first losses); `kindling pretrain --check` verifies that
//! the cards still describe these recipes.

use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::models::resnet::ResnetSettings;

use kindling_engine::lessons::detect::card::SHIPPED_DETECTOR;

use crate::args::{Schedule, ShippedName};

/// The shipped models burn-train makes, in the order `index.json` lists them (the detector,
/// `detector.rs`, comes after them).
pub const NAMES: [ShippedName; 3] = [
    ShippedName::MnistClassifier,
    ShippedName::Mnist04Resnet,
    ShippedName::MnistResnet,
];

/// The absolute difference allowed between a card's first batch losses and a retraining's on
/// another machine. On the machine that made the file they are equal. CPU kernels differ by
/// instruction set (AVX2, AVX-512 and NEON sum in other orders), which should move a loss in its
/// sixth or seventh significant digit after a few steps; any real change moves the first losses
/// far more (another seed for the classifier: up to 0.21).
pub const TOLERANCE: f32 = 1e-3;

/// A file is stored as f16 unless that costs more test accuracy than this.
pub const F16_ACCURACY_COST: f32 = 0.001;

pub const LICENCE: &str = "weights MIT OR Apache-2.0; trained on MNIST, CC BY-SA 3.0";

pub fn file_name(name: ShippedName) -> &'static str {
    match name {
        ShippedName::MnistClassifier => "mnist-classifier",
        ShippedName::Mnist04Resnet => "mnist04-resnet",
        ShippedName::MnistResnet => "mnist-resnet",
        ShippedName::MnistDetector => SHIPPED_DETECTOR,
        ShippedName::All => "all",
    }
}

pub fn command(name: ShippedName) -> String {
    format!(
        "cargo run --release -p kindling-cli -- pretrain {}",
        file_name(name)
    )
}

/// The network and the training of a shipped model.
pub struct Recipe {
    pub network: Network,
    pub epochs: usize,
    pub batch: usize,
    pub seed: u64,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub schedule: Schedule,
}

pub enum Network {
    /// The CNN lesson's network; its settings' epochs, batch, seed, optimiser and learning rate
    /// are the recipe's.
    Cnn(CnnSettings),
    /// The residual network on these digits (its head has one output per digit).
    Resnet {
        settings: ResnetSettings,
        digits: Vec<u8>,
    },
}

pub fn recipe(name: ShippedName) -> Recipe {
    match name {
        // The CNN lesson's default network, trained longer than the lesson's two epochs with its
        // learning rate annealed, which takes it past 99 % test accuracy.
        ShippedName::MnistClassifier => {
            let settings = CnnSettings {
                epochs: 6,
                ..CnnSettings::default()
            };
            Recipe {
                epochs: settings.epochs,
                batch: settings.batch_size,
                seed: settings.seed,
                optimizer: settings.optimizer,
                learning_rate: settings.learning_rate,
                schedule: Schedule::Cosine,
                network: Network::Cnn(settings),
            }
        }
        ShippedName::Mnist04Resnet => resnet((0..5).collect(), 3),
        ShippedName::MnistResnet | ShippedName::All => resnet((0..10).collect(), 3),
        ShippedName::MnistDetector => unreachable!("the detector's recipe is detector::recipe"),
    }
}

/// The default residual network (77 754 parameters for ten digits) on `digits`.
fn resnet(digits: Vec<u8>, epochs: usize) -> Recipe {
    Recipe {
        network: Network::Resnet {
            settings: ResnetSettings {
                classes: digits.len(),
                ..ResnetSettings::default()
            },
            digits,
        },
        epochs,
        batch: 64,
        seed: 1,
        optimizer: OptimizerKind::Adam,
        learning_rate: 2e-3,
        schedule: Schedule::Cosine,
    }
}
