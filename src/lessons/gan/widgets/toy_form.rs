//! The toy's settings: target, noise, the two networks and their training.

use kindling_engine::common::activation::Activation;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::parse::{BATCH_SIZE, LEARNING_RATE, SEED};
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::link;
use kindling_engine::lessons::gan::settings::{
    D_STEPS, LAYERS, LossKind, NoiseKind, Target, ToyField, WIDTH,
};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::gan::fields::try_set;
use crate::lessons::gan::text::field_name;
use crate::widgets::number_field::NumberField;
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub settings: ToySettings,
    /// New, valid settings.
    pub on_change: Callback<ToySettings>,
}

fn range(lang: Lang, (min, max): (f64, f64)) -> AttrValue {
    tf(
        lang,
        "controls.range",
        &[("min", &min.to_string()), ("max", &max.to_string())],
    )
    .into()
}

/// The settings chosen from a menu.
const MENUS: [ToyField; 8] = [
    ToyField::Target,
    ToyField::NoiseDim,
    ToyField::Noise,
    ToyField::GActivation,
    ToyField::DActivation,
    ToyField::GOptimizer,
    ToyField::DOptimizer,
    ToyField::Loss,
];

fn options(lang: Lang, field: ToyField) -> Vec<(&'static str, String)> {
    let named = |names: Vec<&'static str>, prefix: &str| {
        names
            .into_iter()
            .map(|n| (n, t(lang, &format!("{prefix}.{n}"))))
            .collect()
    };
    match field {
        ToyField::Target => named(Target::ALL.iter().map(|v| v.name()).collect(), "gan.target"),
        ToyField::NoiseDim => vec![("1", "1".into()), ("2", "2".into())],
        ToyField::Noise => named(
            NoiseKind::ALL.iter().map(|v| v.name()).collect(),
            "gan.noise",
        ),
        ToyField::GActivation | ToyField::DActivation => {
            named(Activation::ALL.iter().map(|v| v.name()).collect(), "act")
        }
        ToyField::GOptimizer | ToyField::DOptimizer => {
            named(OptimizerKind::ALL.iter().map(|v| v.name()).collect(), "opt")
        }
        ToyField::Loss => named(LossKind::ALL.iter().map(|v| v.name()).collect(), "gan.loss"),
        _ => Vec::new(),
    }
}

#[component]
pub fn ToyForm(props: &Props) -> Html {
    let lang = props.lang;
    let settings = &props.settings;
    // Menus follow the settings even when a link, a preset or a reset changes them.
    let text = |i: usize| link::text(settings, MENUS[i]);
    let refs = [
        use_synced_select(text(0)),
        use_synced_select(text(1)),
        use_synced_select(text(2)),
        use_synced_select(text(3)),
        use_synced_select(text(4)),
        use_synced_select(text(5)),
        use_synced_select(text(6)),
        use_synced_select(text(7)),
    ];

    let select = |field: ToyField| -> Html {
        let onchange = {
            let settings = settings.clone();
            let on_change = props.on_change.clone();
            Callback::from(move |event: Event| {
                let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                    return;
                };
                let value = select.value();
                // Choosing "your points" without any keeps the target: the drawing buttons
                // below make them.
                if let Ok(next) = try_set(&settings, field, &value)
                    && next != settings
                {
                    on_change.emit(next);
                }
            })
        };
        let current = link::text(settings, field);
        let node = MENUS
            .iter()
            .position(|&f| f == field)
            .map(|i| refs[i].clone())
            .unwrap_or_default();
        let id = format!("field-gan-{}", field.key());
        html! {
            <div class="field">
                <label for={id.clone()}>{field_name(lang, field)}</label>
                <select id={id} ref={node} {onchange}>
                    { for options(lang, field).into_iter().map(|(value, label)| html! {
                        <option value={value} selected={value == current}>{label}</option>
                    }) }
                </select>
            </div>
        }
    };
    let number = |field: ToyField, hint: AttrValue, inputmode: &'static str| -> Html {
        html! {
            <NumberField<ToySettings>
                {lang}
                {field}
                label={field_name(lang, field)}
                {hint}
                {inputmode}
                config={settings.clone()}
                on_change={props.on_change.clone()}
            />
        }
    };
    let layers_hint: AttrValue = tf(
        lang,
        "gan.form.layers_hint",
        &[
            ("min_layers", &LAYERS.0.to_string()),
            ("max_layers", &LAYERS.1.to_string()),
            ("min", &WIDTH.0.to_string()),
            ("max", &WIDTH.1.to_string()),
        ],
    )
    .into();

    html! {
        <form class="controls gan-form" id="gan-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset>
                <legend>{t(lang, "gan.form.data")}</legend>
                { select(ToyField::Target) }
                { select(ToyField::NoiseDim) }
                { select(ToyField::Noise) }
                { number(ToyField::Seed, range(lang, SEED), "numeric") }
            </fieldset>
            <fieldset>
                <legend>{t(lang, "gan.form.generator")}</legend>
                { number(ToyField::GLayers, layers_hint.clone(), "text") }
                { select(ToyField::GActivation) }
                { select(ToyField::GOptimizer) }
                { number(ToyField::GLearningRate, range(lang, LEARNING_RATE), "decimal") }
            </fieldset>
            <fieldset>
                <legend>{t(lang, "gan.form.discriminator")}</legend>
                { number(ToyField::DLayers, layers_hint, "text") }
                { select(ToyField::DActivation) }
                { select(ToyField::DOptimizer) }
                { number(ToyField::DLearningRate, range(lang, LEARNING_RATE), "decimal") }
            </fieldset>
            <fieldset>
                <legend>{t(lang, "gan.form.game")}</legend>
                { select(ToyField::Loss) }
                { number(ToyField::DSteps, range(lang, D_STEPS), "numeric") }
                { number(ToyField::BatchSize, range(lang, BATCH_SIZE), "numeric") }
            </fieldset>
        </form>
    }
}
