//! The multi-digit level's CenterNet-style targets and their decoding, as plain numbers (no
//! burn), so the tests can check them by hand and the page could draw them.
//!
//! The backbone's maps are a [`GRID`] × [`GRID`] grid over the canvas (one cell = 4 pixels).
//! Each digit is a peak in its class's heat map at the cell holding its box's centre, spread as a
//! gaussian over the cells around it; that cell also holds the box's size (in cells) and where in
//! the cell the centre lies (the offset, 0 to 1 across and down). Decoding takes every cell that
//! is a local maximum of its class's map, with a score over a threshold, back to a box.

use super::boxes::{Detection, RelBox};
use super::data::{CANVAS, Object};

/// Cells per side of the head's maps (the backbone's 64 → 16).
pub const GRID: usize = 16;
pub const CELLS: usize = GRID * GRID;
pub const CLASSES: usize = 10;
/// Regression channels per cell: width and height in cells, offset across and down.
pub const REGRESSION: usize = 4;
/// Scores below this are not decoded.
pub const SCORE_THRESHOLD: f32 = 0.05;
/// At most this many detections per canvas, the surest first.
pub const TOP_K: usize = 20;
/// Detections of one class overlapping more than this are suppressed.
pub const NMS_IOU: f32 = 0.5;
/// A digit's gaussian spreads over this share of its box's width and height (a sixth: the bump
/// fades out at the box's edges), at least [`MIN_SPREAD`] cells.
pub const SPREAD_SHARE: f32 = 6.0;
pub const MIN_SPREAD: f32 = 0.5;
/// The heat map's starting bias: sigmoid(−2.19) ≈ 0.1, so at first every cell says "probably
/// nothing" and the focal loss's many empty cells do not swamp the first steps (as CenterNet
/// and RetinaNet start).
pub const HEAT_BIAS: f32 = -2.19;
/// The focal loss's exponents (CenterNet's α and β): (1 − p)^α and p^α weigh down cells the head
/// already gets right, (1 − y)^β cells near a true centre.
pub const FOCAL_ALPHA: f32 = 2.0;
pub const FOCAL_BETA: f32 = 4.0;
/// The size loss's weight against the heat map's (CenterNet's 0.1; the size is in cells), and
/// the offset loss's.
pub const SIZE_WEIGHT: f32 = 0.1;
pub const OFFSET_WEIGHT: f32 = 1.0;
/// The IoU a detection needs with a true box to count in mAP.
pub const MAP_IOU: f32 = 0.5;

/// The heat score every cell starts at: sigmoid([`HEAT_BIAS`]).
pub fn starting_score() -> f32 {
    1.0 / (1.0 + (-HEAT_BIAS).exp())
}

/// What the head is trained towards on one canvas, each row-major over the grid.
#[derive(Clone, Debug, PartialEq)]
pub struct CentreTargets {
    /// [CLASSES, GRID, GRID]: 1 at each digit's centre cell, a gaussian around it, the largest
    /// where two overlap.
    pub heat: Vec<f32>,
    /// [REGRESSION, GRID, GRID]: width and height in cells, offset x and y in the cell; set only
    /// at centre cells.
    pub regression: Vec<f32>,
    /// [GRID, GRID]: 1 at the centre cells, where the regression counts.
    pub mask: Vec<f32>,
}

/// The grid cell holding a box's centre, and where in it (0 to 1).
fn centre_cell(bbox: &RelBox) -> (usize, usize, f32, f32) {
    let (x, y) = (bbox.cx * GRID as f32, bbox.cy * GRID as f32);
    let col = (x.floor().max(0.0) as usize).min(GRID - 1);
    let row = (y.floor().max(0.0) as usize).min(GRID - 1);
    (col, row, x - col as f32, y - row as f32)
}

/// The gaussian's spread across and down, in cells, for a box of `w` × `h` cells.
pub fn spread(w: f32, h: f32) -> (f32, f32) {
    (
        (w / SPREAD_SHARE).max(MIN_SPREAD),
        (h / SPREAD_SHARE).max(MIN_SPREAD),
    )
}

