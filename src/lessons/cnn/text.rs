//! The CNN lesson's problems, errors and numbers in words.

use kindling_engine::lessons::cnn::card::CheckpointError;
use kindling_engine::lessons::cnn::config::{CnnField, CnnProblem, LayerKind};
use kindling_engine::lessons::cnn::resume::{CHECKPOINT_EVERY_MS, ResumeError};

use crate::format::{group, size};
use crate::i18n::{Lang, problem_text, t, tf};
use crate::lessons::cnn::link::CnnUrlError;
use crate::lessons::cnn::shipped::ShippedProblem;
use crate::lessons::cnn::state::{MAX_MODEL_BYTES, ModelMessage, Recovery};

fn field_key(field: CnnField) -> &'static str {
    match field {
        CnnField::Blocks => "blocks",
        CnnField::Filters => "filters",
        CnnField::Kernel => "kernel",
        CnnField::Stride => "stride",
        CnnField::PoolSize => "pool_size",
        CnnField::Dense => "dense",
        CnnField::Dropout => "dropout",
        CnnField::LearningRate => "lr",
        CnnField::BatchSize => "batch",
        CnnField::Epochs => "epochs",
    }
}

pub fn field_name(lang: Lang, field: CnnField) -> String {
    t(lang, &format!("cnn.field.{}", field_key(field)))
}

/// The five stages of the article: what a layer of this kind belongs to.
pub fn stage_name(lang: Lang, kind: LayerKind) -> String {
    let key = match kind {
        LayerKind::Conv => "conv",
        LayerKind::MaxPool | LayerKind::AvgPool => "pool",
        LayerKind::Dense => "dense",
        LayerKind::Output => "output",
    };
    t(lang, &format!("cnn.stage.{key}"))
}

fn n(value: impl ToString) -> String {
    value.to_string()
}

pub fn problem(lang: Lang, problem: &CnnProblem) -> String {
    let block = |b: &usize| n(b + 1);
    match problem {
        CnnProblem::TooManyBlocks { count, max } => tf(
            lang,
            "cnn.problem.too_many_blocks",
            &[("count", &n(count)), ("max", &n(max))],
        ),
        CnnProblem::Zero { field, block: b } => tf(
            lang,
            "cnn.problem.zero",
            &[("block", &block(b)), ("field", &field_name(lang, *field))],
        ),
        CnnProblem::KernelTooLarge {
            block: b,
            kernel,
            input,
        } => tf(
            lang,
            "cnn.problem.kernel_too_large",
            &[
                ("block", &block(b)),
                ("kernel", &n(kernel)),
                ("rows", &n(input[0])),
                ("cols", &n(input[1])),
            ],
        ),
        CnnProblem::Collapsed {
            block: b,
            pool_size,
            input,
        } => tf(
            lang,
            "cnn.problem.collapsed",
            &[
                ("block", &block(b)),
                ("size", &n(pool_size)),
                ("rows", &n(input[0])),
                ("cols", &n(input[1])),
            ],
        ),
        CnnProblem::TooManyParameters { count, max } => tf(
            lang,
            "cnn.problem.too_many_parameters",
            &[("count", &group(*count)), ("max", &group(*max))],
        ),
        CnnProblem::TooMuchMemory { values, max } => tf(
            lang,
            "cnn.problem.too_much_memory",
            &[("values", &group(*values)), ("max", &group(*max))],
        ),
        CnnProblem::NotFinite { field } => tf(
            lang,
            "cnn.problem.not_finite",
            &[("field", &field_name(lang, *field))],
        ),
        CnnProblem::OutOfRange { field, min, max } => tf(
            lang,
            "cnn.problem.out_of_range",
            &[
                ("field", &field_name(lang, *field)),
                ("min", &n(min)),
                ("max", &n(max)),
            ],
        ),
        CnnProblem::BadImages => t(lang, "cnn.problem.bad_images"),
    }
}

