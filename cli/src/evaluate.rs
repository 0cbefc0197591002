//! A network's predictions, accuracy and loss on a test set.

use std::sync::Arc;

use burn::data::dataloader::DataLoader;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::Device;
use kindling_engine::datasets::mnist::Images;

use crate::loader::MnistLoader;
use crate::network::Network;

/// Images per evaluation batch.
const BATCH: usize = 500;

#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub count: usize,
    pub accuracy: f32,
    /// Mean cross-entropy.
    pub loss: f32,
    /// The predicted class of every image, in order.
    pub predictions: Vec<u8>,
}

/// `net` (in evaluation mode) on every image of `set`, on `device` (without autodiff).
pub fn evaluate<N: Network>(
    net: &N,
    set: Arc<Images>,
    device: &Device,
) -> Result<Evaluation, String> {
    let net = net.clone().valid();
    let loader = MnistLoader::evaluation(set.clone(), BATCH, device.clone());
    let loss = CrossEntropyLossConfig::new().init(device);
    let (mut predictions, mut loss_sum) = (Vec::with_capacity(set.len()), 0f64);
    for batch in loader.iter() {
        let batch = batch.map_err(|e| e.to_string())?;
        let count = batch.labels.dims()[0];
        let logits = net.logits(batch.images);
        let mean = loss
            .forward(logits.clone(), batch.labels)
            .try_into_scalar::<f32>()
            .map_err(|e| format!("reading the loss from the device: {e:?}"))?;
        loss_sum += mean as f64 * count as f64;
        // [count, classes] logits → [count] predicted classes.
        let classes = logits
            .argmax(1)
            .flatten::<1>(0, 1)
            .try_into_data()
            .map_err(|e| format!("reading predictions from the device: {e:?}"))?
            .convert::<i64>()
            .try_into_vec::<i64>()
            .map_err(|e| format!("reading predictions from the device: {e:?}"))?;
        predictions.extend(classes.into_iter().map(|c| c as u8));
    }
    let correct = predictions
        .iter()
        .zip(&set.labels)
        .filter(|(p, l)| p == l)
        .count();
    let count = set.len().max(1) as f64;
    Ok(Evaluation {
        count: set.len(),
        accuracy: (correct as f64 / count) as f32,
        loss: (loss_sum / count) as f32,
        predictions,
    })
}
