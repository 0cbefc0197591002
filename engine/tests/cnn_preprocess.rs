//! Preparing a drawing as MNIST prepared its digits, against expectations worked out by hand.
//! Convention: pixel (r, c) has its centre at (r + 0.5, c + 0.5); the 28 × 28 frame's centre is
//! (14.0, 14.0).

use kindling_engine::lessons::cnn::preprocess::{BOX_SIDE, PreprocessError, preprocess};

const CANVAS: usize = 280;
const SIDE: usize = 28;

/// A 280 × 280 canvas with `value` on rows `rows` × columns `cols`.
fn canvas_with(rects: &[(std::ops::Range<usize>, std::ops::Range<usize>, f32)]) -> Vec<f32> {
    let mut canvas = vec![0f32; CANVAS * CANVAS];
    for (rows, cols, value) in rects {
        for r in rows.clone() {
            for c in cols.clone() {
                canvas[r * CANVAS + c] = *value;
            }
        }
    }
    canvas
}

/// A 28 × 28 image with `value` on rows × cols, 0 elsewhere.
fn expected(rects: &[(std::ops::Range<usize>, std::ops::Range<usize>, f32)]) -> Vec<f32> {
    let mut image = vec![0f32; SIDE * SIDE];
    for (rows, cols, value) in rects {
        for r in rows.clone() {
            for c in cols.clone() {
                image[r * SIDE + c] = *value;
            }
        }
    }
    image
}

fn assert_close(actual: &[f32], expected: &[f32]) {
    assert_eq!(actual.len(), expected.len());
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() < 1e-5,
            "pixel ({}, {}): {a} instead of {e}",
            i / SIDE,
            i % SIDE
        );
    }
}

fn assert_near(actual: [f32; 2], expected: [f32; 2], tolerance: f32) {
    let ok = (actual[0] - expected[0]).abs() <= tolerance
        && (actual[1] - expected[1]).abs() <= tolerance;
    assert!(ok, "{actual:?} is not within {tolerance} of {expected:?}");
}

#[test]
fn off_centre_square_becomes_a_centred_20_by_20_block() {
    // 56 × 56 at the top left: 2.8 canvas pixels an output pixel, exactly 20 × 20 of full ink,
    // centre of mass (10, 10) → shifted by 4.
    let done = preprocess(&canvas_with(&[(10..66, 20..76, 1.0)]), CANVAS).unwrap();
    assert_eq!(done.bbox, [10, 20, 66, 76]);
    assert_close(&done.image, &expected(&[(4..24, 4..24, 1.0)]));
    assert_near(done.center_of_mass, [14.0, 14.0], 1e-4);
    assert_near(done.drawing_center_of_mass, [38.0, 48.0], 1e-4);
}

#[test]
fn vertical_bar_is_20_tall_and_scaled_by_the_same_factor() {
    // 140 × 14: 7 canvas pixels an output pixel → 20 × 2; centre of mass (10, 1) → rows 4..24,
    // columns 13..15.
    let done = preprocess(&canvas_with(&[(20..160, 200..214, 1.0)]), CANVAS).unwrap();
    assert_eq!(done.bbox, [20, 200, 160, 214]);
    assert_close(&done.image, &expected(&[(4..24, 13..15, 1.0)]));
    assert_near(done.center_of_mass, [14.0, 14.0], 1e-4);
}

#[test]
fn wide_rectangle_keeps_its_aspect_ratio() {
    // 40 × 100: 5 canvas pixels an output pixel → 8 × 20; centre of mass (4, 10) → rows 10..18,
    // columns 4..24.
    let done = preprocess(&canvas_with(&[(200..240, 150..250, 1.0)]), CANVAS).unwrap();
    assert_close(&done.image, &expected(&[(10..18, 4..24, 1.0)]));
    assert_near(done.center_of_mass, [14.0, 14.0], 1e-4);
}

#[test]
fn a_single_dot_ends_up_in_the_centre() {
    // A one-pixel box is scaled up to 20 × 20, as MNIST's procedure would.
    let done = preprocess(&canvas_with(&[(250..251, 30..31, 1.0)]), CANVAS).unwrap();
    assert_eq!(done.bbox, [250, 30, 251, 31]);
    assert_close(&done.image, &expected(&[(4..24, 4..24, 1.0)]));
    assert_near(done.drawing_center_of_mass, [250.5, 30.5], 1e-4);
}

#[test]
fn the_centre_of_mass_not_the_box_is_centred() {
    // An L: a 100 × 20 stem (columns 0..20) and a 20 × 80 foot (rows 80..100, columns 20..100).
    // Box 100 × 100, 5 canvas pixels an output pixel: stem rows 0..20 × cols 0..4 (mass 80,
    // centre (10, 2)), foot rows 16..20 × cols 4..20 (mass 64, centre (18, 12)).
    // Centre of mass: (1952/144, 928/144) = (13.556, 6.444) → shift by (0, 8).
    let done = preprocess(
        &canvas_with(&[(0..100, 0..20, 1.0), (80..100, 20..100, 1.0)]),
        CANVAS,
    )
    .unwrap();
    assert_eq!(done.bbox, [0, 0, 100, 100]);
    assert_close(
        &done.image,
        &expected(&[(0..20, 8..12, 1.0), (16..20, 12..28, 1.0)]),
    );
    assert_near(
        done.center_of_mass,
        [1952.0 / 144.0, 928.0 / 144.0 + 8.0],
        1e-4,
    );
    assert_near(done.center_of_mass, [14.0, 14.0], 0.5);
}

