//! The digit GAN's settings in the lesson's link, next to the toy's:
//! `dmodel=dcgan&dcond=0&dz=32&dlr=0.0005&dbatch=64&dseed=1`. Missing keys keep their default;
//! a bad value keeps its default and is reported. Pure functions.

use super::digits::{DigitError, DigitField, DigitModel, DigitSettings, LATENT};
use crate::common::parse::{
    BATCH_SIZE, LEARNING_RATE, Problem, SEED, parse_real, parse_whole, query_pairs,
};

/// The key of each digit setting in the link (the model and the conditional switch are menus).
const KEYS: [&str; 6] = ["dmodel", "dcond", "dz", "dlr", "dbatch", "dseed"];

fn set(s: &mut DigitSettings, key: &str, text: &str) -> Result<(), (DigitField, Problem)> {
    let text = text.trim();
    match key {
        "dmodel" => {
            s.model = DigitModel::from_name(text).ok_or((DigitField::Latent, Problem::Unknown))?
        }
        "dcond" => {
            s.conditional = match text {
                "1" => true,
                "0" => false,
                _ => return Err((DigitField::Latent, Problem::Unknown)),
            }
        }
        "dz" => s.latent = parse_whole(text, LATENT).map_err(|p| (DigitField::Latent, p))? as usize,
        "dlr" => {
            s.learning_rate =
                parse_real(text, LEARNING_RATE).map_err(|p| (DigitField::LearningRate, p))?
        }
        "dbatch" => {
            s.batch_size =
                parse_whole(text, BATCH_SIZE).map_err(|p| (DigitField::BatchSize, p))? as usize
        }
        "dseed" => s.seed = parse_whole(text, SEED).map_err(|p| (DigitField::Seed, p))?,
        _ => {}
    }
    Ok(())
}

pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(k, _)| KEYS.contains(&k.as_str()))
}

pub fn from_query(query: &str) -> (DigitSettings, Vec<DigitError>) {
    let mut settings = DigitSettings::default();
    let mut errors = Vec::new();
    for (key, value) in query_pairs(query) {
        if let Err((field, problem)) = set(&mut settings, &key, &value) {
            errors.push(DigitError { field, problem });
        }
    }
    (settings, errors)
}

pub fn to_query(s: &DigitSettings) -> String {
    format!(
        "dmodel={}&dcond={}&dz={}&dlr={}&dbatch={}&dseed={}",
        s.model.name(),
        u8::from(s.conditional),
        s.latent,
        s.learning_rate,
        s.batch_size,
        s.seed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_settings_round_trip_and_bad_values_are_reported() {
        let settings = DigitSettings {
            model: DigitModel::Mlp,
            conditional: true,
            latent: 100,
            learning_rate: 0.0002,
            batch_size: 32,
            seed: 9,
        };
        assert_eq!(from_query(&to_query(&settings)), (settings, Vec::new()));
        let (back, errors) = from_query("dz=1&dlr=x&dseed=3&target=ring");
        assert_eq!(
            back,
            DigitSettings {
                seed: 3,
                ..DigitSettings::default()
            }
        );
        let fields: Vec<DigitField> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, [DigitField::Latent, DigitField::LearningRate]);
        assert!(has_keys("dz=4") && !has_keys("target=ring"));
    }
}
