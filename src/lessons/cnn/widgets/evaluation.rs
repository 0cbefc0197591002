//! The latest full evaluation: its confusion matrix, and the test images it got wrong (choosing
//! one looks inside the network with it).

use std::rc::Rc;

use kindling_engine::lessons::cnn::config::IMAGE_SIDE;
use yew::prelude::*;

use crate::format::{group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::state::FullEvaluation;
use crate::widgets::confusion_matrix::{ConfusionMatrix as Matrix, ConfusionWords};
use crate::widgets::image_gallery::{GalleryItem, ImageGallery};
use crate::widgets::pixel_image::bytes_rgba;

#[derive(Properties, PartialEq)]
pub struct MatrixProps {
    pub lang: Lang,
    pub evaluation: Option<Rc<FullEvaluation>>,
}

#[component]
pub fn ConfusionMatrix(props: &MatrixProps) -> Html {
    let lang = props.lang;
    let full = props.evaluation.as_ref();
    let caption = full.map_or(String::new(), |full| {
        tf(
            lang,
            "cnn.confusion.caption",
            &[
                ("count", &group(full.evaluation.count as u64)),
                ("step", &full.step.to_string()),
                ("accuracy", &percent(full.evaluation.accuracy as f64)),
            ],
        )
    });
    let words = ConfusionWords {
        empty: t(lang, "cnn.confusion.empty"),
        caption,
        corner: t(lang, "cnn.confusion.corner"),
        row_accuracy: t(lang, "cnn.confusion.row_accuracy"),
        cell: t(lang, "cnn.confusion.cell"),
    };
    let counts = full.map(|full| Rc::new(full.evaluation.confusion.clone()));
    html! { <Matrix id="cnn-confusion" classes={10} {counts} {words} /> }
}

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    pub lang: Lang,
    pub evaluation: Option<Rc<FullEvaluation>>,
    pub on_pick: Callback<usize>,
}

#[component]
pub fn MistakeGallery(props: &GalleryProps) -> Html {
    let lang = props.lang;
    let size = IMAGE_SIDE * IMAGE_SIDE;
    let items = use_memo(
        (props.evaluation.clone(), lang),
        move |(evaluation, lang)| {
            let Some(full) = evaluation else {
                return Vec::new();
            };
            full.evaluation
                .misclassified
                .iter()
                .zip(full.gallery.chunks_exact(size))
                .map(|(&(index, predicted, label), pixels)| GalleryItem {
                    key: index,
                    rgba: Rc::new(bytes_rgba(pixels)),
                    label: tf(
                        *lang,
                        "cnn.gallery.item",
                        &[
                            ("predicted", &predicted.to_string()),
                            ("label", &label.to_string()),
                        ],
                    ),
                    title: tf(
                        *lang,
                        "cnn.gallery.inspect",
                        &[("index", &index.to_string())],
                    ),
                })
                .collect::<Vec<_>>()
        },
    );
    let caption = props.evaluation.as_ref().map(|full| {
        let wrong = full.evaluation.count as f64 * (1.0 - full.evaluation.accuracy as f64);
        AttrValue::from(tf(
            lang,
            "cnn.gallery.caption",
            &[
                ("shown", &items.len().to_string()),
                ("wrong", &format!("{}", wrong.round() as u64)),
            ],
        ))
    });
    html! {
        <ImageGallery
            id="cnn-gallery"
            rows={IMAGE_SIDE}
            cols={IMAGE_SIDE}
            items={items.clone()}
            {caption}
            empty={t(lang, "cnn.gallery.empty")}
            on_pick={props.on_pick.clone()}
        />
    }
}
