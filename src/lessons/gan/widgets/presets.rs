//! Buttons that load a preset, and the chosen preset's explanation.

use yew::prelude::*;

use crate::i18n::{Lang, t};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    /// Each preset's name (its text is under `gan.preset.<name>`).
    pub names: Vec<&'static str>,
    /// The preset the settings are now, if any.
    pub current: Option<&'static str>,
    pub on_choose: Callback<usize>,
}

#[component]
pub fn Presets(props: &Props) -> Html {
    let lang = props.lang;
    html! {
        <div class="gan-presets">
            <div class="preset-buttons" role="group" aria-label={t(lang, "gan.presets")}>
                { for props.names.iter().enumerate().map(|(i, name)| {
                    let on_choose = props.on_choose.clone();
                    let on = props.current == Some(*name);
                    html! {
                        <button
                            type="button"
                            id={format!("gan-preset-{name}")}
                            class={classes!("button", on.then_some("chosen"))}
                            aria-pressed={if on { "true" } else { "false" }}
                            onclick={Callback::from(move |_| on_choose.emit(i))}
                        >
                            {t(lang, &format!("gan.preset.{name}"))}
                        </button>
                    }
                }) }
            </div>
            if let Some(name) = props.current {
                <p id="gan-preset-explain" class="preset-explain">{t(lang, &format!("gan.preset.{name}.explain"))}</p>
            }
        </div>
    }
}
