//! Mean average precision at an IoU threshold (mAP@0.5), as PASCAL VOC scores detectors since
//! 2010: per class, detections from the surest down are matched to unmatched true boxes of that
//! class on the same canvas (IoU at least the threshold, the best-overlapping one), which gives
//! a precision at every recall; AP is the area under that curve after each precision is raised
//! to the best precision at any higher recall ("all-point interpolation"). mAP is the mean AP
//! over the classes that have true boxes. Plain numbers (no burn): the page shows the result.

use serde::{Deserialize, Serialize};

use super::boxes::{Detection, RelBox, iou};

/// A true object: its class and box.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Truth {
    pub class: u8,
    pub bbox: RelBox,
}

/// One point of a precision–recall curve, after a detection.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct PrPoint {
    /// The detection's score: the curve's point when detections at least this sure are kept.
    pub score: f32,
    pub recall: f32,
    pub precision: f32,
}

/// Detections scored on a set of canvases.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct MapReport {
    /// The mean of `per_class`'s values.
    pub map: f32,
    /// AP of each class; None for a class without true boxes.
    pub per_class: Vec<Option<f32>>,
    /// True boxes and detections counted, all classes.
    pub truths: usize,
    pub detections: usize,
    /// The precision–recall curve of all classes pooled (detections from the surest down), for
    /// the read-out; not what AP is computed from.
    pub curve: Vec<PrPoint>,
}

/// The scores the page's precision–recall read-out is taken at.
pub const READ_OUT_SCORES: [f32; 5] = [0.9, 0.7, 0.5, 0.3, 0.1];

impl MapReport {
    /// The pooled curve's point when only detections scoring at least `score` are kept (the
    /// last detection at or above it), for each of `scores`; None where none is that sure.
    pub fn at_scores(&self, scores: &[f32]) -> Vec<(f32, Option<PrPoint>)> {
        scores
            .iter()
            .map(|&at| (at, self.curve.iter().rev().find(|p| p.score >= at).copied()))
            .collect()
    }

    /// The same report with its curve cut down to the points at [`READ_OUT_SCORES`] (what the
    /// page shows), so it crosses to the page small.
    pub fn summarised(mut self) -> Self {
        self.curve = self
            .at_scores(&READ_OUT_SCORES)
            .into_iter()
            .filter_map(|(_, point)| point)
            .collect();
        self
    }
}

/// The all-point interpolated area under a precision–recall curve given as points in order of
/// falling score (so rising recall).
pub fn interpolated_area(points: &[(f32, f32)]) -> f32 {
    // Each precision raised to the best at any later (higher) recall.
    let mut envelope: Vec<f32> = points.iter().map(|&(_, p)| p).collect();
    for i in (0..envelope.len().saturating_sub(1)).rev() {
        envelope[i] = envelope[i].max(envelope[i + 1]);
    }
    let mut area = 0.0;
    let mut previous = 0.0;
    for (&(recall, _), &precision) in points.iter().zip(&envelope) {
        area += (recall - previous) * precision;
        previous = recall;
    }
    area
}

