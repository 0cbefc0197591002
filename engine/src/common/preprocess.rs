//! Turning a drawing (a digit, or any shape a learner draws or uploads) into an MNIST-style
//! 28 × 28 image, the way MNIST itself was made:
//! crop to the ink, scale the crop so its longer side is 20 pixels (keeping its aspect ratio,
//! averaging areas so thin strokes keep their grey levels), then place it in a 28 × 28 frame
//! so that its centre of mass sits at the frame's centre.
//!
//! Coordinates: pixel (row r, column c) covers the square [r, r + 1) × [c, c + 1), so its centre
//! is (r + 0.5, c + 0.5). The frame's centre is therefore (14.0, 14.0), and every centre of mass
//! here is measured the same way.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Side of the frame every network here reads (MNIST's).
pub const IMAGE_SIDE: usize = 28;

/// Side of the square the crop is scaled into (MNIST: 20 in a 28 frame).
pub const BOX_SIDE: usize = 20;
/// Pixels brighter than this count as ink when finding the bounding box.
pub const INK_THRESHOLD: f32 = 0.05;

/// A drawing made ready for the network, and what the page draws to show how.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Preprocessed {
    /// 28 × 28 row-major intensities in [0, 1].
    pub image: Vec<f32>,
    /// The ink's bounding box on the canvas: [top, left, bottom, right], bottom and right
    /// exclusive.
    pub bbox: [usize; 4],
    /// Centre of mass of the drawing's intensities inside the bounding box, [row, col] on the
    /// canvas.
    pub drawing_center_of_mass: [f32; 2],
    /// Centre of mass of `image`, [row, col]; within half a pixel of (14, 14) unless part of the
    /// digit was clipped at the frame's edge.
    pub center_of_mass: [f32; 2],
}

/// Why a drawing cannot be prepared.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PreprocessError {
    /// Nothing is drawn (every pixel is at or below the ink threshold).
    Empty,
    /// The canvas has side 0.
    ZeroSide,
    /// The number of values is not side × side.
    WrongLength {
        side: usize,
        expected: usize,
        actual: usize,
    },
    /// A value is NaN or infinite.
    NotFinite { index: usize },
}

impl fmt::Display for PreprocessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "nothing is drawn yet: draw a digit first"),
            Self::ZeroSide => write!(f, "the canvas has no pixels"),
            Self::WrongLength {
                side,
                expected,
                actual,
            } => write!(
                f,
                "a {side} × {side} canvas has {expected} pixels, but the drawing has {actual} values"
            ),
            Self::NotFinite { index } => write!(f, "pixel {index} of the drawing is not a number"),
        }
    }
}

impl std::error::Error for PreprocessError {}

