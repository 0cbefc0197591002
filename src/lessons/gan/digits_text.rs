//! The digits section's words about its checkpoints and about a run recovered after the worker
//! stopped (the words are in `www/i18n`, under `gan.digits.`).

use kindling_engine::lessons::gan::digits_resume::{CHECKPOINT_EVERY_MS, ResumeError};

use crate::i18n::{Lang, t, tf};
use crate::lessons::gan::digits_state::Recovery;

pub fn resume_error(lang: Lang, error: &ResumeError) -> String {
    match error {
        ResumeError::NotOnThisBackend => t(lang, "gan.digits.resume_error.backend"),
        ResumeError::BadSettings => t(lang, "gan.digits.resume_error.bad_settings"),
        ResumeError::Unreadable { message } => tf(
            lang,
            "gan.digits.resume_error.unreadable",
            &[("message", message)],
        ),
        ResumeError::BadStep { step } => tf(
            lang,
            "gan.digits.resume_error.bad_step",
            &[("iterations", &step.to_string())],
        ),
    }
}

/// The line about the run's checkpoints: how often they are taken, and the latest one's
/// iteration.
pub fn checkpoint_line(
    lang: Lang,
    iterations: Option<u64>,
    unavailable: Option<&ResumeError>,
) -> String {
    let seconds = (CHECKPOINT_EVERY_MS / 1000.0).to_string();
    match (unavailable, iterations) {
        (Some(error), _) => tf(
            lang,
            "gan.digits.checkpoint.unavailable",
            &[("reason", &resume_error(lang, error))],
        ),
        (None, Some(iterations)) => tf(
            lang,
            "gan.digits.checkpoint.kept",
            &[
                ("iterations", &iterations.to_string()),
                ("seconds", &seconds),
            ],
        ),
        (None, None) => tf(lang, "gan.digits.checkpoint.none", &[("seconds", &seconds)]),
    }
}

pub fn recovery(lang: Lang, recovery: &Recovery) -> String {
    let at =
        |key: &str, iterations: &u64| tf(lang, key, &[("iterations", &iterations.to_string())]);
    match recovery {
        Recovery::Resuming { iterations } => at("gan.digits.recovery.resuming", iterations),
        Recovery::Resumed { iterations } => at("gan.digits.recovery.resumed", iterations),
        Recovery::Failed(error) => tf(
            lang,
            "gan.digits.recovery.failed",
            &[("reason", &resume_error(lang, error))],
        ),
        Recovery::Lost => t(lang, "gan.digits.recovery.lost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worded(text: &str) {
        assert!(!text.is_empty(), "no words");
        assert!(!text.contains('{') && !text.starts_with("gan."), "{text}");
    }

    #[test]
    fn checkpoints_and_recoveries_have_words_in_both_languages() {
        let errors = [
            ResumeError::NotOnThisBackend,
            ResumeError::BadSettings,
            ResumeError::Unreadable {
                message: "x".into(),
            },
            ResumeError::BadStep { step: 9 },
        ];
        for lang in Lang::ALL {
            let kept = checkpoint_line(lang, Some(1234), None);
            worded(&kept);
            assert!(kept.contains("1234") && kept.contains('5'), "{kept}");
            worded(&checkpoint_line(lang, None, None));
            for error in &errors {
                worded(&checkpoint_line(lang, None, Some(error)));
                worded(&recovery(lang, &Recovery::Failed(error.clone())));
            }
            for state in [
                Recovery::Resuming { iterations: 77 },
                Recovery::Resumed { iterations: 77 },
            ] {
                let text = recovery(lang, &state);
                worded(&text);
                assert!(text.contains("77"), "{text}");
            }
            worded(&recovery(lang, &Recovery::Lost));
        }
    }
}
