//! Drawing a digit for the network: a black square to write on in white with a finger, a pen or
//! the mouse (pointer events), the 28 × 28 image the network will see, and its answer.
//!
//! The canvas is read and prepared (`kindling_engine::lessons::cnn::preprocess`) at most every
//! [`THROTTLE_MS`] while drawing, and once more when the stroke ends.

use std::cell::RefCell;
use std::rc::Rc;

use kindling_engine::lessons::cnn::config::IMAGE_SIDE;
use kindling_engine::lessons::cnn::preprocess::{PreprocessError, Preprocessed, preprocess};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

use crate::lessons::cnn::state::Prediction;
use crate::format::percent;
use crate::widgets::pixel_image::{PixelImage, unit_rgba};
use crate::widgets::softmax_bars::SoftmaxBars;
use crate::i18n::{Lang, t, tf};

/// Canvas pixels per side (CSS may show it smaller on a narrow screen).
const SIDE: u32 = 280;
/// Pen width in canvas pixels: about MNIST's two-pixel strokes once the digit is scaled down.
const STROKE: f64 = 22.0;
const THROTTLE_MS: f64 = 100.0;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub drawing: Option<Rc<Preprocessed>>,
    pub prediction: Option<Prediction>,
    pub has_model: bool,
    pub on_drawn: Callback<Option<Preprocessed>>,
}

#[derive(Default)]
struct Sketch {
    drawing: bool,
    last: Option<(f64, f64)>,
    last_read: f64,
    /// A read waiting for the throttle, by its timeout handle.
    timer: Option<i32>,
    on_drawn: Callback<Option<Preprocessed>>,
    canvas: NodeRef,
}

type Shared = Rc<RefCell<Sketch>>;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"willReadFrequently".into(), &JsValue::TRUE);
    canvas
        .get_context_with_context_options("2d", &options)
        .ok()??
        .dyn_into()
        .ok()
}

fn wipe(canvas: &HtmlCanvasElement) {
    if let Some(context) = context(canvas) {
        context.set_fill_style_str("#000");
        context.fill_rect(0.0, 0.0, SIDE as f64, SIDE as f64);
    }
}

/// The pointer's position in canvas pixels.
fn position(canvas: &HtmlCanvasElement, event: &PointerEvent) -> (f64, f64) {
    let rect = canvas.get_bounding_client_rect();
    let scale = |size: f64| if size > 0.0 { SIDE as f64 / size } else { 1.0 };
    (
        (event.client_x() as f64 - rect.left()) * scale(rect.width()),
        (event.client_y() as f64 - rect.top()) * scale(rect.height()),
    )
}

fn ink(canvas: &HtmlCanvasElement, from: (f64, f64), to: (f64, f64)) {
    let Some(context) = context(canvas) else {
        return;
    };
    context.set_stroke_style_str("#fff");
    context.set_fill_style_str("#fff");
    context.set_line_width(STROKE);
    context.set_line_cap("round");
    context.set_line_join("round");
    context.begin_path();
    if from == to {
        let _ = context.arc(to.0, to.1, STROKE / 2.0, 0.0, std::f64::consts::TAU);
        context.fill();
    } else {
        context.move_to(from.0, from.1);
        context.line_to(to.0, to.1);
        context.stroke();
    }
}

/// The drawing as the network's input; `None` when nothing is drawn.
fn read(canvas: &HtmlCanvasElement) -> Option<Preprocessed> {
    let context = context(canvas)?;
    let data = context
        .get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64)
        .ok()?
        .data();
    let pixels: Vec<f32> = data
        .0
        .chunks_exact(4)
        .map(|p| p[0] as f32 / 255.0)
        .collect();
    match preprocess(&pixels, SIDE as usize) {
        Ok(prepared) => Some(prepared),
        Err(PreprocessError::Empty) => None,
        Err(error) => {
            web_sys::console::warn_1(&format!("kindling: drawing not usable: {error}").into());
            None
        }
    }
}

/// Drops a read still waiting for the throttle.
fn cancel(timer: Option<i32>) {
    if let (Some(handle), Some(window)) = (timer, web_sys::window()) {
        window.clear_timeout_with_handle(handle);
    }
}

fn read_now(sketch: &Shared) {
    let (canvas, on_drawn, timer) = {
        let mut s = sketch.borrow_mut();
        s.last_read = js_sys::Date::now();
        (
            s.canvas.cast::<HtmlCanvasElement>(),
            s.on_drawn.clone(),
            s.timer.take(),
        )
    };
    cancel(timer);
    if let Some(canvas) = canvas {
        on_drawn.emit(read(&canvas));
    }
}

