//! A black square to write on in white with a finger, a pen or the mouse (pointer events), and a
//! button that wipes it. The drawing is read at most every [`THROTTLE_MS`] while drawing, and
//! once more when the stroke ends.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

/// Canvas pixels per side (CSS may show it smaller on a narrow screen).
pub const SIDE: u32 = 280;
/// Pen width in canvas pixels: about MNIST's two-pixel strokes once the digit is scaled down.
const STROKE: f64 = 22.0;
const THROTTLE_MS: f64 = 100.0;

/// The drawing's grey levels in [0, 1], [`SIDE`] × [`SIDE`] row by row.
pub type Drawing = Vec<f32>;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub canvas_id: AttrValue,
    pub clear_id: AttrValue,
    pub canvas_label: AttrValue,
    pub clear_label: AttrValue,
    /// Whether the owner holds a drawing: a fresh pad is blank, so it then reports `None` once.
    pub drawn: bool,
    /// The drawing after each change; `None` once wiped (or if the canvas cannot be read).
    pub on_drawn: Callback<Option<Drawing>>,
}

#[derive(Default)]
struct Sketch {
    drawing: bool,
    last: Option<(f64, f64)>,
    last_read: f64,
    /// A read waiting for the throttle, by its timeout handle.
    timer: Option<i32>,
    on_drawn: Callback<Option<Drawing>>,
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

/// The canvas's grey levels.
fn read(canvas: &HtmlCanvasElement) -> Option<Drawing> {
    let context = context(canvas)?;
    let data = context
        .get_image_data(0.0, 0.0, SIDE as f64, SIDE as f64)
        .ok()?
        .data();
    Some(
        data.0
            .chunks_exact(4)
            .map(|p| p[0] as f32 / 255.0)
            .collect(),
    )
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

/// The pad: its canvas and its wipe button, in a `draw-pad` box.
#[component]
pub fn DrawingPad(props: &Props) -> Html {
    let canvas = use_node_ref();
    let sketch: Shared = use_mut_ref(Sketch::default);
    {
        let mut s = sketch.borrow_mut();
        s.on_drawn = props.on_drawn.clone();
        s.canvas = canvas.clone();
    }
    {
        let canvas = canvas.clone();
        let had_drawing = props.drawn;
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

    html! {
        <div class="draw-pad">
            <canvas
                id={props.canvas_id.clone()}
                ref={canvas}
                class="digit-canvas"
                width={SIDE.to_string()}
                height={SIDE.to_string()}
                aria-label={props.canvas_label.clone()}
                {onpointerdown}
                {onpointermove}
                onpointerup={onpointerup.clone()}
                onpointercancel={onpointerup}
            />
            <button type="button" id={props.clear_id.clone()} class="button small" onclick={on_clear}>
                {props.clear_label.clone()}
            </button>
        </div>
    }
}
