//! The project's data, generated from a seed: 64 × 64 canvases with MNIST digits placed at random
//! positions and scales, each with its class and the tight box of its ink. Level one holds one
//! digit; level two holds two or three that do not overlap, plus clutter (pieces of strokes cut
//! from other digits) outside their boxes. Canvas `index` of a seed is always the same canvas.

use serde::{Deserialize, Serialize};

use super::boxes::PixelBox;
use crate::datasets::mnist::Images;
use crate::rng::Rng;

/// The canvas's side in pixels.
pub const CANVAS: usize = 64;
/// A pixel of at least this value is ink; fainter ones are cleared, so a box's edges are where
/// the ink visibly ends.
pub const INK: u8 = 64;
/// A digit's ink is scaled by a factor in this range (MNIST's ink is about 20 pixels tall).
pub const SCALE: (f64, f64) = (0.75, 1.5);
/// Tries at a free place before a digit or a piece of clutter is left out.
const TRIES: usize = 30;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One digit.
    #[default]
    One,
    /// Two or three digits and clutter.
    Many,
}

impl Level {
    pub const ALL: [Level; 2] = [Level::One, Level::Many];

    /// Its name in links.
    pub fn name(self) -> &'static str {
        match self {
            Level::One => "one",
            Level::Many => "many",
        }
    }
}

/// One digit on a canvas.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object {
    pub class: u8,
    pub bbox: PixelBox,
}

/// A grey canvas (row-major, one byte a pixel, 0 = background) and the digits on it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Canvas {
    pub pixels: Vec<u8>,
    pub objects: Vec<Object>,
}

/// A canvas and, for each of its objects, a canvas-sized layer holding only that digit's ink.
pub struct Layered {
    pub canvas: Canvas,
    pub layers: Vec<Vec<u8>>,
}

/// The generator of canvas `index` for `seed`: each canvas has its own stream.
fn canvas_rng(seed: u64, index: u64) -> Rng {
    let mut mix = Rng::new(seed);
    let base = mix.next_u64();
    Rng::new(base ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03))
}

/// Canvas `index` of `seed` at `level`, its digits drawn from `digits` (28 × 28 images, which
/// must not be empty).
pub fn canvas(digits: &Images, level: Level, seed: u64, index: u64) -> Canvas {
    layered(digits, level, seed, index).canvas
}

/// [`canvas`] with each digit's own layer (what the tests check the boxes against).
pub fn layered(digits: &Images, level: Level, seed: u64, index: u64) -> Layered {
    let mut rng = canvas_rng(seed, index);
    let wanted = match level {
        Level::One => 1,
        Level::Many => 2 + rng.below(2),
    };
    let mut pixels = vec![0u8; CANVAS * CANVAS];
    let mut objects: Vec<Object> = Vec::new();
    let mut layers = Vec::new();
    for _ in 0..wanted {
        let (class, ink) = scaled_digit(digits, &mut rng);
        for _ in 0..TRIES {
            let left = rng.below(CANVAS - ink.cols + 1);
            let top = rng.below(CANVAS - ink.rows + 1);
            let bbox = PixelBox {
                left,
                top,
                right: left + ink.cols,
                bottom: top + ink.rows,
            };
            // Digits keep at least one empty pixel between their boxes.
            if objects.iter().any(|o| overlaps(&grown(&o.bbox), &bbox)) {
                continue;
            }
            let mut layer = vec![0u8; CANVAS * CANVAS];
            ink.paste(&mut layer, left, top);
            merge(&mut pixels, &layer);
            objects.push(Object { class, bbox });
            layers.push(layer);
            break;
        }
    }
    if level == Level::Many {
        let pieces = 2 + rng.below(3);
        for _ in 0..pieces {
            let piece = stroke_piece(digits, &mut rng);
            for _ in 0..TRIES {
                let left = rng.below(CANVAS - piece.cols + 1);
                let top = rng.below(CANVAS - piece.rows + 1);
                let bbox = PixelBox {
                    left,
                    top,
                    right: left + piece.cols,
                    bottom: top + piece.rows,
                };
                if objects.iter().any(|o| overlaps(&grown(&o.bbox), &bbox)) {
                    continue;
                }
                let mut layer = vec![0u8; CANVAS * CANVAS];
                piece.paste(&mut layer, left, top);
                merge(&mut pixels, &layer);
                break;
            }
        }
    }
    Layered {
        canvas: Canvas { pixels, objects },
        layers,
    }
}