pub fn checkpoint_error(lang: Lang, error: &CheckpointError) -> String {
    match error {
        CheckpointError::NotAModel => t(lang, "cnn.import_error.not_a_model"),
        CheckpointError::OldFormat => t(lang, "cnn.import_error.old_format"),
        CheckpointError::UnsupportedVersion { version } => tf(
            lang,
            "cnn.import_error.unsupported_version",
            &[("version", &n(version))],
        ),
        CheckpointError::Truncated => t(lang, "cnn.import_error.truncated"),
        CheckpointError::BadCard { message } => {
            tf(lang, "cnn.import_error.bad_card", &[("message", message)])
        }
        CheckpointError::BadSettings { problems } => {
            let problems: Vec<String> = problems.iter().map(|p| problem(lang, p)).collect();
            tf(
                lang,
                "cnn.import_error.bad_settings",
                &[("problems", &problems.join(" "))],
            )
        }
        CheckpointError::ShapeMismatch { message } => tf(
            lang,
            "cnn.import_error.shape_mismatch",
            &[("message", message)],
        ),
        CheckpointError::ChecksumMismatch => t(lang, "cnn.import_error.checksum_mismatch"),
        CheckpointError::NotFinite => t(lang, "cnn.import_error.not_finite"),
        CheckpointError::WrongImageSize { rows, cols } => tf(
            lang,
            "cnn.import_error.wrong_image_size",
            &[("rows", &n(rows)), ("cols", &n(cols))],
        ),
        CheckpointError::WrongModel { found } => {
            tf(lang, "cnn.import_error.wrong_model", &[("model", found)])
        }
    }
}

pub fn resume_error(lang: Lang, error: &ResumeError) -> String {
    match error {
        ResumeError::BadSettings => t(lang, "cnn.resume_error.bad_settings"),
        ResumeError::Unreadable { message } => {
            tf(lang, "cnn.resume_error.unreadable", &[("message", message)])
        }
        ResumeError::BadStep { step } => {
            tf(lang, "cnn.resume_error.bad_step", &[("step", &n(step))])
        }
        ResumeError::NotNumbers => t(lang, "cnn.resume_error.not_numbers"),
    }
}

/// The line about the run's checkpoints: how often they are taken, and the latest one's step.
pub fn checkpoint_line(lang: Lang, step: Option<u64>, unavailable: Option<&ResumeError>) -> String {
    let seconds = n(CHECKPOINT_EVERY_MS / 1000.0);
    match (unavailable, step) {
        (Some(error), _) => tf(
            lang,
            "cnn.checkpoint.unavailable",
            &[("reason", &resume_error(lang, error))],
        ),
        (None, Some(step)) => tf(
            lang,
            "cnn.checkpoint.kept",
            &[("step", &n(step)), ("seconds", &seconds)],
        ),
        (None, None) => tf(lang, "cnn.checkpoint.none", &[("seconds", &seconds)]),
    }
}

/// What happened to the run after its worker stopped.
pub fn recovery(lang: Lang, recovery: &Recovery) -> String {
    match recovery {
        Recovery::Resuming { step } => tf(lang, "cnn.recovery.resuming", &[("step", &n(step))]),
        Recovery::Resumed { step } => tf(lang, "cnn.recovery.resumed", &[("step", &n(step))]),
        Recovery::Restored { step } => tf(lang, "cnn.recovery.restored", &[("step", &n(step))]),
        Recovery::Failed(error) => tf(
            lang,
            "cnn.recovery.failed",
            &[("reason", &resume_error(lang, error))],
        ),
        Recovery::Lost => t(lang, "cnn.recovery.lost"),
    }
}

pub fn url_error(lang: Lang, error: &CnnUrlError) -> String {
    match error {
        CnnUrlError::Value { key, problem } => tf(
            lang,
            "problem.with_field",
            &[
                ("field", &t(lang, &format!("cnn.field.{}", key.key()))),
                ("problem", &problem_text(lang, problem)),
            ],
        ),
        CnnUrlError::BadBlock { index, text } => tf(
            lang,
            "cnn.url_error.bad_block",
            &[("block", &n(index + 1)), ("text", text)],
        ),
        CnnUrlError::Invalid(p) => problem(lang, p),
    }
}