/// Reads now if the last read is old enough, else once the throttle allows.
fn read_soon(sketch: &Shared) {
    let wait = {
        let s = sketch.borrow();
        if s.timer.is_some() {
            return;
        }
        THROTTLE_MS - (js_sys::Date::now() - s.last_read)
    };
    if wait <= 0.0 {
        read_now(sketch);
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let later = sketch.clone();
    let callback = Closure::once_into_js(move || {
        later.borrow_mut().timer = None;
        read_now(&later);
    });
    if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_0(
        callback.unchecked_ref(),
        wait as i32,
    ) {
        sketch.borrow_mut().timer = Some(handle);
    }
}

#[component]
pub fn DigitCanvas(props: &Props) -> Html {
    let lang = props.lang;
    let canvas = use_node_ref();
    let sketch: Shared = use_mut_ref(Sketch::default);
    {
        let mut s = sketch.borrow_mut();
        s.on_drawn = props.on_drawn.clone();
        s.canvas = canvas.clone();
    }
    {
        let canvas = canvas.clone();
        let had_drawing = props.drawing.is_some();
        let on_drawn = props.on_drawn.clone();
        use_effect_with((), move |_| {
            if let Some(canvas) = canvas.cast::<HtmlCanvasElement>() {
                wipe(&canvas);
            }
            // A drawing from an earlier visit is not on this fresh canvas.
            if had_drawing {
                on_drawn.emit(None);
            }
        });
    }

    let onpointerdown = {
        let sketch = sketch.clone();
        Callback::from(move |event: PointerEvent| {
            let Some(canvas) = sketch.borrow().canvas.cast::<HtmlCanvasElement>() else {
                return;
            };
            event.prevent_default();
            let _ = canvas.set_pointer_capture(event.pointer_id());
            let at = position(&canvas, &event);
            ink(&canvas, at, at);
            {
                let mut s = sketch.borrow_mut();
                s.drawing = true;
                s.last = Some(at);
            }
            read_soon(&sketch);
        })
    };
    let onpointermove = {
        let sketch = sketch.clone();
        Callback::from(move |event: PointerEvent| {
            let (canvas, last) = {
                let s = sketch.borrow();
                if !s.drawing {
                    return;
                }
                (s.canvas.cast::<HtmlCanvasElement>(), s.last)
            };
            let Some(canvas) = canvas else { return };
            event.prevent_default();
            let at = position(&canvas, &event);
            ink(&canvas, last.unwrap_or(at), at);
            sketch.borrow_mut().last = Some(at);
            read_soon(&sketch);
        })
    };
    let onpointerup = {
        let sketch = sketch.clone();
        Callback::from(move |_: PointerEvent| {
            let was_drawing = {
                let mut s = sketch.borrow_mut();
                s.last = None;
                std::mem::replace(&mut s.drawing, false)
            };
            if was_drawing {
                read_now(&sketch);
            }
        })
    };
    let on_clear = {
        let sketch = sketch.clone();
        Callback::from(move |_: MouseEvent| {
            let (canvas, on_drawn, timer) = {
                let mut s = sketch.borrow_mut();
                s.drawing = false;
                s.last = None;
                (
                    s.canvas.cast::<HtmlCanvasElement>(),
                    s.on_drawn.clone(),
                    s.timer.take(),
                )
            };
            cancel(timer);
            if let Some(canvas) = canvas {
                wipe(&canvas);
            }
            on_drawn.emit(None);
        })
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
                    <SoftmaxBars {lang} probabilities={prediction.probabilities.clone()} />
                </>
            }
        }
    };

    html! {
        <div class="draw">
            <div class="draw-pad">
                <canvas
                    id="cnn-canvas"
                    ref={canvas}
                    class="digit-canvas"
                    width={SIDE.to_string()}
                    height={SIDE.to_string()}
                    aria-label={t(lang, "cnn.draw.canvas_aria")}
                    {onpointerdown}
                    {onpointermove}
                    onpointerup={onpointerup.clone()}
                    onpointercancel={onpointerup}
                />
                <button type="button" id="cnn-clear" class="button small" onclick={on_clear}>
                    {t(lang, "cnn.draw.clear")}
                </button>
            </div>
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
