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
    yew::Renderer::<app::App>::new().render();
}
