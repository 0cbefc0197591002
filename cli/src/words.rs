//! The lesson's settings read from a link, and what is wrong with a link or with settings, in
//! words for the terminal (the page words the same errors in both its languages).

use kindling_engine::common::parse::{Problem, query_pairs};
use kindling_engine::lessons::cnn::config::{CnnField, CnnProblem, CnnSettings};
use kindling_engine::lessons::cnn::link::{CnnKey, CnnUrlError, from_query};

/// The settings in a CNN lesson link (`…#/cnn?blocks=…`) or its query alone. Unlike the page,
/// which falls back to defaults, any bad or unknown value is an error.
pub fn cnn_settings(link: &str) -> Result<CnnSettings, String> {
    let query = query_part(link);
    let mut errors: Vec<String> = query_pairs(query)
        .into_iter()
        .filter(|(key, _)| !CnnKey::ALL.iter().any(|k| k.key() == key))
        .map(|(key, _)| {
            let known: Vec<&str> = CnnKey::ALL.iter().map(|k| k.key()).collect();
            format!(
                "unknown setting \"{key}\" (the settings are {})",
                known.join(", ")
            )
        })
        .collect();
    let (settings, url_errors) = from_query(query);
    errors.extend(url_errors.iter().map(url_error));
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(format!("--settings: {}", errors.join("; ")))
    }
}

/// The query of a link (what follows its `?`), or the text itself when it has none.
pub fn query_part(link: &str) -> &str {
    link.split_once('?').map_or(link, |(_, query)| query)
}

fn field(field: CnnField) -> String {
    serde_json::to_value(field)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

fn value_problem(problem: &Problem) -> String {
    match problem {
        Problem::Empty => "is empty".to_string(),
        Problem::NotANumber => "is not a number".to_string(),
        Problem::NotAWholeNumber => "is not a whole number".to_string(),
        Problem::NotFinite => "is not finite".to_string(),
        Problem::OutOfRange { min, max } => format!("must be between {min} and {max}"),
        Problem::Unknown => "is not one of the choices".to_string(),
    }
}

pub fn url_error(error: &CnnUrlError) -> String {
    match error {
        CnnUrlError::Value { key, problem } => format!("{} {}", key.key(), value_problem(problem)),
        CnnUrlError::BadBlock { index, text } => format!(
            "block {} (\"{text}\") is not written like 8x5s1p2max2",
            index + 1
        ),
        CnnUrlError::Invalid(problem) => cnn_problem(problem),
    }
}

pub fn cnn_problem(problem: &CnnProblem) -> String {
    match problem {
        CnnProblem::TooManyBlocks { count, max } => {
            format!("{count} convolution blocks, at most {max} are allowed")
        }
        CnnProblem::Zero { field: f, block } => {
            format!("block {}: {} must be at least 1", block + 1, field(*f))
        }
        CnnProblem::KernelTooLarge {
            block,
            kernel,
            input,
        } => format!(
            "block {}: the {kernel} × {kernel} kernel is larger than the {} × {} map it slides over",
            block + 1,
            input[0],
            input[1]
        ),
        CnnProblem::Collapsed {
            block,
            pool_size,
            input,
        } => format!(
            "block {}: pooling the {} × {} map with a {pool_size} × {pool_size} window leaves nothing",
            block + 1,
            input[0],
            input[1]
        ),
        CnnProblem::TooManyParameters { count, max } => {
            format!("the network would have {count} parameters, more than {max}")
        }
        CnnProblem::TooMuchMemory { values, max } => {
            format!("one batch would produce {values} values, more than {max}")
        }
        CnnProblem::NotFinite { field: f } => format!("{} must be a finite number", field(*f)),
        CnnProblem::OutOfRange { field: f, min, max } => {
            format!("{} must be between {min} and {max}", field(*f))
        }
        CnnProblem::BadImages => "the images cannot be trained on".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_link_or_its_query_gives_its_settings() {
        let query = "blocks=8x5s1p2max2,16x5s1p0max2&dense=128&dropout=0&act=relu&opt=adam&lr=0.002&batch=64&epochs=2&seed=1";
        assert_eq!(cnn_settings(query), Ok(CnnSettings::default()));
        let link = format!("http://127.0.0.1:8080/#/cnn?{query}");
        assert_eq!(cnn_settings(&link), Ok(CnnSettings::default()));
        assert_eq!(cnn_settings(""), Ok(CnnSettings::default()));
        let wider = cnn_settings("dense=64&seed=9").unwrap();
        assert_eq!((wider.dense, wider.seed), (64, 9));
    }

    #[test]
    fn bad_links_are_refused_with_reasons() {
        let error = cnn_settings("lr=fast&blocks=8x5s1p2max2,oops&colour=red").unwrap_err();
        assert!(error.contains("lr is not a number"), "{error}");
        assert!(error.contains("block 2 (\"oops\")"), "{error}");
        assert!(error.contains("unknown setting \"colour\""), "{error}");
        let error = cnn_settings("blocks=8x28s1p0max2").unwrap_err();
        assert!(error.contains("leaves nothing"), "{error}");
        let error = cnn_settings("epochs=50").unwrap_err();
        assert!(error.contains("epochs must be between 1 and 20"), "{error}");
    }
}
