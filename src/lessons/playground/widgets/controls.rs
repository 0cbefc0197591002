//! The playground's settings: data, network and training.

use kindling_engine::common::activation::Activation;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::parse::{self, Problem};
use kindling_engine::datasets::toy2d::DatasetKind;
use kindling_engine::lessons::playground::config;
use kindling_engine::lessons::playground::config::{Field, PlaygroundConfig};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{Lang, field_name, problem_text, t, tf};
use crate::lessons::playground::fields::{error_key, field_text, try_set};
use crate::widgets::number_field::NumberField;
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub config: PlaygroundConfig,
    /// A new, valid configuration.
    pub on_change: Callback<PlaygroundConfig>,
}

fn range_hint(lang: Lang, (min, max): (f64, f64)) -> AttrValue {
    tf(
        lang,
        "controls.range",
        &[("min", &min.to_string()), ("max", &max.to_string())],
    )
    .into()
}

#[component]
pub fn PlaygroundControls(props: &Props) -> Html {
    let lang = props.lang;
    let config = &props.config;
    // A choice the menus could not accept (should not happen, but is shown if it does).
    let select_problem = use_state(|| None::<(Field, Problem)>);

    // Menus follow the configuration even when a link or a reset changes it.
    let refs = [
        (
            Field::Dataset,
            use_synced_select(field_text(config, Field::Dataset)),
        ),
        (
            Field::Activation,
            use_synced_select(field_text(config, Field::Activation)),
        ),
        (
            Field::Optimizer,
            use_synced_select(field_text(config, Field::Optimizer)),
        ),
    ];
    let node_for = |field: Field| {
        refs.iter()
            .find(|(f, _)| *f == field)
            .map(|(_, node)| node.clone())
            .unwrap_or_default()
    };

    let select = |field: Field, options: Vec<(&'static str, String)>| -> Html {
        let onchange = {
            let config = config.clone();
            let on_change = props.on_change.clone();
            let select_problem = select_problem.clone();
            Callback::from(move |event: Event| {
                let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                    return;
                };
                match try_set(&config, field, &select.value()) {
                    Ok(next) => {
                        select_problem.set(None);
                        if next != config {
                            on_change.emit(next);
                        }
                    }
                    Err(problem) => select_problem.set(Some((field, problem))),
                }
            })
        };
        let current = field_text(config, field);
        let problem = select_problem
            .as_ref()
            .filter(|(f, _)| *f == field)
            .map(|(_, p)| problem_text(lang, p));
        let key = field.key();
        html! {
            <div class={classes!("field", problem.is_some().then_some("invalid"))}>
                <label for={format!("field-{key}")}>{field_name(lang, field)}</label>
                <select
                    id={format!("field-{key}")}
                    ref={node_for(field)}
                    {onchange}
                    aria-invalid={if problem.is_some() { "true" } else { "false" }}
                    aria-describedby={format!("error-{}", error_key(field))}
                >
                    { for options.into_iter().map(|(value, label)| html! {
                        <option value={value} selected={value == current}>{label}</option>
                    }) }
                </select>
                <p class="field-error" id={format!("error-{}", error_key(field))} aria-live="polite">
                    {problem.unwrap_or_default()}
                </p>
            </div>
        }
    };

    let number = |field: Field, hint: AttrValue, inputmode: &'static str| -> Html {
        html! {
            <NumberField<PlaygroundConfig>
                {lang}
                {field}
                label={field_name(lang, field)}
                {hint}
                inputmode={inputmode}
                config={config.clone()}
                on_change={props.on_change.clone()}
            />
        }
    };

    let datasets = DatasetKind::ALL
        .iter()
        .map(|d| (d.name(), t(lang, &format!("data.{}", d.name()))))
        .collect();
    let activations = Activation::ALL
        .iter()
        .map(|a| (a.name(), t(lang, &format!("act.{}", a.name()))))
        .collect();
    let optimizers = OptimizerKind::ALL
        .iter()
        .map(|o| (o.name(), t(lang, &format!("opt.{}", o.name()))))
        .collect();

    let layers_hint: AttrValue = tf(
        lang,
        "controls.layers_hint",
        &[
            ("max_layers", &config::LAYERS.1.to_string()),
            ("min", &config::WIDTH.0.to_string()),
            ("max", &config::WIDTH.1.to_string()),
        ],
    )
    .into();

    html! {
        <form class="controls" id="controls" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
            <fieldset>
                <legend>{t(lang, "controls.data")}</legend>
                { select(Field::Dataset, datasets) }
                { number(Field::Noise, range_hint(lang, config::NOISE), "decimal") }
                { number(Field::TrainPercent, range_hint(lang, config::TRAIN_PERCENT), "decimal") }
                { number(Field::Points, range_hint(lang, config::POINTS), "numeric") }
                { number(Field::Seed, range_hint(lang, parse::SEED), "numeric") }
            </fieldset>
            <fieldset>
                <legend>{t(lang, "controls.network")}</legend>
                { number(Field::Layers, layers_hint, "text") }
                { select(Field::Activation, activations) }
            </fieldset>
            <fieldset>
                <legend>{t(lang, "controls.training")}</legend>
                { select(Field::Optimizer, optimizers) }
                { number(Field::LearningRate, range_hint(lang, parse::LEARNING_RATE), "decimal") }
                { number(Field::BatchSize, range_hint(lang, parse::BATCH_SIZE), "numeric") }
            </fieldset>
        </form>
    }
}
