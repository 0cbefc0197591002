//! The detection project's generated canvases and its box losses on tensors.

mod detect_common;

use kindling_engine::backend;
use kindling_engine::burn::tensor::{Tensor, TensorData};
use kindling_engine::lessons::detect::boxes::{self, PixelBox, RelBox};
use kindling_engine::lessons::detect::data::{
    CANVAS, INK, Layered, Level, canvas, ink_box, layered,
};
use kindling_engine::lessons::detect::loss;

/// Asserts that `bbox` holds all of `layer`'s ink and that each of its edges touches ink.
fn assert_tight(layer: &[u8], bbox: &PixelBox, what: &str) {
    for row in 0..CANVAS {
        for col in 0..CANVAS {
            if layer[row * CANVAS + col] > 0 {
                assert!(
                    bbox.contains(col, row),
                    "{what}: ink at ({col}, {row}) outside {bbox:?}"
                );
                assert!(layer[row * CANVAS + col] >= INK, "{what}: faint pixel left");
            }
        }
    }
    let ink = |col: usize, row: usize| layer[row * CANVAS + col] > 0;
    assert!(
        (bbox.left..bbox.right).any(|c| ink(c, bbox.top)),
        "{what}: top edge"
    );
    assert!(
        (bbox.left..bbox.right).any(|c| ink(c, bbox.bottom - 1)),
        "{what}: bottom edge"
    );
    assert!(
        (bbox.top..bbox.bottom).any(|r| ink(bbox.left, r)),
        "{what}: left edge"
    );
    assert!(
        (bbox.top..bbox.bottom).any(|r| ink(bbox.right - 1, r)),
        "{what}: right edge"
    );
    assert_eq!(
        ink_box(layer, CANVAS, CANVAS).as_ref(),
        Some(bbox),
        "{what}"
    );
}

#[test]
fn a_single_digit_canvas_boxes_all_of_its_ink_tightly_at_varied_places_and_sizes() {
    let (train, _) = detect_common::mnist();
    let (mut heights, mut centres) = (Vec::new(), Vec::new());
    for index in 0..300 {
        let Layered { canvas, layers } = layered(&train, Level::One, 5, index);
        assert_eq!(canvas.pixels.len(), CANVAS * CANVAS);
        assert_eq!((canvas.objects.len(), layers.len()), (1, 1));
        // Nothing but the digit on the canvas.
        assert_eq!(canvas.pixels, layers[0], "canvas {index}");
        let object = canvas.objects[0];
        assert!(object.class < 10);
        assert_tight(&layers[0], &object.bbox, &format!("canvas {index}"));
        heights.push(object.bbox.height());
        centres.push(object.bbox.encode(CANVAS).cx);
    }
    // Scales from 0.75 to 1.5 of MNIST's ink (about 20 pixels tall), anywhere on the canvas.
    assert!(heights.iter().any(|&h| h <= 17), "{heights:?}");
    assert!(heights.iter().any(|&h| h >= 27), "{heights:?}");
    assert!(centres.iter().any(|&c| c < 0.3) && centres.iter().any(|&c| c > 0.7));
}

#[test]
fn a_many_digit_canvas_boxes_each_digit_tightly_with_nothing_else_inside() {
    let (train, _) = detect_common::mnist();
    let (mut two_or_more, mut cluttered) = (0, 0);
    for index in 0..200 {
        let Layered { canvas, layers } = layered(&train, Level::Many, 9, index);
        let objects = &canvas.objects;
        assert!((1..=3).contains(&objects.len()), "canvas {index}");
        assert_eq!(objects.len(), layers.len());
        two_or_more += usize::from(objects.len() >= 2);
        for (i, (object, layer)) in objects.iter().zip(&layers).enumerate() {
            let what = format!("canvas {index}, digit {i}");
            assert_tight(layer, &object.bbox, &what);
            // Inside a digit's box the canvas is that digit's ink alone: no clutter, no other
            // digit.
            for row in object.bbox.top..object.bbox.bottom {
                for col in object.bbox.left..object.bbox.right {
                    let p = row * CANVAS + col;
                    assert_eq!(canvas.pixels[p], layer[p], "{what} at ({col}, {row})");
                }
            }
            for other in &objects[i + 1..] {
                let (a, b) = (object.bbox.encode(CANVAS), other.bbox.encode(CANVAS));
                assert_eq!(boxes::iou(&a, &b), 0.0, "{what}: boxes overlap");
            }
        }
        let digit_ink = |p: usize| layers.iter().any(|l| l[p] > 0);
        cluttered +=
            usize::from((0..CANVAS * CANVAS).any(|p| canvas.pixels[p] > 0 && !digit_ink(p)));
    }
    assert!(
        two_or_more >= 190,
        "{two_or_more} of 200 canvases hold two or three digits"
    );
    assert!(cluttered >= 190, "{cluttered} of 200 canvases have clutter");
}

