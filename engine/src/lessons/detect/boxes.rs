//! Boxes as the detector predicts them, relative to the canvas, and what is measured on them:
//! intersection over union, smooth L1, and non-maximum suppression. Plain numbers (no burn), so
//! the page can draw and score boxes too; the losses on tensors are in `loss.rs`.

use serde::{Deserialize, Serialize};

/// A box in pixels of a canvas: columns `left..right` and rows `top..bottom` (the right and
/// bottom edges are exclusive, so a one-pixel box at (3, 5) is `3, 5, 4, 6`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PixelBox {
    pub left: usize,
    pub top: usize,
    pub right: usize,
    pub bottom: usize,
}

impl PixelBox {
    pub fn width(&self) -> usize {
        self.right - self.left
    }

    pub fn height(&self) -> usize {
        self.bottom - self.top
    }

    pub fn contains(&self, col: usize, row: usize) -> bool {
        (self.left..self.right).contains(&col) && (self.top..self.bottom).contains(&row)
    }

    /// The same box relative to a square canvas of `side` pixels.
    pub fn encode(&self, side: usize) -> RelBox {
        let s = side as f32;
        RelBox {
            cx: (self.left + self.right) as f32 / 2.0 / s,
            cy: (self.top + self.bottom) as f32 / 2.0 / s,
            w: self.width() as f32 / s,
            h: self.height() as f32 / s,
        }
    }
}

/// A box relative to the canvas: its centre and size as shares of the canvas's side, each in
/// [0, 1] for a box inside the canvas. The detector's four box outputs are these.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
pub struct RelBox {
    pub cx: f32,
    pub cy: f32,
    pub w: f32,
    pub h: f32,
}

impl RelBox {
    pub fn from_array([cx, cy, w, h]: [f32; 4]) -> Self {
        Self { cx, cy, w, h }
    }

    pub fn to_array(self) -> [f32; 4] {
        [self.cx, self.cy, self.w, self.h]
    }

    /// (left, top, right, bottom) as shares of the side; a negative size counts as none.
    pub fn corners(&self) -> [f32; 4] {
        let (w, h) = (self.w.max(0.0), self.h.max(0.0));
        [
            self.cx - w / 2.0,
            self.cy - h / 2.0,
            self.cx + w / 2.0,
            self.cy + h / 2.0,
        ]
    }

    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    /// In pixels of a canvas of `side`, rounded to the nearest pixel edge and clipped to it.
    pub fn decode(&self, side: usize) -> PixelBox {
        let s = side as f32;
        let edge = |v: f32| (v * s).round().clamp(0.0, s) as usize;
        let [l, t, r, b] = self.corners();
        PixelBox {
            left: edge(l),
            top: edge(t),
            right: edge(r).max(edge(l)),
            bottom: edge(b).max(edge(t)),
        }
    }
}

/// Intersection over union: 1 for the same box, 0 for boxes that do not overlap (or are empty).
pub fn iou(a: &RelBox, b: &RelBox) -> f32 {
    let [al, at, ar, ab] = a.corners();
    let [bl, bt, br, bb] = b.corners();
    let width = (ar.min(br) - al.max(bl)).max(0.0);
    let height = (ab.min(bb) - at.max(bt)).max(0.0);
    let intersection = width * height;
    let union = a.area() + b.area() - intersection;
    if union > 0.0 {
        intersection / union
    } else {
        0.0
    }
}

/// Smooth L1 of one difference: quadratic (d² / 2β) within `beta` of 0, linear (|d| − β/2)
/// beyond, so a far-off box pulls with a bounded gradient and a close one settles smoothly.
pub fn smooth_l1(difference: f32, beta: f32) -> f32 {
    let d = difference.abs();
    if d < beta {
        0.5 * d * d / beta
    } else {
        d - 0.5 * beta
    }
}

/// The mean smooth L1 over a box's four numbers.
pub fn box_smooth_l1(predicted: &RelBox, target: &RelBox, beta: f32) -> f32 {
    let (p, t) = (predicted.to_array(), target.to_array());
    (0..4).map(|i| smooth_l1(p[i] - t[i], beta)).sum::<f32>() / 4.0
}

/// 1 − IoU: 0 for a perfect box, 1 for one that misses.
pub fn iou_loss(predicted: &RelBox, target: &RelBox) -> f32 {
    1.0 - iou(predicted, target)
}

/// One detected object: where, what, and how sure.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub bbox: RelBox,
    pub class: u8,
    pub score: f32,
}

