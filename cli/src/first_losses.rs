//! A burn-train metric that keeps the first training-batch losses, which a shipped model's card
//! records so that a retraining can be checked against them, and counts the batches. Optionally
//! it stops the run once it has the losses (`kindling pretrain --check` needs only those).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use burn::tensor::{Tensor, TensorReadError};
use burn::train::ClassificationOutput;
use burn::train::Interrupter;
use burn::train::metric::{Adaptor, Metric, MetricMetadata, MetricName, SerializedEntry};

/// The loss of one training batch.
pub struct BatchLoss(Tensor<1>);

impl Adaptor<BatchLoss> for ClassificationOutput {
    fn adapt(&self) -> BatchLoss {
        BatchLoss(self.loss.clone())
    }
}

#[derive(Clone)]
pub struct FirstLosses {
    name: MetricName,
    wanted: usize,
    losses: Arc<Mutex<Vec<f32>>>,
    batches: Arc<AtomicUsize>,
    stop: Option<Interrupter>,
}

impl FirstLosses {
    /// Keeps the first `wanted` losses; with `stop`, stops the run once it has them.
    pub fn new(wanted: usize, stop: Option<Interrupter>) -> Self {
        Self {
            name: Arc::new("First losses".to_string()),
            wanted,
            losses: Arc::default(),
            batches: Arc::default(),
            stop,
        }
    }

    /// The losses kept so far (the same list for every clone of the metric).
    pub fn losses(&self) -> Vec<f32> {
        self.losses.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Training batches seen so far.
    pub fn batches(&self) -> usize {
        self.batches.load(Ordering::Relaxed)
    }

    fn entry(losses: &[f32]) -> SerializedEntry {
        let text: Vec<String> = losses.iter().map(|l| format!("{l:.4}")).collect();
        SerializedEntry::new(text.join(" "), text.join(","))
    }
}

impl Metric for FirstLosses {
    type Input = BatchLoss;

    fn name(&self) -> MetricName {
        self.name.clone()
    }

    fn update(
        &mut self,
        item: &BatchLoss,
        _metadata: &MetricMetadata,
    ) -> Result<SerializedEntry, TensorReadError> {
        self.batches.fetch_add(1, Ordering::Relaxed);
        let mut losses = self.losses.lock().expect("the losses lock");
        if losses.len() < self.wanted {
            losses.push(item.0.clone().try_into_scalar::<f32>()?);
            if losses.len() == self.wanted
                && let Some(stop) = &self.stop
            {
                stop.stop(Some("the first batch losses are recorded"));
            }
        }
        Ok(Self::entry(&losses))
    }

    fn compute(&mut self) -> Result<SerializedEntry, TensorReadError> {
        Ok(Self::entry(&self.losses()))
    }

    /// Kept across epochs: only the run's first batches count.
    fn clear(&mut self) {}
}
