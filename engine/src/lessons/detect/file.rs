//! A detector as one model file ([`crate::common::model_file`]): the whole network, backbone and
//! head, with its [`DetectCard`].

use burn::module::Module;
use burn::tensor::Device;

use super::card::{DETECTOR_MODEL, DetectCard};
use super::model::{Detector, DetectorConfig};
use crate::common::model_file::{self, ModelFileError, Precision, impl_card};
use crate::models::resnet::model::ResnetConfig;

impl_card!(DetectCard, DETECTOR_MODEL);

/// The model file of `model` with `card` (its parameter list and checksum are filled in here).
pub async fn save(model: &Detector, card: DetectCard) -> Result<Vec<u8>, ModelFileError> {
    model_file::save(&model.valid(), card, Precision::F32).await
}

/// The detector a file holds, built on `device` from its card (the backbone frozen, as a fresh
/// detector's), and the card. A damaged file, a file of another model, or weights of another
/// shape are refused.
pub fn load(bytes: &[u8], device: &Device) -> Result<(Detector, DetectCard), ModelFileError> {
    let (card, weights) = model_file::decode::<DetectCard>(bytes)?;
    if let Some(message) = card.problem() {
        return Err(ModelFileError::BadSettings { message });
    }
    let backbone = ResnetConfig::from_settings(&card.backbone).init(device);
    let config =
        DetectorConfig::from_settings(&card.settings, card.backbone.feature_channels(), 10);
    let model = config.init(backbone, device);
    let model = model_file::load_weights(model, &card.parameters, weights)?;
    Ok((model, card))
}
