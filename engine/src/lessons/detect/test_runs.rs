//! What the two levels' training tests share: small digits, fixed weights and settings under
//! which the backbone unfreezes early.

use std::sync::OnceLock;

use burn::module::Module;

use super::DetectSettings;
use crate::common::model_file::{read_weights, with_weights};
use crate::datasets::mnist::Images;

/// Twenty made-up 28 × 28 digits, two of each class.
pub fn digits() -> Images {
    Images {
        rows: 28,
        cols: 28,
        pixels: (0..20 * 784).map(|i| ((i * 37) % 251) as u8).collect(),
        labels: (0..20).map(|i| (i % 10) as u8).collect(),
    }
}

/// `model` with the weights the first model given to this `first` had: every run of a test
/// starts from them, whatever random draws other tests made before.
pub fn first_weights<M: Module>(model: M, first: &OnceLock<Vec<f32>>) -> M {
    let first = first.get_or_init(|| pollster::block_on(read_weights(&model)).unwrap());
    with_weights(model, |i| first[i])
}

/// A short run on small batches whose backbone unfreezes at step 3.
pub fn unfreezing_at_3() -> DetectSettings {
    DetectSettings {
        steps: 20,
        batch: 2,
        hidden: 8,
        unfreeze_at: Some(3),
        ..DetectSettings::default()
    }
}
