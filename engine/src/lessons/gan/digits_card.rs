//! What a saved digit generator says about itself. Plain data (no burn).

use serde::{Deserialize, Serialize};

use super::digits::DigitSettings;
use crate::common::model_card::{FORMAT_VERSION, ParamEntry};

/// The `model` a digit generator's card names.
pub const MODEL_KIND: &str = "gan-generator";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GeneratorCard {
    pub format: u32,
    /// Always "gan-generator".
    pub model: String,
    pub settings: DigitSettings,
    /// Generator steps it was trained for.
    pub iterations: u64,
    /// Every float tensor of the generator, in burn's visiting order; filled in when saving.
    pub parameters: Vec<ParamEntry>,
    /// SHA-256 (hex) of the file's tensor data; filled in when saving.
    pub weights_sha256: String,
}

impl GeneratorCard {
    pub fn new(settings: DigitSettings, iterations: u64) -> Self {
        Self {
            format: FORMAT_VERSION,
            model: MODEL_KIND.to_string(),
            settings,
            iterations,
            parameters: Vec::new(),
            weights_sha256: String::new(),
        }
    }
}