/// For each detection of `class` from the surest down (over all canvases), whether it is a true
/// positive, and the number of true boxes of `class`.
fn matches(
    detections: &[Vec<Detection>],
    truths: &[Vec<Truth>],
    class: Option<u8>,
    threshold: f32,
) -> (Vec<(f32, bool)>, usize) {
    let wanted = |c: u8| class.is_none_or(|k| k == c);
    let mut ranked: Vec<(usize, Detection)> = detections
        .iter()
        .enumerate()
        .flat_map(|(canvas, ds)| ds.iter().map(move |d| (canvas, *d)))
        .filter(|(_, d)| wanted(d.class))
        .collect();
    // Stable: equal scores keep canvas and list order.
    ranked.sort_by(|a, b| b.1.score.total_cmp(&a.1.score));
    let mut used: Vec<Vec<bool>> = truths.iter().map(|t| vec![false; t.len()]).collect();
    let total = truths.iter().flatten().filter(|t| wanted(t.class)).count();
    let outcomes = ranked
        .into_iter()
        .map(|(canvas, d)| {
            let best = truths
                .get(canvas)
                .into_iter()
                .flatten()
                .enumerate()
                .filter(|(_, t)| t.class == d.class)
                .map(|(i, t)| (i, iou(&d.bbox, &t.bbox)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let hit = match best {
                Some((i, overlap)) if overlap >= threshold && !used[canvas][i] => {
                    used[canvas][i] = true;
                    true
                }
                _ => false,
            };
            (d.score, hit)
        })
        .collect();
    (outcomes, total)
}

/// (score, recall, precision) after each of `outcomes`.
fn curve(outcomes: &[(f32, bool)], total: usize) -> Vec<PrPoint> {
    let mut hits = 0usize;
    outcomes
        .iter()
        .enumerate()
        .map(|(i, &(score, hit))| {
            hits += usize::from(hit);
            PrPoint {
                score,
                recall: hits as f32 / total.max(1) as f32,
                precision: hits as f32 / (i + 1) as f32,
            }
        })
        .collect()
}

/// AP of one class; None when no canvas has a true box of it.
pub fn average_precision(
    detections: &[Vec<Detection>],
    truths: &[Vec<Truth>],
    class: u8,
    threshold: f32,
) -> Option<f32> {
    let (outcomes, total) = matches(detections, truths, Some(class), threshold);
    if total == 0 {
        return None;
    }
    let points: Vec<(f32, f32)> = curve(&outcomes, total)
        .iter()
        .map(|p| (p.recall, p.precision))
        .collect();
    Some(interpolated_area(&points))
}

/// mAP at `threshold` over `classes` classes of the detections on a set of canvases
/// (`detections[i]` and `truths[i]` belong to canvas i).
pub fn mean_average_precision(
    detections: &[Vec<Detection>],
    truths: &[Vec<Truth>],
    classes: usize,
    threshold: f32,
) -> MapReport {
    let per_class: Vec<Option<f32>> = (0..classes)
        .map(|c| average_precision(detections, truths, c as u8, threshold))
        .collect();
    let scored: Vec<f32> = per_class.iter().flatten().copied().collect();
    let (outcomes, total) = matches(detections, truths, None, threshold);
    MapReport {
        map: scored.iter().sum::<f32>() / scored.len().max(1) as f32,
        per_class,
        truths: total,
        detections: outcomes.len(),
        curve: curve(&outcomes, total),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(cx: f32) -> RelBox {
        RelBox {
            cx,
            cy: 0.5,
            w: 0.2,
            h: 0.2,
        }
    }

    fn det(cx: f32, class: u8, score: f32) -> Detection {
        Detection {
            bbox: b(cx),
            class,
            score,
        }
    }

    fn truth(cx: f32, class: u8) -> Truth {
        Truth { class, bbox: b(cx) }
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn interpolation_raises_each_precision_to_the_best_beyond_it() {
        // Recall 0.25, 0.25, 0.5, 0.75 at precision 1, 0.5, 2/3, 0.75: the envelope is
        // 1, 0.75, 0.75, 0.75, so the area is 0.25 · 1 + 0 + 0.25 · 0.75 + 0.25 · 0.75 = 0.625.
        let points = [(0.25, 1.0), (0.25, 0.5), (0.5, 2.0 / 3.0), (0.75, 0.75)];
        assert!(close(interpolated_area(&points), 0.625));
        assert_eq!(interpolated_area(&[]), 0.0);
    }

    #[test]
    fn ap_and_map_match_hand_computed_lists() {
        // Canvas 0 holds two 1s (at x 0.2 and 0.6) and a 4 (at 0.8); canvas 1 holds a 1 (0.4).
        let truths = vec![
            vec![truth(0.2, 1), truth(0.6, 1), truth(0.8, 4)],
            vec![truth(0.4, 1)],
        ];
        // Class 1, from the surest down:
        //   0.9 canvas 0 at 0.2  → hit                     recall 1/3, precision 1
        //   0.8 canvas 0 at 0.21 → the same 1 again: miss  recall 1/3, precision 1/2
        //   0.7 canvas 1 at 0.9  → nothing there: miss     recall 1/3, precision 1/3
        //   0.6 canvas 1 at 0.41 → hit (IoU 0.19/0.21)     recall 2/3, precision 2/4
        // The 1 at 0.6 is never found. Envelope 1, 1/2, 1/2, 1/2 → AP = 1/3 · 1 + 1/3 · 1/2 = 1/2.
        // Class 4: 0.5 at 0.8 in canvas 0 is labelled 7 (a miss for 7, which has no truths and
        // is left out), and 0.3 at 0.8 is a hit: recall 1 at precision 1 → AP 1.
        let detections = vec![
            vec![
                det(0.2, 1, 0.9),
                det(0.21, 1, 0.8),
                det(0.8, 7, 0.5),
                det(0.8, 4, 0.3),
            ],
            vec![det(0.9, 1, 0.7), det(0.41, 1, 0.6)],
        ];
        let one = average_precision(&detections, &truths, 1, 0.5).unwrap();
        assert!(close(one, 0.5), "{one}");
        assert_eq!(average_precision(&detections, &truths, 4, 0.5), Some(1.0));
        assert_eq!(average_precision(&detections, &truths, 7, 0.5), None);
        let report = mean_average_precision(&detections, &truths, 10, 0.5);
        assert!(close(report.map, 0.75), "{}", report.map);
        assert_eq!(report.per_class[7], None);
        assert_eq!((report.truths, report.detections), (4, 6));
        // Pooled: 0.9 hit, 0.8 miss, 0.7 miss, 0.6 hit, 0.5 miss (a 7), 0.3 hit → 3 of 4 found.
        let last = report.curve.last().unwrap();
        assert!(close(last.recall, 0.75) && close(last.precision, 0.5));
        assert!(close(report.curve[3].precision, 0.5) && close(report.curve[3].recall, 0.5));
        // Read at scores: at 0.65 the last kept detection is the 0.7 (recall 1/4, precision
        // 1/3); none scores 0.95; at 0.1 all six are kept.
        let read = report.at_scores(&[0.95, 0.65, 0.1]);
        assert_eq!(read[0], (0.95, None));
        let at = read[1].1.unwrap();
        assert!(at.score == 0.7 && close(at.recall, 0.25) && close(at.precision, 1.0 / 3.0));
        assert_eq!(read[2].1, report.curve.last().copied());
        // Summarised for the page: the points at 0.9, 0.7, 0.5, 0.3 and 0.1, the last of them
        // the 0.3 detection again (no detection scores between 0.1 and 0.3).
        let summary = report.clone().summarised();
        let scores: Vec<f32> = summary.curve.iter().map(|p| p.score).collect();
        assert_eq!(scores, [0.9, 0.7, 0.5, 0.3, 0.3]);
        assert_eq!((summary.map, summary.truths), (report.map, report.truths));
        // At IoU 0.95 the shifted 1 at 0.41 no longer counts: class 1 AP = 1/3 · 1.
        let strict = average_precision(&detections, &truths, 1, 0.95).unwrap();
        assert!(close(strict, 1.0 / 3.0), "{strict}");
    }

    #[test]
    fn no_detections_score_zero_and_perfect_ones_score_one() {
        let truths = vec![vec![truth(0.3, 2)], vec![truth(0.7, 5)]];
        let none = mean_average_precision(&[vec![], vec![]], &truths, 10, 0.5);
        assert_eq!(none.map, 0.0);
        assert!(none.curve.is_empty());
        let perfect = vec![vec![det(0.3, 2, 0.4)], vec![det(0.7, 5, 0.9)]];
        assert_eq!(mean_average_precision(&perfect, &truths, 10, 0.5).map, 1.0);
    }
}