/// Prepares a `side × side` row-major drawing of intensities (0 = background, 1 = ink; values
/// outside [0, 1] are clamped) as MNIST prepared its digits.
pub fn preprocess(pixels: &[f32], side: usize) -> Result<Preprocessed, PreprocessError> {
    if side == 0 {
        return Err(PreprocessError::ZeroSide);
    }
    let expected = side.saturating_mul(side);
    if pixels.len() != expected {
        return Err(PreprocessError::WrongLength {
            side,
            expected,
            actual: pixels.len(),
        });
    }
    if let Some(index) = pixels.iter().position(|v| !v.is_finite()) {
        return Err(PreprocessError::NotFinite { index });
    }
    let canvas: Vec<f32> = pixels.iter().map(|v| v.clamp(0.0, 1.0)).collect();
    let [top, left, bottom, right] = ink_box(&canvas, side).ok_or(PreprocessError::Empty)?;
    let (rows, cols) = (bottom - top, right - left);
    let crop: Vec<f32> = (top..bottom)
        .flat_map(|r| canvas[r * side + left..r * side + right].iter().copied())
        .collect();
    let [crop_row, crop_col] = center_of_mass(&crop, cols).ok_or(PreprocessError::Empty)?;

    // One scale for both axes keeps the aspect ratio: the longer side becomes exactly 20.
    let longer = rows.max(cols);
    let (out_rows, out_cols) = (scaled_len(rows, longer), scaled_len(cols, longer));
    let per_pixel = longer as f64 / BOX_SIDE as f64;
    // Rows, then columns through transposes: [rows, cols] → [out_rows, cols] → [cols, out_rows]
    // → [out_cols, out_rows] → [out_rows, out_cols].
    let tall = resample_rows(&crop, cols, out_rows, per_pixel);
    let wide = resample_rows(
        &transpose(&tall, out_rows, cols),
        out_rows,
        out_cols,
        per_pixel,
    );
    let scaled = transpose(&wide, out_cols, out_rows);

    // Shift by whole pixels, rounded, so the centre of mass lands within half a pixel of the
    // frame's centre; whatever falls outside the frame is clipped.
    let [com_row, com_col] = center_of_mass(&scaled, out_cols).ok_or(PreprocessError::Empty)?;
    let centre = IMAGE_SIDE as f32 / 2.0;
    let (shift_row, shift_col) = (
        (centre - com_row).round() as isize,
        (centre - com_col).round() as isize,
    );
    let mut image = vec![0f32; IMAGE_SIDE * IMAGE_SIDE];
    for r in 0..out_rows {
        for c in 0..out_cols {
            let (tr, tc) = (r as isize + shift_row, c as isize + shift_col);
            if (0..IMAGE_SIDE as isize).contains(&tr) && (0..IMAGE_SIDE as isize).contains(&tc) {
                image[tr as usize * IMAGE_SIDE + tc as usize] =
                    scaled[r * out_cols + c].clamp(0.0, 1.0);
            }
        }
    }
    let center_of_mass = center_of_mass(&image, IMAGE_SIDE).unwrap_or([centre; 2]);
    Ok(Preprocessed {
        image,
        bbox: [top, left, bottom, right],
        drawing_center_of_mass: [top as f32 + crop_row, left as f32 + crop_col],
        center_of_mass,
    })
}

/// [top, left, bottom, right) of the pixels above the ink threshold; None when there are none.
fn ink_box(canvas: &[f32], side: usize) -> Option<[usize; 4]> {
    let mut found: Option<[usize; 4]> = None;
    for (i, &v) in canvas.iter().enumerate() {
        if v > INK_THRESHOLD {
            let (r, c) = (i / side, i % side);
            let b = found.get_or_insert([r, c, r + 1, c + 1]);
            *b = [b[0].min(r), b[1].min(c), b[2].max(r + 1), b[3].max(c + 1)];
        }
    }
    found
}

/// Length of a side of `len` pixels once the longer side `longer` becomes 20, rounded up so a
/// partly covered last pixel is kept (it gets a proportionally lighter grey).
fn scaled_len(len: usize, longer: usize) -> usize {
    (len * BOX_SIDE).div_ceil(longer).max(1)
}

/// Resamples the rows of a `cols`-wide image to `out_rows` rows, each the area average of the
/// `per_pixel` source rows it covers (fractional overlaps weighted; rows past the end are 0).
fn resample_rows(image: &[f32], cols: usize, out_rows: usize, per_pixel: f64) -> Vec<f32> {
    let rows = image.len() / cols;
    let mut out = vec![0f32; out_rows * cols];
    for o in 0..out_rows {
        let (start, end) = (o as f64 * per_pixel, (o + 1) as f64 * per_pixel);
        let first = start.floor() as usize;
        let last = (end.ceil() as usize).min(rows);
        for r in first..last {
            let overlap = (end.min(r as f64 + 1.0) - start.max(r as f64)).max(0.0);
            let weight = (overlap / per_pixel) as f32;
            for c in 0..cols {
                out[o * cols + c] += weight * image[r * cols + c];
            }
        }
    }
    out
}

/// A `rows × cols` row-major image → its `cols × rows` transpose.
fn transpose(image: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0f32; image.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = image[r * cols + c];
        }
    }
    out
}

/// Intensity-weighted mean [row, col] of pixel centres (r + 0.5, c + 0.5); None without mass.
fn center_of_mass(image: &[f32], cols: usize) -> Option<[f32; 2]> {
    let (mut mass, mut row, mut col) = (0f64, 0f64, 0f64);
    for (i, &v) in image.iter().enumerate() {
        let v = v as f64;
        mass += v;
        row += v * ((i / cols) as f64 + 0.5);
        col += v * ((i % cols) as f64 + 0.5);
    }
    (mass > 0.0).then(|| [(row / mass) as f32, (col / mass) as f32])
}
