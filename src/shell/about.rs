//! About Kindling: what it is, where things come from, and the build.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::services::manifest::MnistManifest;
use crate::shell::mnist_data::MnistData;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub manifest: Option<Result<Rc<MnistManifest>, String>>,
}

#[component]
pub fn About(props: &Props) -> Html {
    let lang = props.lang;
    let version = env!("CARGO_PKG_VERSION");
    let credits = [
        ("burn", "about.credit_burn"),
        ("yew", "about.credit_yew"),
        ("trunk", "about.credit_trunk"),
        ("wasm-bindgen", "about.credit_wasm_bindgen"),
    ];
    html! {
        <article class="about prose">
            <h1 id="page-title">{t(lang, "about.title")}</h1>
            <p class="lead">{t(lang, "about.what")}</p>
            <p>{t(lang, "about.how")}</p>

            <h2>{t(lang, "about.privacy_title")}</h2>
            <p>{t(lang, "about.privacy")}</p>

            <h2>{t(lang, "about.provenance_title")}</h2>
            <ul>
                <li>{t(lang, "about.licence_code")}</li>
                <li>{t(lang, "about.data")}</li>
                <li>{t(lang, "about.text")}</li>
            </ul>

            <MnistData {lang} manifest={props.manifest.clone()} />

            <h2>{t(lang, "about.credits_title")}</h2>
            <ul class="credits">
                { for credits.into_iter().map(|(name, key)| html! {
                    <li><strong>{name}</strong>{" — "}{t(lang, key)}</li>
                }) }
            </ul>

            <h2>{t(lang, "about.build_title")}</h2>
            <p>
                <span class="version-label">{t(lang, "about.version_label")}</span>{" "}
                <code id="version">{version}</code>
            </p>
        </article>
    }
}
