//! Drawing a digit for the network: the pad to write on, the 28 × 28 image the network will see
//! (`kindling_engine::lessons::cnn::preprocess`), and its answer.

use std::rc::Rc;

use kindling_engine::lessons::cnn::config::IMAGE_SIDE;
use kindling_engine::lessons::cnn::preprocess::{PreprocessError, Preprocessed, preprocess};
use yew::prelude::*;

use crate::format::percent;
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::state::Prediction;
use crate::lessons::cnn::widgets::inside::bar_words;
use crate::widgets::drawing_pad::{Drawing, DrawingPad, SIDE};
use crate::widgets::pixel_image::{PixelImage, unit_rgba};
use crate::widgets::softmax_bars::SoftmaxBars;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub drawing: Option<Rc<Preprocessed>>,
    pub prediction: Option<Prediction>,
    pub has_model: bool,
    pub on_drawn: Callback<Option<Preprocessed>>,
}

/// The drawing as the network's input; `None` when nothing is drawn.
fn prepare(drawing: Option<Drawing>) -> Option<Preprocessed> {
    match preprocess(&drawing?, SIDE as usize) {
        Ok(prepared) => Some(prepared),
        Err(PreprocessError::Empty) => None,
        Err(error) => {
            web_sys::console::warn_1(&format!("kindling: drawing not usable: {error}").into());
            None
        }
    }
}

#[component]
pub fn DigitCanvas(props: &Props) -> Html {
    let lang = props.lang;
    let on_drawn = {
        let on_drawn = props.on_drawn.clone();
        Callback::from(move |drawing: Option<Drawing>| on_drawn.emit(prepare(drawing)))
    };
    let digit = props.prediction.as_ref().and_then(Prediction::digit);
    let answer = match (&props.prediction, props.has_model, &props.drawing) {
        (_, false, _) => html! { <p class="muted">{t(lang, "cnn.draw.no_model")}</p> },
        (_, true, None) => html! { <p class="muted">{t(lang, "cnn.draw.hint")}</p> },
        (None, true, Some(_)) => html! { <p class="muted">{t(lang, "cnn.draw.thinking")}</p> },
        (Some(prediction), true, Some(_)) => {
            let p = digit
                .and_then(|d| prediction.probabilities.get(d))
                .copied()
                .unwrap_or(0.0);
            html! {
                <>
                    <p class="big-digit" aria-live="polite">
                        <span class="big-digit-value">{digit.map(|d| d.to_string()).unwrap_or_default()}</span>
                        <span class="muted">{tf(lang, "cnn.draw.sure", &[("p", &percent(p as f64))])}</span>
                    </p>
                    <SoftmaxBars words={bar_words(lang)} probabilities={prediction.probabilities.clone()} />
                </>
            }
        }
    };

    html! {
        <div class="draw">
            <DrawingPad
                canvas_id="cnn-canvas"
                clear_id="cnn-clear"
                canvas_label={t(lang, "cnn.draw.canvas_aria")}
                clear_label={t(lang, "cnn.draw.clear")}
                drawn={props.drawing.is_some()}
                {on_drawn}
            />
            <figure class="draw-preview">
                <figcaption>{t(lang, "cnn.draw.preview")}</figcaption>
                if let Some(drawing) = &props.drawing {
                    <PixelImage
                        rows={IMAGE_SIDE}
                        cols={IMAGE_SIDE}
                        rgba={Rc::new(unit_rgba(&drawing.image))}
                        label={t(lang, "cnn.draw.preview")}
                        class="digit-large"
                    />
                } else {
                    <div class="digit-large placeholder" />
                }
                <p class="muted small">{t(lang, "cnn.draw.preview_note")}</p>
            </figure>
            <div id="cnn-prediction" class="draw-answer" data-digit={digit.filter(|_| props.has_model && props.drawing.is_some()).map(|d| d.to_string())}>
                <h3>{t(lang, "cnn.draw.answer")}</h3>
                {answer}
            </div>
        </div>
    }
}