#[test]
fn whatever_the_shift_pushes_outside_the_frame_is_clipped() {
    // A 40 × 40 blob with a 4-row line running right: box rows 0..40 × cols 0..200, 10 canvas
    // pixels an output pixel → 4 × 20. Blob: rows 0..4 × cols 0..4 of 1 (mass 16, centre (2, 2));
    // line rows 18..22 falls half in output row 1 and half in row 2: 0.2 on rows 1..3 × cols
    // 4..20 (mass 6.4, centre (2, 12)). Centre of mass (2, 108.8 / 22.4 = 4.857) → shift (12, 9):
    // the line's last column lands on column 28, outside the frame.
    let done = preprocess(
        &canvas_with(&[(0..40, 0..40, 1.0), (18..22, 40..200, 1.0)]),
        CANVAS,
    )
    .unwrap();
    assert_close(
        &done.image,
        &expected(&[(12..16, 9..13, 1.0), (13..15, 13..28, 0.2)]),
    );
    assert!((done.image.iter().sum::<f32>() - (16.0 + 0.2 * 2.0 * 15.0)).abs() < 1e-4);
}

#[test]
fn area_averaging_keeps_thin_strokes_grey_and_conserves_ink() {
    // A one-pixel-wide line 200 long: 10 canvas pixels an output pixel, so the 20 × 1 result is
    // 0.1 grey (nearest-neighbour would give 0 or 1). Centre of mass (10, 0.5) → shift (4, 14).
    let done = preprocess(&canvas_with(&[(40..240, 100..101, 1.0)]), CANVAS).unwrap();
    assert_close(&done.image, &expected(&[(4..24, 14..15, 0.1)]));
    assert_near(done.center_of_mass, [14.0, 14.5], 1e-4);

    // A 70 × 45 box of 0.6: 3.5 canvas pixels an output pixel; the ink scales with the area,
    // 0.6 · 70 · 45 / 3.5², and the last of the 13 columns covers 3 of 3.5 canvas columns.
    let done = preprocess(&canvas_with(&[(100..170, 50..95, 0.6)]), CANVAS).unwrap();
    let total: f32 = done.image.iter().sum();
    assert!((total - 0.6 * 70.0 * 45.0 / 12.25).abs() < 1e-3, "{total}");
    // Columns: 12 of 0.6 and one of 0.6 · 3 / 3.5, centre of mass column 6.433 → shift (4, 8).
    let edge = 0.6 * 3.0 / 3.5;
    assert_close(
        &done.image,
        &expected(&[(4..24, 8..20, 0.6), (4..24, 20..21, edge)]),
    );
    assert_near(done.center_of_mass, [14.0, 14.0], 0.5);
}

#[test]
fn longer_side_is_always_20_and_values_stay_in_range() {
    // A faint, slightly out-of-range scribble: values are clamped to [0, 1].
    let mut canvas = canvas_with(&[(30..200, 60..90, 1.3), (100..120, 90..170, 0.4)]);
    canvas[5] = -0.2;
    let done = preprocess(&canvas, CANVAS).unwrap();
    assert!(done.image.iter().all(|v| (0.0..=1.0).contains(v)));
    let rows_with_ink = (0..SIDE)
        .filter(|r| {
            done.image[r * SIDE..(r + 1) * SIDE]
                .iter()
                .any(|&v| v > 0.0)
        })
        .count();
    assert_eq!(rows_with_ink, BOX_SIDE);
    assert_near(done.center_of_mass, [14.0, 14.0], 0.5);
    // A smaller canvas works the same way.
    let mut small = vec![0f32; 28 * 28];
    small[3 * 28 + 5] = 1.0;
    assert_close(
        &preprocess(&small, 28).unwrap().image,
        &expected(&[(4..24, 4..24, 1.0)]),
    );
}

#[test]
fn nothing_drawn_wrong_sizes_and_nan_are_refused() {
    assert_eq!(
        preprocess(&vec![0.0; CANVAS * CANVAS], CANVAS),
        Err(PreprocessError::Empty)
    );
    // Below the ink threshold counts as nothing.
    assert_eq!(
        preprocess(&vec![0.01; CANVAS * CANVAS], CANVAS),
        Err(PreprocessError::Empty)
    );
    assert_eq!(
        preprocess(&[0.5; 10], CANVAS),
        Err(PreprocessError::WrongLength {
            side: CANVAS,
            expected: CANVAS * CANVAS,
            actual: 10
        })
    );
    assert_eq!(preprocess(&[], 0), Err(PreprocessError::ZeroSide));
    assert!(matches!(
        preprocess(&[1.0], usize::MAX),
        Err(PreprocessError::WrongLength { .. })
    ));
    let mut nan = canvas_with(&[(10..20, 10..20, 1.0)]);
    nan[1234] = f32::NAN;
    assert_eq!(
        preprocess(&nan, CANVAS),
        Err(PreprocessError::NotFinite { index: 1234 })
    );
    nan[1234] = f32::INFINITY;
    assert_eq!(
        preprocess(&nan, CANVAS),
        Err(PreprocessError::NotFinite { index: 1234 })
    );
    let text = PreprocessError::Empty.to_string();
    assert!(text.contains("draw"), "{text}");
    let json = serde_json::to_value(PreprocessError::NotFinite { index: 3 }).unwrap();
    assert_eq!(json, serde_json::json!({ "not_finite": { "index": 3 } }));
}
