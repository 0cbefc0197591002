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
    let usable = boundary.filter(|b| {
        let n = b.resolution as usize;
        n > 0 && b.probabilities.len() == n * n
    });
    match usable {
        Some(b) => draw_heat(&ctx, b)?,
        None => {
            ctx.set_fill_style_str(&css(EMPTY.map(f64::from)));
            ctx.fill_rect(0.0, 0.0, SIZE as f64, SIZE as f64);
        }
    }

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

/// One pixel per grid cell on a small canvas, scaled up with the browser's bilinear smoothing:
/// colouring every pixel of the large canvas here took up to a second of the main thread per
/// report while training.
fn draw_heat(ctx: &CanvasRenderingContext2d, boundary: &Boundary) -> Option<()> {
    let n = boundary.resolution;
    let pixels: Vec<u8> = boundary
        .probabilities
        .iter()
        .flat_map(|&p| {
            let [r, g, b] = heat_colour(p);
            [r, g, b, 255]
        })
        .collect();
    let grid = web_sys::window()?
        .document()?
        .create_element("canvas")
        .ok()?
        .dyn_into::<HtmlCanvasElement>()
        .ok()?;
    grid.set_width(n);
    grid.set_height(n);
    let grid_ctx = grid
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), n, n).ok()?;
    grid_ctx.put_image_data(&image, 0.0, 0.0).ok()?;
    ctx.set_image_smoothing_enabled(true);
    ctx.draw_image_with_html_canvas_element_and_dw_and_dh(&grid, 0.0, 0.0, SIZE as f64, SIZE as f64)
        .ok()
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
