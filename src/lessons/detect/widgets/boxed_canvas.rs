//! A grey canvas with boxes drawn over it: the picture is a [`PixelImage`], the boxes an SVG in
//! the canvas's own pixel units laid over it, and optionally a coarse grid of weights (where a
//! detector looked) shaded between them.

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

/// Weights over an n × n grid (row-major, n² of them) as translucent orange, the largest the
/// most opaque; None unless the count is a square.
pub fn heat_rgba(weights: &[f32]) -> Option<(usize, Vec<u8>)> {
    let n = (weights.len() as f64).sqrt().round() as usize;
    if n == 0 || n * n != weights.len() {
        return None;
    }
    let top = weights.iter().copied().fold(0.0f32, f32::max);
    let rgba = weights
        .iter()
        .flat_map(|&w| {
            let alpha = if top > 0.0 {
                (w / top).clamp(0.0, 1.0)
            } else {
                0.0
            };
            [247, 144, 9, (alpha * 170.0).round() as u8]
        })
        .collect();
    Some((n, rgba))
}

/// `pixels`: `side` × `side` grey bytes, row-major; `heat`: weights over a coarser square grid
/// (see [`heat_rgba`]), or empty.
pub fn boxed_canvas(
    id: String,
    side: usize,
    pixels: &[u8],
    heat: &[f32],
    boxes: &[DrawnBox],
    label: String,
) -> Html {
    let rgba = Rc::new(bytes_rgba(pixels));
    let heat = heat_rgba(heat);
    let view_box = format!("0 0 {side} {side}");
    html! {
        <figure class="boxed-canvas" {id}>
            <div class="boxed-canvas-picture">
                <PixelImage rows={side} cols={side} {rgba} label={label.clone()} />
                if let Some((n, rgba)) = heat {
                    <PixelImage rows={n} cols={n} rgba={Rc::new(rgba)} label="" class="heat-overlay" />
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_is_shaded_by_weight_on_a_square_grid_only() {
        let (n, rgba) = heat_rgba(&[0.0, 0.1, 0.2, 0.7]).unwrap();
        assert_eq!(n, 2);
        let alphas: Vec<u8> = rgba.chunks(4).map(|p| p[3]).collect();
        assert_eq!(alphas, [0, 24, 49, 170]);
        assert_eq!(heat_rgba(&[0.5; 3]), None);
        assert_eq!(heat_rgba(&[]), None);
    }
}
