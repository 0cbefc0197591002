//! The detector: its outputs' shapes, what trains, and that the single-digit head learns.

mod detect_common;

use std::sync::Mutex;

use kindling_engine::backend;
use kindling_engine::lessons::detect::boxes::{RelBox, iou};
use kindling_engine::lessons::detect::config::{DetectSettings, HeadKind};
use kindling_engine::lessons::detect::data::{CANVAS, Level, batch, canvas};
use kindling_engine::lessons::detect::model::{DetectorConfig, parameter_counts};
use kindling_engine::lessons::detect::shapes::{self, Dim};
use kindling_engine::lessons::detect::training::{
    DetectRun, TEST_SEED, detect_drawn, detect_drawn_looking,
};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::ResnetConfig;

/// burn's CPU backend keeps one global random generator: tests that seed it run one at a time.
static SEEDED: Mutex<()> = Mutex::new(());

#[test]
fn both_heads_give_a_class_and_a_box_per_canvas_and_only_the_head_trains_at_first() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let (_, test) = detect_common::mnist();
    let device = backend::cpu();
    device.seed(1);
    let network = ResnetSettings::default();
    let backbone = ResnetConfig::from_settings(&network).init(&device);
    let (x, _, boxes) = batch(&test, 1, 0..3, &device);
    assert_eq!(boxes.dims(), [3, 4]);
    for head in HeadKind::ALL {
        let settings = DetectSettings {
            head,
            hidden: 8,
            ..DetectSettings::default()
        };
        let config = DetectorConfig::from_settings(&settings, network.feature_channels(), 10);
        let detector = config.init(backbone.clone(), &device);
        let output = detector.forward(x.clone());
        assert_eq!(output.logits.dims(), [3, 10]);
        assert_eq!(output.boxes.dims(), [3, 4]);
        // The shapes the page shows are these.
        let layers = shapes::detector(&network, head, 8);
        let shown = |name: &str| {
            layers
                .iter()
                .find(|l| l.name == name)
                .unwrap()
                .shape
                .clone()
        };
        assert_eq!(shown("classes"), [Dim::Size(10)]);
        assert_eq!(shown("box"), [Dim::Size(4)]);
        assert_eq!(
            shown("backbone"),
            backbone.feature_maps(x.clone()).dims()[1..]
                .iter()
                .map(|&d| Dim::Size(d))
                .collect::<Vec<_>>()
        );
        let values: Vec<f32> = output.boxes.into_data().try_to_vec::<f32>().unwrap();
        assert!(values.iter().all(|v| (0.0..=1.0).contains(v)), "{values:?}");
        match head {
            HeadKind::Spatial => {
                // 64 → 64 → 32 → 16: a weight for each of the 16 × 16 positions.
                let heat = output.heat.expect("the spatial head's heat map");
                assert_eq!(heat.dims(), [3, 256]);
                assert_eq!(shown("heat"), [Dim::Size(256)]);
                let sums: Vec<f32> = heat.sum_dim(1).into_data().try_to_vec::<f32>().unwrap();
                assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-4), "{sums:?}");
            }
            HeadKind::Pooled => assert!(output.heat.is_none()),
        }
        // What the page is sent: the same answer as without the heat map, and the heat map
        // (a weight for each of the 16 × 16 positions) for the spatial head only.
        let drawn = canvas(&test, Level::One, 1, 0).pixels;
        let (prediction, heat) =
            pollster::block_on(detect_drawn_looking(&detector, &drawn, &device)).unwrap();
        assert_eq!(
            Some(prediction),
            pollster::block_on(detect_drawn(&detector, &drawn, &device))
        );
        match head {
            HeadKind::Spatial => {
                assert_eq!(heat.len(), 256);
                assert!((heat.iter().sum::<f32>() - 1.0).abs() < 1e-4);
            }
            HeadKind::Pooled => assert!(heat.is_empty()),
        }
        // The head: two 3 × 3 convolutions 64 → 8 → 8, then the class (8 → 10) and the place
        // (8 → 2 sizes, or 8 → 4), and the spatial head's 1 × 1 heat map (8 → 1).
        let convs = (64 * 9 * 8 + 8) + (8 * 9 * 8 + 8);
        let place = if head == HeadKind::Spatial { 2 } else { 4 };
        let heat = if head == HeadKind::Spatial { 9 } else { 0 };
        let head_parameters = convs + (8 * 10 + 10) + (8 * place + place) + heat;
        let (trained, frozen) = parameter_counts(&detector);
        assert_eq!(trained, head_parameters as u64, "{head:?}");
        assert_eq!(frozen, network.parameter_count());
        // Unfrozen: the backbone's convolutions train; its batch norms and unused classifier
        // do not.
        let (trained, frozen) = parameter_counts(&detector.unfreeze_backbone());
        let norms: u64 = 2 * (16 + 2 * 16 + 3 * 32 + 3 * 64);
        let classifier = (64 * 10 + 10) as u64;
        assert_eq!(frozen, norms + classifier);
        assert_eq!(
            trained,
            head_parameters as u64 + network.parameter_count() - frozen
        );
    }
}

