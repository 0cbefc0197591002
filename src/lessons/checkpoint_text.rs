//! A lesson's words about a run's checkpoints, about a run recovered after the worker stopped and
//! about a run kept in the browser (the words are in `www/i18n`, under the lesson's
//! `checkpoint.`, `recovery.`, `resume_error.` and `kept.` keys, and the words every lesson's
//! kept run shares under `kept.`: the GAN lesson's sections, the playground, the CNN, detection and
//! the transfer experiment share the code).

use kindling_engine::common::resume::{CHECKPOINT_EVERY_MS, KeptRunError, ResumeError};

use crate::i18n::{Lang, t, tf};
use crate::lessons::checkpoints::Recovery;
use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};

/// Where a lesson's words are: its key prefix, and the name its texts give the count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Words {
    pub prefix: &'static str,
    pub count: &'static str,
}

pub const GAN: Words = Words {
    prefix: "gan",
    count: "iterations",
};

/// The CNN lesson's kept runs (its checkpoints have words of their own: `cnn/text.rs`).
pub const CNN: Words = Words {
    prefix: "cnn",
    count: "step",
};

pub const PLAYGROUND: Words = Words {
    prefix: "playground",
    count: "step",
};

pub const DETECT: Words = Words {
    prefix: "detect",
    count: "step",
};

impl Words {
    fn key(self, rest: &str) -> String {
        format!("{}.{rest}", self.prefix)
    }

    fn at(self, lang: Lang, rest: &str, count: u64, more: &[(&str, &str)]) -> String {
        let count = count.to_string();
        let mut args = vec![(self.count, count.as_str())];
        args.extend_from_slice(more);
        tf(lang, &self.key(rest), &args)
    }

    pub fn resume_error(self, lang: Lang, error: &ResumeError) -> String {
        match error {
            ResumeError::BadSettings => t(lang, &self.key("resume_error.bad_settings")),
            ResumeError::Unreadable { message } => tf(
                lang,
                &self.key("resume_error.unreadable"),
                &[("message", message)],
            ),
            ResumeError::BadStep { step } => self.at(lang, "resume_error.bad_step", *step, &[]),
            ResumeError::NotNumbers => t(lang, &self.key("resume_error.not_numbers")),
        }
    }

    /// The line about the run's checkpoints: how often they are taken, and the latest one's
    /// count.
    pub fn checkpoint_line(
        self,
        lang: Lang,
        count: Option<u64>,
        unavailable: Option<&ResumeError>,
    ) -> String {
        let seconds = (CHECKPOINT_EVERY_MS / 1000.0).to_string();
        match (unavailable, count) {
            (Some(error), _) => tf(
                lang,
                &self.key("checkpoint.unavailable"),
                &[("reason", &self.resume_error(lang, error))],
            ),
            (None, Some(count)) => {
                self.at(lang, "checkpoint.kept", count, &[("seconds", &seconds)])
            }
            (None, None) => tf(lang, &self.key("checkpoint.none"), &[("seconds", &seconds)]),
        }
    }

    pub fn recovery(self, lang: Lang, recovery: &Recovery) -> String {
        match recovery {
            Recovery::Resuming { iterations } => {
                self.at(lang, "recovery.resuming", *iterations, &[])
            }
            Recovery::Resumed { iterations } => self.at(lang, "recovery.resumed", *iterations, &[]),
            Recovery::Restored { iterations } => {
                self.at(lang, "recovery.restored", *iterations, &[])
            }
            Recovery::Failed(error) => tf(
                lang,
                &self.key("recovery.failed"),
                &[("reason", &self.resume_error(lang, error))],
            ),
            Recovery::Lost => t(lang, &self.key("recovery.lost")),
        }
    }

    /// The "Resume where I left off" button's words, for the kept run's checkpoint at `count`.
    pub fn resume_kept(self, lang: Lang, count: u64) -> String {
        self.at(lang, "kept.resume", count, &[])
    }

    pub fn keep_message(self, lang: Lang, message: &KeepMessage) -> String {
        match message {
            KeepMessage::Keeping => t(lang, "kept.keeping"),
            KeepMessage::Kept { at, hidden: false } => self.at(lang, "kept.kept", *at, &[]),
            KeepMessage::Kept { at, hidden: true } => self.at(lang, "kept.kept_hidden", *at, &[]),
            KeepMessage::NothingYet => t(lang, "kept.nothing_yet"),
            KeepMessage::Failed(message) => tf(lang, "kept.failed", &[("message", message)]),
        }
    }

