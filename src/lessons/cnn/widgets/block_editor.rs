//! One convolution block in the settings form: filters, kernel, stride, padding and pooling.

use kindling_engine::lessons::cnn::{CnnSettings, Pool};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::fields::{BlockField, CnnInput};
use crate::lessons::cnn::link::{pool_from_name, pool_name};
use crate::widgets::number_field::{FieldTarget, NumberField};
use crate::widgets::synced_select::use_synced_select;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// 0-based.
    pub index: usize,
    pub draft: CnnSettings,
    pub on_change: Callback<CnnSettings>,
    /// (input key, whether its text can be used).
    pub on_valid: Callback<(String, bool)>,
    pub on_remove: Callback<usize>,
}

pub fn range_hint(lang: Lang, (min, max): (f64, f64)) -> AttrValue {
    tf(
        lang,
        "controls.range",
        &[("min", &min.to_string()), ("max", &max.to_string())],
    )
    .into()
}

/// A number input of the CNN form, reporting whether its text is usable.
pub fn number(
    lang: Lang,
    input: CnnInput,
    draft: &CnnSettings,
    on_change: &Callback<CnnSettings>,
    on_valid: &Callback<(String, bool)>,
) -> Html {
    let key = CnnSettings::key(input);
    let on_valid = {
        let on_valid = on_valid.clone();
        Callback::from(move |valid: bool| on_valid.emit((key.clone(), valid)))
    };
    let inputmode = match input {
        CnnInput::Dropout | CnnInput::LearningRate => "decimal",
        _ => "numeric",
    };
    html! {
        <NumberField<CnnSettings>
            {lang}
            field={input}
            label={t(lang, &input.label_key())}
            hint={range_hint(lang, input.range())}
            inputmode={inputmode}
            config={draft.clone()}
            on_change={on_change.clone()}
            {on_valid}
        />
    }
}

#[component]
pub fn CnnBlockEditor(props: &Props) -> Html {
    let lang = props.lang;
    let index = props.index;
    let block = props.draft.blocks.get(index).copied();
    let pool = block.map_or(Pool::None, |b| b.pool);
    let pool_node = use_synced_select(pool_name(pool).to_string());
    let Some(_) = block else {
        return Html::default();
    };

    let on_pool = {
        let draft = props.draft.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |event: Event| {
            let Some(select) = event.target_dyn_into::<HtmlSelectElement>() else {
                return;
            };
            let Some(pool) = pool_from_name(&select.value()) else {
                return;
            };
            let mut next = draft.clone();
            if let Some(block) = next.blocks.get_mut(index) {
                block.pool = pool;
                if block.pool_size == 0 {
                    block.pool_size = 2;
                }
            }
            on_change.emit(next);
        })
    };
    let on_remove = {
        let on_remove = props.on_remove.clone();
        Callback::from(move |_: MouseEvent| on_remove.emit(index))
    };
    let field = |f: BlockField| {
        number(
            lang,
            CnnInput::Block(index, f),
            &props.draft,
            &props.on_change,
            &props.on_valid,
        )
    };
    let select_id = format!("field-cnn-b{}-pool", index + 1);
    let pools = [Pool::Max, Pool::Average, Pool::None];

    html! {
        <fieldset class="block-editor">
            <legend>
                {tf(lang, "cnn.form.block", &[("block", &(index + 1).to_string())])}
            </legend>
            <button
                type="button"
                class="button small remove-block"
                id={format!("cnn-remove-b{}", index + 1)}
                aria-label={tf(lang, "cnn.form.remove_aria", &[("block", &(index + 1).to_string())])}
                onclick={on_remove}
            >
                {t(lang, "cnn.form.remove")}
            </button>
            <div class="block-fields">
                { field(BlockField::Filters) }
                { field(BlockField::Kernel) }
                { field(BlockField::Stride) }
                { field(BlockField::Padding) }
                <div class="field">
                    <label for={select_id.clone()}>{t(lang, "cnn.field.pool")}</label>
                    <select id={select_id} ref={pool_node} onchange={on_pool}>
                        { for pools.into_iter().map(|p| html! {
                            <option value={pool_name(p)} selected={p == pool}>{t(lang, &format!("cnn.pool.{}", pool_name(p)))}</option>
                        }) }
                    </select>
                    <p class="field-error" />
                </div>
                if pool != Pool::None {
                    { field(BlockField::PoolSize) }
                }
            </div>
        </fieldset>
    }
}
