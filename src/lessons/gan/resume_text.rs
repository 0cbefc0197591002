//! The GAN lesson's words about a run's checkpoints and about a run recovered after the worker
//! stopped, for both sections (the words are in `www/i18n`, under `gan.checkpoint.`,
//! `gan.recovery.` and `gan.resume_error.`).

use kindling_engine::common::resume::{CHECKPOINT_EVERY_MS, ResumeError};

use crate::i18n::{Lang, t, tf};
use crate::lessons::gan::resume::Recovery;

pub fn resume_error(lang: Lang, error: &ResumeError) -> String {
    match error {
        ResumeError::NotOnThisBackend => t(lang, "gan.resume_error.backend"),
        ResumeError::BadSettings => t(lang, "gan.resume_error.bad_settings"),
        ResumeError::Unreadable { message } => {
            tf(lang, "gan.resume_error.unreadable", &[("message", message)])
        }
        ResumeError::BadStep { step } => tf(
            lang,
            "gan.resume_error.bad_step",
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
            "gan.checkpoint.unavailable",
            &[("reason", &resume_error(lang, error))],
        ),
        (None, Some(iterations)) => tf(
            lang,
            "gan.checkpoint.kept",
            &[
                ("iterations", &iterations.to_string()),
                ("seconds", &seconds),
            ],
        ),
        (None, None) => tf(lang, "gan.checkpoint.none", &[("seconds", &seconds)]),
    }
}

pub fn recovery(lang: Lang, recovery: &Recovery) -> String {
    let at =
        |key: &str, iterations: &u64| tf(lang, key, &[("iterations", &iterations.to_string())]);
    match recovery {
        Recovery::Resuming { iterations } => at("gan.recovery.resuming", iterations),
        Recovery::Resumed { iterations } => at("gan.recovery.resumed", iterations),
        Recovery::Failed(error) => tf(
            lang,
            "gan.recovery.failed",
            &[("reason", &resume_error(lang, error))],
        ),
        Recovery::Lost => t(lang, "gan.recovery.lost"),
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
