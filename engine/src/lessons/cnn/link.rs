//! The CNN's settings as text in the lesson's link, which the page and the native program
//! (`kindling train cnn --settings`) both read. Pure functions.
//!
//! The link holds every setting, e.g.
//! `#/cnn?blocks=8x5s1p2max2,16x5s1p0max2&dense=128&dropout=0&act=relu&opt=adam&lr=0.002&batch=64&epochs=2&seed=1`.
//! `blocks` lists the convolution blocks, separated by commas (empty for none); each is
//! `<filters>x<kernel>s<stride>p<padding><pool>`, where `<pool>` is `max2` or `avg3` (the kind and
//! the window's side) or `none`. Missing keys keep their default; a bad value falls back to its
//! default and is reported, and settings that cannot be trained as a whole fall back to the
//! defaults altogether.

use super::config::{
    CnnProblem, CnnSettings, ConvBlock, DROPOUT, EPOCHS, IMAGE_SIDE, MAX_BLOCKS, Pool,
};
use crate::common::activation::Activation;
use crate::common::optimizer::OptimizerKind;
use crate::common::parse::{
    BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole, query_pairs,
};

/// Ranges the form and the link accept for each number of a block and for the dense width.
pub const FILTERS: (f64, f64) = (1.0, 256.0);
pub const KERNEL: (f64, f64) = (1.0, 28.0);
pub const STRIDE: (f64, f64) = (1.0, 28.0);
pub const PADDING: (f64, f64) = (0.0, 14.0);
pub const POOL_SIZE: (f64, f64) = (1.0, 28.0);
pub const DENSE: (f64, f64) = (0.0, 4096.0);

/// A setting's key in the link; the page names it with `cnn.field.<key>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CnnKey {
    Blocks,
    Dense,
    Dropout,
    Activation,
    Optimizer,
    LearningRate,
    BatchSize,
    Epochs,
    Seed,
}

impl CnnKey {
    pub const ALL: [CnnKey; 9] = [
        CnnKey::Blocks,
        CnnKey::Dense,
        CnnKey::Dropout,
        CnnKey::Activation,
        CnnKey::Optimizer,
        CnnKey::LearningRate,
        CnnKey::BatchSize,
        CnnKey::Epochs,
        CnnKey::Seed,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CnnKey::Blocks => "blocks",
            CnnKey::Dense => "dense",
            CnnKey::Dropout => "dropout",
            CnnKey::Activation => "act",
            CnnKey::Optimizer => "opt",
            CnnKey::LearningRate => "lr",
            CnnKey::BatchSize => "batch",
            CnnKey::Epochs => "epochs",
            CnnKey::Seed => "seed",
        }
    }
}

/// Why (part of) a link's settings could not be used.
#[derive(Clone, Debug, PartialEq)]
pub enum CnnUrlError {
    Value {
        key: CnnKey,
        problem: Problem,
    },
    /// Block `index` (0-based) is not written like `8x5s1p2max2`.
    BadBlock {
        index: usize,
        text: String,
    },
    /// The settings read, taken together, cannot be trained.
    Invalid(CnnProblem),
}

pub fn pool_text(block: &ConvBlock) -> String {
    match block.pool {
        Pool::Max => format!("max{}", block.pool_size),
        Pool::Average => format!("avg{}", block.pool_size),
        Pool::None => "none".to_string(),
    }
}

pub fn pool_name(pool: Pool) -> &'static str {
    match pool {
        Pool::Max => "max",
        Pool::Average => "avg",
        Pool::None => "none",
    }
}

pub fn pool_from_name(name: &str) -> Option<Pool> {
    [Pool::Max, Pool::Average, Pool::None]
        .into_iter()
        .find(|p| pool_name(*p) == name)
}

pub fn block_text(block: &ConvBlock) -> String {
    format!(
        "{}x{}s{}p{}{}",
        block.filters,
        block.kernel,
        block.stride,
        block.padding,
        pool_text(block)
    )
}

