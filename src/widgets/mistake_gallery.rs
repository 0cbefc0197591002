//! The test images the latest full evaluation got wrong; choosing one looks inside the network
//! with it.

use std::rc::Rc;

use kindling_engine::lessons::cnn::config::IMAGE_SIDE;
use yew::prelude::*;

use crate::lessons::cnn::state::FullEvaluation;
use crate::widgets::pixel_image::{PixelImage, bytes_rgba};
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub evaluation: Option<Rc<FullEvaluation>>,
    pub on_pick: Callback<usize>,
}

#[component]
pub fn MistakeGallery(props: &Props) -> Html {
    let lang = props.lang;
    let size = IMAGE_SIDE * IMAGE_SIDE;
    let images = use_memo(props.evaluation.clone(), move |evaluation| {
        let Some(full) = evaluation else {
            return Vec::new();
        };
        full.evaluation
            .misclassified
            .iter()
            .zip(full.gallery.chunks_exact(size))
            .map(|(&(index, predicted, label), pixels)| {
                (index, predicted, label, Rc::new(bytes_rgba(pixels)))
            })
            .collect::<Vec<_>>()
    });
    let Some(full) = props.evaluation.as_ref() else {
        return html! {
            <div id="cnn-gallery" class="gallery empty"><p class="muted">{t(lang, "cnn.gallery.empty")}</p></div>
        };
    };
    let wrong = full.evaluation.count as f64 * (1.0 - full.evaluation.accuracy as f64);
    html! {
        <div id="cnn-gallery" class="gallery">
            <p class="muted small">{tf(lang, "cnn.gallery.caption", &[
                ("shown", &images.len().to_string()),
                ("wrong", &format!("{}", wrong.round() as u64)),
            ])}</p>
            <ul class="gallery-grid">
                { for images.iter().map(|(index, predicted, label, rgba)| {
                    let on_pick = props.on_pick.clone();
                    let index = *index;
                    let text = tf(lang, "cnn.gallery.item", &[("predicted", &predicted.to_string()), ("label", &label.to_string())]);
                    html! {
                        <li>
                            <button
                                type="button"
                                class="gallery-item"
                                title={tf(lang, "cnn.gallery.inspect", &[("index", &index.to_string())])}
                                onclick={Callback::from(move |_: MouseEvent| on_pick.emit(index))}
                            >
                                <PixelImage rows={IMAGE_SIDE} cols={IMAGE_SIDE} rgba={rgba.clone()} label={text.clone()} class="gallery-image" />
                                <span class="gallery-label">{text}</span>
                            </button>
                        </li>
                    }
                }) }
            </ul>
        </div>
    }
}
