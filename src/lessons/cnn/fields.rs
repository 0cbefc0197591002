//! The CNN's settings form, field by field: which number each input edits, as text and set from
//! text (the [`FieldTarget`] a [`NumberField`](crate::widgets::number_field) needs). Pure
//! functions.

use kindling_engine::common::parse::{
    BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole,
};
use kindling_engine::lessons::cnn::config::{CnnSettings, ConvBlock, DROPOUT, EPOCHS, Pool};

use crate::lessons::cnn::link::{DENSE, FILTERS, KERNEL, PADDING, POOL_SIZE, STRIDE};
use crate::widgets::number_field::FieldTarget;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockField {
    Filters,
    Kernel,
    Stride,
    Padding,
    PoolSize,
}

impl BlockField {
    pub fn name(self) -> &'static str {
        match self {
            BlockField::Filters => "filters",
            BlockField::Kernel => "kernel",
            BlockField::Stride => "stride",
            BlockField::Padding => "padding",
            BlockField::PoolSize => "pool_size",
        }
    }

    pub fn range(self) -> (f64, f64) {
        match self {
            BlockField::Filters => FILTERS,
            BlockField::Kernel => KERNEL,
            BlockField::Stride => STRIDE,
            BlockField::Padding => PADDING,
            BlockField::PoolSize => POOL_SIZE,
        }
    }
}

/// A numeric input of the settings form. Blocks are 0-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CnnInput {
    Block(usize, BlockField),
    Dense,
    Dropout,
    LearningRate,
    BatchSize,
    Epochs,
    Seed,
}

impl CnnInput {
    pub fn range(self) -> (f64, f64) {
        match self {
            CnnInput::Block(_, field) => field.range(),
            CnnInput::Dense => DENSE,
            CnnInput::Dropout => DROPOUT,
            CnnInput::LearningRate => LEARNING_RATE,
            CnnInput::BatchSize => BATCH_SIZE,
            CnnInput::Epochs => EPOCHS,
            CnnInput::Seed => SEED,
        }
    }

    /// The i18n key of its label.
    pub fn label_key(self) -> String {
        match self {
            CnnInput::Block(_, field) => format!("cnn.field.{}", field.name()),
            CnnInput::Dense => "cnn.field.dense".into(),
            CnnInput::Dropout => "cnn.field.dropout".into(),
            CnnInput::LearningRate => "cnn.field.lr".into(),
            CnnInput::BatchSize => "cnn.field.batch".into(),
            CnnInput::Epochs => "cnn.field.epochs".into(),
            CnnInput::Seed => "cnn.field.seed".into(),
        }
    }
}

impl FieldTarget for CnnSettings {
    type Field = CnnInput;

    fn text(&self, field: CnnInput) -> String {
        match field {
            CnnInput::Block(i, f) => self
                .blocks
                .get(i)
                .map(|b| match f {
                    BlockField::Filters => b.filters,
                    BlockField::Kernel => b.kernel,
                    BlockField::Stride => b.stride,
                    BlockField::Padding => b.padding,
                    BlockField::PoolSize => b.pool_size,
                })
                .map(|v| v.to_string())
                .unwrap_or_default(),
            CnnInput::Dense => self.dense.to_string(),
            CnnInput::Dropout => self.dropout.to_string(),
            CnnInput::LearningRate => self.learning_rate.to_string(),
            CnnInput::BatchSize => self.batch_size.to_string(),
            CnnInput::Epochs => self.epochs.to_string(),
            CnnInput::Seed => self.seed.to_string(),
        }
    }

    fn try_set(&self, field: CnnInput, text: &str) -> Result<Self, Problem> {
        let mut next = self.clone();
        let range = field.range();
        match field {
            CnnInput::Block(i, f) => {
                let value = parse_whole(text, range)? as usize;
                let block = next.blocks.get_mut(i).ok_or(Problem::Unknown)?;
                match f {
                    BlockField::Filters => block.filters = value,
                    BlockField::Kernel => block.kernel = value,
                    BlockField::Stride => block.stride = value,
                    BlockField::Padding => block.padding = value,
                    BlockField::PoolSize => block.pool_size = value,
                }
            }
            CnnInput::Dense => next.dense = parse_whole(text, range)? as usize,
            CnnInput::Dropout => next.dropout = parse_real(text, range)?,
            CnnInput::LearningRate => next.learning_rate = parse_real(text, range)?,
            CnnInput::BatchSize => next.batch_size = parse_whole(text, range)? as usize,
            CnnInput::Epochs => next.epochs = parse_whole(text, range)? as usize,
            CnnInput::Seed => next.seed = parse_whole(text, range)?,
        }
        Ok(next)
    }

    fn key(field: CnnInput) -> String {
        match field {
            CnnInput::Block(i, f) => format!("cnn-b{}-{}", i + 1, f.name()),
            CnnInput::Dense => "cnn-dense".into(),
            CnnInput::Dropout => "cnn-dropout".into(),
            CnnInput::LearningRate => "cnn-lr".into(),
            CnnInput::BatchSize => "cnn-batch".into(),
            CnnInput::Epochs => "cnn-epochs".into(),
            CnnInput::Seed => "cnn-seed".into(),
        }
    }
}

/// The block a new "add a block" button appends: twice the last one's filters, 3 × 3 kernel
/// keeping the size, 2 × 2 max pooling.
pub fn next_block(blocks: &[ConvBlock]) -> ConvBlock {
    let filters = blocks.last().map_or(8, |b| (b.filters * 2).min(64));
    ConvBlock {
        filters,
        kernel: 3,
        stride: 1,
        padding: 1,
        pool: Pool::Max,
        pool_size: 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_parse_and_refuse() {
        let settings = CnnSettings::default();
        let input = CnnInput::Block(1, BlockField::Filters);
        assert_eq!(settings.text(input), "16");
        let next = settings.try_set(input, "32").unwrap();
        assert_eq!(next.blocks[1].filters, 32);
        assert_eq!(settings.try_set(input, "abc"), Err(Problem::NotANumber));
        assert_eq!(
            settings.try_set(input, "1.5"),
            Err(Problem::NotAWholeNumber)
        );
        assert_eq!(
            settings.try_set(CnnInput::Block(7, BlockField::Kernel), "3"),
            Err(Problem::Unknown)
        );
        assert!(settings.try_set(CnnInput::Dropout, "0.95").is_err());
        assert_eq!(
            settings
                .try_set(CnnInput::LearningRate, "0.01")
                .unwrap()
                .learning_rate,
            0.01
        );
        assert_eq!(CnnSettings::key(input), "cnn-b2-filters");
        assert_eq!(next_block(&settings.blocks).filters, 32);
    }
}
