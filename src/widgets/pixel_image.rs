//! A small image drawn pixel by pixel on a canvas (CSS scales it up without smoothing), and the
//! colour mappings the CNN lesson uses.

use std::rc::Rc;

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

/// Negative weights (the site's blue), zero (white) and positive weights (the accent orange).
const NEGATIVE: [f32; 3] = [8.0, 119.0, 189.0];
const ZERO: [f32; 3] = [255.0, 255.0, 255.0];
const POSITIVE: [f32; 3] = [194.0, 65.0, 12.0];

fn rgba(pixels: impl Iterator<Item = [u8; 3]>) -> Vec<u8> {
    pixels.flat_map(|[r, g, b]| [r, g, b, 255]).collect()
}

fn grey(level: f32) -> [u8; 3] {
    let v = (level.clamp(0.0, 1.0) * 255.0).round() as u8;
    [v, v, v]
}

/// One byte a pixel (0 black … 255 white), as MNIST stores its images.
pub fn bytes_rgba(bytes: &[u8]) -> Vec<u8> {
    rgba(bytes.iter().map(|&b| [b, b, b]))
}

/// Values in [0, 1], 0 black and 1 white.
pub fn unit_rgba(values: &[f32]) -> Vec<u8> {
    rgba(
        values
            .iter()
            .map(|&v| grey(if v.is_finite() { v } else { 0.0 })),
    )
}

/// Stretched so that the smallest value is black and the largest white (all black when they
/// are equal).
pub fn normalised_rgba(values: &[f32]) -> Vec<u8> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let lo = finite.clone().fold(f32::INFINITY, f32::min);
    let hi = finite.fold(f32::NEG_INFINITY, f32::max);
    let span = hi - lo;
    rgba(values.iter().map(|&v| {
        if span > 0.0 && v.is_finite() {
            grey((v - lo) / span)
        } else {
            grey(0.0)
        }
    }))
}

/// Blue for negative values, white for zero, orange for positive ones; full colour at
/// ±`max_abs`.
pub fn diverging(value: f32, max_abs: f32) -> [u8; 3] {
    let share = if max_abs > 0.0 && value.is_finite() {
        (value / max_abs).clamp(-1.0, 1.0)
    } else {
        0.0
    };
    let end = if share < 0.0 { NEGATIVE } else { POSITIVE };
    let s = share.abs();
    let mix = |i: usize| (ZERO[i] + (end[i] - ZERO[i]) * s).round() as u8;
    [mix(0), mix(1), mix(2)]
}

pub fn diverging_rgba(values: &[f32], max_abs: f32) -> Vec<u8> {
    rgba(values.iter().map(|&v| diverging(v, max_abs)))
}

/// The largest magnitude among finite values (0 if none).
pub fn max_abs<'a>(values: impl IntoIterator<Item = &'a f32>) -> f32 {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(0.0, |m, v| m.max(v.abs()))
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub rows: usize,
    pub cols: usize,
    /// Four bytes a pixel, row-major.
    pub rgba: Rc<Vec<u8>>,
    pub label: AttrValue,
    #[prop_or_default]
    pub class: Classes,
}

fn draw(canvas: &HtmlCanvasElement, rows: usize, cols: usize, rgba: &[u8]) -> Option<()> {
    if rows == 0 || cols == 0 || rgba.len() != rows * cols * 4 {
        return None;
    }
    let context: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let data = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), cols as u32, rows as u32)
        .ok()?;
    context.put_image_data(&data, 0.0, 0.0).ok()
}

#[component]
pub fn PixelImage(props: &Props) -> Html {
    let node = use_node_ref();
    {
        let node = node.clone();
        use_effect_with(
            (props.rows, props.cols, props.rgba.clone()),
            move |(rows, cols, rgba)| {
                if let Some(canvas) = node.cast::<HtmlCanvasElement>() {
                    draw(&canvas, *rows, *cols, rgba);
                }
            },
        );
    }
    html! {
        <canvas
            ref={node}
            class={classes!("pixel-image", props.class.clone())}
            width={props.cols.to_string()}
            height={props.rows.to_string()}
            role="img"
            aria-label={props.label.clone()}
        />
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_mappings() {
        assert_eq!(diverging(0.0, 1.0), [255, 255, 255]);
        assert_eq!(diverging(-2.0, 1.0), [8, 119, 189]);
        assert_eq!(diverging(1.0, 1.0), [194, 65, 12]);
        assert_eq!(diverging(f32::NAN, 1.0), [255, 255, 255]);
        assert_eq!(diverging(0.5, 0.0), [255, 255, 255]);
        assert_eq!(
            normalised_rgba(&[1.0, 3.0, 2.0]),
            vec![0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255]
        );
        assert_eq!(normalised_rgba(&[4.0, 4.0])[..4], [0, 0, 0, 255]);
        assert_eq!(bytes_rgba(&[7]), vec![7, 7, 7, 255]);
        assert_eq!(
            unit_rgba(&[1.5, f32::NAN]),
            vec![255, 255, 255, 255, 0, 0, 0, 255]
        );
        assert_eq!(max_abs(&[-3.0, 2.0, f32::INFINITY]), 3.0);
    }
}
