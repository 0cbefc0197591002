//! Remembered choices in `localStorage`. Storage may be missing or refuse access (private
//! windows, sandboxed frames): every function then quietly does nothing.

use kindling_engine::protocol::{BackendPreference, Calibration};
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

const LANG_KEY: &str = "kindling.lang";
const BACKEND_KEY: &str = "kindling.backend";
/// The calibrations measured so far, newest first, one per adapter (JSON).
const CALIBRATIONS_KEY: &str = "kindling.calibrations";
/// Adapters remembered at most (a learner rarely has more than two).
const MAX_CALIBRATIONS: usize = 8;
/// A measurement older than this is measured again: drivers and browsers change speed.
const CALIBRATION_LIFETIME_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

/// One calibration as kept: when, and in which browser (its user agent, which names its
/// version), it was measured. A browser update can change WebGPU's speed, so it measures again.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Kept {
    calibration: Calibration,
    measured_ms: f64,
    browser: String,
}

/// Milliseconds since 1970, and the browser's user agent.
fn now_and_browser() -> (f64, String) {
    let browser = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .unwrap_or_default();
    (js_sys::Date::now(), browser)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn set(key: &str, value: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, value);
    }
}

pub fn load_lang() -> Option<Lang> {
    get(LANG_KEY).and_then(|v| Lang::from_code(&v))
}

pub fn save_lang(lang: Lang) {
    set(LANG_KEY, lang.code());
}

pub fn load_backend() -> Option<BackendPreference> {
    get(BACKEND_KEY).and_then(|v| BackendPreference::from_name(&v))
}

pub fn save_backend(preference: BackendPreference) {
    set(BACKEND_KEY, preference.name());
}

/// The calibrations still valid in this browser, newest first; nothing when the entry is
/// missing or unreadable.
pub fn load_calibrations() -> Vec<Calibration> {
    let (now, browser) = now_and_browser();
    valid(
        decode_calibrations(get(CALIBRATIONS_KEY).as_deref()),
        now,
        &browser,
    )
}

/// The calibration kept for `adapter`, if still valid.
pub fn load_calibration(adapter: &str) -> Option<Calibration> {
    load_calibrations()
        .into_iter()
        .find(|c| c.adapter == adapter)
}

/// Keeps `calibration`, replacing the one for the same adapter.
pub fn save_calibration(calibration: &Calibration) {
    let (now, browser) = now_and_browser();
    let kept = Kept {
        calibration: calibration.clone(),
        measured_ms: now,
        browser,
    };
    let list = with_calibration(decode_calibrations(get(CALIBRATIONS_KEY).as_deref()), kept);
    if let Ok(json) = crate::json::to_string(&list) {
        set(CALIBRATIONS_KEY, &json);
    }
}

/// Entries of an older shape, or garbage, read as nothing: the adapter is measured again.
fn decode_calibrations(json: Option<&str>) -> Vec<Kept> {
    json.and_then(|json| crate::json::from_str(json).ok())
        .unwrap_or_default()
}

/// The calibrations measured in `browser` less than their lifetime before `now`.
fn valid(list: Vec<Kept>, now: f64, browser: &str) -> Vec<Calibration> {
    list.into_iter()
        .filter(|k| {
            k.browser == browser
                && k.measured_ms <= now
                && now - k.measured_ms < CALIBRATION_LIFETIME_MS
        })
        .map(|k| k.calibration)
        .collect()
}

/// `list` with `kept` first and no other entry for its adapter, at most `MAX_CALIBRATIONS` long.
fn with_calibration(list: Vec<Kept>, kept: Kept) -> Vec<Kept> {
    let adapter = kept.calibration.adapter.clone();
    let others = list
        .into_iter()
        .filter(|k| k.calibration.adapter != adapter)
        .take(MAX_CALIBRATIONS - 1);
    std::iter::once(kept).chain(others).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::protocol::BackendKind;

    const DAY_MS: f64 = 24.0 * 3600.0 * 1000.0;

    fn kept(adapter: &str, cpu_ms: f64, measured_ms: f64) -> Kept {
        Kept {
            calibration: Calibration::new(adapter.into(), Some(cpu_ms), None),
            measured_ms,
            browser: "Chrome/142".into(),
        }
    }

    #[test]
    fn calibrations_are_kept_per_adapter_newest_first() {
        let list = with_calibration(Vec::new(), kept("a", 1.0, 0.0));
        let list = with_calibration(list, kept("b", 2.0, 0.0));
        let list = with_calibration(list, kept("a", 3.0, 0.0));
        assert_eq!(list, vec![kept("a", 3.0, 0.0), kept("b", 2.0, 0.0)]);
        let mut list = list;
        for i in 0..20 {
            list = with_calibration(list, kept(&i.to_string(), 1.0, 0.0));
        }
        assert_eq!(list.len(), MAX_CALIBRATIONS);
        assert_eq!(list[0].calibration.adapter, "19");
    }

    #[test]
    fn stored_calibrations_read_back_and_garbage_or_the_old_shape_reads_as_none() {
        let list = vec![
            kept("a", 1.0, 5.0),
            Kept {
                calibration: Calibration::new("b".into(), Some(40.0), Some(9.5)),
                measured_ms: 6.0,
                browser: "x".into(),
            },
        ];
        let json = crate::json::to_string(&list).unwrap();
        let back = decode_calibrations(Some(&json));
        assert_eq!(back, list);
        assert_eq!(back[1].calibration.choice, BackendKind::WebGpu);
        assert!(decode_calibrations(Some("{not json")).is_empty());
        assert!(decode_calibrations(None).is_empty());
        // What earlier versions stored: bare calibrations, without when or where.
        let old =
            crate::json::to_string(&vec![Calibration::new("a".into(), Some(1.0), None)]).unwrap();
        assert!(decode_calibrations(Some(&old)).is_empty());
    }

    #[test]
    fn a_calibration_expires_after_its_lifetime_or_in_another_browser() {
        let now = 100.0 * DAY_MS;
        let list = vec![
            kept("fresh", 1.0, now - DAY_MS),
            kept("old", 1.0, now - 31.0 * DAY_MS),
            kept("future", 1.0, now + DAY_MS),
        ];
        let adapters = |list: Vec<Calibration>| -> Vec<String> {
            list.into_iter().map(|c| c.adapter).collect()
        };
        assert_eq!(adapters(valid(list.clone(), now, "Chrome/142")), ["fresh"]);
        assert!(valid(list, now, "Chrome/143").is_empty());
    }
}
