//! The detection project's settings as text in its link, e.g.
//! `#/detect?head=spatial&hidden=64&steps=600&batch=32&lr=0.003&unfreeze=never&blr=0.1&box=2&seed=1`
//! (`unfreeze=300` trains the backbone's convolutions from step 300). Missing keys keep their
//! default; a bad value keeps its default and its key is reported, as is an unfreezing step that
//! is not before the last step (the backbone then stays frozen). Pure functions.
//!
//! The level is its own key, `level=many` (two or three digits a canvas, the CenterNet-style
//! head), written only for that level: a link without it is level one.

use super::config::{DetectSettings, HeadKind, MAX_BATCH, MAX_HIDDEN, MAX_STEPS};
use super::data::Level;
use crate::common::number::parse_f64;
use crate::common::parse::query_pairs;

pub const KEYS: [&str; 10] = [
    "head", "hidden", "steps", "batch", "lr", "unfreeze", "blr", "box", "seed", "level",
];

pub fn has_keys(query: &str) -> bool {
    query_pairs(query)
        .iter()
        .any(|(key, _)| KEYS.contains(&key.as_str()))
}

fn whole(text: &str, low: u64, max: u64) -> Option<u64> {
    let value: u64 = text.parse().ok()?;
    (low..=max).contains(&value).then_some(value)
}

/// A number in (0, `high`].
fn positive(text: &str, high: f64) -> Option<f64> {
    let value = parse_f64(text)?;
    (value > 0.0 && value <= high).then_some(value)
}

/// The settings a link's query asks for, and the keys whose values were refused.
pub fn from_query(query: &str) -> (DetectSettings, Vec<String>) {
    let mut s = DetectSettings::default();
    let mut refused = Vec::new();
    for (key, value) in query_pairs(query) {
        let ok = match key.as_str() {
            "head" => HeadKind::ALL
                .into_iter()
                .find(|h| h.name() == value)
                .map(|h| s.head = h)
                .is_some(),
            "hidden" => whole(&value, 1, MAX_HIDDEN as u64)
                .map(|v| s.hidden = v as usize)
                .is_some(),
            "steps" => whole(&value, 1, MAX_STEPS as u64)
                .map(|v| s.steps = v as u32)
                .is_some(),
            "batch" => whole(&value, 1, MAX_BATCH as u64)
                .map(|v| s.batch = v as usize)
                .is_some(),
            "lr" => positive(&value, 1.0).map(|v| s.learning_rate = v).is_some(),
            "unfreeze" if value == "never" => {
                s.unfreeze_at = None;
                true
            }
            "unfreeze" => whole(&value, 0, MAX_STEPS as u64)
                .map(|v| s.unfreeze_at = Some(v as u32))
                .is_some(),
            "blr" => positive(&value, 1.0)
                .map(|v| s.backbone_share = v)
                .is_some(),
            "box" => positive(&value, 100.0).map(|v| s.box_weight = v).is_some(),
            "seed" => value.parse().ok().map(|v| s.seed = v).is_some(),
            _ => true,
        };
        if !ok {
            refused.push(key);
        }
    }
    if s.unfreeze_at.is_some_and(|at| at >= s.steps) {
        s.unfreeze_at = None;
        refused.push("unfreeze".to_string());
    }
    (s, refused)
}

/// The level a link's query asks for (level one without the key), and whether its value was
/// refused (then level one).
pub fn level_from_query(query: &str) -> (Level, bool) {
    let mut found = (Level::One, false);
    for (key, value) in query_pairs(query) {
        if key == "level" {
            found = match Level::ALL.into_iter().find(|l| l.name() == value) {
                Some(level) => (level, false),
                None => (Level::One, true),
            };
        }
    }
    found
}

/// [`to_query`] with the level's key when it is not level one.
pub fn to_query_with_level(s: &DetectSettings, level: Level) -> String {
    match level {
        Level::One => to_query(s),
        other => format!("{}&level={}", to_query(s), other.name()),
    }
}

pub fn to_query(s: &DetectSettings) -> String {
    format!(
        "head={}&hidden={}&steps={}&batch={}&lr={}&unfreeze={}&blr={}&box={}&seed={}",
        s.head.name(),
        s.hidden,
        s.steps,
        s.batch,
        s.learning_rate,
        s.unfreeze_at
            .map_or_else(|| "never".to_string(), |at| at.to_string()),
        s.backbone_share,
        s.box_weight,
        s.seed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips_and_bad_values_are_reported() {
        let defaults = DetectSettings::default();
        assert_eq!(from_query(&to_query(&defaults)), (defaults, Vec::new()));
        let settings = DetectSettings {
            head: HeadKind::Pooled,
            hidden: 16,
            steps: 40,
            batch: 8,
            learning_rate: 0.01,
            unfreeze_at: Some(20),
            backbone_share: 0.25,
            box_weight: 1.5,
            seed: 9,
        };
        let query = to_query(&settings);
        assert_eq!(
            query,
            "head=pooled&hidden=16&steps=40&batch=8&lr=0.01&unfreeze=20&blr=0.25&box=1.5&seed=9"
        );
        assert_eq!(from_query(&query), (settings, Vec::new()));
        let (s, refused) = from_query("head=retina&hidden=0&lr=2&blr=0.5&box=0&lang=zh&steps=x");
        assert_eq!(refused, ["head", "hidden", "lr", "box", "steps"]);
        assert_eq!(s.head, HeadKind::Spatial);
        assert_eq!(s.backbone_share, 0.5);
        assert!(s.validate().is_empty());
        // An unfreezing step at or past the last step keeps the backbone frozen.
        let (s, refused) = from_query("steps=100&unfreeze=100");
        assert_eq!(
            (s.unfreeze_at, refused),
            (None, vec!["unfreeze".to_string()])
        );
        assert!(has_keys("unfreeze=3") && !has_keys("lang=zh"));
    }

    #[test]
    fn the_level_round_trips_and_a_bad_one_is_reported() {
        let settings = DetectSettings::default();
        let many = to_query_with_level(&settings, Level::Many);
        assert_eq!(many, format!("{}&level=many", to_query(&settings)));
        assert_eq!(level_from_query(&many), (Level::Many, false));
        assert_eq!(from_query(&many), (settings.clone(), Vec::new()));
        let one = to_query_with_level(&settings, Level::One);
        assert_eq!(one, to_query(&settings));
        assert_eq!(level_from_query(&one), (Level::One, false));
        assert_eq!(level_from_query("level=one"), (Level::One, false));
        assert_eq!(level_from_query("level=three&steps=4"), (Level::One, true));
        assert!(has_keys("level=many"));
    }
}
