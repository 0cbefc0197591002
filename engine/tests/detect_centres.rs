//! The multi-digit level: CenterNet-style targets on real level-two canvases, the head's losses
//! on tensors against hand-computed values, its shapes, and that it learns.

mod detect_common;

use std::sync::Mutex;

use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::tensor::{Tensor, TensorData};
use kindling_engine::lessons::detect::centre_model::CentreDetectorConfig;
use kindling_engine::lessons::detect::centre_training::{
    CentreRun, batch, detect_drawn, focal_loss, regression_losses, test_truths,
};
use kindling_engine::lessons::detect::centres::{self, GRID, TOP_K};
use kindling_engine::lessons::detect::config::DetectSettings;
use kindling_engine::lessons::detect::data::{CANVAS, Level, canvas};
use kindling_engine::lessons::detect::map::mean_average_precision;
use kindling_engine::lessons::detect::shapes::{self, Dim};
use kindling_engine::lessons::detect::training::TEST_SEED;

/// burn's CPU backend keeps one global random generator: tests that seed it run one at a time.
static SEEDED: Mutex<()> = Mutex::new(());

fn value(t: Tensor<1>) -> f32 {
    t.into_data().try_to_vec::<f32>().unwrap()[0]
}

fn grid(values: &[f32], channels: usize) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(values.to_vec(), [1, channels, 1, values.len() / channels]),
        &backend::cpu(),
    )
}

#[test]
fn real_canvases_encode_to_targets_that_decode_back_to_their_digits() {
    let (_, test) = detect_common::mnist();
    let (mut detections, mut truths) = (Vec::new(), Vec::new());
    for index in 0..300 {
        let truth = test_truths(&test, index);
        let objects = canvas(&test, Level::Many, TEST_SEED, index).objects;
        assert_eq!(truth.len(), objects.len());
        let targets = centres::encode(&objects);
        // One centre cell per digit.
        assert_eq!(targets.mask.iter().sum::<f32>(), objects.len() as f32);
        let mut found = centres::decode(&targets.heat, &targets.regression, 0.5, TOP_K);
        assert_eq!(found.len(), objects.len(), "canvas {index}");
        // Each digit's box comes back to the pixel, with its class.
        for object in &objects {
            let at = found
                .iter()
                .position(|d| d.class == object.class && d.bbox.decode(CANVAS) == object.bbox)
                .unwrap_or_else(|| panic!("canvas {index}: {object:?} not in {found:?}"));
            found.remove(at);
        }
        detections.push(centres::decode(
            &targets.heat,
            &targets.regression,
            0.5,
            TOP_K,
        ));
        truths.push(truth);
    }
    // Perfect detections score a perfect mAP.
    let report = mean_average_precision(&detections, &truths, 10, 0.5);
    assert!((report.map - 1.0).abs() < 1e-6, "{}", report.map);
    assert_eq!(report.truths, report.detections);
}

#[test]
fn the_focal_loss_matches_a_hand_computed_one() {
    // Three cells of one class: a centre (target 1) with logit 0 (p = 1/2); a neighbour with
    // target 1/2 and logit 0; a far cell (target 0) with logit ln 3 (p = 3/4). One digit.
    //   centre:    −(1 − 1/2)² · ln(1/2)                 = 0.25 · ln 2
    //   neighbour: −(1 − 1/2)⁴ · (1/2)² · ln(1/2)        = ln 2 / 64
    //   far:       −(1 − 0)⁴ · (3/4)² · ln(1/4)          = (9/16) · ln 4
    let logits = grid(&[0.0, 0.0, 3f32.ln()], 1);
    let target = grid(&[1.0, 0.5, 0.0], 1);
    let peaks = grid(&[1.0, 0.0, 0.0], 1);
    let ln2 = 2f32.ln();
    let expected = 0.25 * ln2 + ln2 / 64.0 + 9.0 / 16.0 * 2.0 * ln2;
    let loss = value(focal_loss(logits.clone(), target.clone(), peaks.clone(), 1));
    assert!((loss - expected).abs() < 1e-5, "{loss} vs {expected}");
    // Two digits in the batch halve it.
    let halved = value(focal_loss(logits, target, peaks, 2));
    assert!((halved - expected / 2.0).abs() < 1e-5);
}

