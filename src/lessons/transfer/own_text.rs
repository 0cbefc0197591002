//! The words of "your own classes": the engine's problems with names, examples and uploads, and
//! a loaded or saved model's card (templates under `transfer.own.` in `www/i18n`).

use kindling_engine::lessons::transfer::own::{
    MAX_CLASSES, MAX_EXAMPLES, MAX_NAME_CHARS, MAX_UPLOAD_BYTES, MIN_CLASSES, MIN_EXAMPLES,
    OwnProblem, UploadProblem,
};
use kindling_engine::lessons::transfer::own_card::OwnCard;

use crate::format::{group, percent, size};
use crate::i18n::{Lang, model_file_error, t, tf};
use crate::lessons::transfer::own_state::FileNote;

/// Class `class`'s name (its number from 1 when it has none yet).
fn class_label(lang: Lang, names: &[String], class: usize) -> String {
    match names.get(class).map(|n| n.trim()) {
        Some(name) if !name.is_empty() => format!("“{name}”"),
        _ => tf(
            lang,
            "transfer.own.class_n",
            &[("n", &(class + 1).to_string())],
        ),
    }
}

/// A problem in words; `names` are the names it is about.
pub fn own_problem(lang: Lang, names: &[String], problem: &OwnProblem) -> String {
    let class = |c: usize| class_label(lang, names, c);
    match problem {
        OwnProblem::ClassCount { count } => tf(
            lang,
            "transfer.own.problem.count",
            &[
                ("min", &MIN_CLASSES.to_string()),
                ("max", &MAX_CLASSES.to_string()),
                ("count", &count.to_string()),
            ],
        ),
        OwnProblem::EmptyName { class: c } => tf(
            lang,
            "transfer.own.problem.empty_name",
            &[("n", &(c + 1).to_string())],
        ),
        OwnProblem::LongName { class: c } => tf(
            lang,
            "transfer.own.problem.long_name",
            &[("class", &class(*c)), ("max", &MAX_NAME_CHARS.to_string())],
        ),
        OwnProblem::SameName { class: c } => tf(
            lang,
            "transfer.own.problem.same_name",
            &[("class", &class(*c))],
        ),
        OwnProblem::NoSuchClass { .. } | OwnProblem::NoSuchExample { .. } => {
            t(lang, "transfer.own.problem.gone")
        }
        OwnProblem::ClassFull { class: c } => tf(
            lang,
            "transfer.own.problem.full",
            &[("class", &class(*c)), ("max", &MAX_EXAMPLES.to_string())],
        ),
        OwnProblem::WrongImageSize { .. } => t(lang, "transfer.own.problem.image_size"),
        OwnProblem::TooFewExamples { class: c, count } => tf(
            lang,
            "transfer.own.problem.too_few",
            &[
                ("class", &class(*c)),
                ("count", &count.to_string()),
                ("min", &MIN_EXAMPLES.to_string()),
            ],
        ),
        OwnProblem::BadSettings => t(lang, "transfer.own.problem.settings"),
        OwnProblem::NotTrained => t(lang, "transfer.own.problem.not_trained"),
    }
}

/// Why an uploaded file did not become an example.
pub fn upload_problem(lang: Lang, problem: UploadProblem) -> String {
    match problem {
        UploadProblem::EmptyFile => t(lang, "transfer.own.upload.empty"),
        UploadProblem::HugeFile { bytes } => tf(
            lang,
            "transfer.own.upload.huge_file",
            &[
                ("size", &size(bytes as u64)),
                ("max", &size(MAX_UPLOAD_BYTES as u64)),
            ],
        ),
        UploadProblem::NotAnImage => t(lang, "transfer.own.upload.not_an_image"),
        UploadProblem::Unreadable => t(lang, "transfer.own.upload.unreadable"),
        UploadProblem::ZeroSized => t(lang, "transfer.own.upload.zero_sized"),
        UploadProblem::HugePicture { width, height } => tf(
            lang,
            "transfer.own.upload.huge_picture",
            &[
                ("width", &group(width as u64)),
                ("height", &group(height as u64)),
            ],
        ),
        UploadProblem::Blank => t(lang, "transfer.own.upload.blank"),
    }
}

