//! The transfer lesson's settings as text in its link, e.g.
//! `#/transfer?labels=10&steps=120&batch=32&lr=0.003&blr=0.1&head=0.5&seed=1&target=digits`
//! (`labels=all` for the whole training set, `target=fashion` for clothes). Missing keys keep
//! their default; a bad value keeps its default and its key is reported. Pure functions.

use super::config::{LABEL_CHOICES, MAX_BATCH, MAX_STEPS, Target, TransferSettings};
use crate::common::number::parse_f64;
use crate::common::parse::query_pairs;

pub const KEYS: [&str; 8] = [
    "labels", "steps", "batch", "lr", "blr", "head", "seed", "target",
];

pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(key, _)| KEYS.contains(&key.as_str()))
}

fn whole(text: &str, max: u64) -> Option<u64> {
    let value: u64 = text.parse().ok()?;
    (1..=max).contains(&value).then_some(value)
}

fn real(text: &str, low: f64, high: f64, low_open: bool) -> Option<f64> {
    let value = parse_f64(text)?;
    let above = if low_open { value > low } else { value >= low };
    (above && value <= high).then_some(value)
}

/// The settings a link's query asks for, and the keys whose values were refused.
pub fn from_query(query: &str) -> (TransferSettings, Vec<String>) {
    let mut s = TransferSettings::default();
    let mut refused = Vec::new();
    for (key, value) in query_pairs(query) {
        let ok = match key.as_str() {
            "labels" => {
                let labels = if value == "all" {
                    Some(0)
                } else {
                    value.parse().ok().filter(|v| LABEL_CHOICES.contains(v))
                };
                labels.map(|v| s.labels_per_class = v).is_some()
            }
            "steps" => whole(&value, MAX_STEPS as u64)
                .map(|v| s.steps = v as u32)
                .is_some(),
            "batch" => whole(&value, MAX_BATCH as u64)
                .map(|v| s.batch = v as usize)
                .is_some(),
            "lr" => real(&value, 0.0, 1.0, true)
                .map(|v| s.learning_rate = v)
                .is_some(),
            "blr" => real(&value, 0.0, 1.0, true)
                .map(|v| s.backbone_multiplier = v)
                .is_some(),
            "head" => real(&value, 0.0, 1.0, false)
                .map(|v| s.head_first = v)
                .is_some(),
            "seed" => value.parse().ok().map(|v| s.seed = v).is_some(),
            "target" => Target::ALL
                .into_iter()
                .find(|t| t.name() == value)
                .map(|t| s.target = t)
                .is_some(),
            _ => true,
        };
        if !ok {
            refused.push(key);
        }
    }
    (s, refused)
}

pub fn labels_text(labels: u32) -> String {
    if labels == 0 {
        "all".to_string()
    } else {
        labels.to_string()
    }
}

pub fn to_query(s: &TransferSettings) -> String {
    format!(
        "labels={}&steps={}&batch={}&lr={}&blr={}&head={}&seed={}&target={}",
        labels_text(s.labels_per_class),
        s.steps,
        s.batch,
        s.learning_rate,
        s.backbone_multiplier,
        s.head_first,
        s.seed,
        s.target.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips_and_bad_values_are_reported() {
        let settings = TransferSettings {
            labels_per_class: 0,
            steps: 40,
            learning_rate: 0.01,
            seed: 9,
            target: Target::Fashion,
            ..TransferSettings::default()
        };
        let query = to_query(&settings);
        assert!(query.ends_with("&target=fashion"), "{query}");
        assert!(query.starts_with("labels=all&steps=40"));
        assert_eq!(from_query(&query), (settings, Vec::new()));
        let (s, refused) = from_query("labels=7&steps=0&lr=2&blr=0.5&lang=zh&target=cats");
        assert_eq!(refused, ["labels", "steps", "lr", "target"]);
        assert_eq!(s.target, Target::Digits);
        assert_eq!(s.backbone_multiplier, 0.5);
        assert_eq!(s.labels_per_class, 10);
        assert!(has_keys("steps=3") && !has_keys("lang=zh"));
    }
}
