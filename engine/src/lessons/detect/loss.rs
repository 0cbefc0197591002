//! The box losses on tensors, the same formulas as [`super::boxes`] (which the tests compare them
//! with): smooth L1 over the four numbers and 1 − IoU, both averaged over the batch.

use burn::tensor::Tensor;

/// Mean smooth L1 of [B, 4] predicted against [B, 4] target boxes: with m = min(|d|, β),
/// m² / 2β + (|d| − m) is d² / 2β within β and |d| − β/2 beyond, without a branch.
pub fn smooth_l1_loss(predicted: Tensor<2>, target: Tensor<2>, beta: f32) -> Tensor<1> {
    let d = (predicted - target).abs();
    let m = d.clone().clamp_max(beta);
    (m.clone().powf_scalar(2.0).div_scalar(2.0 * beta) + d - m).mean()
}

/// (left, top, right, bottom) of [B, 4] (cx, cy, w, h) boxes, each [B, 1].
fn corners(boxes: Tensor<2>) -> [Tensor<2>; 4] {
    let [batch, _] = boxes.dims();
    let column = |i: usize| boxes.clone().slice([0..batch, i..i + 1]);
    let (cx, cy) = (column(0), column(1));
    let (half_w, half_h) = (
        column(2).clamp_min(0.0).div_scalar(2.0),
        column(3).clamp_min(0.0).div_scalar(2.0),
    );
    [
        cx.clone() - half_w.clone(),
        cy.clone() - half_h.clone(),
        cx + half_w,
        cy + half_h,
    ]
}

/// IoU of each row of [B, 4] boxes with the same row of another, [B, 1] (0 where the union is
/// empty: a tiny constant keeps the division finite).
pub fn iou(a: Tensor<2>, b: Tensor<2>) -> Tensor<2> {
    let [al, at, ar, ab] = corners(a);
    let [bl, bt, br, bb] = corners(b);
    let area_a = (ar.clone() - al.clone()) * (ab.clone() - at.clone());
    let area_b = (br.clone() - bl.clone()) * (bb.clone() - bt.clone());
    let width = (ar.min_pair(br) - al.max_pair(bl)).clamp_min(0.0);
    let height = (ab.min_pair(bb) - at.max_pair(bt)).clamp_min(0.0);
    let intersection = width * height;
    let union = area_a + area_b - intersection.clone();
    intersection / union.clamp_min(1e-9)
}

/// Mean 1 − IoU of [B, 4] predicted against [B, 4] target boxes.
pub fn iou_loss(predicted: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    iou(predicted, target).neg().add_scalar(1.0).mean()
}
