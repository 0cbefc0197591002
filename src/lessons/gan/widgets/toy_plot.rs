//! The toy's plane on a canvas: D's output as a heatmap, G's warped noise grid, the real and the
//! generated points, and G's gradient arrows. In drawing mode the pointer adds points.

use std::rc::Rc;

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

/// Side of the canvas, in pixels.
pub const SIZE: u32 = 420;

const REAL: [f64; 3] = [26.0, 152.0, 80.0];
const FAKE: [f64; 3] = [123.0, 50.0, 148.0];

/// D's probability on a square grid, row by row from the top.
#[derive(Clone, Debug, PartialEq)]
pub struct Heat {
    pub resolution: u32,
    pub values: Rc<Vec<f32>>,
}

/// G's image of a noise grid (`side` × `side`) or line (`side` points).
#[derive(Clone, Debug, PartialEq)]
pub struct Warp {
    pub grid: bool,
    pub side: u32,
    pub points: Rc<Vec<f32>>,
}

/// Everything the canvas draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Half-width of the plotted square.
    pub extent: f32,
    pub heat: Option<Heat>,
    pub warp: Option<Warp>,
    pub real: Rc<Vec<f32>>,
    pub fake: Rc<Vec<f32>>,
    /// One (dx, dy) per generated point, for the first ones.
    pub arrows: Option<Rc<Vec<f32>>>,
    /// The learner's drawn points.
    pub drawn: Rc<Vec<[f32; 2]>>,
    pub drawing: bool,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub aria_label: AttrValue,
    pub scene: Scene,
    /// A point added with the pointer, in plot coordinates (only while drawing).
    pub on_draw: Callback<[f32; 2]>,
}

/// The heatmap's colour at D's probability `p`: green where D says real, purple where it says
/// generated, white at one half.
pub fn heat_colour(p: f32) -> [u8; 3] {
    if !p.is_finite() {
        return [244, 246, 249];
    }
    let t = ((p as f64 - 0.5) * 2.0).clamp(-1.0, 1.0);
    let base = if t >= 0.0 { REAL } else { FAKE };
    let mix = t.abs() * 0.45;
    let channel = |c: f64| (255.0 * (1.0 - mix) + c * mix).round().clamp(0.0, 255.0) as u8;
    [channel(base[0]), channel(base[1]), channel(base[2])]
}

fn css(rgb: [f64; 3], alpha: f64) -> String {
    format!("rgba({},{},{},{alpha})", rgb[0], rgb[1], rgb[2])
}

struct Frame<'a> {
    ctx: CanvasRenderingContext2d,
    scene: &'a Scene,
}

impl Frame<'_> {
    fn at(&self, x: f32, y: f32) -> (f64, f64) {
        let e = self.scene.extent as f64;
        let s = SIZE as f64;
        (
            (x as f64 + e) / (2.0 * e) * s,
            (e - y as f64) / (2.0 * e) * s,
        )
    }

    fn heat(&self, heat: &Heat) -> Option<()> {
        let n = heat.resolution as usize;
        if n == 0 || heat.values.len() != n * n {
            return None;
        }
        let size = SIZE as usize;
        let mut pixels = vec![255u8; size * size * 4];
        for py in 0..size {
            for px in 0..size {
                let (col, row) = (px * n / size, py * n / size);
                let rgb = heat_colour(heat.values[row * n + col]);
                let i = (py * size + px) * 4;
                pixels[i..i + 3].copy_from_slice(&rgb);
            }
        }
        let image =
            ImageData::new_with_u8_clamped_array_and_sh(Clamped(&pixels), SIZE, SIZE).ok()?;
        self.ctx.put_image_data(&image, 0.0, 0.0).ok()
    }

    fn warp(&self, warp: &Warp) {
        let side = warp.side as usize;
        let point = |i: usize| -> Option<(f64, f64)> {
            let p = warp.points.get(2 * i..2 * i + 2)?;
            Some(self.at(p[0], p[1]))
        };
        let line = |indices: &mut dyn Iterator<Item = usize>| {
            self.ctx.begin_path();
            for (k, i) in indices.enumerate() {
                if let Some((x, y)) = point(i) {
                    if k == 0 {
                        self.ctx.move_to(x, y);
                    } else {
                        self.ctx.line_to(x, y);
                    }
                }
            }
            self.ctx.stroke();
        };
        self.ctx.set_stroke_style_str("rgba(60,60,80,0.35)");
        self.ctx.set_line_width(1.0);
        if warp.grid {
            for r in 0..side {
                line(&mut (0..side).map(|c| r * side + c));
                line(&mut (0..side).map(|c| c * side + r));
            }
        } else {
            line(&mut (0..side));
        }
    }

    fn dots(&self, points: &[f32], colour: [f64; 3], radius: f64) {
        self.ctx.set_fill_style_str(&css(colour, 0.75));
        for p in points.chunks_exact(2) {
            let (x, y) = self.at(p[0], p[1]);
            self.ctx.begin_path();
            let _ = self.ctx.arc(x, y, radius, 0.0, std::f64::consts::TAU);
            self.ctx.fill();
        }
    }

    fn arrows(&self, fake: &[f32], arrows: &[f32]) {
        let longest = arrows
            .chunks_exact(2)
            .map(|a| a[0].hypot(a[1]))
            .fold(0.0f32, f32::max);
        if longest <= 0.0 || !longest.is_finite() {
            return;
        }
        // The longest arrow is a tenth of the plot.
        let scale = 0.2 * self.scene.extent / longest;
        self.ctx.set_stroke_style_str("rgba(30,30,30,0.7)");
        self.ctx.set_line_width(1.2);
        self.ctx.begin_path();
        for (p, a) in fake.chunks_exact(2).zip(arrows.chunks_exact(2)) {
            let (x0, y0) = self.at(p[0], p[1]);
            let (x1, y1) = self.at(p[0] + a[0] * scale, p[1] + a[1] * scale);
            self.ctx.move_to(x0, y0);
            self.ctx.line_to(x1, y1);
        }
        self.ctx.stroke();
    }

    fn draw(&self) {
        let props = self.scene;
        let s = SIZE as f64;
        self.ctx.set_fill_style_str("#fff");
        self.ctx.fill_rect(0.0, 0.0, s, s);
        if props.drawing {
            let flat: Vec<f32> = props.drawn.iter().flatten().copied().collect();
            self.dots(&flat, [20.0, 20.0, 20.0], 3.0);
            return;
        }
        if let Some(heat) = &props.heat {
            self.heat(heat);
        }
        if let Some(warp) = &props.warp {
            self.warp(warp);
        }
        self.dots(&props.real, REAL, 1.8);
        self.dots(&props.fake, FAKE, 1.8);
        if let Some(arrows) = &props.arrows {
            self.arrows(&props.fake, arrows);
        }
    }
}

