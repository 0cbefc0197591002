//! Remembered choices in `localStorage`. Storage may be missing or refuse access (private
//! windows, sandboxed frames): every function then quietly does nothing.

use kindling_engine::protocol::{BackendPreference, Calibration};

use crate::i18n::Lang;

const LANG_KEY: &str = "kindling.lang";
const BACKEND_KEY: &str = "kindling.backend";
/// The calibrations measured so far, newest first, one per adapter (JSON).
const CALIBRATIONS_KEY: &str = "kindling.calibrations";
/// Adapters remembered at most (a learner rarely has more than two).
const MAX_CALIBRATIONS: usize = 8;

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

/// The calibrations kept, newest first; nothing when the entry is missing or unreadable.
pub fn load_calibrations() -> Vec<Calibration> {
    decode_calibrations(get(CALIBRATIONS_KEY).as_deref())
}

/// The calibration kept for `adapter`.
pub fn load_calibration(adapter: &str) -> Option<Calibration> {
    load_calibrations()
        .into_iter()
        .find(|c| c.adapter == adapter)
}

/// Keeps `calibration`, replacing the one for the same adapter.
pub fn save_calibration(calibration: &Calibration) {
    let kept = with_calibration(load_calibrations(), calibration.clone());
    if let Ok(json) = crate::json::to_string(&kept) {
        set(CALIBRATIONS_KEY, &json);
    }
}

fn decode_calibrations(json: Option<&str>) -> Vec<Calibration> {
    json.and_then(|json| crate::json::from_str(json).ok())
        .unwrap_or_default()
}

/// `list` with `calibration` first and no other entry for its adapter, at most
/// `MAX_CALIBRATIONS` long.
fn with_calibration(list: Vec<Calibration>, calibration: Calibration) -> Vec<Calibration> {
    let others = list
        .into_iter()
        .filter(|c| c.adapter != calibration.adapter)
        .take(MAX_CALIBRATIONS - 1);
    std::iter::once(calibration.clone()).chain(others).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::protocol::BackendKind;

    fn calibration(adapter: &str, cpu_ms: f64) -> Calibration {
        Calibration::new(adapter.into(), Some(cpu_ms), None)
    }

    #[test]
    fn calibrations_are_kept_per_adapter_newest_first() {
        let list = with_calibration(Vec::new(), calibration("a", 1.0));
        let list = with_calibration(list, calibration("b", 2.0));
        let list = with_calibration(list, calibration("a", 3.0));
        assert_eq!(list, vec![calibration("a", 3.0), calibration("b", 2.0)]);
        let mut list = list;
        for i in 0..20 {
            list = with_calibration(list, calibration(&i.to_string(), 1.0));
        }
        assert_eq!(list.len(), MAX_CALIBRATIONS);
        assert_eq!(list[0].adapter, "19");
    }

    #[test]
    fn stored_calibrations_read_back_and_garbage_reads_as_none() {
        let list = vec![
            calibration("a", 1.0),
            Calibration::new("b".into(), Some(40.0), Some(9.5)),
        ];
        let json = crate::json::to_string(&list).unwrap();
        let back = decode_calibrations(Some(&json));
        assert_eq!(back, list);
        assert_eq!(back[1].choice, BackendKind::WebGpu);
        assert!(decode_calibrations(Some("{not json")).is_empty());
        assert!(decode_calibrations(None).is_empty());
    }
}
