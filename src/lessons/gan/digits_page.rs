//! The digits section: a DCGAN (or the smaller MLP pair) on MNIST, with a fixed grid of samples,
//! the curves, the mode-collapse meter, "draw me a 7", a latent walk, and the generator as a file.

use std::rc::Rc;

use kindling_engine::common::parse::{BATCH_SIZE, LEARNING_RATE, SEED};
use kindling_engine::lessons::gan::digits::{DigitField, DigitModel, DigitSettings, LATENT};
use kindling_engine::lessons::gan::metrics::CONFIDENT;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format::{percent, size};
use crate::i18n::{Lang, model_file_error, problem_text, t, tf};
use crate::lessons::checkpoint_text::GAN;
use crate::lessons::data_load::data_load_error;
use crate::lessons::gan::digits_state::{
    Data, DigitsAction, DigitsState, FileNote, MAX_GENERATOR_BYTES,
};
use crate::lessons::gan::page::diverged_notice;
use crate::lessons::gan::state::History;
use crate::lessons::kept_run::KeptAction;
use crate::lessons::kept_run_view::{KeptClick, kept_run};
use crate::services::file_read::{self, Chosen};
use crate::widgets::line_chart::{Line, LineChart};
use crate::widgets::number_field::NumberField;
use crate::widgets::pixel_image::{PixelImage, bytes_rgba};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub state: DigitsState,
    pub on_action: Callback<DigitsAction>,
}

/// `images` (784 bytes each) side by side, `per_row` to a row, as one RGBA picture.
fn mosaic(images: &[u8], per_row: usize) -> (usize, usize, Rc<Vec<u8>>) {
    let count = images.len() / 784;
    let rows = count.div_ceil(per_row.max(1));
    let (h, w) = (rows * 28, per_row * 28);
    let mut grey = vec![0u8; h * w];
    for (i, image) in images.chunks_exact(784).enumerate() {
        let (r0, c0) = ((i / per_row) * 28, (i % per_row) * 28);
        for (y, line) in image.chunks_exact(28).enumerate() {
            grey[(r0 + y) * w + c0..(r0 + y) * w + c0 + 28].copy_from_slice(line);
        }
    }
    (h, w, Rc::new(bytes_rgba(&grey)))
}

/// The label of the field a digit setting's problem is about, as the form shows it.
fn field_key(field: DigitField) -> &'static str {
    match field {
        DigitField::Latent => "gan.digits.latent",
        DigitField::LearningRate => "gan.field.glr",
        DigitField::BatchSize => "gan.field.batch",
        DigitField::Seed => "gan.field.seed",
    }
}

fn picture(id: &'static str, images: &[u8], per_row: usize, label: String) -> Html {
    let (rows, cols, rgba) = mosaic(images, per_row);
    html! {
        <div id={id} class="gan-mosaic" data-checksum={images.iter().map(|&b| b as u64).sum::<u64>().to_string()}>
            <PixelImage {rows} {cols} {rgba} label={label} />
        </div>
    }
}

fn curves(lang: Lang, history: &History) -> (Rc<Vec<u64>>, Rc<Vec<Line>>) {
    let steps = Rc::new(history.points.iter().map(|p| p.0).collect());
    let line = |key: &str, class: &'static str, values: Vec<f32>| Line {
        label: t(lang, key).into(),
        class,
        values,
    };
    let lines = Rc::new(vec![
        line(
            "gan.curve.d_loss",
            "d",
            history.points.iter().map(|p| p.1.d_loss).collect(),
        ),
        line(
            "gan.curve.g_loss",
            "g",
            history.points.iter().map(|p| p.1.g_loss).collect(),
        ),
        line(
            "gan.curve.d_real",
            "real",
            history.points.iter().map(|p| p.1.d_real).collect(),
        ),
        line(
            "gan.curve.d_fake",
            "fake",
            history.points.iter().map(|p| p.1.d_fake).collect(),
        ),
    ]);
    (steps, lines)
}

