//! Editing the CNN: blocks, classifier and training settings. Every change is checked at once
//! (the architecture above follows the draft); "Apply" starts a new run and is only possible
//! when the draft can be trained.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use kindling_engine::common::activation::Activation;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::config::{IMAGE_SIDE, MAX_BLOCKS};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::fields::{CnnInput, next_block};
use crate::lessons::cnn::text::problem;
use crate::lessons::cnn::widgets::block_editor::{CnnBlockEditor, number};
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub draft: CnnSettings,
    pub applied: CnnSettings,
    pub on_draft: Callback<CnnSettings>,
    pub on_apply: Callback<()>,
}

#[component]
pub fn CnnSettingsForm(props: &Props) -> Html {
    let lang = props.lang;
    let draft = &props.draft;
    // Inputs whose text cannot be used right now (their last good value is in the draft).
    let unusable: Rc<RefCell<HashSet<String>>> = use_mut_ref(HashSet::new);
    let redraw = use_force_update();
    {
        // A new run, or blocks added or removed: the inputs show the draft's values again.
        let unusable = unusable.clone();
        use_effect_with((props.applied.clone(), draft.blocks.len()), move |_| {
            unusable.borrow_mut().clear()
        });
    }
    let on_valid = {
        let unusable = unusable.clone();
        Callback::from(move |(key, valid): (String, bool)| {
            let changed = if valid {
                unusable.borrow_mut().remove(&key)
            } else {
                unusable.borrow_mut().insert(key)
            };
            if changed {
                redraw.force_update();
            }
        })
    };

    let act_node = use_synced_select(draft.activation.name().to_string());
    let opt_node = use_synced_select(draft.optimizer.name().to_string());

    let problems = draft.validate_for(IMAGE_SIDE, IMAGE_SIDE);
    let text_problems = !unusable.borrow().is_empty();
    let can_apply = problems.is_empty() && !text_problems;

    let edit = |change: fn(&mut CnnSettings, &str)| {
        let draft = draft.clone();
        let on_draft = props.on_draft.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event.target_dyn_into::<HtmlSelectElement>() {
                let mut next = draft.clone();
                change(&mut next, &select.value());
                on_draft.emit(next);
            }
        })
    };
    let on_activation = edit(|s, v| {
        if let Some(a) = Activation::from_name(v) {
            s.activation = a;
        }
    });
    let on_optimizer = edit(|s, v| {
        if let Some(o) = OptimizerKind::from_name(v) {
            s.optimizer = o;
        }
    });
    let on_add = {
        let draft = draft.clone();
        let on_draft = props.on_draft.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = draft.clone();
            next.blocks.push(next_block(&next.blocks));
            on_draft.emit(next);
        })
    };
    let on_remove = {
        let draft = draft.clone();
        let on_draft = props.on_draft.clone();
        Callback::from(move |index: usize| {
            let mut next = draft.clone();
            if index < next.blocks.len() {
                next.blocks.remove(index);
            }
            on_draft.emit(next);
        })
    };
    let on_revert = {
        let applied = props.applied.clone();
        let on_draft = props.on_draft.clone();
        let unusable = unusable.clone();
        Callback::from(move |_: MouseEvent| {
            unusable.borrow_mut().clear();
            on_draft.emit(applied.clone());
        })
    };
    let on_submit = {
        let on_apply = props.on_apply.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if can_apply {
                on_apply.emit(());
            }
        })
    };
    let field = |input: CnnInput| number(lang, input, draft, &props.on_draft, &on_valid);

    html! {
        <form class="controls cnn-form" id="cnn-settings" onsubmit={on_submit}>
            <fieldset>
                <legend>{t(lang, "cnn.form.blocks")}</legend>
                <p class="field-hint">{tf(lang, "cnn.form.blocks_hint", &[("max", &MAX_BLOCKS.to_string())])}</p>
                { for (0..draft.blocks.len()).map(|index| html! {
                    <CnnBlockEditor
                        key={index}
                        {lang}
                        {index}
                        draft={draft.clone()}
                        on_change={props.on_draft.clone()}
                        on_valid={on_valid.clone()}
                        on_remove={on_remove.clone()}
                    />
                }) }
                <button type="button" id="cnn-add-block" class="button small" disabled={draft.blocks.len() >= MAX_BLOCKS} onclick={on_add}>
                    {t(lang, "cnn.form.add")}
                </button>
            </fieldset>
            <fieldset>
                <legend>{t(lang, "cnn.form.classifier")}</legend>
                { field(CnnInput::Dense) }
                { field(CnnInput::Dropout) }
                <div class="field">
                    <label for="field-cnn-act">{t(lang, "cnn.field.act")}</label>
                    <select id="field-cnn-act" ref={act_node} onchange={on_activation}>
                        { for Activation::ALL.iter().map(|a| html! {
                            <option value={a.name()} selected={*a == draft.activation}>{t(lang, &format!("act.{}", a.name()))}</option>
                        }) }
                    </select>
                    <p class="field-error" />
                </div>
            </fieldset>
            <fieldset>
                <legend>{t(lang, "controls.training")}</legend>
                <div class="field">
                    <label for="field-cnn-opt">{t(lang, "cnn.field.opt")}</label>
                    <select id="field-cnn-opt" ref={opt_node} onchange={on_optimizer}>
                        { for OptimizerKind::ALL.iter().map(|o| html! {
                            <option value={o.name()} selected={*o == draft.optimizer}>{t(lang, &format!("opt.{}", o.name()))}</option>
                        }) }
                    </select>
                    <p class="field-error" />
                </div>
                { field(CnnInput::LearningRate) }
                { field(CnnInput::BatchSize) }
                { field(CnnInput::Epochs) }
                { field(CnnInput::Seed) }
            </fieldset>
            <div id="cnn-settings-error" class={classes!("settings-problems", (problems.is_empty() && !text_problems).then_some("empty"))} role="alert" aria-live="polite">
                if !problems.is_empty() {
                    <p>{t(lang, "cnn.form.problems")}</p>
                    <ul>
                        { for problems.iter().map(|p| html! { <li>{problem(lang, p)}</li> }) }
                    </ul>
                } else if text_problems {
                    <p>{t(lang, "cnn.form.fix_fields")}</p>
                }
            </div>
            <div class="form-actions">
                <button type="submit" id="cnn-apply" class="button primary" disabled={!can_apply}>
                    {t(lang, "cnn.form.apply")}
                </button>
                if *draft != props.applied {
                    <button type="button" id="cnn-revert" class="button" onclick={on_revert}>
                        {t(lang, "cnn.form.revert")}
                    </button>
                }
            </div>
            <p class="field-hint">{t(lang, "cnn.form.apply_hint")}</p>
        </form>
    }
}
