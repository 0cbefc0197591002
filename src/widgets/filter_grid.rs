//! Small square weight kernels, each an image on one shared diverging scale.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::fill;
use crate::widgets::pixel_image::{PixelImage, diverging_rgba, max_abs};

/// The grid's words, already in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterWords {
    /// Shown while there are no filters.
    pub empty: String,
    /// One filter's label, with `{n}` (from 1).
    pub one: String,
    pub negative: String,
    pub positive: String,
    /// The scale's note, with `{max}`.
    pub scale: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    /// Row-major `kernel × kernel` weights, one list a filter.
    pub filters: Rc<Vec<Vec<f32>>>,
    pub words: FilterWords,
}

#[component]
pub fn FilterGrid(props: &Props) -> Html {
    let words = &props.words;
    // One scale for all filters, so their strengths can be compared.
    let scale = max_abs(props.filters.iter().flatten());
    html! {
        <figure id={props.id.clone()} class="filter-figure">
            if props.filters.is_empty() {
                <p class="muted">{words.empty.clone()}</p>
            } else {
                <div class="filter-grid">
                    { for props.filters.iter().enumerate().map(|(i, weights)| {
                        let side = (weights.len() as f64).sqrt().round() as usize;
                        html! {
                            <PixelImage
                                rows={side}
                                cols={side}
                                rgba={Rc::new(diverging_rgba(weights, scale))}
                                label={fill(&words.one, &[("n", &(i + 1).to_string())])}
                                class="filter"
                            />
                        }
                    }) }
                </div>
            }
            <figcaption class="diverging-legend">
                <span>{words.negative.clone()}</span>
                <span class="diverging-swatch" aria-hidden="true" />
                <span>{words.positive.clone()}</span>
                <span class="muted">{fill(&words.scale, &[("max", &format!("{scale:.2}"))])}</span>
            </figcaption>
        </figure>
    }
}