#[test]
fn the_single_digit_head_learns_where_and_what_the_digit_is() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let settings = DetectSettings {
        steps: 80,
        batch: 16,
        ..DetectSettings::default()
    };
    let mut run = DetectRun::new(
        settings,
        &backbone,
        network.feature_channels(),
        train,
        test.clone(),
        device.clone(),
    )
    .expect("valid settings");
    let before = pollster::block_on(run.evaluate(200));
    let mut first = None;
    let mut last = None;
    while !run.is_finished() {
        let (_, losses) = pollster::block_on(run.train_chunk(20, f64::INFINITY));
        first = first.or(losses);
        last = losses.or(last);
    }
    assert_eq!(run.steps_done(), 80);
    let after = pollster::block_on(run.evaluate(200));
    // Chance: one class in ten; for the box, the best a network that ignores the canvas can do
    // is about the one box that fits the test boxes best on average, e.g. their mean.
    let truths: Vec<RelBox> = (0..200)
        .map(|i| {
            canvas(&test, Level::One, TEST_SEED, i).objects[0]
                .bbox
                .encode(CANVAS)
        })
        .collect();
    let mean = |f: fn(&RelBox) -> f32| truths.iter().map(f).sum::<f32>() / truths.len() as f32;
    let average = RelBox {
        cx: mean(|b| b.cx),
        cy: mean(|b| b.cy),
        w: mean(|b| b.w),
        h: mean(|b| b.h),
    };
    let blind_iou = truths.iter().map(|t| iou(&average, t)).sum::<f32>() / truths.len() as f32;
    eprintln!("before {before:?}, after {after:?}, the mean box's IoU {blind_iou}");
    assert!(
        after.mean_iou > blind_iou + 0.25 && after.mean_iou > before.mean_iou + 0.25,
        "mean IoU {} (before {}, the mean box {blind_iou})",
        after.mean_iou,
        before.mean_iou
    );
    assert!(
        after.class_accuracy > 0.6 && after.class_accuracy > before.class_accuracy + 0.3,
        "class accuracy {} (before {})",
        after.class_accuracy,
        before.class_accuracy
    );
    let (first, last) = (first.unwrap(), last.unwrap());
    assert!(last.total < first.total, "{first:?} → {last:?}");
    assert_eq!(after.count, 200);
    // A canvas handed over as pixels (as a drawing would be) gets the same answer as the same
    // test canvas; a canvas of another size gets none.
    let drawn = canvas(&test, Level::One, TEST_SEED, 5);
    let from_pixels = pollster::block_on(detect_drawn(run.model(), &drawn.pixels, &device))
        .expect("a 64 × 64 canvas");
    let from_test = pollster::block_on(run.predict([5]))[0];
    assert_eq!(from_pixels.class, from_test.class);
    let (a, b) = (from_pixels.bbox.to_array(), from_test.bbox.to_array());
    assert!(
        a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-5),
        "{a:?} vs {b:?}"
    );
    assert!(pollster::block_on(detect_drawn(run.model(), &[0; 28 * 28], &device)).is_none());
}