/// A small grey image.
struct Patch {
    rows: usize,
    cols: usize,
    pixels: Vec<u8>,
}

impl Patch {
    fn paste(&self, canvas: &mut [u8], left: usize, top: usize) {
        for r in 0..self.rows {
            for c in 0..self.cols {
                canvas[(top + r) * CANVAS + left + c] = self.pixels[r * self.cols + c];
            }
        }
    }

    /// The part inside the tight box of its ink, or None without ink.
    fn trimmed(&self) -> Option<Patch> {
        let ink = ink_box(&self.pixels, self.rows, self.cols)?;
        let mut pixels = Vec::with_capacity(ink.width() * ink.height());
        for r in ink.top..ink.bottom {
            pixels.extend_from_slice(
                &self.pixels[r * self.cols + ink.left..r * self.cols + ink.right],
            );
        }
        Some(Patch {
            rows: ink.height(),
            cols: ink.width(),
            pixels,
        })
    }
}

/// The tight box of the pixels of at least [`INK`] in a `rows` × `cols` image; None without ink.
pub fn ink_box(pixels: &[u8], rows: usize, cols: usize) -> Option<PixelBox> {
    let mut found: Option<PixelBox> = None;
    for r in 0..rows {
        for c in 0..cols {
            if pixels[r * cols + c] >= INK {
                let b = found.get_or_insert(PixelBox {
                    left: c,
                    top: r,
                    right: c + 1,
                    bottom: r + 1,
                });
                b.left = b.left.min(c);
                b.right = b.right.max(c + 1);
                b.top = b.top.min(r);
                b.bottom = b.bottom.max(r + 1);
            }
        }
    }
    found
}

/// A random digit of `digits`, its ink cut out, scaled by a factor in [`SCALE`], cleared below
/// [`INK`] and trimmed to its ink again; its label.
fn scaled_digit(digits: &Images, rng: &mut Rng) -> (u8, Patch) {
    loop {
        let i = rng.below(digits.len());
        let image = Patch {
            rows: digits.rows,
            cols: digits.cols,
            pixels: digits.image(i).to_vec(),
        };
        let scale = rng.range(SCALE.0, SCALE.1);
        let Some(crop) = image.trimmed() else {
            continue;
        };
        let rows = ((crop.rows as f64 * scale).round() as usize).clamp(1, CANVAS);
        let cols = ((crop.cols as f64 * scale).round() as usize).clamp(1, CANVAS);
        if let Some(patch) = resample(&crop, rows, cols).trimmed() {
            return (digits.labels[i], patch);
        }
    }
}

/// A piece of a random digit's stroke: a window of 5 to 9 pixels around one of its ink pixels,
/// trimmed to its ink.
fn stroke_piece(digits: &Images, rng: &mut Rng) -> Patch {
    loop {
        let image = digits.image(rng.below(digits.len()));
        let ink: Vec<usize> = (0..image.len()).filter(|&p| image[p] >= INK).collect();
        if ink.is_empty() {
            continue;
        }
        let centre = ink[rng.below(ink.len())];
        let side = 5 + rng.below(5);
        let (row, col) = (centre / digits.cols, centre % digits.cols);
        let top = row.saturating_sub(side / 2).min(digits.rows - side);
        let left = col.saturating_sub(side / 2).min(digits.cols - side);
        let mut pixels = Vec::with_capacity(side * side);
        for r in top..top + side {
            for c in left..left + side {
                let p = image[r * digits.cols + c];
                pixels.push(if p >= INK { p } else { 0 });
            }
        }
        let window = Patch {
            rows: side,
            cols: side,
            pixels,
        };
        if let Some(piece) = window.trimmed() {
            return piece;
        }
    }
}

