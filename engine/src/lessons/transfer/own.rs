//! "Your own classes": the learner names 2–5 classes and gives each 5–20 examples, drawn or
//! uploaded, which become 28 × 28 grey images as drawn digits do ([`crate::common::preprocess`]).
//! Plain data (no burn): the examples, their limits, and an uploaded picture's pixels made into
//! an example.

use serde::{Deserialize, Serialize};

use crate::common::preprocess::{IMAGE_SIDE, preprocess};
use crate::datasets::mnist::Images;

pub const MIN_CLASSES: usize = 2;
pub const MAX_CLASSES: usize = 5;
pub const MIN_EXAMPLES: usize = 5;
pub const MAX_EXAMPLES: usize = 20;
/// Characters in a class's name.
pub const MAX_NAME_CHARS: usize = 24;
/// Bytes of an uploaded file.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Pixels (width × height) of an uploaded picture once decoded.
pub const MAX_UPLOAD_PIXELS: u64 = 50_000_000;
/// The longer side an uploaded picture is scaled down to (at most) before it is prepared: the
/// preparation keeps only 20 × 20 of it, and a bounded canvas keeps the worker's memory small.
pub const UPLOAD_SIDE: u32 = 280;

/// Pixels in one example.
pub const EXAMPLE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;

/// Why the classes or an example were refused.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum OwnProblem {
    /// Fewer than [`MIN_CLASSES`] or more than [`MAX_CLASSES`] names.
    ClassCount {
        count: usize,
    },
    EmptyName {
        class: usize,
    },
    LongName {
        class: usize,
    },
    /// Two classes share a name.
    SameName {
        class: usize,
    },
    NoSuchClass {
        class: usize,
    },
    /// The class already has [`MAX_EXAMPLES`] examples.
    ClassFull {
        class: usize,
    },
    NoSuchExample {
        class: usize,
        index: usize,
    },
    /// An example is not 28 × 28 one-byte pixels.
    WrongImageSize {
        actual: usize,
    },
    /// Training needs [`MIN_EXAMPLES`] examples in each class.
    TooFewExamples {
        class: usize,
        count: usize,
    },
    /// Steps, learning rate or head-first share out of range.
    BadSettings,
    /// Nothing is trained yet to predict with or save.
    NotTrained,
}

/// Why an uploaded file did not become an example.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum UploadProblem {
    /// The file has no bytes.
    EmptyFile,
    /// Larger than [`MAX_UPLOAD_BYTES`].
    HugeFile { bytes: usize },
    /// Not PNG, JPEG, GIF, WebP or BMP.
    NotAnImage,
    /// An image format, but the browser could not decode it.
    Unreadable,
    /// Decoded to a width or height of 0.
    ZeroSized,
    /// More than [`MAX_UPLOAD_PIXELS`] pixels.
    HugePicture { width: u32, height: u32 },
    /// Decoded, but one colour all over: nothing to learn from.
    Blank,
}

/// The image formats browsers decode, told by their first bytes.
pub fn looks_like_an_image(bytes: &[u8]) -> bool {
    const SIGNATURES: [&[u8]; 5] = [
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff",
        b"GIF8",
        b"BM",
        b"RIFF",
    ];
    let webp = bytes.len() >= 12 && &bytes[8..12] == b"WEBP";
    SIGNATURES
        .iter()
        .any(|s| bytes.starts_with(s) && (*s != b"RIFF" || webp))
}

/// What can be told of an uploaded file before decoding it.
pub fn check_upload(bytes: &[u8]) -> Result<(), UploadProblem> {
    if bytes.is_empty() {
        return Err(UploadProblem::EmptyFile);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadProblem::HugeFile { bytes: bytes.len() });
    }
    if !looks_like_an_image(bytes) {
        return Err(UploadProblem::NotAnImage);
    }
    // The size the header claims, before anything decodes it: a file of a few hundred
    // kilobytes can hold a picture of billions of pixels. A header this cannot read is left to
    // the browser's decoder, which refuses what it cannot read and is checked again after.
    match imagesize::blob_size(bytes) {
        Ok(size) => {
            let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            check_picture(side(size.width), side(size.height))
        }
        Err(_) => Ok(()),
    }
}

/// What can be told of a decoded picture's size before reading its pixels.
pub fn check_picture(width: u32, height: u32) -> Result<(), UploadProblem> {
    if width == 0 || height == 0 {
        return Err(UploadProblem::ZeroSized);
    }
    if width as u64 * height as u64 > MAX_UPLOAD_PIXELS {
        return Err(UploadProblem::HugePicture { width, height });
    }
    Ok(())
}

