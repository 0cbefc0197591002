//! Saving and loading a residual network as a Kindling model file
//! ([`crate::common::model_file`]: safetensors, the [`ResnetCard`] in its metadata).

use burn::tensor::Device;

use super::card::{MODEL_KIND, ResnetCard};
use super::model::{Resnet, ResnetConfig};
use crate::common::model_file::{self, ModelFileError, Precision, impl_card};

impl_card!(ResnetCard, MODEL_KIND);

/// The model file for `model` with `card` (its parameter list and checksum are filled in here).
pub async fn save(
    model: &Resnet,
    card: ResnetCard,
    precision: Precision,
) -> Result<Vec<u8>, ModelFileError> {
    model_file::save(model, card, precision).await
}

/// Reads a residual network's file and checks everything that can be checked without building
/// the network (see [`model_file::decode`]), and that its settings describe a network whose
/// outputs are its classes. Returns the card and the weights as f32.
pub fn decode(bytes: &[u8]) -> Result<(ResnetCard, Vec<f32>), ModelFileError> {
    let (card, weights) = model_file::decode::<ResnetCard>(bytes)?;
    check_card(&card)?;
    Ok((card, weights))
}

/// The card of a residual network's file, after the same checks as [`decode`].
pub fn read_card(bytes: &[u8]) -> Result<ResnetCard, ModelFileError> {
    decode(bytes).map(|(card, _)| card)
}

/// The network a file holds, built on `device` from its card's settings, and the card.
pub fn load(bytes: &[u8], device: &Device) -> Result<(Resnet, ResnetCard), ModelFileError> {
    let (card, weights) = decode(bytes)?;
    let model = ResnetConfig::from_settings(&card.settings).init(device);
    let model = model_file::load_weights(model, &card.parameters, weights)?;
    Ok((model, card))
}

fn check_card(card: &ResnetCard) -> Result<(), ModelFileError> {
    let problems = card.settings.validate();
    if !problems.is_empty() {
        let message = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ModelFileError::BadSettings { message });
    }
    if card.classes.len() != card.settings.classes {
        let message = format!(
            "it names {} classes for a head of {} outputs",
            card.classes.len(),
            card.settings.classes
        );
        return Err(ModelFileError::BadCard { message });
    }
    Ok(())
}