pub fn file_note(lang: Lang, note: &FileNote) -> String {
    match note {
        FileNote::Loaded { steps } => tf(
            lang,
            "transfer.own.file.loaded",
            &[("steps", &group(*steps))],
        ),
        FileNote::Refused(error) => tf(
            lang,
            "transfer.own.file.refused",
            &[("why", &model_file_error(lang, error))],
        ),
        FileNote::TooLarge { bytes } => tf(
            lang,
            "transfer.own.file.too_large",
            &[("size", &size(*bytes))],
        ),
        FileNote::Unreadable(message) => {
            tf(lang, "transfer.own.file.unreadable", &[("why", message)])
        }
    }
}

/// The card as (label, value) rows.
pub fn card_rows(lang: Lang, card: &OwnCard) -> Vec<(String, String)> {
    let parameters: usize = card
        .parameters
        .iter()
        .map(|p| p.shape.iter().product::<usize>())
        .sum();
    let examples = card
        .class_names
        .iter()
        .zip(card.examples.iter().chain(std::iter::repeat(&0)))
        .map(|(name, n)| format!("{name}: {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = |key: &str, value: String| (t(lang, &format!("transfer.own.card.{key}")), value);
    vec![
        row("classes", card.class_names.join(", ")),
        row("base", card.base.clone()),
        row("steps", group(card.steps)),
        row("examples", examples),
        row(
            "accuracy",
            card.train_accuracy
                .map_or("—".to_string(), |a| percent(a as f64)),
        ),
        row("parameters", group(parameters as u64)),
        row("made_by", card.created_by.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::models::resnet::ResnetSettings;

    #[test]
    fn every_problem_has_words_in_both_languages_naming_its_class() {
        let names = vec!["plus".to_string(), "minus".to_string()];
        let problems = [
            OwnProblem::ClassCount { count: 6 },
            OwnProblem::EmptyName { class: 2 },
            OwnProblem::LongName { class: 0 },
            OwnProblem::SameName { class: 1 },
            OwnProblem::NoSuchClass { class: 9 },
            OwnProblem::ClassFull { class: 0 },
            OwnProblem::NoSuchExample { class: 0, index: 3 },
            OwnProblem::WrongImageSize { actual: 3 },
            OwnProblem::TooFewExamples { class: 1, count: 2 },
            OwnProblem::BadSettings,
            OwnProblem::NotTrained,
        ];
        let uploads = [
            UploadProblem::EmptyFile,
            UploadProblem::HugeFile { bytes: 11 << 20 },
            UploadProblem::NotAnImage,
            UploadProblem::Unreadable,
            UploadProblem::ZeroSized,
            UploadProblem::HugePicture {
                width: 10_000,
                height: 9_000,
            },
            UploadProblem::Blank,
        ];
        for lang in Lang::ALL {
            let texts = problems
                .iter()
                .map(|p| own_problem(lang, &names, p))
                .chain(uploads.iter().map(|&u| upload_problem(lang, u)));
            for text in texts {
                assert!(!text.starts_with("transfer."), "{text}");
                assert!(!text.contains('{'), "{text}");
            }
        }
        let en = |p| own_problem(Lang::En, &names, &p);
        assert!(en(OwnProblem::TooFewExamples { class: 1, count: 2 }).contains("“minus”"));
        assert!(en(OwnProblem::TooFewExamples { class: 1, count: 2 }).contains("2 of the 5"));
        assert!(en(OwnProblem::ClassCount { count: 6 }).contains('6'));
        assert!(en(OwnProblem::EmptyName { class: 2 }).contains('3'));
        let zh = own_problem(Lang::Zh, &names, &OwnProblem::SameName { class: 1 });
        assert!(zh.contains("“minus”"), "{zh}");
        let huge = upload_problem(
            Lang::En,
            UploadProblem::HugePicture {
                width: 10_000,
                height: 9_000,
            },
        );
        assert!(huge.contains("10,000"), "{huge}");
    }

    #[test]
    fn the_card_lists_classes_examples_and_parameters() {
        let mut card = OwnCard::new(
            ResnetSettings::default(),
            vec!["a".to_string(), "b".to_string()],
        );
        card.examples = vec![5, 7];
        card.parameters = vec![kindling_engine::common::model_card::ParamEntry {
            name: "head.weight".into(),
            shape: vec![2, 32],
        }];
        let rows = card_rows(Lang::En, &card);
        let value = |i: usize| rows[i].1.clone();
        assert_eq!(value(0), "a, b");
        assert_eq!(value(3), "a: 5, b: 7");
        assert_eq!(value(4), "—");
        assert_eq!(value(5), "64");
    }
}