/// The size to draw a `width × height` picture at: the longer side at most [`UPLOAD_SIDE`], the
/// aspect ratio kept, neither side below 1.
pub fn upload_canvas(width: u32, height: u32) -> (u32, u32) {
    let longer = width.max(height).max(1);
    if longer <= UPLOAD_SIDE {
        return (width.max(1), height.max(1));
    }
    let scale = |side: u32| ((side as u64 * UPLOAD_SIDE as u64) / longer as u64).max(1) as u32;
    (scale(width), scale(height))
}

/// A decoded picture (`width × height` RGBA bytes, as a canvas gives them) made into an example:
/// composited on white, turned grey, the ink told from the background by the picture's border
/// (dark strokes on light paper, or light on dark), the background's level taken away, then
/// prepared as a drawn digit is (cropped to the ink, scaled into 20 × 20, centred in 28 × 28).
pub fn example_from_rgba(
    rgba: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<u8>, UploadProblem> {
    if width == 0 || height == 0 {
        return Err(UploadProblem::ZeroSized);
    }
    if rgba.len() != width * height * 4 {
        return Err(UploadProblem::Unreadable);
    }
    // Lightness in [0, 1], a transparent pixel as white paper.
    let light: Vec<f32> = rgba
        .chunks_exact(4)
        .map(|p| {
            let grey = (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0;
            let alpha = p[3] as f32 / 255.0;
            grey * alpha + (1.0 - alpha)
        })
        .collect();
    let border: Vec<f32> = (0..height)
        .flat_map(|r| (0..width).map(move |c| (r, c)))
        .filter(|&(r, c)| r == 0 || c == 0 || r + 1 == height || c + 1 == width)
        .map(|(r, c)| light[r * width + c])
        .collect();
    let background = border.iter().sum::<f32>() / border.len() as f32;
    let dark_ink = background >= 0.5;
    let ink: Vec<f32> = light
        .iter()
        .map(|&v| {
            if dark_ink {
                background - v
            } else {
                v - background
            }
        })
        .collect();
    let strongest = ink.iter().copied().fold(0.0f32, f32::max);
    // A picture of one colour, or one whose "ink" is within noise of its paper.
    if strongest < 0.1 {
        return Err(UploadProblem::Blank);
    }
    // On a square canvas (the preparation's input), the picture in its top-left corner.
    let side = width.max(height);
    let mut canvas = vec![0f32; side * side];
    for r in 0..height {
        for c in 0..width {
            canvas[r * side + c] = (ink[r * width + c] / strongest).clamp(0.0, 1.0);
        }
    }
    let prepared = preprocess(&canvas, side).map_err(|_| UploadProblem::Blank)?;
    Ok(prepared
        .image
        .iter()
        .map(|v| (v * 255.0).round() as u8)
        .collect())
}

/// The learner's classes and their examples (28 × 28 bytes, 0 = background).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct OwnClasses {
    pub names: Vec<String>,
    pub examples: Vec<Vec<Vec<u8>>>,
}

fn check_names(names: &[String]) -> Vec<OwnProblem> {
    let mut problems = Vec::new();
    if !(MIN_CLASSES..=MAX_CLASSES).contains(&names.len()) {
        problems.push(OwnProblem::ClassCount { count: names.len() });
    }
    for (class, name) in names.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            problems.push(OwnProblem::EmptyName { class });
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.push(OwnProblem::LongName { class });
        } else if names[..class].iter().any(|n| n.trim() == name) {
            problems.push(OwnProblem::SameName { class });
        }
    }
    problems
}

impl OwnClasses {
    /// Names the classes (trimmed). Each class keeps the examples it had at its place; a class
    /// added at the end starts empty, one removed from the end loses its examples.
    pub fn set_names(&mut self, names: &[String]) -> Result<(), Vec<OwnProblem>> {
        let problems = check_names(names);
        if !problems.is_empty() {
            return Err(problems);
        }
        self.names = names.iter().map(|n| n.trim().to_string()).collect();
        self.examples.resize(names.len(), Vec::new());
        Ok(())
    }

    /// Adds a 28 × 28 example to `class`; returns its index there.
    pub fn add(&mut self, class: usize, image: Vec<u8>) -> Result<usize, OwnProblem> {
        if image.len() != EXAMPLE_PIXELS {
            return Err(OwnProblem::WrongImageSize {
                actual: image.len(),
            });
        }
        let list = self
            .examples
            .get_mut(class)
            .ok_or(OwnProblem::NoSuchClass { class })?;
        if list.len() >= MAX_EXAMPLES {
            return Err(OwnProblem::ClassFull { class });
        }
        list.push(image);
        Ok(list.len() - 1)
    }

    pub fn remove(&mut self, class: usize, index: usize) -> Result<(), OwnProblem> {
        let list = self
            .examples
            .get_mut(class)
            .ok_or(OwnProblem::NoSuchClass { class })?;
        if index >= list.len() {
            return Err(OwnProblem::NoSuchExample { class, index });
        }
        list.remove(index);
        Ok(())
    }

