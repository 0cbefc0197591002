//! The detection run kept in this browser (issue 14): one for the lesson, of either level (its
//! checkpoint says which), with the curves and live scores up to its checkpoint; resumed after a
//! reload, it comes back at its level and settings, paused, as a run recovered from a stopped
//! worker does.

use std::rc::Rc;

use kindling_engine::lessons::detect::resume::{DetectCurves, KeptDetectRun};

use crate::lessons::detect::state::{DetectState, Run};
use crate::lessons::kept_run::{KeepsRun, KeptRun};
use crate::widgets::series::Series;

/// The key the detection run is kept under in the browser.
pub const KEPT_KEY: &str = "detect";

/// What the run drew up to `step`, as a kept run holds it.
pub fn curves_to_keep(run: &Run, step: u64) -> DetectCurves {
    fn upto<T: Copy>(points: &[(u64, T)], step: u64) -> Vec<(u64, T)> {
        points.iter().copied().filter(|&(s, _)| s <= step).collect()
    }
    DetectCurves {
        losses: upto(&run.losses.points, step),
        scores: upto(&run.scores, step),
        maps: upto(&run.maps, step),
        unfrozen_at: run.unfrozen_at.filter(|&at| at <= step),
    }
}

impl Run {
    /// The run a kept run was kept from, as it was drawn at its checkpoint (the worker's answer
    /// sets its counts).
    pub fn from_kept(kept: &KeptDetectRun) -> Self {
        let (checkpoint, curves) = (&kept.checkpoint, &kept.curves);
        let mut run = Run::new(checkpoint.settings.clone(), checkpoint.level, 0, 0);
        run.first = checkpoint.first;
        run.losses = Rc::new(Series::from_points(curves.losses.clone()));
        run.scores = curves.scores.clone();
        run.maps = curves.maps.clone();
        run.unfrozen_at = curves.unfrozen_at;
        run
    }
}

impl DetectState {
    /// The run to keep in the browser: its latest checkpoint and what was drawn up to it.
    pub fn to_keep(&self) -> Option<KeptDetectRun> {
        let checkpoint = self.checkpoints.latest.as_ref()?.0.as_ref().clone();
        let curves = self
            .run
            .as_ref()
            .map(|run| curves_to_keep(run, checkpoint.step))
            .unwrap_or_default();
        Some(KeptDetectRun::new(checkpoint, curves))
    }

    /// Sends the kept run's checkpoint to the worker; the lesson moves to its level and settings,
    /// and the run on screen gives way to it.
    pub(super) fn resume_kept(&mut self) {
        let Some(kept) = self.kept.take() else {
            return;
        };
        let checkpoint = &kept.checkpoint;
        self.level = checkpoint.level;
        self.settings = checkpoint.settings.clone();
        self.refused.clear();
        self.unusable.clear();
        self.rejected.clear();
        self.asked = None;
        self.running = false;
        self.run = None;
        self.shown.clear();
        self.shown_many.clear();
        self.detected = None;
        self.detected_many = None;
        self.card = None;
        self.file_note = None;
        self.checkpoints.restore(checkpoint.clone());
        self.restoring = Some(kept);
        self.requests.resume += 1;
    }
}

impl KeepsRun for DetectState {
    type Run = KeptDetectRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptDetectRun> {
        &self.kept
    }

