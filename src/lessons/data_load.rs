//! What the lessons that load a model and an image set (MNIST, Fashion-MNIST) from the site say
//! when one fails: the worker's typed error in the reader's language.

use kindling_engine::datasets::mnist::{DataError, DataLoadError};

use crate::format::group;
use crate::i18n::{Lang, t, tf};

pub fn data_problem(lang: Lang, error: &DataError) -> String {
    match error {
        DataError::NotADataFile => t(lang, "cnn.data_problem.not_a_data_file"),
        DataError::Truncated { expected, actual } => tf(
            lang,
            "cnn.data_problem.truncated",
            &[
                ("expected", &group(*expected as u64)),
                ("actual", &group(*actual as u64)),
            ],
        ),
        DataError::TrailingBytes { expected, actual } => tf(
            lang,
            "cnn.data_problem.trailing_bytes",
            &[
                ("expected", &group(*expected as u64)),
                ("actual", &group(*actual as u64)),
            ],
        ),
        DataError::ChecksumMismatch { expected, actual } => tf(
            lang,
            "cnn.data_problem.checksum_mismatch",
            &[("expected", expected), ("actual", actual)],
        ),
        DataError::BadLabel { index, label } => tf(
            lang,
            "cnn.data_problem.bad_label",
            &[("index", &index.to_string()), ("label", &label.to_string())],
        ),
        DataError::CountMismatch { images, labels } => tf(
            lang,
            "cnn.data_problem.count_mismatch",
            &[
                ("images", &group(*images as u64)),
                ("labels", &group(*labels as u64)),
            ],
        ),
    }
}

pub fn data_load_error(lang: Lang, error: &DataLoadError) -> String {
    match error {
        DataLoadError::Network { file, message } => tf(
            lang,
            "cnn.data_error.network",
            &[("file", file), ("message", message)],
        ),
        DataLoadError::Http { file, status } => tf(
            lang,
            "cnn.data_error.http",
            &[("file", file), ("status", &status.to_string())],
        ),
        DataLoadError::BadManifest { message } => {
            tf(lang, "cnn.data_error.bad_manifest", &[("message", message)])
        }
        DataLoadError::BadGzip { file } => tf(lang, "cnn.data_error.bad_gzip", &[("file", file)]),
        DataLoadError::Corrupt { file, error } => tf(
            lang,
            "cnn.data_error.corrupt",
            &[("file", file), ("problem", &data_problem(lang, error))],
        ),
    }
}

/// Why a lesson could not start: its model or its images did not load.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadFailure {
    /// The worker's message about the model.
    Model(String),
    Data(DataLoadError),
}

pub fn load_failure(lang: Lang, failure: &LoadFailure) -> String {
    match failure {
        LoadFailure::Model(message) => message.clone(),
        LoadFailure::Data(error) => data_load_error(lang, error),
    }
}
