//! Reading tensors back from the device, asynchronously (the only way that works on WebGPU), and
//! moving lesson numbers to it (f32 there, f64 here).

use burn::tensor::{Device, Int, Tensor, TensorData};

pub fn tensor(values: &[f64], device: &Device) -> Tensor<1> {
    let data: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(data, [values.len()]), device)
}

/// All values, row-major; empty if the device is lost (the worker's device-lost callback tells
/// the page).
///
/// Any other failure to read (out of memory, above all) stops the worker with its reason, which
/// the page explains, restarting the lesson from its last checkpoint: an empty read would turn into
/// a NaN loss, which the lessons would blame on the learning rate.
pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    match tensor.into_data_async().await {
        Ok(data) => data
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap_or_default(),
        Err(error) if error.is_device_poisoned() => Vec::new(),
        Err(error) => panic!("the device could not finish: {}", error.reason()),
    }
}

/// The first value (a loss); NaN if there is none.
pub async fn read_scalar<const D: usize>(tensor: Tensor<D>) -> f32 {
    read_floats(tensor)
        .await
        .first()
        .copied()
        .unwrap_or(f32::NAN)
}

/// The first value of an integer tensor (a count) as f32; NaN if there is none.
pub async fn read_int_scalar<const D: usize>(tensor: Tensor<D, Int>) -> f32 {
    match tensor.into_data_async().await {
        Ok(data) => data
            .convert::<i64>()
            .try_into_vec::<i64>()
            .ok()
            .and_then(|v| v.first().copied())
            .map_or(f32::NAN, |v| v as f32),
        Err(error) if error.is_device_poisoned() => f32::NAN,
        Err(error) => panic!("the device could not finish: {}", error.reason()),
    }
}

/// Like [`read_floats`], widened to f64 for the worked examples.
pub async fn read(tensor: Tensor<1>) -> Vec<f64> {
    read_floats(tensor)
        .await
        .into_iter()
        .map(f64::from)
        .collect()
}