/// Non-maximum suppression: the detections from the most to the least sure, dropping each one
/// whose IoU with a kept detection of the same class exceeds `threshold`. Equal scores keep
/// their input order.
pub fn nms(detections: &[Detection], threshold: f32) -> Vec<Detection> {
    let mut order: Vec<usize> = (0..detections.len()).collect();
    order.sort_by(|&a, &b| detections[b].score.total_cmp(&detections[a].score));
    let mut kept: Vec<Detection> = Vec::new();
    for i in order {
        let candidate = detections[i];
        let suppressed = kept
            .iter()
            .any(|k| k.class == candidate.class && iou(&k.bbox, &candidate.bbox) > threshold);
        if !suppressed {
            kept.push(candidate);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(cx: f32, cy: f32, w: f32, h: f32) -> RelBox {
        RelBox { cx, cy, w, h }
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn a_pixel_box_encodes_to_centre_and_size_and_decodes_back() {
        // Columns 16..48 and rows 8..24 of 64: centre (32, 16) → (0.5, 0.25), size 32 × 16.
        let pixels = PixelBox {
            left: 16,
            top: 8,
            right: 48,
            bottom: 24,
        };
        let encoded = pixels.encode(64);
        assert_eq!(encoded, rel(0.5, 0.25, 0.5, 0.25));
        assert_eq!(encoded.decode(64), pixels);
        // A one-pixel box in the corner.
        let corner = PixelBox {
            left: 63,
            top: 0,
            right: 64,
            bottom: 1,
        };
        assert_eq!(corner.encode(64).decode(64), corner);
        // A box hanging over the edge is clipped when decoded.
        assert_eq!(
            rel(0.0, 1.0, 0.5, 0.5).decode(64),
            PixelBox {
                left: 0,
                top: 48,
                right: 16,
                bottom: 64
            }
        );
    }

    #[test]
    fn iou_matches_hand_computed_overlaps() {
        let a = rel(0.5, 0.5, 0.4, 0.4);
        assert!(close(iou(&a, &a), 1.0));
        // Shifted by half its width: intersection 0.2 × 0.4 = 0.08, union 0.16 + 0.16 − 0.08.
        let b = rel(0.7, 0.5, 0.4, 0.4);
        assert!(close(iou(&a, &b), 0.08 / 0.24));
        assert!(close(iou(&b, &a), iou(&a, &b)));
        // A box inside another: 0.04 / 0.16.
        let inner = rel(0.5, 0.5, 0.2, 0.2);
        assert!(close(iou(&a, &inner), 0.25));
        // Touching edges and apart: nothing shared.
        assert_eq!(iou(&a, &rel(0.9, 0.5, 0.4, 0.4)), 0.0);
        assert_eq!(iou(&a, &rel(0.1, 0.1, 0.05, 0.05)), 0.0);
        // Empty boxes.
        let empty = rel(0.5, 0.5, 0.0, 0.0);
        assert_eq!(iou(&empty, &empty), 0.0);
        assert_eq!(iou(&a, &rel(0.5, 0.5, -0.4, 0.4)), 0.0);
        assert!(close(iou_loss(&a, &b), 1.0 - 1.0 / 3.0));
    }

    #[test]
    fn smooth_l1_is_quadratic_near_zero_and_linear_beyond() {
        assert_eq!(smooth_l1(0.0, 1.0), 0.0);
        assert!(close(smooth_l1(0.5, 1.0), 0.125));
        assert!(close(smooth_l1(-0.5, 1.0), 0.125));
        assert!(close(smooth_l1(1.0, 1.0), 0.5));
        assert!(close(smooth_l1(3.0, 1.0), 2.5));
        assert!(close(smooth_l1(0.05, 0.1), 0.0125));
        assert!(close(smooth_l1(0.3, 0.1), 0.25));
        // Four numbers: differences 0.1, 0, −0.3, 0 with β 0.1 → (0.05 + 0 + 0.25 + 0) / 4.
        let loss = box_smooth_l1(&rel(0.6, 0.5, 0.1, 0.2), &rel(0.5, 0.5, 0.4, 0.2), 0.1);
        assert!(close(loss, 0.075), "{loss}");
    }

    #[test]
    fn nms_keeps_the_surest_of_overlapping_boxes_per_class() {
        let d = |cx: f32, class: u8, score: f32| Detection {
            bbox: rel(cx, 0.5, 0.4, 0.4),
            class,
            score,
        };
        let detections = [
            d(0.5, 3, 0.6),
            d(0.52, 3, 0.9), // IoU with the first 0.38 / 0.42 ≈ 0.9: suppresses it
            d(0.7, 3, 0.8),  // IoU with the second 0.22 / 0.58 ≈ 0.38: kept at 0.5
            d(0.5, 7, 0.5),  // another class: kept
        ];
        let kept = nms(&detections, 0.5);
        assert_eq!(kept, vec![detections[1], detections[2], detections[3]]);
        // A stricter threshold drops the third too.
        let kept = nms(&detections, 0.3);
        assert_eq!(kept, vec![detections[1], detections[3]]);
        assert!(nms(&[], 0.5).is_empty());
    }
}
