//! A run kept in this browser, as every lesson that keeps runs shows it (the CNN, both GAN
//! sections, the playground, detection, the transfer experiment): "Resume where I left off"
//! when one is kept, "Keep this run" once there is a run, and what became of either, in the
//! lesson's words.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::checkpoint_text::Words;
use crate::lessons::kept_run::{KeepMessage, KeptInBrowser, KeptRun};

/// What the learner clicked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeptClick {
    Resume,
    Keep,
}

/// `id`: the ids' prefix (`cnn`, `gan-toy`, `gan-digits`, `playground`, `detect`, `transfer`);
/// `at`: a kept run's step or iteration count, which the buttons and messages carry as
/// `data-step` or `data-iterations` (the lesson's [`Words::count`]); `can_keep`: `None` before
/// there is a run, else whether it has a checkpoint to keep.
pub fn kept_run<R>(
    lang: Lang,
    words: Words,
    id: &str,
    kept: &KeptRun<R>,
    at: impl Fn(&R) -> u64,
    can_keep: Option<bool>,
    on_click: &Callback<KeptClick>,
) -> Html {
    let click = |what: KeptClick| on_click.reform(move |_: MouseEvent| what);
    // The count as the attribute the lesson's tests read: (data-step, data-iterations).
    let counted = |at: Option<u64>| {
        let at = at.map(|a| a.to_string());
        if words.count == "step" {
            (at, None)
        } else {
            (None, at)
        }
    };
    let resume = match &kept.found {
        KeptInBrowser::Found(run) => {
            let at = at(run);
            let (step, iterations) = counted(Some(at));
            html! {
                <button type="button" id={format!("{id}-resume-kept")} class="button primary" data-step={step} data-iterations={iterations} onclick={click(KeptClick::Resume)}>
                    {words.resume_kept(lang, at)}
                </button>
            }
        }
        _ => Html::default(),
    };
    let problem = words.kept_problem(lang, &kept.found).map(
        |text| html! { <p id={format!("{id}-kept-problem")} class="notice warning" role="status">{text}</p> },
    );
    let message = kept.message.as_ref().map(|m| {
        let (step, iterations) = counted(match m {
            KeepMessage::Kept { at, .. } => Some(*at),
            _ => None,
        });
        html! { <p id={format!("{id}-kept-message")} class="muted small" role="status" data-step={step} data-iterations={iterations}>{words.keep_message(lang, m)}</p> }
    });
    html! {
        <div class="kept-run">
            {resume}
            if let Some(has_checkpoint) = can_keep {
                <button type="button" id={format!("{id}-keep")} class="button" disabled={!has_checkpoint} onclick={click(KeptClick::Keep)}>
                    {t(lang, "kept.keep")}
                </button>
                <p class="muted small">{t(lang, "kept.explain")}</p>
            }
            {problem}
            {message}
        </div>
    }
}
