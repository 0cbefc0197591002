//! Kindling's page: a yew app that talks to the training worker.

mod app;
mod format;
mod i18n;
mod json;
mod lessons;
mod route;
mod services;
mod shell;
mod state;
mod widgets;

fn main() {
    // The page's text is fetched first (the wasm carries none): nothing is drawn without it.
    wasm_bindgen_futures::spawn_local(async {
        let lang = state::initial_lang();
        if let Err(error) = i18n::load(lang).await {
            web_sys::console::error_1(
                &format!("kindling: cannot load the {} text: {error}", lang.code()).into(),
            );
        }
        yew::Renderer::<app::App>::new().render();
    });
}