    fn run_to_keep(&self) -> Option<(u64, Vec<u8>)> {
        let run = self.to_keep()?;
        Some((run.checkpoint.step, run.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::common::resume::KeptRunError;
    use kindling_engine::lessons::detect::config::{DetectEvaluation, DetectSettings, StepLosses};
    use kindling_engine::lessons::detect::data::Level;
    use kindling_engine::lessons::detect::messages::DetectEvent;
    use kindling_engine::lessons::detect::resume::DetectCheckpoint;

    use crate::i18n::Lang;
    use crate::lessons::checkpoint_text::DETECT;
    use crate::lessons::checkpoints::Recovery;
    use crate::lessons::detect::state::DetectAction;
    use crate::lessons::kept_run::{KeepMessage, KeptAction, KeptInBrowser};

    fn event(event: DetectEvent) -> DetectAction {
        DetectAction::Event(event)
    }

    fn kept(action: KeptAction) -> DetectAction {
        DetectAction::Kept(action)
    }

    fn losses(total: f32) -> StepLosses {
        StepLosses {
            total,
            class: total / 2.0,
            boxes: total / 4.0,
        }
    }

    fn settings() -> DetectSettings {
        DetectSettings {
            steps: 100,
            seed: 7,
            ..DetectSettings::default()
        }
    }

    fn checkpoint(level: Level, step: u64) -> DetectAction {
        event(DetectEvent::Checkpoint {
            checkpoint: Box::new(DetectCheckpoint {
                level,
                settings: settings(),
                first: 0,
                step,
                elapsed_ms: 900.0,
                losses: Some(losses(step as f32)),
                model: vec![1],
                optimizer: vec![2],
            }),
        })
    }

    fn resumed(step: u64) -> DetectAction {
        event(DetectEvent::Resumed {
            step,
            steps: 100,
            trained: 5,
            frozen: 7,
        })
    }

    /// A run of 100 steps at `level`, trained to step 30 with a point every 10 steps, a live
    /// score at 10 and 30 and the backbone unfrozen at 15, its checkpoint at step 20.
    fn trained(level: Level) -> DetectState {
        let mut state = DetectState::default();
        state.reduce(DetectAction::SetLevel(level));
        state.reduce(DetectAction::SetSettings(settings()));
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        for step in [10, 20, 30] {
            state.reduce(event(DetectEvent::Trained {
                step,
                steps: 100,
                losses: losses(step as f32),
                steps_per_second: 5.0,
            }));
            if step != 20 {
                state.reduce(event(DetectEvent::Evaluated {
                    step,
                    evaluation: DetectEvaluation {
                        mean_iou: step as f32 / 100.0,
                        ..DetectEvaluation::default()
                    },
                }));
            }
            if step == 10 {
                state.reduce(event(DetectEvent::Unfrozen {
                    step: 15,
                    trained: 9,
                    frozen: 3,
                }));
            }
        }
        state.reduce(checkpoint(level, 20));
        state
    }

    /// A fresh page (after a reload) at level one with other settings, that found `bytes` kept.
    fn reloaded(bytes: Vec<u8>) -> DetectState {
        let mut page = DetectState::new(DetectSettings::default(), Level::One, Vec::new());
        page.kept.look();
        assert_eq!(page.kept.lookups, 1);
        page.reduce(kept(KeptAction::Looked(Ok(Some(bytes)))));
        page
    }

    #[test]
    fn a_kept_detection_run_holds_what_was_drawn_up_to_its_checkpoint_and_is_kept_once() {
        let mut state = DetectState::default();
        state.reduce(kept(KeptAction::Keep));
        assert_eq!(
            (state.kept.message.clone(), state.kept.keeps),
            (Some(KeepMessage::NothingYet), 0),
            "nothing to keep before the first checkpoint"
        );
        let mut state = trained(Level::One);
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(run.checkpoint.step, 20);
        let steps: Vec<u64> = run.curves.losses.iter().map(|&(s, _)| s).collect();
        assert_eq!(steps, [10, 20], "the loss curves up to the checkpoint");
        assert_eq!(run.curves.losses[1].1, losses(20.0));
        let scores: Vec<u64> = run.curves.scores.iter().map(|&(s, _)| s).collect();
        assert_eq!(scores, [10], "the live scores up to the checkpoint");
        assert_eq!(run.curves.unfrozen_at, Some(15));
        assert_eq!(state.run_to_keep(), Some((20, run.to_bytes())));

        state.reduce(kept(KeptAction::Keep));
        assert_eq!(
            (state.kept.message.clone(), state.kept.keeps),
            (Some(KeepMessage::Keeping), 1)
        );
        state.reduce(kept(KeptAction::Saved(Ok(20))));
        state.reduce(kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1, "that checkpoint is kept already");
        // Paused later: the newer checkpoint is the one a hidden tab keeps.
        state.reduce(checkpoint(Level::One, 30));
        state.reduce(kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2);
        assert_eq!(state.to_keep().map(|r| r.curves.losses.len()), Some(3));
        state.reduce(kept(KeptAction::Saved(Ok(30))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Kept {
                at: 30,
                hidden: true
            })
        );
        // Another run: its first checkpoint is not here yet.
        state.reduce(DetectAction::Run);
        assert_eq!(state.to_keep(), None);
    }

    #[test]
    fn a_kept_run_resumes_after_a_reload_at_its_level_and_settings_with_its_curves_paused() {
        for level in [Level::One, Level::Many] {
            let mut before = trained(level);
            if level == Level::Many {
                let run = before.run.as_mut().unwrap();
                run.maps = vec![(10, 0.2), (30, 0.4)];
            }
            let bytes = before.to_keep().expect("a run to keep").to_bytes();

            let mut page = reloaded(bytes);
            assert!(matches!(page.kept.found, KeptInBrowser::Found(_)));
            page.reduce(DetectAction::Open);
            page.reduce(DetectAction::ResumeKept);
            assert_eq!((page.level, page.settings.clone()), (level, settings()));
            assert_eq!(page.requests.resume, 1, "the checkpoint goes to the worker");
            assert_eq!(page.checkpoints.resume.as_ref().map(|k| k.0.step), Some(20));
            assert!(
                matches!(page.kept.found, KeptInBrowser::Nothing),
                "offered once"
            );
            page.reduce(DetectAction::ResumeKept);
            assert_eq!(page.requests.resume, 1);

            page.reduce(resumed(20));
            assert_eq!(
                page.checkpoints.recovery,
                Some(Recovery::Restored { iterations: 20 })
            );
            assert_eq!(page.checkpoints.latest_iterations(), Some(20));
            assert!(page.detector && !page.running && page.restoring.is_none());
            let run = page.run.as_ref().expect("the kept run");
            assert_eq!(
                (run.level, run.step, run.steps, run.trained, run.frozen),
                (level, 20, 100, 5, 7)
            );
            let steps: Vec<u64> = run.losses.points.iter().map(|&(s, _)| s).collect();
            assert_eq!(steps, [10, 20], "the curves drawn before the reload");
            assert_eq!(run.unfrozen_at, Some(15));
            let scores: Vec<u64> = run.scores.iter().map(|&(s, _)| s).collect();
            assert_eq!(scores, [10]);
            let maps: Vec<(u64, f32)> = run.maps.clone();
            match level {
                Level::One => assert!(maps.is_empty()),
                Level::Many => assert_eq!(maps, [(10, 0.2)]),
            }
            page.reduce(DetectAction::Play);
            assert_eq!(page.requests.play, 1, "it trains on from there");
        }
    }

    #[test]
    fn a_kept_run_lost_with_its_worker_is_sent_again_and_a_new_run_replaces_it() {
        let bytes = trained(Level::One).to_keep().unwrap().to_bytes();
        let mut page = reloaded(bytes.clone());
        page.reduce(DetectAction::ResumeKept);
        page.reduce(DetectAction::WorkerLost);
        assert_eq!(page.requests.resume, 2, "the next worker gets it");
        page.reduce(resumed(20));
        assert_eq!(
            page.checkpoints.recovery,
            Some(Recovery::Restored { iterations: 20 })
        );
        assert_eq!(page.run.as_ref().map(|r| r.losses.points.len()), Some(2));

        // The learner trains a new detector before the worker answers: the answer is stale.
        let mut page = reloaded(bytes.clone());
        page.reduce(DetectAction::ResumeKept);
        page.reduce(DetectAction::Run);
        assert!(page.restoring.is_none() && page.checkpoints.resume.is_none());
        page.reduce(resumed(20));
        assert!(page.run.is_none() && !page.detector);

        // The worker refuses it: said, nothing half restored.
        let mut page = reloaded(bytes);
        page.reduce(DetectAction::ResumeKept);
        let error = kindling_engine::common::resume::ResumeError::BadSettings;
        page.reduce(event(DetectEvent::ResumeFailed {
            error: error.clone(),
        }));
        assert_eq!(page.checkpoints.recovery, Some(Recovery::Failed(error)));
        assert!(page.restoring.is_none() && page.run.is_none());
    }

    #[test]
    fn damaged_or_foreign_kept_bytes_are_said_in_both_languages_not_offered() {
        let run = trained(Level::One).to_keep().unwrap();
        let bytes = run.to_bytes();
        let newer = KeptDetectRun {
            format: run.format + 1,
            ..run
        };
        for (bytes, other_format) in [
            (vec![0xff; 6], false),
            (bytes[..bytes.len() / 2].to_vec(), false),
            (newer.to_bytes(), true),
        ] {
            let mut page = reloaded(bytes);
            let KeptInBrowser::Unreadable(error) = &page.kept.found else {
                panic!("not offered: {:?}", page.kept.found);
            };
            assert_eq!(
                matches!(error, KeptRunError::OtherFormat { .. }),
                other_format
            );
            for lang in Lang::ALL {
                let said = DETECT.kept_problem(lang, &page.kept.found).expect("said");
                assert!(
                    !said.contains('{') && !said.starts_with("detect."),
                    "{said}"
                );
            }
            page.reduce(DetectAction::ResumeKept);
            assert_eq!(page.requests.resume, 0);
        }
    }
}
