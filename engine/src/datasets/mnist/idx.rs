//! The original MNIST file format: a big-endian u32 magic number and dimensions, then one byte
//! per pixel (idx3, the images) or per label (idx1, the labels).

use super::{DataError, Images};

const IMAGES_MAGIC: usize = 0x0803;
const LABELS_MAGIC: usize = 0x0801;
const IMAGES_HEADER: usize = 16;
const LABELS_HEADER: usize = 8;

fn be_u32(bytes: &[u8], at: usize) -> Option<usize> {
    bytes
        .get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

fn header(bytes: &[u8], magic: usize, fields: usize) -> Result<Vec<usize>, DataError> {
    if be_u32(bytes, 0) != Some(magic) {
        return Err(DataError::NotADataFile);
    }
    let expected = 4 + 4 * fields;
    (1..=fields)
        .map(|i| {
            be_u32(bytes, 4 * i).ok_or(DataError::Truncated {
                expected,
                actual: bytes.len(),
            })
        })
        .collect()
}

pub(super) fn exact_length(bytes: &[u8], expected: usize) -> Result<(), DataError> {
    match bytes.len().cmp(&expected) {
        std::cmp::Ordering::Less => Err(DataError::Truncated {
            expected,
            actual: bytes.len(),
        }),
        std::cmp::Ordering::Greater => Err(DataError::TrailingBytes {
            expected,
            actual: bytes.len(),
        }),
        std::cmp::Ordering::Equal => Ok(()),
    }
}

/// An idx3 image file's `(count, rows, cols)`, its length checked against them.
pub(super) fn image_dims(bytes: &[u8]) -> Result<(usize, usize, usize), DataError> {
    let dims = header(bytes, IMAGES_MAGIC, 3)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    // Saturating: a forged header must not wrap around on 32-bit wasm.
    exact_length(
        bytes,
        IMAGES_HEADER.saturating_add(count.saturating_mul(rows).saturating_mul(cols)),
    )?;
    Ok((count, rows, cols))
}

/// An idx1 label file's count, its length checked against it.
pub(super) fn label_count(bytes: &[u8]) -> Result<usize, DataError> {
    let count = header(bytes, LABELS_MAGIC, 1)?[0];
    exact_length(bytes, LABELS_HEADER.saturating_add(count))?;
    Ok(count)
}

/// The image set of two files already checked by [`image_dims`] and [`label_count`]: the counts
/// must agree and every label be a digit.
pub(super) fn assemble(
    images: &[u8],
    labels: &[u8],
    (count, rows, cols): (usize, usize, usize),
    label_count: usize,
) -> Result<Images, DataError> {
    if count != label_count {
        return Err(DataError::CountMismatch {
            images: count,
            labels: label_count,
        });
    }
    let labels = &labels[LABELS_HEADER..];
    if let Some(index) = labels.iter().position(|&l| l > 9) {
        return Err(DataError::BadLabel {
            index,
            label: labels[index],
        });
    }
    Ok(Images {
        rows,
        cols,
        pixels: images[IMAGES_HEADER..].to_vec(),
        labels: labels.to_vec(),
    })
}

/// Parses an idx3 image file and its idx1 label file.
pub fn parse_idx(images: &[u8], labels: &[u8]) -> Result<Images, DataError> {
    let dims = image_dims(images)?;
    let count = label_count(labels)?;
    assemble(images, labels, dims, count)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Two 2 × 3 images labelled 3 and 9, as idx files.
    pub fn tiny_idx() -> (Vec<u8>, Vec<u8>) {
        let mut images = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
        images.extend(0..12u8);
        (images, vec![0, 0, 8, 1, 0, 0, 0, 2, 3, 9])
    }

    pub fn tiny() -> Images {
        Images {
            rows: 2,
            cols: 3,
            pixels: (0..12).collect(),
            labels: vec![3, 9],
        }
    }

    #[test]
    fn idx_files_parse_and_bad_ones_are_refused() {
        let (images, labels) = tiny_idx();
        assert_eq!(parse_idx(&images, &labels), Ok(tiny()));
        assert_eq!(
            parse_idx(&images[..20], &labels),
            Err(DataError::Truncated {
                expected: 28,
                actual: 20
            })
        );
        assert_eq!(
            parse_idx(&images[..10], &labels),
            Err(DataError::Truncated {
                expected: 16,
                actual: 10
            })
        );
        assert_eq!(
            parse_idx(&images, &labels[..9]),
            Err(DataError::Truncated {
                expected: 10,
                actual: 9
            })
        );
        let mut longer = images.clone();
        longer.push(0);
        assert_eq!(
            parse_idx(&longer, &labels),
            Err(DataError::TrailingBytes {
                expected: 28,
                actual: 29
            })
        );
        assert_eq!(parse_idx(&labels, &images), Err(DataError::NotADataFile));
        let mut bad = labels.clone();
        bad[9] = 12;
        assert_eq!(
            parse_idx(&images, &bad),
            Err(DataError::BadLabel {
                index: 1,
                label: 12
            })
        );
        let one_label = [0, 0, 8, 1, 0, 0, 0, 1, 3];
        assert_eq!(
            parse_idx(&images, &one_label),
            Err(DataError::CountMismatch {
                images: 2,
                labels: 1
            })
        );
    }

    #[test]
    fn a_forged_huge_header_is_refused_without_overflow() {
        let forged = [
            0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ];
        assert!(matches!(
            image_dims(&forged),
            Err(DataError::Truncated { .. })
        ));
    }
}
