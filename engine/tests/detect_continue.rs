//! A loaded detector trains further: the run starts from its weights and its steps (its curves
//! and counter continue), draws the canvases that follow, and unfreezes counting from there; at
//! both levels.

mod detect_common;

use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::read::read_floats;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::detect::card::{DetectCard, SHIPPED_DETECTOR};
use kindling_engine::lessons::detect::centre_model::CentreDetector;
use kindling_engine::lessons::detect::centre_training::{self, CentreRun};
use kindling_engine::lessons::detect::config::{DetectSettings, HeadKind};
use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::file;
use kindling_engine::lessons::detect::model::parameter_counts;
use kindling_engine::lessons::detect::training::{DetectRun, TEST_SEED};

#[test]
fn the_shipped_detector_trains_further_from_its_own_weights_and_steps() {
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    let path = detect_common::static_path(&format!("models/{SHIPPED_DETECTOR}.safetensors"));
    let bytes = std::fs::read(&path).unwrap();
    let (model, card) = file::load(&bytes, &device).expect("the shipped detector loads");
    let from = card.steps;
    assert!(from > 100, "{from}");
    // The page's form may say another head: the loaded one's shape is kept.
    let asked = DetectSettings {
        head: HeadKind::Pooled,
        hidden: 8,
        steps: 3,
        batch: 8,
        unfreeze_at: Some(2),
        ..DetectSettings::default()
    };
    let mut run = DetectRun::continued(
        model,
        &card.settings,
        asked.clone(),
        from,
        train.clone(),
        test.clone(),
        device.clone(),
    )
    .expect("valid settings");
    assert_eq!(run.settings().head, card.settings.head);
    assert_eq!(run.settings().hidden, card.settings.hidden);
    assert_eq!(
        (run.first_step(), run.steps_done(), run.end_step()),
        (from, from, from + 3)
    );
    assert_eq!(run.unfreeze_step(), Some(from + 2));
    assert!(!run.is_finished());
    let (_, frozen_at_first) = parameter_counts(run.model());

    let (done, losses) = pollster::block_on(run.train_chunk(1, f64::INFINITY));
    let losses = losses.expect("a step's losses");
    assert_eq!((done, run.steps_done()), (1, from + 1));
    // A trained detector's loss, not a fresh one's (about ln 10 = 2.3 for the class).
    assert!(losses.class < 0.5, "{losses:?}");

    // A fresh detector on the same canvases, for comparison.
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let mut fresh = DetectRun::new(
        DetectSettings {
            head: card.settings.head,
            hidden: card.settings.hidden,
            ..asked.clone()
        },
        &backbone,
        network.feature_channels(),
        train,
        test,
        device,
    )
    .unwrap();
    let (_, fresh_losses) = pollster::block_on(fresh.train_chunk(1, f64::INFINITY));
    assert!(fresh_losses.unwrap().class > 1.5, "{fresh_losses:?}");

    while !run.is_finished() {
        pollster::block_on(run.train_chunk(10, f64::INFINITY));
    }
    assert_eq!(run.steps_done(), from + 3);
    // Unfrozen at its second step: the backbone's convolutions train now.
    let (_, frozen_at_end) = parameter_counts(run.model());
    assert!(frozen_at_end < frozen_at_first);
    let score = pollster::block_on(run.evaluate(100));
    assert!(score.class_accuracy > 0.9, "{score:?}");
}

#[test]
fn a_loaded_multi_digit_detector_trains_further_from_its_own_weights_and_steps() {
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let settings = DetectSettings {
        steps: 4,
        batch: 4,
        hidden: 8,
        seed: 3,
        ..DetectSettings::default()
    };
    let mut run = CentreRun::new(
        settings.clone(),
        &backbone,
        network.feature_channels(),
        train.clone(),
        test.clone(),
        device.clone(),
    )
    .unwrap();
    while !run.is_finished() {
        pollster::block_on(run.train_chunk(10, f64::INFINITY));
    }
    let mut card = DetectCard::at_level(Level::Many, settings.clone(), network, TEST_SEED);
    card.steps = run.steps_done();
    let bytes = pollster::block_on(file::save_many(run.model(), card)).unwrap();
    let (model, card) = file::load_many(&bytes, &device).unwrap();

    let asked = DetectSettings {
        hidden: 32,
        steps: 2,
        ..settings
    };
    let mut further = CentreRun::continued(
        model,
        &card.settings,
        asked,
        card.steps,
        train,
        test.clone(),
        device.clone(),
    )
    .unwrap();
    let probe = test;
    assert_eq!(further.settings().hidden, 8);
    assert_eq!(
        (further.first_step(), further.end_step()),
        (4, 6),
        "the steps continue"
    );
    // It holds the loaded weights: the same heat maps as the run that saved them.
    let saved = heat(run.model(), &probe, &device);
    assert_eq!(heat(further.model(), &probe, &device), saved);
    let mut steps = Vec::new();
    while !further.is_finished() {
        pollster::block_on(further.train_chunk(1, f64::INFINITY));
        steps.push(further.steps_done());
    }
    assert_eq!(steps, [5, 6]);
    assert_ne!(
        heat(further.model(), &probe, &device),
        saved,
        "training moved the weights"
    );
}

/// `model`'s heat logits on two level-two test canvases.
fn heat(model: &CentreDetector, test: &Images, device: &Device) -> Vec<f32> {
    let batch = centre_training::batch(test, TEST_SEED, 0..2, device);
    let output = model.valid().forward(batch.canvases.without_autodiff());
    pollster::block_on(read_floats(output.heat))
}
