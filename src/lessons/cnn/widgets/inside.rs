//! Inside the network: a test image, what each block makes of it, the first layer's filters and
//! the output probabilities. Refreshed by the worker while training runs.

use std::rc::Rc;

use kindling_engine::lessons::cnn::messages::Inspection;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::widgets::feature_maps::FeatureMaps;
use crate::lessons::cnn::widgets::test_image_picker::TestImagePicker;
use crate::widgets::filter_grid::{FilterGrid, FilterWords};
use crate::widgets::pixel_image::{PixelImage, bytes_rgba};
use crate::widgets::softmax_bars::{BarWords, SoftmaxBars, argmax};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub index: usize,
    pub test_count: Option<usize>,
    pub mistakes: Vec<usize>,
    pub inspection: Option<Rc<Inspection>>,
    pub on_pick: Callback<usize>,
}

/// The probability bars' words.
pub fn bar_words(lang: Lang) -> BarWords {
    BarWords {
        aria: t(lang, "cnn.softmax.aria"),
        row: t(lang, "cnn.softmax.row"),
        truth: t(lang, "cnn.softmax.truth"),
    }
}

fn filter_words(lang: Lang) -> FilterWords {
    FilterWords {
        empty: t(lang, "cnn.filters.empty"),
        one: t(lang, "cnn.filters.one"),
        negative: t(lang, "cnn.filters.negative"),
        positive: t(lang, "cnn.filters.positive"),
        scale: t(lang, "cnn.filters.scale"),
    }
}

#[component]
pub fn CnnInside(props: &Props) -> Html {
    let lang = props.lang;
    let inspection = props.inspection.as_ref();
    let filters = Rc::new(inspection.map(|i| i.filters.clone()).unwrap_or_default());
    let verdict = inspection.and_then(|i| {
        let predicted = argmax(&i.probabilities)?;
        let key = if predicted == usize::from(i.label) {
            "cnn.inside.right"
        } else {
            "cnn.inside.wrong"
        };
        Some(tf(
            lang,
            key,
            &[
                ("predicted", &predicted.to_string()),
                ("label", &i.label.to_string()),
            ],
        ))
    });

    html! {
        <section class="card cnn-inside" aria-labelledby="cnn-inside-title">
            <h2 id="cnn-inside-title">{t(lang, "cnn.inside.title")}</h2>
            <p class="muted">{t(lang, "cnn.inside.intro")}</p>
            <TestImagePicker
                {lang}
                index={props.index}
                test_count={props.test_count}
                mistakes={props.mistakes.clone()}
                on_pick={props.on_pick.clone()}
            />
            <div class="inside-grid">
                <figure class="inside-input">
                    <figcaption>{t(lang, "cnn.inside.image")}</figcaption>
                    if let Some(i) = inspection {
                        <PixelImage
                            rows={28}
                            cols={28}
                            rgba={Rc::new(bytes_rgba(&i.image))}
                            label={tf(lang, "cnn.inside.image_aria", &[("index", &i.test_index.to_string()), ("label", &i.label.to_string())])}
                            class="digit-large"
                        />
                        <p class="inside-label">{tf(lang, "cnn.inside.label", &[("label", &i.label.to_string())])}</p>
                    } else {
                        <div class="digit-large placeholder" />
                    }
                </figure>
                <div class="inside-output">
                    <h3>{t(lang, "cnn.inside.softmax")}</h3>
                    if let Some(i) = inspection {
                        <SoftmaxBars words={bar_words(lang)} id="cnn-softmax" probabilities={i.probabilities.clone()} label={Some(i.label)} />
                        <p class="verdict">{verdict.unwrap_or_default()}</p>
                    } else {
                        <p id="cnn-softmax" class="muted">{t(lang, "cnn.inside.waiting")}</p>
                    }
                </div>
                <div class="inside-filters">
                    <h3>{t(lang, "cnn.filters.title")}</h3>
                    <FilterGrid id="cnn-filters" {filters} words={filter_words(lang)} />
                    <p class="muted small">{t(lang, "cnn.lesson.filters")}</p>
                </div>
            </div>
            <h3>{t(lang, "cnn.maps.title")}</h3>
            <FeatureMaps {lang} inspection={props.inspection.clone()} />
        </section>
    }
}
