//! The residual network's shape: plain data (no burn), so the page can show it and a card can
//! record it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest channel count of the stem or a stage.
pub const MAX_CHANNELS: usize = 512;
pub const MAX_STAGES: usize = 6;
pub const MAX_BLOCKS: usize = 8;
pub const MAX_CLASSES: usize = 1000;

/// One stage: `blocks` basic residual blocks with `channels` output channels; the first block
/// has stride `stride` (2 halves the maps' side).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stage {
    pub channels: usize,
    pub blocks: usize,
    pub stride: usize,
}

/// A stem (3 × 3 convolution, batch norm, ReLU), stages of basic residual blocks, global
/// average pooling and a linear head, for one-channel images.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ResnetSettings {
    /// The stem convolution's output channels.
    pub stem: usize,
    pub stages: Vec<Stage>,
    /// The head's outputs.
    pub classes: usize,
}

impl Default for ResnetSettings {
    /// 16 stem channels, then stages of 16, 32 and 64 channels with one block each (28 → 28 →
    /// 14 → 7), ten classes: 77 754 parameters. Natively on the CPU backend it reached 99.40 %
    /// test accuracy on MNIST after two epochs (Adam from 0.002 down a cosine to 0, batches of
    /// 64; `cargo run --release -p xtask --example resnet_epochs`), 98.22 % at a constant 0.001.
    fn default() -> Self {
        Self {
            stem: 16,
            stages: vec![
                Stage {
                    channels: 16,
                    blocks: 1,
                    stride: 1,
                },
                Stage {
                    channels: 32,
                    blocks: 1,
                    stride: 2,
                },
                Stage {
                    channels: 64,
                    blocks: 1,
                    stride: 2,
                },
            ],
            classes: 10,
        }
    }
}

/// Why settings do not describe a network.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ResnetProblem {
    /// The stem's channels are not in 1–[`MAX_CHANNELS`].
    Stem,
    /// No stages, or more than [`MAX_STAGES`].
    StageCount { count: usize },
    /// A stage's channels (1–[`MAX_CHANNELS`]), blocks (1–[`MAX_BLOCKS`]) or stride (1 or 2).
    Stage { index: usize },
    /// Classes not in 1–[`MAX_CLASSES`].
    Classes { classes: usize },
}

impl fmt::Display for ResnetProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stem => write!(f, "the stem needs 1 to {MAX_CHANNELS} channels"),
            Self::StageCount { count } => {
                write!(f, "{count} stages: a network has 1 to {MAX_STAGES}")
            }
            Self::Stage { index } => write!(
                f,
                "stage {}: channels must be 1 to {MAX_CHANNELS}, blocks 1 to {MAX_BLOCKS}, stride 1 or 2",
                index + 1
            ),
            Self::Classes { classes } => {
                write!(f, "{classes} classes: the head needs 1 to {MAX_CLASSES}")
            }
        }
    }
}

/// A 3 × 3 convolution from `inputs` to `outputs` channels (no bias: batch norm follows) and its
/// batch norm's scale and shift.
fn conv_norm(inputs: usize, outputs: usize, kernel: usize) -> u64 {
    (inputs * outputs * kernel * kernel + 2 * outputs) as u64
}

impl ResnetSettings {
    /// Every problem, none for a network that can be built.
    pub fn validate(&self) -> Vec<ResnetProblem> {
        let mut problems = Vec::new();
        let channels_ok = |c: usize| (1..=MAX_CHANNELS).contains(&c);
        if !channels_ok(self.stem) {
            problems.push(ResnetProblem::Stem);
        }
        let count = self.stages.len();
        if !(1..=MAX_STAGES).contains(&count) {
            problems.push(ResnetProblem::StageCount { count });
        }
        for (index, stage) in self.stages.iter().enumerate() {
            if !channels_ok(stage.channels)
                || !(1..=MAX_BLOCKS).contains(&stage.blocks)
                || !(1..=2).contains(&stage.stride)
            {
                problems.push(ResnetProblem::Stage { index });
            }
        }
        if !(1..=MAX_CLASSES).contains(&self.classes) {
            problems.push(ResnetProblem::Classes {
                classes: self.classes,
            });
        }
        problems
    }

    /// Trainable parameters (weights, biases, batch norm's scales and shifts). A saved file also
    /// holds each batch norm's running mean and variance: [`running_values`](Self::running_values).
    pub fn parameter_count(&self) -> u64 {
        let mut count = conv_norm(1, self.stem, 3);
        let mut inputs = self.stem;
        for stage in &self.stages {
            for block in 0..stage.blocks {
                let stride = if block == 0 { stage.stride } else { 1 };
                count += conv_norm(inputs, stage.channels, 3)
                    + conv_norm(stage.channels, stage.channels, 3);
                if stride != 1 || inputs != stage.channels {
                    count += conv_norm(inputs, stage.channels, 1);
                }
                inputs = stage.channels;
            }
        }
        count + (inputs * self.classes + self.classes) as u64
    }

    /// The batch norms' running means and variances: two values per normalised channel.
    pub fn running_values(&self) -> u64 {
        let mut channels = self.stem;
        let mut inputs = self.stem;
        for stage in &self.stages {
            for block in 0..stage.blocks {
                let stride = if block == 0 { stage.stride } else { 1 };
                channels += 2 * stage.channels;
                if stride != 1 || inputs != stage.channels {
                    channels += stage.channels;
                }
                inputs = stage.channels;
            }
        }
        2 * channels as u64
    }

    /// The channels of the backbone's output (the last stage's, or the stem's without stages).
    pub fn feature_channels(&self) -> usize {
        self.stages.last().map_or(self.stem, |s| s.channels)
    }

    /// The side of the backbone's output maps for images of side `side`: each stride-2 stage
    /// halves it, rounding up (28 → 14 → 7).
    pub fn feature_side(&self, side: usize) -> usize {
        self.stages
            .iter()
            .fold(side, |s, stage| s.saturating_sub(1) / stage.stride + 1)
    }
}
