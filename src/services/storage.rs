//! Remembered choices in `localStorage`. Storage may be missing or refuse access (private
//! windows, sandboxed frames): every function then quietly does nothing.

use kindling_engine::protocol::BackendPreference;

use crate::i18n::Lang;

const LANG_KEY: &str = "kindling.lang";
const BACKEND_KEY: &str = "kindling.backend";

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