/// The targets for a canvas holding `objects`.
pub fn encode(objects: &[Object]) -> CentreTargets {
    let mut heat = vec![0.0f32; CLASSES * CELLS];
    let mut regression = vec![0.0f32; REGRESSION * CELLS];
    let mut mask = vec![0.0f32; CELLS];
    for object in objects {
        let bbox = object.bbox.encode(CANVAS);
        let (col, row, ox, oy) = centre_cell(&bbox);
        let (w, h) = (bbox.w * GRID as f32, bbox.h * GRID as f32);
        let (sx, sy) = spread(w, h);
        let class = &mut heat[object.class as usize * CELLS..][..CELLS];
        for r in 0..GRID {
            for c in 0..GRID {
                let (dx, dy) = (c as f32 - col as f32, r as f32 - row as f32);
                let g = (-(dx * dx) / (2.0 * sx * sx) - (dy * dy) / (2.0 * sy * sy)).exp();
                let cell = &mut class[r * GRID + c];
                *cell = cell.max(g);
            }
        }
        let at = row * GRID + col;
        for (channel, value) in [w, h, ox, oy].into_iter().enumerate() {
            regression[channel * CELLS + at] = value;
        }
        mask[at] = 1.0;
    }
    CentreTargets {
        heat,
        regression,
        mask,
    }
}

/// The box a cell's regression describes.
fn cell_box(col: usize, row: usize, regression: &[f32]) -> RelBox {
    let at = row * GRID + col;
    let value = |channel: usize| regression[channel * CELLS + at];
    let g = GRID as f32;
    RelBox {
        cx: (col as f32 + value(2)) / g,
        cy: (row as f32 + value(3)) / g,
        w: value(0).max(0.0) / g,
        h: value(1).max(0.0) / g,
    }
}