    /// What the page says about a run kept in the browser that it cannot offer; None otherwise.
    pub fn kept_problem<R>(self, lang: Lang, kept: &KeptInBrowser<R>) -> Option<String> {
        Some(match kept {
            KeptInBrowser::Unreadable(KeptRunError::Unreadable { message }) => {
                tf(lang, &self.key("kept.unreadable"), &[("message", message)])
            }
            KeptInBrowser::Unreadable(KeptRunError::OtherFormat { format }) => tf(
                lang,
                &self.key("kept.other_format"),
                &[("format", &format.to_string())],
            ),
            KeptInBrowser::Unavailable(message) => {
                tf(lang, "kept.unavailable", &[("message", message)])
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worded(words: Words, text: &str) {
        assert!(!text.is_empty(), "no words");
        let prefix = format!("{}.", words.prefix);
        assert!(!text.contains('{') && !text.starts_with(&prefix), "{text}");
        assert!(!text.starts_with("kept."), "{text}");
    }

    #[test]
    fn checkpoints_and_recoveries_have_words_in_both_languages() {
        let errors = [
            ResumeError::BadSettings,
            ResumeError::Unreadable {
                message: "x".into(),
            },
            ResumeError::BadStep { step: 9 },
            ResumeError::NotNumbers,
        ];
        use crate::lessons::transfer::text::{CHECKPOINTS, OWN_CHECKPOINTS};

        let mut resumed = Vec::new();
        for words in [GAN, PLAYGROUND, DETECT, CHECKPOINTS, OWN_CHECKPOINTS] {
            let mut seen = Vec::new();
            for lang in Lang::ALL {
                let kept = words.checkpoint_line(lang, Some(1234), None);
                worded(words, &kept);
                assert!(kept.contains("1234") && kept.contains('5'), "{kept}");
                worded(words, &words.checkpoint_line(lang, None, None));
                for error in &errors {
                    worded(words, &words.checkpoint_line(lang, None, Some(error)));
                    worded(
                        words,
                        &words.recovery(lang, &Recovery::Failed(error.clone())),
                    );
                }
                for state in [
                    Recovery::Resuming { iterations: 77 },
                    Recovery::Resumed { iterations: 77 },
                ] {
                    let text = words.recovery(lang, &state);
                    worded(words, &text);
                    assert!(text.contains("77"), "{text}");
                    seen.push(text);
                }
                worded(words, &words.recovery(lang, &Recovery::Lost));
            }
            // Each language its own words.
            assert_ne!(seen[0], seen[2], "{}", words.prefix);
            resumed.push(seen[1].clone());
        }
        // The transfer lesson's own network has words of its own, not the experiment's.
        assert_ne!(resumed[3], resumed[4]);
    }

    #[test]
    fn kept_runs_have_words_in_both_languages() {
        let messages = [
            KeepMessage::Keeping,
            KeepMessage::Kept {
                at: 77,
                hidden: false,
            },
            KeepMessage::Kept {
                at: 77,
                hidden: true,
            },
            KeepMessage::NothingYet,
            KeepMessage::Failed("x".into()),
        ];
        let problems: [KeptInBrowser<()>; 3] = [
            KeptInBrowser::Unreadable(KeptRunError::Unreadable {
                message: "x".into(),
            }),
            KeptInBrowser::Unreadable(KeptRunError::OtherFormat { format: 9 }),
            KeptInBrowser::Unavailable("x".into()),
        ];
        use crate::lessons::transfer::text::CHECKPOINTS as TRANSFER;

        for words in [GAN, CNN, PLAYGROUND, DETECT, TRANSFER] {
            for lang in Lang::ALL {
                for message in &messages {
                    let text = words.keep_message(lang, message);
                    worded(words, &text);
                    if let KeepMessage::Kept { .. } = message {
                        assert!(text.contains("77"), "{text}");
                    }
                }
                for problem in &problems {
                    worded(words, &words.kept_problem(lang, problem).expect("said"));
                }
                assert_eq!(
                    words.kept_problem::<()>(lang, &KeptInBrowser::Nothing),
                    None
                );
                let resume = words.resume_kept(lang, 77);
                worded(words, &resume);
                assert!(resume.contains("77"), "{resume}");
            }
        }
        for words in [GAN, PLAYGROUND, DETECT, TRANSFER] {
            let restored = Lang::ALL.map(|lang| {
                let text = words.recovery(lang, &Recovery::Restored { iterations: 77 });
                worded(words, &text);
                assert!(text.contains("77"), "{text}");
                text
            });
            assert_ne!(restored[0], restored[1], "each language its own words");
        }
        for lang in Lang::ALL {
            for key in ["kept.keep", "kept.explain"] {
                assert_ne!(t(lang, key), key);
            }
        }
    }
}
