//! MNIST images as the networks read them: normalised pixels on the device, with Int labels.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{Images, normalise};

/// Images `indices` of `set`, normalised ([`normalise`]), as [count, 1, rows, cols], and their
/// labels as [count]. Indices must be below `set.len()`.
pub fn batch(
    set: &Images,
    indices: impl IntoIterator<Item = usize>,
    device: &Device,
) -> (Tensor<4>, Tensor<1, Int>) {
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for i in indices {
        pixels.extend(set.image(i).iter().map(|&p| normalise(p as f32 / 255.0)));
        labels.push(set.labels[i] as i64);
    }
    let count = labels.len();
    (
        // [count·rows·cols] flat pixels → [count, 1, rows, cols] images.
        Tensor::from_data(
            TensorData::new(pixels, [count, 1, set.rows, set.cols]),
            device,
        ),
        Tensor::from_data(TensorData::new(labels, [count]), device),
    )
}
