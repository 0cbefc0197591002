//! A model card in words: the rows the model file panel shows for the loaded model, its
//! provenance, and a shipped model before it is loaded. Pure functions.

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::card::{ModelCard, Provenance};
use kindling_engine::lessons::cnn::config::IMAGE_SIDE;

use crate::format::{group, percent, size};
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::link::block_text;
use crate::lessons::cnn::shipped::ShippedModel;

/// One row of a card: a label and its value.
pub type Row = (String, String);

fn row(lang: Lang, key: &str, value: String) -> Row {
    (t(lang, &format!("cnn.card.{key}")), value)
}

/// The network in one line: its blocks, dense width and activation.
pub fn architecture(lang: Lang, settings: &CnnSettings) -> String {
    let blocks: Vec<String> = settings.blocks.iter().map(block_text).collect();
    let blocks = if blocks.is_empty() {
        "—".to_string()
    } else {
        blocks.join(", ")
    };
    let act = t(lang, &format!("act.{}", settings.activation.name()));
    tf(
        lang,
        "cnn.card.architecture_value",
        &[
            ("blocks", &blocks),
            ("dense", &settings.dense.to_string()),
            ("act", &act),
        ],
    )
}

fn parameters(settings: &CnnSettings) -> String {
    settings
        .parameter_count(IMAGE_SIDE, IMAGE_SIDE)
        .map_or("—".to_string(), group)
}

fn accuracy(lang: Lang, card: &ModelCard) -> String {
    card.test_accuracy
        .map_or(t(lang, "cnn.card.not_measured"), |a| percent(a as f64))
}

/// Everything the card of the loaded model says about the network and its training.
pub fn card_rows(lang: Lang, card: &ModelCard) -> Vec<Row> {
    let settings = &card.settings;
    let epochs = tf(
        lang,
        "cnn.card.epochs_value",
        &[
            ("epochs", &format!("{:.2}", card.epochs_trained)),
            ("steps", &group(card.steps)),
        ],
    );
    let training = tf(
        lang,
        "cnn.card.training_value",
        &[
            (
                "opt",
                &t(lang, &format!("opt.{}", settings.optimizer.name())),
            ),
            ("lr", &settings.learning_rate.to_string()),
            ("batch", &settings.batch_size.to_string()),
        ],
    );
    vec![
        row(lang, "architecture", architecture(lang, settings)),
        row(lang, "parameters", parameters(settings)),
        row(lang, "data", card.data.clone()),
        row(lang, "epochs", epochs),
        row(lang, "accuracy", accuracy(lang, card)),
        row(lang, "training", training),
        row(lang, "seed", card.seed.to_string()),
        row(lang, "created_by", card.created_by.clone()),
    ]
}

/// How a shipped model was made: its name, data, split, the command that makes it again and its
/// licence.
pub fn provenance_rows(lang: Lang, provenance: &Provenance) -> Vec<Row> {
    vec![
        row(lang, "name", provenance.name.clone()),
        row(lang, "data", provenance.data.clone()),
        row(lang, "split", provenance.split.clone()),
        row(lang, "command", provenance.command.clone()),
        row(lang, "licence", provenance.licence.clone()),
    ]
}

/// A shipped model as offered before anything is loaded: name, architecture, data, test
/// accuracy, the command that reproduces it, its licence and the file's size.
pub fn offer_rows(lang: Lang, model: &ShippedModel) -> Vec<Row> {
    let accuracy = model
        .test_accuracy
        .map_or(t(lang, "cnn.card.not_measured"), percent);
    let mut rows = vec![
        row(lang, "name", model.name.clone()),
        row(lang, "architecture", architecture(lang, &model.settings)),
        row(lang, "parameters", parameters(&model.settings)),
        row(lang, "data", model.data.clone()),
        row(lang, "accuracy", accuracy),
    ];
    if let Some(command) = &model.command {
        rows.push(row(lang, "command", command.clone()));
    }
    if let Some(licence) = &model.licence {
        rows.push(row(lang, "licence", licence.clone()));
    }
    rows.push(row(lang, "size", size(model.file_bytes)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::cnn::shipped::tests::{card, provenance, shipped};

    fn value<'a>(rows: &'a [Row], lang: Lang, key: &str) -> Option<&'a str> {
        let label = t(lang, &format!("cnn.card.{key}"));
        rows.iter()
            .find(|(l, _)| *l == label)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn an_offer_shows_its_name_network_data_accuracy_command_licence_and_size() {
        let model = shipped(&"ab".repeat(32), 431_234);
        for lang in Lang::ALL {
            let rows = offer_rows(lang, &model);
            let v = |key| value(&rows, lang, key).unwrap_or_else(|| panic!("{key}"));
            assert_eq!(v("name"), "mnist-classifier");
            assert!(
                v("architecture").contains("8x5s1p2max2"),
                "{}",
                v("architecture")
            );
            assert_eq!(v("parameters"), parameters(&CnnSettings::default()));
            assert!(v("parameters").contains(','));
            assert!(v("data").contains("60 000 images"));
            assert_eq!(v("accuracy"), "99.1%");
            assert!(v("command").ends_with("pretrain mnist-classifier"));
            assert!(v("licence").contains("CC BY-SA 3.0"));
            assert_eq!(v("size"), "431.2 kB");
            assert!(rows.iter().all(|(l, _)| !l.starts_with("cnn.")));
        }
        // Without provenance or accuracy: no command or licence, "not measured".
        let plain = ShippedModel {
            command: None,
            licence: None,
            test_accuracy: None,
            ..model
        };
        let rows = offer_rows(Lang::En, &plain);
        assert_eq!(value(&rows, Lang::En, "command"), None);
        assert_eq!(value(&rows, Lang::En, "accuracy"), Some("not measured"));
        assert_eq!(rows.len(), 6);
    }

    #[test]
    fn the_loaded_card_and_its_provenance_in_words() {
        let mut untested = card();
        untested.test_accuracy = None;
        let rows = card_rows(Lang::En, &untested);
        assert_eq!(value(&rows, Lang::En, "accuracy"), Some("not measured"));
        assert_eq!(
            value(&rows, Lang::En, "epochs"),
            Some("2.00 epochs (1,874 steps)")
        );
        let rows = provenance_rows(Lang::Zh, &provenance());
        assert_eq!(
            value(&rows, Lang::Zh, "command"),
            Some("cargo run --release -p kindling-cli -- pretrain mnist-classifier")
        );
        assert_eq!(rows.len(), 5);
    }
}
