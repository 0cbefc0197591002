//! The GAN lesson's messages in the page's language (the words are in `www/i18n`).

use kindling_engine::lessons::gan::csv::CsvError;
use kindling_engine::lessons::gan::settings::{ToyError, ToyField, ToyProblem};

use crate::format::size;
use crate::i18n::{Lang, problem_text, t, tf};
use crate::lessons::gan::state::SourceError;

pub fn field_name(lang: Lang, field: ToyField) -> String {
    t(lang, &format!("gan.field.{}", field.key()))
}

pub fn toy_problem(lang: Lang, problem: &ToyProblem) -> String {
    match problem {
        ToyProblem::Value(problem) => problem_text(lang, problem),
        ToyProblem::TooFewPoints { found, needed } => tf(
            lang,
            "gan.problem.too_few",
            &[
                ("found", &found.to_string()),
                ("needed", &needed.to_string()),
            ],
        ),
        ToyProblem::TooManyPoints { found, allowed } => tf(
            lang,
            "gan.problem.too_many",
            &[
                ("found", &found.to_string()),
                ("allowed", &allowed.to_string()),
            ],
        ),
    }
}

pub fn toy_error(lang: Lang, error: &ToyError) -> String {
    format!(
        "{}: {}",
        field_name(lang, error.field),
        toy_problem(lang, &error.problem)
    )
}

pub fn csv_error(lang: Lang, error: &CsvError) -> String {
    let n = |v: &usize| v.to_string();
    match error {
        CsvError::TooLarge { bytes, allowed } => tf(
            lang,
            "gan.csv.too_large",
            &[("size", &size(*bytes)), ("allowed", &size(*allowed))],
        ),
        CsvError::Empty => t(lang, "gan.csv.empty"),
        CsvError::OneColumn { line } => tf(lang, "gan.csv.one_column", &[("line", &n(line))]),
        CsvError::TooManyColumns { line, columns } => tf(
            lang,
            "gan.csv.too_many_columns",
            &[("line", &n(line)), ("columns", &n(columns))],
        ),
        CsvError::NotANumber { line, text } => tf(
            lang,
            "gan.csv.not_a_number",
            &[("line", &n(line)), ("text", text)],
        ),
        CsvError::NotFinite { line } => tf(lang, "gan.csv.not_finite", &[("line", &n(line))]),
        CsvError::TooFew { found, needed } => tf(
            lang,
            "gan.problem.too_few",
            &[("found", &n(found)), ("needed", &n(needed))],
        ),
        CsvError::TooMany { found, allowed } => tf(
            lang,
            "gan.problem.too_many",
            &[("found", &n(found)), ("allowed", &n(allowed))],
        ),
    }
}

pub fn source_error(lang: Lang, error: &SourceError) -> String {
    match error {
        SourceError::Csv(error) => csv_error(lang, error),
        SourceError::TooFewDrawn { found, needed } => tf(
            lang,
            "gan.problem.too_few",
            &[
                ("found", &found.to_string()),
                ("needed", &needed.to_string()),
            ],
        ),
    }
}
