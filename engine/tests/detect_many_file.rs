//! The multi-digit detector as a model file: saved and loaded back it finds the same boxes; its
//! card says which head it holds, so a loader for the other head refuses it, and junk, damaged
//! files and cards that misdescribe the weights are refused with a message.

mod detect_common;

use kindling_engine::backend;
use kindling_engine::common::model_file::{self, ModelFileError, Precision};
use kindling_engine::lessons::detect::card::{DetectCard, MapScore};
use kindling_engine::lessons::detect::centre_training::{CentreRun, predict};
use kindling_engine::lessons::detect::config::DetectSettings;
use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::file::{self, LoadedDetector};
use kindling_engine::lessons::detect::training::TEST_SEED;

#[test]
fn a_multi_digit_detector_round_trips_and_the_wrong_head_or_junk_is_refused() {
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let settings = DetectSettings {
        steps: 6,
        batch: 4,
        hidden: 8,
        seed: 5,
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
    .expect("valid settings");
    while !run.is_finished() {
        pollster::block_on(run.train_chunk(10, f64::INFINITY));
    }
    let mut card = DetectCard::at_level(Level::Many, settings.clone(), network.clone(), TEST_SEED);
    card.steps = run.steps_done();
    card.map = Some(MapScore {
        count: 20,
        map: 0.25,
    });
    let bytes = pollster::block_on(file::save_many(run.model(), card)).expect("saved");

    // Loaded back: the same card and the same detections on test canvases.
    let (loaded, card) = file::load_many(&bytes, &device).expect("loads");
    assert_eq!(
        (card.level, card.steps, &card.settings),
        (Level::Many, 6, &settings)
    );
    assert_eq!(
        card.map,
        Some(MapScore {
            count: 20,
            map: 0.25
        })
    );
    let before = pollster::block_on(run.predict(0..6));
    assert!(before.iter().any(|d| !d.is_empty()), "{before:?}");
    let after = pollster::block_on(predict(&loaded, &test, 0..6, &device));
    assert_eq!(before, after);
    // A run holding it scores as the trained run does and has no steps left.
    let held = CentreRun::loaded(
        loaded,
        card.settings.clone(),
        card.steps,
        train,
        test,
        device.clone(),
    );
    assert!(held.is_finished());
    assert_eq!(
        pollster::block_on(held.evaluate(20)),
        pollster::block_on(run.evaluate(20))
    );
    assert!(matches!(
        file::load_any(&bytes, &device),
        Ok((LoadedDetector::Many(_), _))
    ));

    // The single-digit loader refuses it, naming both heads; the shipped single-digit detector
    // is refused by the multi-digit loader the same way.
    let error = file::load(&bytes, &device).expect_err("the wrong head");
    assert_eq!(
        error,
        ModelFileError::WrongModel {
            expected: "single-digit detector".into(),
            found: "multi-digit detector".into()
        }
    );
    let shipped = std::fs::read(detect_common::static_path(
        "models/mnist-detector.safetensors",
    ))
    .unwrap();
    let error = file::load_many(&shipped, &device).expect_err("the wrong head");
    assert!(
        error.to_string().contains("\"single-digit detector\""),
        "{error}"
    );
    assert!(matches!(
        file::load_any(&shipped, &device),
        Ok((LoadedDetector::One(_), card)) if card.level == Level::One
    ));

    // A card that names the other head over these weights: the weights do not fit.
    let (card, weights) = model_file::decode::<DetectCard>(&bytes).unwrap();
    let mut relabelled = card.clone();
    relabelled.level = Level::One;
    let relabelled = model_file::encode(relabelled, &weights, Precision::F32).unwrap();
    let error = file::load_any(&relabelled, &device).expect_err("misdescribed");
    assert!(
        matches!(error, ModelFileError::ShapeMismatch { .. }),
        "{error:?}"
    );
    let mut wider = card.clone();
    wider.settings.hidden = 16;
    let wider = model_file::encode(wider, &weights, Precision::F32).unwrap();
    assert!(matches!(
        file::load_many(&wider, &device),
        Err(ModelFileError::ShapeMismatch { .. })
    ));

    // Junk, a cut file and a flipped bit.
    for junk in [&b""[..], &b"not a model at all"[..]] {
        assert_eq!(
            file::load_many(junk, &device).unwrap_err(),
            ModelFileError::NotAModel
        );
    }
    assert_eq!(
        file::load_many(&bytes[..bytes.len() / 2], &device).unwrap_err(),
        ModelFileError::Truncated
    );
    let mut flipped = bytes.clone();
    let last = flipped.len() - 5;
    flipped[last] ^= 0x10;
    assert_eq!(
        file::load_many(&flipped, &device).unwrap_err(),
        ModelFileError::ChecksumMismatch
    );
}
