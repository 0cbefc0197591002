//! The engine's networks as burn-train trains them. burn-train's step traits and the engine's
//! models are both foreign to this crate, so each network is wrapped in a module of our own,
//! [`Trainee`], whose only field is the network (its saved parameters keep their own paths:
//! the file holds `trainee.net`, not the wrapper).

use burn::module::{Module, ModuleDisplay};
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::Tensor;
use burn::train::{ClassificationOutput, InferenceStep, TrainOutput, TrainStep};
use kindling_engine::lessons::cnn::model::Cnn;
use kindling_engine::models::resnet::model::Resnet;

use crate::loader::Batch;

/// A network from normalised images, [batch, 1, rows, cols], to class logits, [batch, classes].
pub trait Network: Module + ModuleDisplay + 'static {
    fn logits(&self, images: Tensor<4>) -> Tensor<2>;
}

impl Network for Cnn {
    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }
}

impl Network for Resnet {
    fn logits(&self, images: Tensor<4>) -> Tensor<2> {
        self.forward(images)
    }
}

#[derive(Module, Debug)]
pub struct Trainee<N: Network> {
    pub net: N,
}

impl<N: Network> Trainee<N> {
    /// The logits, the batch's mean cross-entropy and the labels, as burn-train's
    /// classification metrics read them.
    fn classify(&self, batch: Batch) -> ClassificationOutput {
        let logits = self.net.logits(batch.images);
        let loss = CrossEntropyLossConfig::new()
            .init(&logits.device())
            .forward(logits.clone(), batch.labels.clone());
        ClassificationOutput::new(loss, logits, batch.labels)
    }
}

impl<N: Network> TrainStep for Trainee<N> {
    type Input = Batch;
    type Output = ClassificationOutput;

    fn step(&self, batch: Batch) -> TrainOutput<ClassificationOutput> {
        let item = self.classify(batch);
        TrainOutput::new(self, item.loss.backward(), item)
    }
}

impl<N: Network> InferenceStep for Trainee<N> {
    type Input = Batch;
    type Output = ClassificationOutput;

    fn step(&self, batch: Batch) -> ClassificationOutput {
        self.classify(batch)
    }
}
