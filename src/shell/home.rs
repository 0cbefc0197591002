//! The home page: what Kindling is, and the map of ideas.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::route::Route;
use crate::shell::idea_map::IdeaMap;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
}

#[component]
pub fn Home(props: &Props) -> Html {
    let lang = props.lang;
    html! {
        <div class="home">
            <section class="hero">
                <h1 id="page-title">{t(lang, "home.title")}</h1>
                <p class="lead">{t(lang, "home.lead")}</p>
                <p>{t(lang, "home.intro")}</p>
                <p>
                    <a class="button primary" id="start-playground" href={Route::Playground.href()}>
                        {t(lang, "home.cta")}
                    </a>
                </p>
                <p id="home-lessons">
                    {t(lang, "home.lessons_intro")}{" "}
                    <a id="home-activations" href={Route::Activations.href()}>{t(lang, "nav.activations")}</a>
                    {" · "}
                    <a id="home-losses" href={Route::Losses.href()}>{t(lang, "nav.losses")}</a>
                </p>
            </section>
            <section class="card lesson-card" aria-labelledby="home-cnn-title">
                <div class="lesson-card-text">
                    <h2 id="home-cnn-title">{t(lang, "home.cnn_title")}</h2>
                    <p>{t(lang, "home.cnn_text")}</p>
                </div>
                <a class="button" id="home-cnn" href={Route::Cnn.href()}>{t(lang, "home.cnn_cta")}</a>
            </section>
            <section class="card lesson-card" aria-labelledby="home-transfer-title">
                <div class="lesson-card-text">
                    <h2 id="home-transfer-title">{t(lang, "home.transfer_title")}</h2>
                    <p>{t(lang, "home.transfer_text")}</p>
                </div>
                <a class="button" id="home-transfer" href={Route::Transfer.href()}>{t(lang, "home.transfer_cta")}</a>
            </section>
            <section class="card lesson-card" aria-labelledby="home-detect-title">
                <div class="lesson-card-text">
                    <h2 id="home-detect-title">{t(lang, "home.detect_title")}</h2>
                    <p>{t(lang, "home.detect_text")}</p>
                </div>
                <a class="button" id="home-detect" href={Route::Detect.href()}>{t(lang, "home.detect_cta")}</a>
            </section>
            <section class="card map-card" aria-labelledby="map-title">
                <h2 id="map-title">{t(lang, "home.map_title")}</h2>
                <p class="muted">{t(lang, "home.map_intro")}</p>
                <IdeaMap {lang} />
            </section>
        </div>
    }
}
