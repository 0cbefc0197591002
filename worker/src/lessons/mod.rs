//! Each lesson inside the worker, one file a lesson, and the one list of them.

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::protocol::ToWorker;

mod activations;
mod bench;
mod checkpointing;
mod cnn;
mod detect;
mod gan;
mod losses;
mod playground;
mod transfer;

/// A lesson inside the worker. A lesson that trains says so with `running`; the scheduler then
/// calls `tick` between looks at the message queue, and `pause` when another lesson starts.
pub trait Lesson {
    /// Starts handling `message` if it is this lesson's; gives it back otherwise.
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker>;

    fn running(&self) -> bool {
        false
    }

    fn pause(&mut self) {}

    /// After `pause`, what needs the device (a checkpoint of where training stopped).
    fn paused(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async {})
    }

    /// Trains for a moment and reports.
    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// Every lesson, on the worker's device. A new lesson is one more line here.
pub fn all(device: &Device) -> Vec<Box<dyn Lesson>> {
    vec![
        Box::new(playground::PlaygroundLesson::new(device.clone())),
        Box::new(activations::ActivationsLesson::new(device.clone())),
        Box::new(losses::LossesLesson::new(device.clone())),
        Box::new(cnn::CnnLesson::new(device.clone())),
        Box::new(transfer::TransferLesson::new(device.clone())),
        Box::new(gan::GanLesson::new(device.clone())),
        Box::new(detect::DetectLesson::new(device.clone())),
        Box::new(bench::BenchLesson::new(device.clone())),
    ]
}