#[test]
fn the_same_seed_and_index_give_the_same_canvas() {
    let (train, test) = detect_common::mnist();
    for level in [Level::One, Level::Many] {
        assert_eq!(canvas(&train, level, 3, 17), canvas(&train, level, 3, 17));
        assert_ne!(canvas(&train, level, 3, 17), canvas(&train, level, 4, 17));
        assert_ne!(canvas(&train, level, 3, 17), canvas(&train, level, 3, 18));
        // The digits come from the set given: the test set's canvases are other canvases.
        assert_ne!(canvas(&train, level, 3, 17), canvas(&test, level, 3, 17));
    }
}

fn rows(values: &[[f32; 4]]) -> Tensor<2> {
    let flat: Vec<f32> = values.iter().flatten().copied().collect();
    Tensor::from_data(TensorData::new(flat, [values.len(), 4]), &backend::cpu())
}

fn value(t: Tensor<1>) -> f32 {
    t.into_data().try_to_vec::<f32>().unwrap()[0]
}

#[test]
fn the_tensor_box_losses_agree_with_the_hand_computed_ones() {
    let predicted = [
        [0.5, 0.5, 0.4, 0.4],
        [0.6, 0.5, 0.1, 0.2],
        [0.1, 0.1, 0.05, 0.05],
    ];
    let target = [
        [0.7, 0.5, 0.4, 0.4],
        [0.5, 0.5, 0.4, 0.2],
        [0.5, 0.5, 0.4, 0.4],
    ];
    // IoU 1/3 (shifted by half a width), 1/4 (one box inside the other) and 0 (apart).
    let ious: Vec<f32> = loss::iou(rows(&predicted), rows(&target))
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    for (i, (p, t)) in predicted.iter().zip(&target).enumerate() {
        let expected = boxes::iou(&RelBox::from_array(*p), &RelBox::from_array(*t));
        assert!(
            (ious[i] - expected).abs() < 1e-5,
            "row {i}: {} vs {expected}",
            ious[i]
        );
    }
    assert!((ious[0] - 1.0 / 3.0).abs() < 1e-5);
    // 0.1 × 0.2 inside 0.4 × 0.2: 0.02 / 0.08.
    assert!((ious[1] - 0.25).abs() < 1e-5);
    assert_eq!(ious[2], 0.0);
    let iou_loss = value(loss::iou_loss(rows(&predicted), rows(&target)));
    let expected = (2.0 / 3.0 + 0.75 + 1.0) / 3.0;
    assert!(
        (iou_loss - expected).abs() < 1e-5,
        "{iou_loss} vs {expected}"
    );
    let smooth = value(loss::smooth_l1_loss(rows(&predicted), rows(&target), 0.1));
    let expected: f32 = predicted
        .iter()
        .zip(&target)
        .map(|(p, t)| boxes::box_smooth_l1(&RelBox::from_array(*p), &RelBox::from_array(*t), 0.1))
        .sum::<f32>()
        / 3.0;
    assert!((smooth - expected).abs() < 1e-5, "{smooth} vs {expected}");
    // By hand, the second row: differences 0.1, 0, −0.3, 0 → (0.05 + 0.25) / 4 = 0.075.
    let second = value(loss::smooth_l1_loss(
        rows(&predicted[1..2]),
        rows(&target[1..2]),
        0.1,
    ));
    assert!((second - 0.075).abs() < 1e-5, "{second}");
}
