//! A detector as one model file ([`crate::common::model_file`]): the whole network, backbone and
//! head, with its [`DetectCard`], whose `level` says which head it is (the single-digit
//! class-and-box head, or level two's CenterNet-style head).

use burn::module::Module;
use burn::tensor::Device;

use super::card::{DETECTOR_MODEL, DetectCard, head_model_name};
use super::centre_model::{CentreDetector, CentreDetectorConfig};
use super::data::Level;
use super::model::{Detector, DetectorConfig};
use crate::common::model_file::{self, ModelFileError, Precision, impl_card};
use crate::models::resnet::model::{Resnet, ResnetConfig};

impl_card!(DetectCard, DETECTOR_MODEL);

/// A detector read from a file: either head.
#[derive(Debug)]
pub enum LoadedDetector {
    One(Detector),
    Many(CentreDetector),
}

/// The model file of a single-digit detector with `card` (its parameter list and checksum are
/// filled in here; its level is set to one).
pub async fn save(model: &Detector, mut card: DetectCard) -> Result<Vec<u8>, ModelFileError> {
    card.level = Level::One;
    model_file::save(&model.valid(), card, Precision::F32).await
}

/// The model file of a multi-digit detector with `card` (its level is set to many).
pub async fn save_many(
    model: &CentreDetector,
    mut card: DetectCard,
) -> Result<Vec<u8>, ModelFileError> {
    card.level = Level::Many;
    model_file::save(&model.valid(), card, Precision::F32).await
}

/// The detector a file holds, of whichever head its card names, built on `device` from its card
/// (the backbone frozen, as a fresh detector's), and the card. A damaged file, a file of another
/// model, or weights that do not fit the card's head and shape are refused.
pub fn load_any(
    bytes: &[u8],
    device: &Device,
) -> Result<(LoadedDetector, DetectCard), ModelFileError> {
    let (card, weights) = model_file::decode::<DetectCard>(bytes)?;
    if let Some(message) = card.problem() {
        return Err(ModelFileError::BadSettings { message });
    }
    let backbone: Resnet = ResnetConfig::from_settings(&card.backbone).init(device);
    let features = card.backbone.feature_channels();
    let model = match card.level {
        Level::One => {
            let config = DetectorConfig::from_settings(&card.settings, features, 10);
            let model = config.init(backbone, device);
            LoadedDetector::One(model_file::load_weights(model, &card.parameters, weights)?)
        }
        Level::Many => {
            let model =
                CentreDetectorConfig::new(features, card.settings.hidden).init(backbone, device);
            LoadedDetector::Many(model_file::load_weights(model, &card.parameters, weights)?)
        }
    };
    Ok((model, card))
}

fn wrong_head(expected: Level, found: Level) -> ModelFileError {
    ModelFileError::WrongModel {
        expected: head_model_name(expected).to_string(),
        found: head_model_name(found).to_string(),
    }
}

/// A single-digit detector from a file; a multi-digit one is refused.
pub fn load(bytes: &[u8], device: &Device) -> Result<(Detector, DetectCard), ModelFileError> {
    match load_any(bytes, device)? {
        (LoadedDetector::One(model), card) => Ok((model, card)),
        (LoadedDetector::Many(_), _) => Err(wrong_head(Level::One, Level::Many)),
    }
}

/// A multi-digit detector from a file; a single-digit one is refused.
pub fn load_many(
    bytes: &[u8],
    device: &Device,
) -> Result<(CentreDetector, DetectCard), ModelFileError> {
    match load_any(bytes, device)? {
        (LoadedDetector::Many(model), card) => Ok((model, card)),
        (LoadedDetector::One(_), _) => Err(wrong_head(Level::Many, Level::One)),
    }
}
