//! Moving lesson numbers to and from the device (f32 there, f64 here).

use burn::tensor::{Device, Tensor, TensorData};

pub fn tensor(values: &[f64], device: &Device) -> Tensor<1> {
    let data: Vec<f32> = values.iter().map(|&v| v as f32).collect();
    Tensor::from_data(TensorData::new(data, [values.len()]), device)
}

/// Reads a tensor back asynchronously (the only way that works on WebGPU).
pub async fn read(tensor: Tensor<1>) -> Vec<f64> {
    match tensor.into_data_async().await {
        Ok(data) => data.convert::<f32>().try_into_vec::<f32>().unwrap_or_default().into_iter().map(f64::from).collect(),
        Err(_) => Vec::new(),
    }
}
