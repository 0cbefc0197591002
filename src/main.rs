//! Kindling's page: a yew app that talks to the training worker.

mod app;
mod cnn_effects;
mod cnn_settings;
mod cnn_state;
mod cnn_text;
mod components;
mod i18n;
mod lesson_state;
mod route;
mod services;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
