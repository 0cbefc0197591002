//! The loss lesson inside the worker: worked examples on the device.

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::losses::compute;
use kindling_engine::lessons::losses::messages::{LossesCommand, LossesEvent};
use kindling_engine::protocol::{FromWorker, ToWorker};

use super::Lesson;
use crate::post;

pub struct LossesLesson {
    device: Device,
}

impl LossesLesson {
    pub fn new(device: Device) -> Self {
        Self { device }
    }
}

impl Lesson for LossesLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        let ToWorker::Losses(LossesCommand::Compute { id, request }) = message else {
            return Err(message);
        };
        Ok(Box::pin(async move {
            let result = compute(&request, &self.device).await;
            post(&FromWorker::Losses(LossesEvent::Computed { id, result }));
        }))
    }
}
