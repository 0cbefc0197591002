//! A GAN section's run kept in this browser: "Resume where I left off" when one is kept, "Keep
//! this run" once the section has a run, and what became of either. Both sections (2-D, digits)
//! use it, each with its own ids and kept-run type.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::checkpoint_text::GAN;
use crate::lessons::kept_run::{KeepMessage, KeptInBrowser, KeptRun};

/// What the learner clicked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KeptClick {
    Resume,
    Keep,
}

/// `id`: the section's id prefix (`gan-toy`, `gan-digits`); `at`: a kept run's iteration count;
/// `can_keep`: `None` before the section has a run, else whether it has a checkpoint to keep.
pub fn kept_run<R>(
    lang: Lang,
    id: &str,
    kept: &KeptRun<R>,
    at: impl Fn(&R) -> u64,
    can_keep: Option<bool>,
    on_click: &Callback<KeptClick>,
) -> Html {
    let click = |what: KeptClick| on_click.reform(move |_: MouseEvent| what);
    let resume = match &kept.found {
        KeptInBrowser::Found(run) => {
            let at = at(run);
            html! {
                <button type="button" id={format!("{id}-resume-kept")} class="button primary" data-iterations={at.to_string()} onclick={click(KeptClick::Resume)}>
                    {GAN.resume_kept(lang, at)}
                </button>
            }
        }
        _ => Html::default(),
    };
    let problem = GAN.kept_problem(lang, &kept.found).map(
        |text| html! { <p id={format!("{id}-kept-problem")} class="notice warning" role="status">{text}</p> },
    );
    let message = kept.message.as_ref().map(|m| {
        let at = match m {
            KeepMessage::Kept { at, .. } => Some(at.to_string()),
            _ => None,
        };
        html! { <p id={format!("{id}-kept-message")} class="muted small" role="status" data-iterations={at}>{GAN.keep_message(lang, m)}</p> }
    });
    html! {
        <div class="gan-kept">
            {resume}
            if let Some(has_checkpoint) = can_keep {
                <button type="button" id={format!("{id}-keep")} class="button" disabled={!has_checkpoint} onclick={click(KeptClick::Keep)}>
                    {t(lang, "gan.kept.keep")}
                </button>
                <p class="muted small">{t(lang, "gan.kept.explain")}</p>
            }
            {problem}
            {message}
        </div>
    }
}
