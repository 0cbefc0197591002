//! The drawing pad's square of grey levels made into the detector's 64 × 64 canvas: each canvas
//! pixel is the mean of the pad pixels under it, so a digit stays where it was drawn and keeps
//! its size relative to the square (no centring, unlike the CNN lesson's MNIST preparation).

/// `drawing` (`side` × `side` grey levels in [0, 1], row-major) as `canvas` × `canvas` bytes
/// (0 = background). None for a drawing of another size or a blank one.
pub fn to_canvas(drawing: &[f32], side: usize, canvas: usize) -> Option<Vec<u8>> {
    if side == 0 || canvas == 0 || drawing.len() != side * side {
        return None;
    }
    // The pad pixels [start, end) under canvas pixel `i` along one axis.
    let span = |i: usize| {
        (
            i * side / canvas,
            ((i + 1) * side / canvas).max(i * side / canvas + 1),
        )
    };
    let mut pixels = Vec::with_capacity(canvas * canvas);
    for row in 0..canvas {
        let (top, bottom) = span(row);
        for col in 0..canvas {
            let (left, right) = span(col);
            let mut sum = 0.0f32;
            for r in top..bottom {
                sum += drawing[r * side + left..r * side + right]
                    .iter()
                    .sum::<f32>();
            }
            let mean = sum / ((bottom - top) * (right - left)) as f32;
            pixels.push((mean.clamp(0.0, 1.0) * 255.0).round() as u8);
        }
    }
    pixels.iter().any(|&p| p > 0).then_some(pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stroke_keeps_its_place_and_a_blank_pad_is_nothing() {
        // A 10 × 10 pad with its bottom-right 5 × 5 quarter inked, to a 2 × 2 canvas.
        let mut pad = vec![0.0; 100];
        for r in 5..10 {
            for c in 5..10 {
                pad[r * 10 + c] = 1.0;
            }
        }
        assert_eq!(to_canvas(&pad, 10, 2), Some(vec![0, 0, 0, 255]));
        // 280 → 64 (not a whole ratio): half-inked blocks give mid grey, and every pad pixel
        // lands in exactly one canvas pixel.
        let mut pad = vec![0.0; 280 * 280];
        pad[0] = 1.0;
        pad[280 * 280 - 1] = 1.0;
        let canvas = to_canvas(&pad, 280, 64).unwrap();
        assert_eq!(canvas.len(), 64 * 64);
        assert!(canvas[0] > 0 && canvas[64 * 64 - 1] > 0);
        assert_eq!(canvas.iter().filter(|&&p| p > 0).count(), 2);
        assert_eq!(to_canvas(&vec![0.0; 100], 10, 2), None);
        assert_eq!(to_canvas(&[1.0; 3], 10, 2), None);
    }
}