/// The detections of one canvas from its heat map's scores (after the sigmoid, [CLASSES, GRID,
/// GRID]) and its regression ([REGRESSION, GRID, GRID]): every cell at least as high as its
/// eight neighbours in its class's map and at least `threshold`, the `top_k` surest, then
/// per-class non-maximum suppression at [`NMS_IOU`].
pub fn decode(heat: &[f32], regression: &[f32], threshold: f32, top_k: usize) -> Vec<Detection> {
    let mut found = Vec::new();
    for class in 0..CLASSES {
        let map = &heat[class * CELLS..][..CELLS];
        for row in 0..GRID {
            for col in 0..GRID {
                let score = map[row * GRID + col];
                if score < threshold {
                    continue;
                }
                let peak = (row.saturating_sub(1)..(row + 2).min(GRID)).all(|r| {
                    (col.saturating_sub(1)..(col + 2).min(GRID)).all(|c| map[r * GRID + c] <= score)
                });
                if peak {
                    found.push(Detection {
                        bbox: cell_box(col, row, regression),
                        class: class as u8,
                        score,
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(top_k);
    super::boxes::nms(&found, NMS_IOU)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::detect::boxes::PixelBox;

    fn object(class: u8, left: usize, top: usize, right: usize, bottom: usize) -> Object {
        Object {
            class,
            bbox: PixelBox {
                left,
                top,
                right,
                bottom,
            },
        }
    }

    #[test]
    fn a_digit_becomes_a_peak_with_its_size_and_offset_at_its_centre_cell() {
        // Columns 10..30, rows 20..44: centre (20, 32) px = (5, 8) cells, exactly a cell's
        // corner, so offset (0, 0); size 20 × 24 px = 5 × 6 cells.
        let targets = encode(&[object(7, 10, 20, 30, 44)]);
        let at = 8 * GRID + 5;
        assert_eq!(targets.heat[7 * CELLS + at], 1.0);
        assert_eq!(targets.mask[at], 1.0);
        assert_eq!(targets.mask.iter().sum::<f32>(), 1.0);
        let reg = |ch: usize| targets.regression[ch * CELLS + at];
        assert_eq!([reg(0), reg(1), reg(2), reg(3)], [5.0, 6.0, 0.0, 0.0]);
        // Spread 5/6 across, 1 down: one cell to the right exp(−1 / (2 · 25/36)) = exp(−0.72).
        let right = targets.heat[7 * CELLS + at + 1];
        assert!((right - (-0.72f32).exp()).abs() < 1e-6, "{right}");
        // One cell down: exp(−1/2).
        let below = targets.heat[7 * CELLS + at + GRID];
        assert!((below - (-0.5f32).exp()).abs() < 1e-6, "{below}");
        // Other classes' maps stay empty.
        assert!(targets.heat[..7 * CELLS].iter().all(|&v| v == 0.0));
        assert!(targets.heat[8 * CELLS..].iter().all(|&v| v == 0.0));
    }

    #[test]
    fn encoded_targets_decode_back_to_the_same_boxes_and_classes() {
        // Centres off the cells' corners: (9.5, 12.5) px → cell (2, 3), offset (0.375, 0.125).
        let objects = [
            object(3, 1, 2, 18, 23),
            object(3, 40, 4, 60, 30),
            object(8, 20, 36, 41, 62),
        ];
        let targets = encode(&objects);
        let mut decoded = decode(&targets.heat, &targets.regression, 0.5, TOP_K);
        // All three peaks score 1; sort by class then x to compare.
        decoded.sort_by(|a, b| {
            (a.class, a.bbox.cx)
                .partial_cmp(&(b.class, b.bbox.cx))
                .unwrap()
        });
        assert_eq!(decoded.len(), 3, "{decoded:?}");
        for (detection, object) in decoded.iter().zip(&objects) {
            assert_eq!(detection.class, object.class);
            assert_eq!(detection.score, 1.0);
            assert_eq!(detection.bbox.decode(CANVAS), object.bbox);
        }
    }

    #[test]
    fn decoding_keeps_local_peaks_over_the_threshold_and_suppresses_overlaps() {
        let mut heat = vec![0.0f32; CLASSES * CELLS];
        let mut regression = vec![0.0f32; REGRESSION * CELLS];
        // Class 2: a peak 0.9 at (4, 4) beside 0.6 at (5, 4), which is no peak; 0.7 at (6, 4)
        // is a peak of its own (its neighbours 0.6 and 0); 0.04 at (12, 12) is under the
        // threshold. All boxes 4 × 4 cells with no offset, so (4, 4) and (6, 4) overlap by
        // IoU 8/24 = 1/3: both kept at 0.5.
        for (col, row, score) in [(4, 4, 0.9), (5, 4, 0.6), (6, 4, 0.7), (12, 12, 0.04)] {
            heat[2 * CELLS + row * GRID + col] = score;
        }
        // Width and height 4 cells everywhere.
        regression[..2 * CELLS].fill(4.0);
        let decoded = decode(&heat, &regression, SCORE_THRESHOLD, TOP_K);
        let found: Vec<(f32, f32, f32)> = decoded
            .iter()
            .map(|d| (d.bbox.cx * 16.0, d.bbox.cy * 16.0, d.score))
            .collect();
        assert_eq!(found, vec![(4.0, 4.0, 0.9), (6.0, 4.0, 0.7)]);
        // Boxes 8 cells wide: (4, 4) spans 0..8 and (6, 4) 2..10 across, 4 down, so they
        // share 6 × 4 of 8 × 4 + 8 × 4 − 24 = 40: IoU 0.6 > 0.5, and the 0.7 goes.
        regression[..CELLS].fill(8.0);
        let decoded = decode(&heat, &regression, SCORE_THRESHOLD, TOP_K);
        assert_eq!(decoded.len(), 1);
        assert_eq!(decoded[0].score, 0.9);
        // top_k 1 of two separate peaks keeps the surer.
        heat[5 * CELLS + 10 * GRID + 10] = 0.95;
        let decoded = decode(&heat, &regression, SCORE_THRESHOLD, 1);
        assert_eq!((decoded.len(), decoded[0].class), (1, 5));
    }
}