#[component]
pub fn DigitsSection(props: &Props) -> Html {
    let lang = props.lang;
    let state = &props.state;
    let act = |make: fn() -> DigitsAction| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make()))
    };
    let on_settings = {
        let on_action = props.on_action.clone();
        Callback::from(move |s: DigitSettings| on_action.emit(DigitsAction::SetSettings(s)))
    };
    let on_model = {
        let (on_settings, settings) = (on_settings.clone(), state.settings.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Some(model) = DigitModel::from_name(&select.value())
            {
                on_settings.emit(DigitSettings {
                    model,
                    ..settings.clone()
                });
            }
        })
    };
    let on_conditional = {
        let (on_settings, settings) = (on_settings.clone(), state.settings.clone());
        Callback::from(move |_: Event| {
            on_settings.emit(DigitSettings {
                conditional: !settings.conditional,
                ..settings.clone()
            })
        })
    };
    let on_label = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                let label = select.value().parse().unwrap_or(7);
                on_action.emit(DigitsAction::SetDrawLabel(label));
            }
        })
    };
    let on_file = {
        let on_action = props.on_action.clone();
        file_read::on_file_chosen(
            MAX_GENERATOR_BYTES,
            Callback::from(move |chosen| match chosen {
                Chosen::Reading { .. } => {}
                Chosen::Read(bytes) => on_action.emit(DigitsAction::Open(bytes)),
                Chosen::TooLarge { bytes } => {
                    on_action.emit(DigitsAction::FileNotRead(FileNote::TooLarge { bytes }))
                }
                Chosen::Unreadable(message) => {
                    on_action.emit(DigitsAction::FileNotRead(FileNote::Unreadable(message)))
                }
            }),
        )
    };
    let number = |field: DigitField, range: (f64, f64)| {
        html! {
            <NumberField<DigitSettings>
                {lang}
                {field}
                label={t(lang, field_key(field))}
                hint={tf(lang, "controls.range", &[("min", &range.0.to_string()), ("max", &range.1.to_string())])}
                config={state.settings.clone()}
                on_change={on_settings.clone()}
            />
        }
    };
    let on_kept = props.on_action.reform(|click| match click {
        KeptClick::Resume => DigitsAction::ResumeKept,
        KeptClick::Keep => DigitsAction::Kept(KeptAction::Keep),
    });
    let running = state.running;
    let checkpoint_iterations = state.checkpoints.latest_iterations();
    let (steps, lines) = curves(lang, &state.history);
    let data = match &state.data {
        Some(Data::Loading { loaded, total }) => Some(tf(
            lang,
            "gan.digits.loading",
            &[("percent", &percent(*loaded as f64 / (*total).max(1) as f64))],
        )),
        Some(Data::Failed(error)) => Some(tf(
            lang,
            "gan.digits.data_failed",
            &[("message", &data_load_error(lang, error))],
        )),
        None => None,
    };
    let problems: Vec<String> = state
        .url_errors
        .iter()
        .chain(&state.rejected)
        .map(|e| {
            tf(
                lang,
                "problem.with_field",
                &[
                    ("field", &t(lang, field_key(e.field))),
                    ("problem", &problem_text(lang, &e.problem)),
                ],
            )
        })
        .collect();
    let meter = state.meter.as_ref().map(|m| {
        let most = m.histogram.iter().copied().max().unwrap_or(1).max(1) as f32;
        html! {
            <div class="gan-meter" id="gan-meter" data-confident={m.confident.to_string()} data-classes={m.classes_seen.to_string()}>
                <p>{tf(lang, "gan.digits.meter", &[("confident", &percent(m.confident as f64)), ("p", &CONFIDENT.to_string()), ("classes", &m.classes_seen.to_string())])}</p>
                if m.classes_seen < 8 {
                    <p class="notice warning" role="status">{t(lang, "gan.digits.collapse")}</p>
                }
                <div class="mode-bars" role="img" aria-label={t(lang, "gan.digits.meter_aria")}>
                    { for m.histogram.iter().enumerate().map(|(digit, &count)| html! {
                        <div class="mode-bar" title={format!("{digit}: {count}")}>
                            <span class="fill covered" style={format!("height:{:.1}%", count as f32 / most * 100.0)} />
                            <span class="label">{digit.to_string()}</span>
                        </div>
                    }) }
                </div>
            </div>
        }
    });
    let file_note = state.file_note.as_ref().map(|note| match note {
        FileNote::Loaded { iterations } => tf(
            lang,
            "gan.digits.file_loaded",
            &[("iterations", &iterations.to_string())],
        ),
        FileNote::Refused(error) => tf(
            lang,
            "gan.digits.file_refused",
            &[("error", &model_file_error(lang, error))],
        ),
        FileNote::TooLarge { bytes } => tf(
            lang,
            "gan.digits.file_too_large",
            &[
                ("size", &size(*bytes)),
                ("allowed", &size(MAX_GENERATOR_BYTES)),
            ],
        ),
        FileNote::Unreadable(message) => {
            tf(lang, "gan.digits.file_unreadable", &[("message", message)])
        }
    });

    html! {
        <section class="gan-digits card" aria-labelledby="gan-digits-title">
            <h2 id="gan-digits-title">{t(lang, "gan.digits.title")}</h2>
            <p>{t(lang, "gan.digits.lead")}</p>
            <form class="controls gan-digit-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                <div class="field">
                    <label for="field-gan-dmodel">{t(lang, "gan.digits.model")}</label>
                    <select id="field-gan-dmodel" onchange={on_model}>
                        { for DigitModel::ALL.iter().map(|m| html! {
                            <option value={m.name()} selected={*m == state.settings.model}>{t(lang, &format!("gan.digits.model.{}", m.name()))}</option>
                        }) }
                    </select>
                    <span class="field-hint">{t(lang, "gan.digits.cpu_note")}</span>
                </div>
                <label class="check">
                    <input type="checkbox" id="gan-dcond" checked={state.settings.conditional} onchange={on_conditional} />
                    {t(lang, "gan.digits.conditional")}
                </label>
                { number(DigitField::Latent, LATENT) }
                { number(DigitField::LearningRate, LEARNING_RATE) }
                { number(DigitField::BatchSize, BATCH_SIZE) }
                { number(DigitField::Seed, SEED) }
            </form>
            if !problems.is_empty() {
                <ul class="notice warning" role="alert">{ for problems.iter().map(|p| html! { <li>{p.clone()}</li> }) }</ul>
            }
            <div class="run-bar">
                if !state.started {
                    <button type="button" id="gan-digits-start" class="button primary" onclick={act(|| DigitsAction::Start)}>{t(lang, "gan.digits.start")}</button>
                } else {
                    <button type="button" id="gan-digits-play" class={classes!("button", "primary", running.then_some("running"))}
                        onclick={if running { act(|| DigitsAction::Pause) } else { act(|| DigitsAction::Play) }}>
                        {t(lang, if running { "run.pause" } else { "run.play" })}
                    </button>
                    <button type="button" id="gan-digits-step" class="button" onclick={act(|| DigitsAction::Step)}>{t(lang, "gan.run.step")}</button>
                    <span id="gan-digits-iterations" class="status">{tf(lang, "gan.digits.iterations", &[("n", &state.iterations.to_string())])}</span>
                }
            </div>
            if let Some(diverged) = state.diverged {
                { diverged_notice(lang, "gan-digits", diverged, props.on_action.reform(|_| DigitsAction::RollBack)) }
            }
            if let Some(data) = data {
                <p id="gan-digits-data" role="status">{data}</p>
            }
            if let Some(r) = &state.checkpoints.recovery {
                <div id="gan-digits-recovery" class="notice" role="status">{GAN.recovery(lang, r)}</div>
            }
            if state.started {
                <p id="gan-digits-checkpoint" class="muted small" data-iterations={checkpoint_iterations.map(|i| i.to_string())}>
                    {GAN.checkpoint_line(lang, checkpoint_iterations, state.checkpoints.unavailable.as_ref())}
                </p>
            }
            { kept_run(lang, GAN, "gan-digits", &state.kept, |run| run.checkpoint.iterations, state.started.then_some(state.checkpoints.latest.is_some()), &on_kept) }
            if let Some(grid) = &state.grid {
                <div class="gan-digit-views">
                    <figure>
                        { picture("gan-digits-grid", grid, 8, t(lang, "gan.digits.grid_aria")) }
                        <figcaption>{t(lang, "gan.digits.grid")}</figcaption>
                    </figure>
                    <div id="gan-digit-curves-box" data-last-iteration={state.history.points.last().map(|p| p.0.to_string())}>
                        <LineChart id="gan-digit-curves" aria_label={t(lang, "gan.curve.losses_aria")} x_label={t(lang, "gan.read.iterations")} empty={t(lang, "chart.empty")} {steps} {lines} />
                        {meter.unwrap_or_default()}
                        if let Some(message) = &state.meter_unavailable {
                            <p class="muted" id="gan-meter-missing">{tf(lang, "gan.digits.meter_missing", &[("message", message)])}</p>
                        }
                    </div>
                </div>
                <div class="run-bar">
                    if state.settings.conditional {
                        <label for="gan-draw-label">{t(lang, "gan.digits.draw_me")}</label>
                        <select id="gan-draw-label" onchange={on_label}>
                            { for (0..10u8).map(|d| html! { <option value={d.to_string()} selected={d == state.draw_label}>{d.to_string()}</option> }) }
                        </select>
                        <button type="button" id="gan-draw-digit" class="button" onclick={act(|| DigitsAction::Draw)}>{t(lang, "gan.digits.draw")}</button>
                    }
                    <button type="button" id="gan-walk" class="button" onclick={act(|| DigitsAction::Walk)}>{t(lang, "gan.digits.walk")}</button>
                    <button type="button" id="gan-save" class="button" onclick={act(|| DigitsAction::Save)}>{t(lang, "gan.digits.save")}</button>
                    <label class="button file">
                        {t(lang, "gan.digits.open")}
                        <input type="file" id="gan-open" accept=".safetensors" onchange={on_file} />
                    </label>
                </div>
                if let Some((label, images)) = &state.drawn {
                    { picture("gan-drawn", images, 8, tf(lang, "gan.digits.drawn", &[("digit", &label.to_string())])) }
                }
                if let Some(frames) = &state.walk {
                    { picture("gan-walk-frames", frames, 8, t(lang, "gan.digits.walk_aria")) }
                }
                if let Some(note) = file_note {
                    <p id="gan-file-note" role="status">{note}</p>
                }
            }
        </section>
    }
}