#[test]
fn the_size_and_offset_losses_count_only_centre_cells() {
    // Four channels (width, height, offset x, offset y) over two cells; the second cell is no
    // centre, so its wild values do not count. At the centre: width 5 for 4, height 3 for 3.5,
    // offset 0.2 for 0.5 and 0.9 for 0.6 → size |1| + |−0.5| = 1.5, offset 0.3 + 0.3 = 0.6.
    let predicted = grid(&[5.0, 99.0, 3.0, -99.0, 0.2, 9.0, 0.9, -9.0], 4);
    let target = grid(&[4.0, 0.0, 3.5, 0.0, 0.5, 0.0, 0.6, 0.0], 4);
    let mask = grid(&[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0], 4);
    let (size, offset) = regression_losses(predicted, target, mask, 1);
    assert!((value(size) - 1.5).abs() < 1e-5);
    assert!((value(offset) - 0.6).abs() < 1e-5);
}

#[test]
fn the_head_answers_per_cell_and_learns_to_find_several_digits() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    // Shapes: 10 heat maps and 4 regression maps over the 16 × 16 cells; only the head trains.
    let b = batch(&test, 3, 0..2, &device);
    assert_eq!(b.heat.dims(), [2, 10, GRID, GRID]);
    let detector =
        CentreDetectorConfig::new(network.feature_channels(), 8).init(backbone.clone(), &device);
    let output = detector.forward(b.canvases);
    assert_eq!(output.heat.dims(), [2, 10, GRID, GRID]);
    assert_eq!(output.regression.dims(), [2, 4, GRID, GRID]);
    // Two 3 × 3 convolutions 64 → 8 → 8, the heat map 8 → 10 and the regression 8 → 4.
    let head = (64 * 9 * 8 + 8) + (8 * 9 * 8 + 8) + (8 * 10 + 10) + (8 * 4 + 4);
    let mut trained = 0;
    detector.visit(&mut CountTrainable(&mut trained));
    assert_eq!(trained, head);

    let settings = DetectSettings {
        steps: 120,
        batch: 16,
        ..DetectSettings::default()
    };
    let mut run = CentreRun::new(
        settings,
        &backbone,
        network.feature_channels(),
        train,
        test.clone(),
        device.clone(),
    )
    .expect("valid settings");
    let before = pollster::block_on(run.evaluate(100));
    let (_, first) = pollster::block_on(run.train_chunk(10, f64::INFINITY));
    let mut last = None;
    while !run.is_finished() {
        last = pollster::block_on(run.train_chunk(50, f64::INFINITY))
            .1
            .or(last);
    }
    let (first, last) = (first.unwrap(), last.unwrap());
    assert!(last.total < first.total, "{first:?} → {last:?}");
    let (done, none) = pollster::block_on(run.train_chunk(1, f64::INFINITY));
    assert_eq!((done, none), (0, None), "the run is over");
    let after = pollster::block_on(run.evaluate(100));
    println!(
        "mAP@0.5 on 100 canvases: {:.3} before, {:.3} after",
        before.map, after.map
    );
    assert!(before.map < 0.05, "untrained: {}", before.map);
    assert!(after.map > 0.5, "after 120 steps: {}", after.map);
    // A drawn canvas gets what the same test canvas gets; a canvas of another size, nothing.
    let drawn = canvas(&test, Level::Many, TEST_SEED, 0).pixels;
    let found = pollster::block_on(detect_drawn(run.model(), &drawn, &device)).unwrap();
    assert_eq!(found, pollster::block_on(run.predict(0..1))[0]);
    assert!(pollster::block_on(detect_drawn(run.model(), &drawn[1..], &device)).is_none());
}

/// Counts the parameters that require a gradient.
struct CountTrainable<'a>(&'a mut usize);

impl kindling_engine::burn::module::ModuleVisitor for CountTrainable<'_> {
    fn visit_float<const D: usize>(
        &mut self,
        param: &kindling_engine::burn::module::Param<Tensor<D>>,
    ) {
        if param.val().is_require_grad() {
            *self.0 += param.lazy_shape().num_elements();
        }
    }
}

#[test]
fn the_layer_shapes_the_page_shows_are_those_of_a_real_forward_pass() {
    let (_, test) = detect_common::mnist();
    let device = backend::cpu();
    let (backbone, network) = detect_common::shipped_backbone(&device);
    let b = batch(&test, 3, 0..2, &device);
    for hidden in [8, 24] {
        let detector = CentreDetectorConfig::new(network.feature_channels(), hidden)
            .init(backbone.clone(), &device);
        let stages = detector.stages(b.canvases.clone());
        let shown = shapes::centre_detector(&network, hidden);
        assert_eq!(shown.len(), stages.len());
        for (layer, stage) in shown.iter().zip(&stages) {
            let [batch, dims @ ..] = stage.dims();
            assert_eq!(batch, 2);
            let dims: Vec<Dim> = dims.iter().map(|&d| Dim::Size(d)).collect();
            assert_eq!(layer.shape, dims, "{}", layer.name);
        }
        assert_eq!(shown[2].shape[0], Dim::Size(hidden));
    }
}
