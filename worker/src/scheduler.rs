//! Hands each message to its lesson, and lets one lesson train at a time.

use kindling_engine::protocol::ToWorker;

use crate::lessons::Lesson;

pub struct Scheduler {
    lessons: Vec<Box<dyn Lesson>>,
    /// Whether any lesson has trained on this worker.
    trained: bool,
}

impl Scheduler {
    pub fn new(lessons: Vec<Box<dyn Lesson>>) -> Self {
        Self {
            lessons,
            trained: false,
        }
    }

    /// Whether any lesson has trained on this worker (a model that a new worker would lose).
    pub fn trained(&self) -> bool {
        self.trained
    }

    /// Whether a lesson is training.
    pub fn running(&self) -> bool {
        self.lessons.iter().any(|lesson| lesson.running())
    }

    /// Gives `message` to the lesson it belongs to; a lesson that starts training pauses the
    /// others.
    pub async fn handle(&mut self, mut message: ToWorker) {
        for index in 0..self.lessons.len() {
            let offered = offer(self.lessons[index].as_mut(), message).await;
            if let Err(unhandled) = offered {
                message = unhandled;
                continue;
            }
            if self.lessons[index].running() {
                self.pause_all_but(index).await;
            }
            return;
        }
        web_sys::console::warn_1(&format!("no lesson handles {message:?}").into());
    }

    async fn pause_all_but(&mut self, index: usize) {
        for (other, lesson) in self.lessons.iter_mut().enumerate() {
            if other != index && lesson.running() {
                lesson.pause();
                lesson.paused().await;
            }
        }
    }

    /// Trains the running lesson (if any) for a moment.
    pub async fn tick(&mut self) {
        if let Some(lesson) = self.lessons.iter_mut().find(|lesson| lesson.running()) {
            self.trained = true;
            lesson.tick().await;
        }
    }
}

/// Lets `lesson` handle `message`, or gives the message back.
async fn offer(lesson: &mut dyn Lesson, message: ToWorker) -> Result<(), ToWorker> {
    lesson.handle(message)?.await;
    Ok(())
}
