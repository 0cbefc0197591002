//! The decision boundary as a heatmap on a canvas, with the data points on top.

use std::rc::Rc;

use kindling_engine::datasets::toy2d::{Point, Split};
use kindling_engine::lessons::playground::report::EXTENT;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::playground::state::Boundary;

/// Side of the canvas, in pixels.
pub const SIZE: u32 = 400;

/// Class 0 and class 1.
const ORANGE: [f64; 3] = [245.0, 147.0, 34.0];
const BLUE: [f64; 3] = [8.0, 119.0, 189.0];
const EMPTY: [u8; 3] = [244, 246, 249];

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub boundary: Option<Rc<Boundary>>,
    pub split: Option<Rc<Split>>,
}

/// Background colour for a probability of class 1: orange below 0.5, white at 0.5, blue above.
pub fn heat_colour(p: f32) -> [u8; 3] {
    if !p.is_finite() {
        return EMPTY;
    }
    let t = ((p as f64 - 0.5) * 2.0).clamp(-1.0, 1.0);
    let base = if t >= 0.0 { BLUE } else { ORANGE };
    let mix = t.abs() * 0.6;
    let channel = |c: f64| (255.0 * (1.0 - mix) + c * mix).round().clamp(0.0, 255.0) as u8;
    [channel(base[0]), channel(base[1]), channel(base[2])]
}

/// The probability at a point of the canvas, interpolated between the grid's cell centres.
fn sample(boundary: &Boundary, px: f64, py: f64) -> f32 {
    let n = boundary.resolution as usize;
    let at = |row: usize, col: usize| boundary.probabilities[row * n + col];
    let gx = (px / SIZE as f64 * n as f64 - 0.5).clamp(0.0, (n - 1) as f64);
    let gy = (py / SIZE as f64 * n as f64 - 0.5).clamp(0.0, (n - 1) as f64);
    let (c0, r0) = (gx.floor() as usize, gy.floor() as usize);
    let (c1, r1) = ((c0 + 1).min(n - 1), (r0 + 1).min(n - 1));
    let (fx, fy) = ((gx - c0 as f64) as f32, (gy - r0 as f64) as f32);
    let top = at(r0, c0) * (1.0 - fx) + at(r0, c1) * fx;
    let bottom = at(r1, c0) * (1.0 - fx) + at(r1, c1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Canvas coordinates of a point of the plane.
fn to_canvas(x: f32, y: f32) -> (f64, f64) {
    let e = EXTENT as f64;
    let s = SIZE as f64;
    (
        (x as f64 + e) / (2.0 * e) * s,
        (e - y as f64) / (2.0 * e) * s,
    )
}

fn css(rgb: [f64; 3]) -> String {
    format!("rgb({},{},{})", rgb[0], rgb[1], rgb[2])
}

fn draw(
    canvas: &HtmlCanvasElement,
    boundary: Option<&Boundary>,
    split: Option<&Split>,
) -> Option<()> {
    let ctx = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let size = SIZE as usize;
    let mut pixels = vec![255u8; size * size * 4];
    let usable = boundary.filter(|b| {
        let n = b.resolution as usize;
        n > 0 && b.probabilities.len() == n * n
    });
    for py in 0..size {
        for px in 0..size {
            let rgb = match usable {
                Some(b) => heat_colour(sample(b, px as f64 + 0.5, py as f64 + 0.5)),
                None => EMPTY,
            };
            let i = (py * size + px) * 4;
            pixels[i..i + 3].copy_from_slice(&rgb);
        }
    }
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), SIZE, SIZE).ok()?;
    ctx.put_image_data(&image, 0.0, 0.0).ok()?;

    // Axes through the origin.
    let (ox, oy) = to_canvas(0.0, 0.0);
    ctx.set_stroke_style_str("rgba(40,50,70,0.18)");
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(ox, 0.0);
    ctx.line_to(ox, SIZE as f64);
    ctx.move_to(0.0, oy);
    ctx.line_to(SIZE as f64, oy);
    ctx.stroke();

    if let Some(split) = split {
        let dot = |p: &Point, filled: bool| {
            let (x, y) = to_canvas(p.x, p.y);
            let colour = css(if p.label == 1 { BLUE } else { ORANGE });
            ctx.begin_path();
            let _ = ctx.arc(x, y, 3.6, 0.0, std::f64::consts::TAU);
            if filled {
                ctx.set_fill_style_str(&colour);
                ctx.fill();
                ctx.set_stroke_style_str("rgba(255,255,255,0.9)");
                ctx.set_line_width(1.0);
                ctx.stroke();
            } else {
                ctx.set_fill_style_str("rgba(255,255,255,0.85)");
                ctx.fill();
                ctx.set_stroke_style_str(&colour);
                ctx.set_line_width(1.8);
                ctx.stroke();
            }
        };
        for p in &split.train {
            dot(p, true);
        }
        for p in &split.test {
            dot(p, false);
        }
    }
    Some(())
}

#[component]
pub fn BoundaryPlot(props: &Props) -> Html {
    let lang = props.lang;
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with(
            (props.boundary.clone(), props.split.clone()),
            move |(boundary, split)| {
                if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                    draw(&canvas, boundary.as_deref(), split.as_deref());
                }
            },
        );
    }
    let e = EXTENT;
    html! {
        <figure class="boundary-figure">
            <div class="boundary-frame">
                <canvas
                    id="boundary"
                    ref={canvas}
                    width={SIZE.to_string()}
                    height={SIZE.to_string()}
                    role="img"
                    aria-label={t(lang, "plot.aria")}
                />
            </div>
            <figcaption class="plot-legend">
                <span class="legend-item"><span class="swatch blue" aria-hidden="true" />{t(lang, "plot.class1")}</span>
                <span class="legend-item"><span class="swatch orange" aria-hidden="true" />{t(lang, "plot.class0")}</span>
                <span class="legend-item"><span class="dot filled" aria-hidden="true" />{t(lang, "plot.train_points")}</span>
                <span class="legend-item"><span class="dot ring" aria-hidden="true" />{t(lang, "plot.test_points")}</span>
                <span class="legend-item muted">{tf(lang, "plot.extent", &[("extent", &e.to_string())])}</span>
            </figcaption>
        </figure>
    }
}
