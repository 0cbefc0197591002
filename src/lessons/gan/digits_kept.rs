//! The digits section's run kept in this browser: "Resume where I left off" when one is kept,
//! "Keep this run" once the section has started, and what became of either.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::checkpoint_text::GAN;
use crate::lessons::gan::digits_state::{DigitsAction, DigitsState};
use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};

pub fn kept_run(lang: Lang, state: &DigitsState, on_action: &Callback<DigitsAction>) -> Html {
    let act = |make: fn() -> DigitsAction| {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make()))
    };
    let resume = match &state.kept.found {
        KeptInBrowser::Found(run) => {
            let at = run.checkpoint.iterations;
            html! {
                <button type="button" id="gan-digits-resume-kept" class="button primary" data-iterations={at.to_string()} onclick={act(|| DigitsAction::ResumeKept)}>
                    {GAN.resume_kept(lang, at)}
                </button>
            }
        }
        _ => Html::default(),
    };
    let problem = GAN.kept_problem(lang, &state.kept.found).map(
        |text| html! { <p id="gan-digits-kept-problem" class="notice warning" role="status">{text}</p> },
    );
    let message = state.kept.message.as_ref().map(|m| {
        let at = match m {
            KeepMessage::Kept { at, .. } => Some(at.to_string()),
            _ => None,
        };
        html! { <p id="gan-digits-kept-message" class="muted small" role="status" data-iterations={at}>{GAN.keep_message(lang, m)}</p> }
    });
    html! {
        <div class="gan-digits-kept">
            {resume}
            if state.started {
                <button type="button" id="gan-digits-keep" class="button" disabled={state.checkpoints.latest.is_none()} onclick={act(|| DigitsAction::KeepRun)}>
                    {t(lang, "gan.kept.keep")}
                </button>
                <p class="muted small">{t(lang, "gan.kept.explain")}</p>
            }
            {problem}
            {message}
        </div>
    }
}
