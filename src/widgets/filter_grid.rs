//! The first convolution's filters, each a small image of its weights.

use std::rc::Rc;

use yew::prelude::*;

use crate::widgets::pixel_image::{PixelImage, diverging_rgba, max_abs};
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// Row-major `kernel × kernel` weights, one list a filter.
    pub filters: Rc<Vec<Vec<f32>>>,
}

#[component]
pub fn FilterGrid(props: &Props) -> Html {
    let lang = props.lang;
    // One scale for all filters, so their strengths can be compared.
    let scale = max_abs(props.filters.iter().flatten());
    html! {
        <figure id="cnn-filters" class="filter-figure">
            if props.filters.is_empty() {
                <p class="muted">{t(lang, "cnn.filters.empty")}</p>
            } else {
                <div class="filter-grid">
                    { for props.filters.iter().enumerate().map(|(i, weights)| {
                        let side = (weights.len() as f64).sqrt().round() as usize;
                        html! {
                            <PixelImage
                                rows={side}
                                cols={side}
                                rgba={Rc::new(diverging_rgba(weights, scale))}
                                label={tf(lang, "cnn.filters.one", &[("n", &(i + 1).to_string())])}
                                class="filter"
                            />
                        }
                    }) }
                </div>
            }
            <figcaption class="diverging-legend">
                <span>{t(lang, "cnn.filters.negative")}</span>
                <span class="diverging-swatch" aria-hidden="true" />
                <span>{t(lang, "cnn.filters.positive")}</span>
                <span class="muted">{tf(lang, "cnn.filters.scale", &[("max", &format!("{scale:.2}"))])}</span>
            </figcaption>
        </figure>
    }
}
