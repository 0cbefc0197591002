//! The shipped detector (`static/models/mnist-detector`, made by `kindling pretrain
//! mnist-detector`): it loads, meets the detection project's bar on 1,000 test canvases as its
//! card says, finds a digit placed anywhere, and damaged, foreign or misdescribed files are
//! refused with a message.

mod detect_common;

use kindling_engine::backend;
use kindling_engine::common::model_file::{self, ModelFileError, Precision};
use kindling_engine::datasets::mnist::sha256_hex;
use kindling_engine::lessons::detect::boxes::iou;
use kindling_engine::lessons::detect::card::{DETECTOR_BASE, DetectCard, SHIPPED_DETECTOR};
use kindling_engine::lessons::detect::config::{DetectSettings, HeadKind};
use kindling_engine::lessons::detect::data::{CANVAS, Level, canvas};
use kindling_engine::lessons::detect::file;
use kindling_engine::lessons::detect::model::DetectorConfig;
use kindling_engine::lessons::detect::training::{TEST_SEED, detect_drawn, evaluate};
use serde_json::Value;

fn shipped() -> Vec<u8> {
    let path = detect_common::static_path(&format!("models/{SHIPPED_DETECTOR}.safetensors"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn refused(bytes: &[u8]) -> ModelFileError {
    file::load(bytes, &backend::cpu()).expect_err("the file is refused")
}

#[test]
fn the_shipped_detector_meets_the_bar_on_1000_test_canvases_as_its_card_says() {
    let bytes = shipped();
    assert!(bytes.len() <= 1_000_000, "{} bytes", bytes.len());
    let device = backend::cpu();
    let (model, card) = file::load(&bytes, &device).expect("the shipped detector loads");
    assert_eq!(card.base, DETECTOR_BASE);
    assert_eq!(card.settings.head, HeadKind::Spatial);
    assert_eq!(card.test_seed, TEST_SEED);
    assert_eq!(card.steps, u64::from(card.settings.steps));
    assert!(card.training_seconds.is_some_and(|s| s > 0.0));

    let (_, test) = detect_common::mnist();
    let score = pollster::block_on(evaluate(&model, &test, 1000, &device));
    assert_eq!(score.count, 1000);
    assert!(score.mean_iou >= 0.75, "{score:?}");
    assert!(score.class_accuracy >= 0.97, "{score:?}");
    let stated = card.evaluation.expect("the card states its score");
    assert_eq!(stated.count, 1000);
    assert!(
        (stated.mean_iou - score.mean_iou).abs() < 1e-3,
        "{stated:?} {score:?}"
    );
    assert!((stated.class_accuracy - score.class_accuracy).abs() < 2e-3);

    // The .json card beside it describes this file.
    let json = detect_common::static_path(&format!("models/{SHIPPED_DETECTOR}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(json["file_sha256"], sha256_hex(&bytes).as_str());
    assert_eq!(json["file_bytes"], bytes.len());
    assert_eq!(json["model"], "detector");
    let index = detect_common::static_path("models/index.json");
    let index = std::fs::read_to_string(index).unwrap();
    assert!(
        index.contains(&format!("\"{SHIPPED_DETECTOR}\"")),
        "{index}"
    );

    // A digit of a test canvas, copied into an empty canvas as a drawing: boxed where it is.
    let test_canvas = canvas(&test, Level::One, TEST_SEED, 7);
    let truth = test_canvas.objects[0];
    let found = pollster::block_on(detect_drawn(&model, &test_canvas.pixels, &device)).unwrap();
    assert_eq!(found.class, truth.class);
    assert!(
        iou(&found.bbox, &truth.bbox.encode(CANVAS)) > 0.5,
        "{found:?} {truth:?}"
    );
}

#[test]
fn damaged_foreign_and_misdescribed_files_are_refused_with_a_message() {
    let bytes = shipped();
    let words = |e: &ModelFileError| e.to_string();

    for junk in [&b""[..], &b"not a model at all"[..], &[7u8; 64][..]] {
        let error = refused(junk);
        assert_eq!(error, ModelFileError::NotAModel);
        assert!(words(&error).contains("not a Kindling model"));
    }
    assert_eq!(
        refused(&bytes[..bytes.len() / 2]),
        ModelFileError::Truncated
    );
    let mut flipped = bytes.clone();
    let last = flipped.len() - 3;
    flipped[last] ^= 0x40;
    let error = refused(&flipped);
    assert_eq!(error, ModelFileError::ChecksumMismatch);
    assert!(words(&error).contains("damaged"));

    // The backbone's own file is a model, but not a detector.
    let backbone = std::fs::read(detect_common::static_path(&format!(
        "models/{DETECTOR_BASE}.safetensors"
    )))
    .unwrap();
    let error = refused(&backbone);
    assert_eq!(
        error,
        ModelFileError::WrongModel {
            expected: "detector".into(),
            found: "resnet".into()
        }
    );
    assert!(words(&error).contains("\"resnet\""));

    // Intact weights under a card that describes another network: a wider head, the pooled
    // head, settings that cannot be built, canvases of another size.
    let (card, weights) = model_file::decode::<DetectCard>(&bytes).unwrap();
    let recard = |change: &dyn Fn(&mut DetectCard)| {
        let mut other = card.clone();
        change(&mut other);
        model_file::encode(other, &weights, Precision::F32).unwrap()
    };
    let wider = recard(&|c| c.settings.hidden = 32);
    let error = refused(&wider);
    assert!(
        matches!(error, ModelFileError::ShapeMismatch { .. }),
        "{error:?}"
    );
    assert!(words(&error).contains("mix.weight"), "{error}");
    let pooled = recard(&|c| c.settings.head = HeadKind::Pooled);
    assert!(matches!(
        refused(&pooled),
        ModelFileError::ShapeMismatch { .. }
    ));
    let unbuildable = recard(&|c| c.settings.hidden = 0);
    let error = refused(&unbuildable);
    assert!(
        matches!(error, ModelFileError::BadSettings { .. }),
        "{error:?}"
    );
    assert!(words(&error).contains("channels"), "{error}");
    let larger = recard(&|c| c.image = [128, 128]);
    assert!(words(&refused(&larger)).contains("64 × 64"));

    // A detector of another shape saved and loaded back is what it was.
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let settings = DetectSettings {
        hidden: 8,
        head: HeadKind::Pooled,
        ..DetectSettings::default()
    };
    let small = DetectorConfig::from_settings(&settings, network.feature_channels(), 10)
        .init(backbone, &device);
    let card = DetectCard::new(settings.clone(), network, TEST_SEED);
    let saved = pollster::block_on(file::save(&small, card)).unwrap();
    let (loaded, card) = file::load(&saved, &device).unwrap();
    assert_eq!(card.settings, settings);
    let drawn = vec![0u8; CANVAS * CANVAS];
    assert_eq!(
        pollster::block_on(detect_drawn(&loaded, &drawn, &device)),
        pollster::block_on(detect_drawn(&small, &drawn, &device))
    );
}
