//! The measured table: every arm's test accuracy for each number of labels per class, measured
//! natively by `engine/examples/transfer_table.rs` and shipped as
//! `static/transfer/table-<target>.json`, which the page shows and a test recomputes.

use serde::{Deserialize, Serialize};

use super::config::{Arm, Target, TransferSettings};

/// One row: the four arms' accuracy on the whole test set after training with `labels_per_class`
/// labelled examples per class (0 = all of them).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MeasuredRow {
    pub labels_per_class: u32,
    /// Labelled training images the arms saw.
    pub train_images: usize,
    pub test_images: usize,
    /// Test accuracy in [0, 1], one per arm in the order of `arms`.
    pub accuracy: Vec<f32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MeasuredTable {
    pub target: Target,
    /// The settings of every row, but for `labels_per_class`.
    pub settings: TransferSettings,
    /// The command that measured the table.
    pub command: String,
    /// Where it ran, in words.
    pub backend: String,
    pub arms: Vec<Arm>,
    pub rows: Vec<MeasuredRow>,
}

impl MeasuredTable {
    /// The file's path under `static/`.
    pub fn file(target: Target) -> String {
        format!("transfer/table-{}.json", target.name())
    }

    /// `row`'s settings.
    pub fn settings_of(&self, row: &MeasuredRow) -> TransferSettings {
        TransferSettings {
            labels_per_class: row.labels_per_class,
            ..self.settings.clone()
        }
    }
}