/// `patch` resized to `rows` × `cols` by bilinear interpolation (pixel centres aligned), values
/// below [`INK`] cleared.
fn resample(patch: &Patch, rows: usize, cols: usize) -> Patch {
    let sample = |r: f64, c: f64| -> f64 {
        let r = r.clamp(0.0, (patch.rows - 1) as f64);
        let c = c.clamp(0.0, (patch.cols - 1) as f64);
        let (r0, c0) = (r.floor() as usize, c.floor() as usize);
        let (r1, c1) = ((r0 + 1).min(patch.rows - 1), (c0 + 1).min(patch.cols - 1));
        let (fr, fc) = (r - r0 as f64, c - c0 as f64);
        let at = |r: usize, c: usize| patch.pixels[r * patch.cols + c] as f64;
        let top = at(r0, c0) * (1.0 - fc) + at(r0, c1) * fc;
        let bottom = at(r1, c0) * (1.0 - fc) + at(r1, c1) * fc;
        top * (1.0 - fr) + bottom * fr
    };
    let (sr, sc) = (
        patch.rows as f64 / rows as f64,
        patch.cols as f64 / cols as f64,
    );
    let mut pixels = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let v = sample((r as f64 + 0.5) * sr - 0.5, (c as f64 + 0.5) * sc - 0.5).round();
            let v = v.clamp(0.0, 255.0) as u8;
            pixels.push(if v >= INK { v } else { 0 });
        }
    }
    Patch { rows, cols, pixels }
}

fn overlaps(a: &PixelBox, b: &PixelBox) -> bool {
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

/// `b` with one more pixel on every side.
fn grown(b: &PixelBox) -> PixelBox {
    PixelBox {
        left: b.left.saturating_sub(1),
        top: b.top.saturating_sub(1),
        right: b.right + 1,
        bottom: b.bottom + 1,
    }
}

fn merge(canvas: &mut [u8], layer: &[u8]) {
    for (p, &l) in canvas.iter_mut().zip(layer) {
        *p = (*p).max(l);
    }
}

/// Canvases `first..first + count` of `seed` at level one as the detector reads them:
/// normalised pixels [count, 1, 64, 64], classes [count] and boxes relative to the canvas
/// [count, 4] (centre x, centre y, width, height).
#[cfg(feature = "compute")]
pub fn batch(
    digits: &Images,
    seed: u64,
    indices: impl IntoIterator<Item = u64>,
    device: &burn::tensor::Device,
) -> (
    burn::tensor::Tensor<4>,
    burn::tensor::Tensor<1, burn::tensor::Int>,
    burn::tensor::Tensor<2>,
) {
    use burn::tensor::{Tensor, TensorData};

    use crate::datasets::mnist::normalise;

    let mut pixels = Vec::new();
    let mut classes = Vec::new();
    let mut boxes = Vec::new();
    for index in indices {
        let canvas = canvas(digits, Level::One, seed, index);
        let object = canvas.objects[0];
        pixels.extend(canvas.pixels.iter().map(|&p| normalise(p as f32 / 255.0)));
        classes.push(object.class as i64);
        boxes.extend(object.bbox.encode(CANVAS).to_array());
    }
    let count = classes.len();
    (
        Tensor::from_data(TensorData::new(pixels, [count, 1, CANVAS, CANVAS]), device),
        Tensor::from_data(TensorData::new(classes, [count]), device),
        Tensor::from_data(TensorData::new(boxes, [count, 4]), device),
    )
}