/// Drawn points closer than this to the last one are skipped while the pointer moves.
const MIN_GAP: f32 = 0.04;

#[component]
pub fn ToyPlot(props: &Props) -> Html {
    let canvas = use_node_ref();
    // The last point drawn in the current stroke, if the pointer is down.
    let stroke = use_mut_ref(|| None::<[f32; 2]>);
    {
        let canvas = canvas.clone();
        use_effect_with(props.scene.clone(), move |scene| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>()
                && let Some(ctx) = canvas
                    .get_context("2d")
                    .ok()
                    .flatten()
                    .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
            {
                Frame { ctx, scene }.draw();
            }
        });
    }
    let drawing = props.scene.drawing;
    let extent = props.scene.extent;
    let to_plane = {
        let canvas = canvas.clone();
        move |e: &PointerEvent| -> Option<[f32; 2]> {
            let element = canvas.cast::<web_sys::Element>()?;
            let (w, h) = (
                element.client_width() as f32,
                element.client_height() as f32,
            );
            if w <= 0.0 || h <= 0.0 {
                return None;
            }
            let (fx, fy) = (e.offset_x() as f32 / w, e.offset_y() as f32 / h);
            Some([(2.0 * fx - 1.0) * extent, (1.0 - 2.0 * fy) * extent])
        }
    };
    let on_down = {
        let (stroke, on_draw, to_plane) = (stroke.clone(), props.on_draw.clone(), to_plane.clone());
        Callback::from(move |e: PointerEvent| {
            if !drawing {
                return;
            }
            e.prevent_default();
            if let Some(p) = to_plane(&e) {
                *stroke.borrow_mut() = Some(p);
                on_draw.emit(p);
            }
        })
    };
    let on_move = {
        let (stroke, on_draw) = (stroke.clone(), props.on_draw.clone());
        Callback::from(move |e: PointerEvent| {
            let last = *stroke.borrow();
            let (Some(last), Some(p)) = (last, to_plane(&e)) else {
                return;
            };
            if (p[0] - last[0]).hypot(p[1] - last[1]) >= MIN_GAP {
                *stroke.borrow_mut() = Some(p);
                on_draw.emit(p);
            }
        })
    };
    let on_up = {
        let stroke = stroke.clone();
        Callback::from(move |_: PointerEvent| *stroke.borrow_mut() = None)
    };
    html! {
        <div class={classes!("gan-plot-frame", drawing.then_some("drawing"))}>
            <canvas
                id="gan-plot"
                ref={canvas}
                width={SIZE.to_string()}
                height={SIZE.to_string()}
                role="img"
                aria-label={props.aria_label.clone()}
                onpointerdown={on_down}
                onpointermove={on_move}
                onpointerup={on_up.clone()}
                onpointerleave={on_up}
            />
        </div>
    }
}