/// Splits `8x5s1p2max2` into its numbers and pool, checking each number's range.
fn parse_block(text: &str) -> Result<ConvBlock, Option<Problem>> {
    let text = text.trim();
    let number = |rest: &str, end: char| -> Option<(String, usize)> {
        let at = rest.find(end)?;
        Some((rest[..at].to_string(), at + end.len_utf8()))
    };
    let (filters, at) = number(text, 'x').ok_or(None)?;
    let rest = &text[at..];
    let (kernel, at) = number(rest, 's').ok_or(None)?;
    let rest = &rest[at..];
    let (stride, at) = number(rest, 'p').ok_or(None)?;
    let rest = &rest[at..];
    let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or(None)?;
    let (padding, pool) = rest.split_at(digits);
    let whole = |text: &str, range| parse_whole(text, range).map(|v| v as usize).map_err(Some);
    let (pool, pool_size) = match pool {
        "none" => (Pool::None, 2),
        _ if pool.starts_with("max") => (Pool::Max, whole(&pool[3..], POOL_SIZE)?),
        _ if pool.starts_with("avg") => (Pool::Average, whole(&pool[3..], POOL_SIZE)?),
        _ => return Err(None),
    };
    Ok(ConvBlock {
        filters: whole(&filters, FILTERS)?,
        kernel: whole(&kernel, KERNEL)?,
        stride: whole(&stride, STRIDE)?,
        padding: whole(padding, PADDING)?,
        pool,
        pool_size,
    })
}

fn parse_blocks(text: &str) -> Result<Vec<ConvBlock>, CnnUrlError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<&str> = text.split(',').collect();
    if parts.len() > MAX_BLOCKS {
        return Err(CnnUrlError::Value {
            key: CnnKey::Blocks,
            problem: Problem::OutOfRange {
                min: 0.0,
                max: MAX_BLOCKS as f64,
            },
        });
    }
    parts
        .iter()
        .enumerate()
        .map(|(index, part)| {
            parse_block(part).map_err(|problem| match problem {
                Some(problem) => CnnUrlError::Value {
                    key: CnnKey::Blocks,
                    problem,
                },
                None => CnnUrlError::BadBlock {
                    index,
                    text: part.to_string(),
                },
            })
        })
        .collect()
}

fn set(settings: &mut CnnSettings, key: CnnKey, value: &str) -> Result<(), CnnUrlError> {
    let value = value.trim();
    let problem = |problem| CnnUrlError::Value { key, problem };
    match key {
        CnnKey::Blocks => settings.blocks = parse_blocks(value)?,
        CnnKey::Dense => settings.dense = parse_whole(value, DENSE).map_err(problem)? as usize,
        CnnKey::Dropout => settings.dropout = parse_real(value, DROPOUT).map_err(problem)?,
        CnnKey::Activation => {
            settings.activation = Activation::from_name(value).ok_or(problem(Problem::Unknown))?
        }
        CnnKey::Optimizer => {
            settings.optimizer = OptimizerKind::from_name(value).ok_or(problem(Problem::Unknown))?
        }
        CnnKey::LearningRate => {
            settings.learning_rate = parse_real(value, LEARNING_RATE).map_err(problem)?
        }
        CnnKey::BatchSize => {
            settings.batch_size = parse_whole(value, BATCH_SIZE).map_err(problem)? as usize
        }
        CnnKey::Epochs => settings.epochs = parse_whole(value, EPOCHS).map_err(problem)? as usize,
        CnnKey::Seed => settings.seed = parse_whole(value, SEED).map_err(problem)?,
    }
    Ok(())
}

/// Whether the (raw) query sets any CNN setting.
pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(k, _)| CnnKey::ALL.iter().any(|c| c.key() == k))
}

/// The settings in a raw hash query, and what had to fall back to defaults.
pub fn from_query(query: &str) -> (CnnSettings, Vec<CnnUrlError>) {
    let mut settings = CnnSettings::default();
    let mut errors = Vec::new();
    for (key, value) in query_pairs(query) {
        let Some(key) = CnnKey::ALL.iter().copied().find(|c| c.key() == key) else {
            continue;
        };
        if let Err(error) = set(&mut settings, key, &value) {
            errors.push(error);
        }
    }
    let problems = settings.validate_for(IMAGE_SIDE, IMAGE_SIDE);
    if problems.is_empty() {
        (settings, errors)
    } else {
        errors.extend(problems.into_iter().map(CnnUrlError::Invalid));
        (CnnSettings::default(), errors)
    }
}