    pub fn counts(&self) -> Vec<usize> {
        self.examples.iter().map(Vec::len).collect()
    }

    /// What stands in the way of training: the names, and each class's examples.
    pub fn problems(&self) -> Vec<OwnProblem> {
        let mut problems = check_names(&self.names);
        for (class, list) in self.examples.iter().enumerate() {
            if list.len() < MIN_EXAMPLES {
                problems.push(OwnProblem::TooFewExamples {
                    class,
                    count: list.len(),
                });
            }
        }
        problems
    }

    /// Every example, labelled with its class's position, the classes interleaved.
    pub fn images(&self) -> Images {
        let mut set = Images {
            rows: IMAGE_SIDE,
            cols: IMAGE_SIDE,
            pixels: Vec::new(),
            labels: Vec::new(),
        };
        let most = self.examples.iter().map(Vec::len).max().unwrap_or(0);
        for rank in 0..most {
            for (class, list) in self.examples.iter().enumerate() {
                if let Some(image) = list.get(rank) {
                    set.pixels.extend_from_slice(image);
                    set.labels.push(class as u8);
                }
            }
        }
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn classes_are_named_filled_and_checked() {
        let mut own = OwnClasses::default();
        assert_eq!(
            own.set_names(&names(&["+"])),
            Err(vec![OwnProblem::ClassCount { count: 1 }])
        );
        assert_eq!(
            own.set_names(&names(&["+", " ", "+ ", &"x".repeat(25)])),
            Err(vec![
                OwnProblem::EmptyName { class: 1 },
                OwnProblem::SameName { class: 2 },
                OwnProblem::LongName { class: 3 }
            ])
        );
        own.set_names(&names(&[" plus", "minus", "times"])).unwrap();
        assert_eq!(own.names, names(&["plus", "minus", "times"]));
        assert_eq!(
            own.add(1, vec![0; 10]),
            Err(OwnProblem::WrongImageSize { actual: 10 })
        );
        assert_eq!(
            own.add(3, vec![0; 784]),
            Err(OwnProblem::NoSuchClass { class: 3 })
        );
        for i in 0..MAX_EXAMPLES {
            assert_eq!(own.add(1, vec![i as u8; 784]), Ok(i));
        }
        assert_eq!(
            own.add(1, vec![0; 784]),
            Err(OwnProblem::ClassFull { class: 1 })
        );
        own.add(0, vec![200; 784]).unwrap();
        assert_eq!(own.counts(), vec![1, 20, 0]);
        assert_eq!(
            own.problems(),
            vec![
                OwnProblem::TooFewExamples { class: 0, count: 1 },
                OwnProblem::TooFewExamples { class: 2, count: 0 }
            ]
        );
        // Interleaved: the first of each class, then the second …
        let set = own.images();
        assert_eq!(set.len(), 21);
        assert_eq!(&set.labels[..3], &[0, 1, 1]);
        assert_eq!(set.image(0)[0], 200);
        assert_eq!(set.image(2)[0], 1);
        assert_eq!(
            own.remove(1, 20),
            Err(OwnProblem::NoSuchExample {
                class: 1,
                index: 20
            })
        );
        own.remove(1, 0).unwrap();
        assert_eq!(own.examples[1][0][0], 1);
        // Fewer classes: the last one goes with its examples; the others keep theirs.
        own.set_names(&names(&["plus", "minus"])).unwrap();
        assert_eq!(own.counts(), vec![1, 19]);
    }

    #[cfg(feature = "compute")]
    /// A PNG of `width × height` grey pixels, all black: rows of a filter byte and zeros,
    /// deflated, so that a huge picture makes a small file.
    fn black_png(width: u32, height: u32) -> Vec<u8> {
        use flate2::{Compression, write::ZlibEncoder};
        use std::io::Write;
        let chunk = |png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]| {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            png.extend_from_slice(kind);
            png.extend_from_slice(data);
            let mut crc = flate2::Crc::new();
            crc.update(kind);
            crc.update(data);
            png.extend_from_slice(&crc.sum().to_be_bytes());
        };
        let mut header = Vec::new();
        header.extend_from_slice(&width.to_be_bytes());
        header.extend_from_slice(&height.to_be_bytes());
        // 8-bit greyscale, deflate, no filter method, no interlace.
        header.extend_from_slice(&[8, 0, 0, 0, 0]);
        let row = vec![0u8; width as usize + 1];
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        for _ in 0..height {
            z.write_all(&row).unwrap();
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        chunk(&mut png, b"IHDR", &header);
        chunk(&mut png, b"IDAT", &z.finish().unwrap());
        chunk(&mut png, b"IEND", &[]);
        png
    }

    #[cfg(feature = "compute")]
    #[test]
    fn a_decompression_bomb_is_refused_from_its_header() {
        // 10,000 × 10,000 pixels (100 MB of pixels, 400 MB once decoded to RGBA) in about 100 KB.
        let bomb = black_png(10_000, 10_000);
        assert!(bomb.len() < 200_000, "{}", bomb.len());
        assert_eq!(
            check_upload(&bomb),
            Err(UploadProblem::HugePicture {
                width: 10_000,
                height: 10_000
            })
        );
        // The same encoder's small picture passes: the header is read, not guessed.
        assert_eq!(check_upload(&black_png(64, 48)), Ok(()));
        // The claim alone is enough: a one-pixel file whose header says 70,000 × 70,000.
        let mut claim = black_png(1, 1);
        claim[16..20].copy_from_slice(&70_000u32.to_be_bytes());
        claim[20..24].copy_from_slice(&70_000u32.to_be_bytes());
        assert_eq!(
            check_upload(&claim),
            Err(UploadProblem::HugePicture {
                width: 70_000,
                height: 70_000
            })
        );
    }

    #[test]
    fn uploads_are_refused_before_decoding_when_they_cannot_be_images() {
        assert_eq!(check_upload(b""), Err(UploadProblem::EmptyFile));
        assert_eq!(
            check_upload(b"hello, world"),
            Err(UploadProblem::NotAnImage)
        );
        assert_eq!(
            check_upload(b"RIFF\0\0\0\0WAVEfmt "),
            Err(UploadProblem::NotAnImage)
        );
        assert_eq!(check_upload(b"RIFF\0\0\0\0WEBPVP8 "), Ok(()));
        assert_eq!(check_upload(b"\x89PNG\r\n\x1a\n\0\0"), Ok(()));
        assert_eq!(check_upload(b"\xff\xd8\xff\xe0"), Ok(()));
        let huge = vec![0xffu8; MAX_UPLOAD_BYTES + 1];
        assert_eq!(
            check_upload(&huge),
            Err(UploadProblem::HugeFile {
                bytes: MAX_UPLOAD_BYTES + 1
            })
        );
        assert_eq!(check_picture(0, 10), Err(UploadProblem::ZeroSized));
        assert_eq!(
            check_picture(10_000, 10_000),
            Err(UploadProblem::HugePicture {
                width: 10_000,
                height: 10_000
            })
        );
        assert_eq!(check_picture(640, 480), Ok(()));
        assert_eq!(upload_canvas(640, 480), (280, 210));
        assert_eq!(upload_canvas(20, 10), (20, 10));
        assert_eq!(upload_canvas(5000, 1), (280, 1));
    }

    /// A `w × h` RGBA picture: `paper` everywhere, `ink` on a plus sign in the middle.
    fn plus(w: usize, h: usize, paper: [u8; 4], ink: [u8; 4]) -> Vec<u8> {
        let mut rgba = Vec::new();
        for r in 0..h {
            for c in 0..w {
                let on = (r.abs_diff(h / 2) <= h / 20 && c.abs_diff(w / 2) <= w / 4)
                    || (c.abs_diff(w / 2) <= w / 20 && r.abs_diff(h / 2) <= h / 4);
                rgba.extend(if on { ink } else { paper });
            }
        }
        rgba
    }

    #[test]
    fn a_picture_becomes_a_centred_28_by_28_example_whatever_its_colours() {
        let dark_on_light = example_from_rgba(
            &plus(200, 100, [250, 240, 230, 255], [20, 30, 200, 255]),
            200,
            100,
        )
        .unwrap();
        let light_on_dark =
            example_from_rgba(&plus(60, 60, [0, 0, 0, 255], [255, 255, 255, 255]), 60, 60).unwrap();
        // Black strokes on a transparent background (a PNG drawn in a paint program).
        let transparent =
            example_from_rgba(&plus(90, 90, [0, 0, 0, 0], [0, 0, 0, 255]), 90, 90).unwrap();
        for example in [&dark_on_light, &light_on_dark, &transparent] {
            assert_eq!(example.len(), EXAMPLE_PIXELS);
            // Ink at the centre, background in the corners, the cross scaled to 20 wide.
            assert!(example[14 * 28 + 14] > 200, "{example:?}");
            assert_eq!(example[0], 0);
            let inked_columns = (0..28).filter(|&c| example[14 * 28 + c] > 100).count();
            assert!((18..=21).contains(&inked_columns), "{inked_columns}");
        }
        assert_eq!(
            example_from_rgba(&[128; 40 * 40 * 4], 40, 40),
            Err(UploadProblem::Blank)
        );
        assert_eq!(
            example_from_rgba(&[1, 2, 3], 1, 1),
            Err(UploadProblem::Unreadable)
        );
        assert_eq!(example_from_rgba(&[], 0, 5), Err(UploadProblem::ZeroSized));
    }
}
