//! The transfer lesson's words built from the engine's results (the templates are in
//! `www/i18n`, under `transfer.`).

use kindling_engine::lessons::transfer::config::{Arm, TransferProblem};

use crate::format::percent;
use crate::i18n::{Lang, t, tf};
use crate::lessons::checkpoint_text::Words;
use crate::lessons::transfer::state::{Diverged, TransferState};

/// The words about the experiment's checkpoints and its recovery after the worker stopped.
pub const CHECKPOINTS: Words = Words {
    prefix: "transfer",
    count: "step",
};

/// The checkpoints of the network fine-tuned on the learner's own classes.
pub const OWN_CHECKPOINTS: Words = Words {
    prefix: "transfer.own",
    count: "step",
};

pub fn arm_name(lang: Lang, arm: Arm) -> String {
    t(lang, &format!("transfer.arm.{}", arm.name()))
}

/// "10", or "all".
pub fn labels_text(lang: Lang, labels: u32) -> String {
    if labels == 0 {
        t(lang, "transfer.labels.all")
    } else {
        labels.to_string()
    }
}

pub fn problem(lang: Lang, problem: TransferProblem) -> String {
    let key = match problem {
        TransferProblem::LabelsPerClass => "labels_per_class",
        TransferProblem::Steps => "steps",
        TransferProblem::Batch => "batch",
        TransferProblem::LearningRate => "learning_rate",
        TransferProblem::BackboneMultiplier => "backbone_multiplier",
        TransferProblem::HeadFirst => "head_first",
    };
    t(lang, &format!("transfer.problem.{key}"))
}

/// Why the run paused when a loss stopped being a number, naming the arms it happened in.
pub fn diverged(lang: Lang, diverged: &Diverged) -> String {
    let arms: Vec<String> = diverged
        .arms
        .iter()
        .map(|&arm| {
            tf(
                lang,
                "transfer.diverged_arm",
                &[("arm", &arm_name(lang, arm))],
            )
        })
        .collect();
    tf(
        lang,
        "transfer.diverged",
        &[
            ("step", &diverged.step.to_string()),
            ("arms", &arms.join(&t(lang, "transfer.diverged_separator"))),
            ("good", &diverged.good_step.to_string()),
        ],
    )
}

/// One sentence on what the finished run showed: how far feature extraction got beyond
/// training from scratch, and which arm did best.
pub fn verdict(lang: Lang, state: &TransferState) -> Option<String> {
    let (settings, _) = state.results.as_ref()?;
    let scratch = state.accuracy(Arm::Scratch)?;
    let extract = state.accuracy(Arm::Extract)?;
    let (best, best_accuracy) = state.best()?;
    let lead = (extract - scratch) * 100.0;
    let key = if lead > 0.0 {
        "transfer.verdict.gain"
    } else {
        "transfer.verdict.no_gain"
    };
    Some(tf(
        lang,
        key,
        &[
            ("labels", &labels_text(lang, settings.labels_per_class)),
            ("steps", &settings.steps.to_string()),
            ("scratch", &percent(scratch as f64)),
            ("extract", &percent(extract as f64)),
            ("lead", &format!("{:.1}", lead.abs())),
            ("best", &arm_name(lang, best)),
            ("best_accuracy", &percent(best_accuracy as f64)),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::transfer::state::TransferAction;
    use kindling_engine::lessons::transfer::TransferSettings;
    use kindling_engine::lessons::transfer::config::ArmResult;
    use kindling_engine::lessons::transfer::messages::TransferEvent;

    fn finished(accuracies: [f32; 4]) -> TransferState {
        let mut state = TransferState::default();
        let results = Arm::ALL
            .iter()
            .zip(accuracies)
            .map(|(&arm, accuracy)| ArmResult {
                arm,
                accuracy,
                loss: 1.0,
                steps: 120,
                trained: 1,
                frozen: 1,
                elapsed_ms: 1.0,
            })
            .collect();
        state.reduce(TransferAction::Event(TransferEvent::Finished {
            settings: TransferSettings::default(),
            results,
        }));
        state
    }

    #[test]
    fn a_divergence_names_its_step_arms_and_good_step_in_each_language() {
        let blown = Diverged {
            step: 31,
            arms: vec![Arm::Scratch, Arm::Everything],
            good_step: 17,
            good_steps: Vec::new(),
        };
        let en = diverged(Lang::En, &blown);
        for part in [
            "step 31",
            "“From scratch”, “Fine-tune everything”",
            "learning rate",
            "NaN",
            "step 17",
        ] {
            assert!(en.contains(part), "{part} in {en}");
        }
        let zh = diverged(Lang::Zh, &blown);
        for part in ["第 31 步", "“从头训练”、“全部微调”", "学习率", "第 17 步"]
        {
            assert!(zh.contains(part), "{part} in {zh}");
        }
    }

    #[test]
    fn the_verdict_states_the_numbers_of_the_run() {
        assert_eq!(verdict(Lang::En, &TransferState::default()), None);
        let text = verdict(Lang::En, &finished([0.412, 0.734, 0.75, 0.801])).unwrap();
        let steps = format!("{} steps", TransferSettings::default().steps);
        for part in ["10 labelled", &steps, "41.2%", "73.4%", "32.2 points"] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(text.contains("Fine-tune everything"), "{text}");
        let text = verdict(Lang::Zh, &finished([0.8, 0.7, 0.6, 0.5])).unwrap();
        assert!(text.contains("10.0") && text.contains("80.0%"), "{text}");
        assert_ne!(
            verdict(Lang::En, &finished([0.8, 0.7, 0.6, 0.5])).unwrap(),
            text
        );
    }
}
