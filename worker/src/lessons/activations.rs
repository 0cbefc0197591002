//! The activation lesson inside the worker: worked examples on the device.

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::activations::compute;
use kindling_engine::lessons::activations::messages::{ActivationsCommand, ActivationsEvent};
use kindling_engine::protocol::{FromWorker, ToWorker};

use super::Lesson;
use crate::post;

pub struct ActivationsLesson {
    device: Device,
}

impl ActivationsLesson {
    pub fn new(device: Device) -> Self {
        Self { device }
    }
}

impl Lesson for ActivationsLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        let ToWorker::Activations(ActivationsCommand::Compute { id, request }) = message else {
            return Err(message);
        };
        Ok(Box::pin(async move {
            let result = compute(&request, &self.device).await;
            post(&FromWorker::Activations(ActivationsEvent::Computed {
                id,
                result,
            }));
        }))
    }
}