/// Why the shipped model `name` did not load.
pub fn shipped_problem(lang: Lang, name: &str, problem: &ShippedProblem) -> String {
    match problem {
        ShippedProblem::Unreachable { message } => tf(
            lang,
            "cnn.shipped.unreachable",
            &[("name", name), ("message", message)],
        ),
        ShippedProblem::NoChecksum { message } => tf(
            lang,
            "cnn.shipped.no_checksum",
            &[("name", name), ("message", message)],
        ),
        ShippedProblem::WrongSize { expected, found } => tf(
            lang,
            "cnn.shipped.wrong_size",
            &[
                ("name", name),
                ("expected", &group(*expected)),
                ("found", &group(*found)),
            ],
        ),
        ShippedProblem::ChecksumMismatch => {
            tf(lang, "cnn.shipped.checksum_mismatch", &[("name", name)])
        }
    }
}

pub fn model_message(lang: Lang, message: &ModelMessage) -> String {
    match message {
        ModelMessage::Exporting => t(lang, "cnn.model.exporting"),
        ModelMessage::Exported => t(lang, "cnn.model.exported"),
        ModelMessage::Reading { name } => tf(lang, "cnn.model.reading", &[("name", name)]),
        ModelMessage::Fetching { name } => tf(lang, "cnn.shipped.fetching", &[("name", name)]),
        ModelMessage::Imported => t(lang, "cnn.model.imported"),
        ModelMessage::ImportFailed(error) => checkpoint_error(lang, error),
        ModelMessage::TooLarge { bytes } => tf(
            lang,
            "cnn.model.too_large",
            &[("size", &size(*bytes)), ("max", &size(MAX_MODEL_BYTES))],
        ),
        ModelMessage::Unreadable { message } => {
            tf(lang, "cnn.model.unreadable", &[("message", message)])
        }
        ModelMessage::DownloadFailed { message } => {
            tf(lang, "cnn.model.download_failed", &[("message", message)])
        }
        ModelMessage::ShippedFailed { name, problem } => shipped_problem(lang, name, problem),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::cnn::link::CnnKey;
    use crate::lessons::data_load::data_load_error;
    use kindling_engine::common::parse::Problem;
    use kindling_engine::datasets::mnist::{DataError, DataLoadError};

    fn worded(text: &str) {
        assert!(!text.contains('{') && !text.starts_with("cnn."), "{text}");
    }

    #[test]
    fn checkpoints_and_recoveries_have_words() {
        let errors = [
            ResumeError::BadSettings,
            ResumeError::Unreadable {
                message: "x".into(),
            },
            ResumeError::BadStep { step: 9 },
            ResumeError::NotNumbers,
        ];
        for lang in Lang::ALL {
            let kept = checkpoint_line(lang, Some(1234), None);
            worded(&kept);
            assert!(kept.contains("1234") && kept.contains('5'), "{kept}");
            for step in [
                Recovery::Resuming { step: 77 },
                Recovery::Resumed { step: 77 },
            ] {
                let text = recovery(lang, &step);
                worded(&text);
                assert!(text.contains("77"), "{text}");
            }
            worded(&checkpoint_line(lang, None, None));
            for error in &errors {
                worded(&checkpoint_line(lang, None, Some(error)));
                worded(&recovery(lang, &Recovery::Failed(error.clone())));
            }
            worded(&recovery(lang, &Recovery::Lost));
            worded(&tf(lang, "cnn.kept.resume", &[("step", "3")]));
        }
    }

    #[test]
    fn every_problem_and_error_has_words() {
        let problems = [
            CnnProblem::TooManyBlocks { count: 5, max: 4 },
            CnnProblem::Zero {
                field: CnnField::PoolSize,
                block: 0,
            },
            CnnProblem::KernelTooLarge {
                block: 1,
                kernel: 7,
                input: [5, 5],
            },
            CnnProblem::Collapsed {
                block: 0,
                pool_size: 30,
                input: [28, 28],
            },
            CnnProblem::TooManyParameters {
                count: 6_000_000,
                max: 5_000_000,
            },
            CnnProblem::TooMuchMemory { values: 1, max: 1 },
            CnnProblem::NotFinite {
                field: CnnField::LearningRate,
            },
            CnnProblem::OutOfRange {
                field: CnnField::Dropout,
                min: 0.0,
                max: 0.9,
            },
            CnnProblem::OutOfRange {
                field: CnnField::LearningRate,
                min: 1e-6,
                max: 10.0,
            },
            CnnProblem::BadImages,
        ];
        let data_problems = [
            DataError::NotADataFile,
            DataError::Truncated {
                expected: 2,
                actual: 1,
            },
            DataError::TrailingBytes {
                expected: 1,
                actual: 2,
            },
            DataError::ChecksumMismatch {
                expected: "a".into(),
                actual: "b".into(),
            },
            DataError::BadLabel {
                index: 3,
                label: 12,
            },
            DataError::CountMismatch {
                images: 1,
                labels: 2,
            },
        ];
        let mut load_errors = vec![
            DataLoadError::Network {
                file: "train-images-idx3-ubyte.gz".into(),
                message: "offline".into(),
            },
            DataLoadError::Http {
                file: "t10k-labels-idx1-ubyte.gz".into(),
                status: 404,
            },
            DataLoadError::BadManifest {
                message: "x".into(),
            },
            DataLoadError::BadGzip { file: "f".into() },
        ];
        load_errors.extend(data_problems.iter().map(|error| DataLoadError::Corrupt {
            file: "f".into(),
            error: error.clone(),
        }));
        let checkpoint_errors = [
            CheckpointError::NotAModel,
            CheckpointError::OldFormat,
            CheckpointError::UnsupportedVersion { version: 9 },
            CheckpointError::Truncated,
            CheckpointError::BadCard {
                message: "x".into(),
            },
            CheckpointError::BadSettings {
                problems: problems.to_vec(),
            },
            CheckpointError::ShapeMismatch {
                message: "x".into(),
            },
            CheckpointError::ChecksumMismatch,
            CheckpointError::NotFinite,
            CheckpointError::WrongImageSize { rows: 32, cols: 32 },
            CheckpointError::WrongModel {
                found: "resnet".into(),
            },
        ];
        let url_errors = [
            CnnUrlError::Value {
                key: CnnKey::Seed,
                problem: Problem::NotANumber,
            },
            CnnUrlError::BadBlock {
                index: 0,
                text: "x".into(),
            },
            CnnUrlError::Invalid(CnnProblem::BadImages),
        ];
        let messages = [
            ModelMessage::Exporting,
            ModelMessage::Exported,
            ModelMessage::Reading {
                name: "m.safetensors".into(),
            },
            ModelMessage::Imported,
            ModelMessage::TooLarge { bytes: 60_000_000 },
            ModelMessage::Unreadable {
                message: "x".into(),
            },
            ModelMessage::DownloadFailed {
                message: "x".into(),
            },
            ModelMessage::Fetching {
                name: "mnist-classifier".into(),
            },
        ];
        let shipped_problems = [
            ShippedProblem::Unreachable {
                message: "HTTP 404".into(),
            },
            ShippedProblem::NoChecksum {
                message: "x".into(),
            },
            ShippedProblem::WrongSize {
                expected: 2,
                found: 1,
            },
            ShippedProblem::ChecksumMismatch,
        ];
        for lang in Lang::ALL {
            problems.iter().for_each(|p| worded(&problem(lang, p)));
            load_errors
                .iter()
                .for_each(|e| worded(&data_load_error(lang, e)));
            checkpoint_errors
                .iter()
                .for_each(|e| worded(&checkpoint_error(lang, e)));
            url_errors.iter().for_each(|e| worded(&url_error(lang, e)));
            messages
                .iter()
                .for_each(|m| worded(&model_message(lang, m)));
            for problem in &shipped_problems {
                let failed = ModelMessage::ShippedFailed {
                    name: "mnist-classifier".into(),
                    problem: problem.clone(),
                };
                let text = model_message(lang, &failed);
                worded(&text);
                assert!(text.contains("mnist-classifier"), "{text}");
            }
            for key in ["title", "intro", "loading", "none"] {
                worded(&t(lang, &format!("cnn.shipped.{key}")));
            }
            for key in ["list_failed", "load", "unreadable"] {
                let args = [("message", "x"), ("name", "m"), ("list", "a (b)")];
                worded(&tf(lang, &format!("cnn.shipped.{key}"), &args));
            }
            for key in CnnKey::ALL {
                worded(&t(lang, &format!("cnn.field.{}", key.key())));
            }
        }
        assert!(
            checkpoint_error(Lang::En, &CheckpointError::NotAModel)
                .to_lowercase()
                .contains("not a kindling")
        );
    }
}