pub fn to_query(settings: &CnnSettings) -> String {
    let blocks: Vec<String> = settings.blocks.iter().map(block_text).collect();
    format!(
        "blocks={}&dense={}&dropout={}&act={}&opt={}&lr={}&batch={}&epochs={}&seed={}",
        blocks.join(","),
        settings.dense,
        settings.dropout,
        settings.activation.name(),
        settings.optimizer.name(),
        settings.learning_rate,
        settings.batch_size,
        settings.epochs,
        settings.seed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_settings_round_trip_through_the_link() {
        let settings = CnnSettings::default();
        let query = to_query(&settings);
        assert_eq!(
            query,
            "blocks=8x5s1p2max2,16x5s1p0max2&dense=128&dropout=0&act=relu&opt=adam&lr=0.002&batch=64&epochs=2&seed=1"
        );
        assert_eq!(from_query(&query), (settings, Vec::new()));
        assert!(has_keys(&query));
        assert!(has_keys("epochs=1"));
        assert!(!has_keys("lang=zh&backend=cpu"));
    }

    #[test]
    fn other_settings_round_trip_through_the_link() {
        let settings = CnnSettings {
            blocks: vec![
                ConvBlock {
                    filters: 4,
                    kernel: 3,
                    stride: 2,
                    padding: 1,
                    pool: Pool::Average,
                    pool_size: 3,
                },
                ConvBlock {
                    filters: 6,
                    kernel: 2,
                    stride: 1,
                    padding: 0,
                    pool: Pool::None,
                    pool_size: 2,
                },
            ],
            dense: 0,
            dropout: 0.25,
            activation: Activation::Tanh,
            optimizer: OptimizerKind::Momentum,
            learning_rate: 0.05,
            batch_size: 128,
            epochs: 3,
            seed: 42,
        };
        let query = to_query(&settings);
        assert!(
            query.starts_with("blocks=4x3s2p1avg3,6x2s1p0none&dense=0"),
            "{query}"
        );
        assert_eq!(from_query(&query), (settings, Vec::new()));
        let dense_only = CnnSettings {
            blocks: Vec::new(),
            ..CnnSettings::default()
        };
        assert_eq!(from_query(&to_query(&dense_only)).0, dense_only);
        // Only some keys: the rest are defaults. Escapes are decoded.
        let (one, errors) = from_query("epochs=1&blocks=8x5s1p2max2%2C16x5s1p0max2");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            one,
            CnnSettings {
                epochs: 1,
                ..CnnSettings::default()
            }
        );
    }

    #[test]
    fn the_link_takes_every_learning_rate_the_engine_takes() {
        let (settings, errors) = from_query("lr=1e-6");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(settings.learning_rate, 1e-6);
        assert!(settings.validate().is_empty());
        let (settings, errors) = from_query("lr=10");
        assert!(errors.is_empty() && settings.validate().is_empty());
        // Below the shared range both refuse it: the link falls back, the engine names the range.
        let (fallback, errors) = from_query("lr=1e-7");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(fallback.learning_rate, CnnSettings::default().learning_rate);
        let engine = CnnSettings {
            learning_rate: 1e-7,
            ..CnnSettings::default()
        }
        .validate();
        assert_eq!(engine.len(), 1, "{engine:?}");
    }

    #[test]
    fn bad_links_fall_back_and_say_why() {
        let (settings, errors) =
            from_query("epochs=abc&act=swish&blocks=8x5s1p2max2,nonsense&lr=0.01");
        assert_eq!(settings.learning_rate, 0.01);
        assert_eq!(settings.epochs, CnnSettings::default().epochs);
        assert_eq!(settings.blocks, CnnSettings::default().blocks);
        assert_eq!(
            errors,
            vec![
                CnnUrlError::Value {
                    key: CnnKey::Epochs,
                    problem: Problem::NotANumber
                },
                CnnUrlError::Value {
                    key: CnnKey::Activation,
                    problem: Problem::Unknown
                },
                CnnUrlError::BadBlock {
                    index: 1,
                    text: "nonsense".into()
                },
            ]
        );
        let (_, errors) = from_query("blocks=0x5s1p2max2");
        assert!(matches!(
            errors[..],
            [CnnUrlError::Value {
                key: CnnKey::Blocks,
                problem: Problem::OutOfRange { .. }
            }]
        ));
        let (_, errors) =
            from_query("blocks=4x3s1p1none,4x3s1p1none,4x3s1p1none,4x3s1p1none,4x3s1p1none");
        assert_eq!(errors.len(), 1);
        // Each value is fine, but together they cannot be trained: all defaults.
        let (settings, errors) = from_query("blocks=8x28s1p0max2&dense=32");
        assert_eq!(settings, CnnSettings::default());
        assert!(matches!(
            errors[..],
            [CnnUrlError::Invalid(CnnProblem::Collapsed { .. })]
        ));
    }
}
