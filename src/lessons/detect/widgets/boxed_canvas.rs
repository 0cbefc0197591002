//! A grey canvas with boxes drawn over it: the picture is a [`PixelImage`], the boxes an SVG in
//! the canvas's own pixel units laid over it.

use std::rc::Rc;

use yew::prelude::*;

use crate::widgets::pixel_image::{PixelImage, bytes_rgba};

/// One box in canvas pixels (left, top, right, bottom), its CSS class and its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnBox {
    pub corners: [f32; 4],
    pub class: &'static str,
    pub caption: String,
}

/// `pixels`: `side` × `side` grey bytes, row-major.
pub fn boxed_canvas(
    id: String,
    side: usize,
    pixels: &[u8],
    boxes: &[DrawnBox],
    label: String,
) -> Html {
    let rgba = Rc::new(bytes_rgba(pixels));
    let view_box = format!("0 0 {side} {side}");
    html! {
        <figure class="boxed-canvas" {id}>
            <div class="boxed-canvas-picture">
                <PixelImage rows={side} cols={side} {rgba} label={label.clone()} />
                <svg class="boxed-canvas-boxes" viewBox={view_box} aria-hidden="true" preserveAspectRatio="none">
                    { for boxes.iter().map(|b| {
                        let [left, top, right, bottom] = b.corners;
                        html! {
                            <rect class={classes!("box", b.class)}
                                x={left.to_string()} y={top.to_string()}
                                width={(right - left).max(0.0).to_string()}
                                height={(bottom - top).max(0.0).to_string()}>
                                <title>{b.caption.clone()}</title>
                            </rect>
                        }
                    }) }
                </svg>
            </div>
            <figcaption>
                { for boxes.iter().map(|b| html! { <span class={classes!("box-caption", b.class)}>{b.caption.clone()}</span> }) }
            </figcaption>
        </figure>
    }
}
