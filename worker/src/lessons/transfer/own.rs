//! The learner's own classes inside the worker: their examples (drawn, or uploaded and prepared
//! here), the network fine-tuned on them in time-boxed chunks, its softmax for a new drawing,
//! and its model file out and in.

use kindling_engine::lessons::transfer::messages::{TransferCommand, TransferEvent};
use kindling_engine::lessons::transfer::own::{OwnClasses, OwnProblem};
use kindling_engine::lessons::transfer::own_card::OwnSettings;
use kindling_engine::lessons::transfer::own_resume::OwnCheckpoint;
use kindling_engine::lessons::transfer::own_training::OwnTrainer;
use web_time::Instant;

use super::upload::example_from_file;
use super::{CHUNK_MS, CHUNK_STEPS, TransferLesson, send};

fn examples(own: &OwnClasses) {
    send(TransferEvent::OwnExamples {
        names: own.names.clone(),
        counts: own.counts(),
        problems: own.problems(),
    });
}

fn rejected(problems: Vec<OwnProblem>) {
    send(TransferEvent::OwnRejected { problems });
}

impl TransferLesson {
    pub(super) fn set_own_running(&mut self, running: bool) {
        let running = running && self.own_trainer.as_ref().is_some_and(|t| !t.is_finished());
        if running != self.own_running {
            self.own_running = running;
            send(TransferEvent::OwnRunning { running });
            // The page keeps where training stopped, once the caller can wait for the device.
            if !running {
                self.own_checkpoints.stopped();
            }
        }
    }

    /// A new own network (fresh, loaded, or resumed at `sent` steps): its checkpoints start
    /// again.
    fn new_own(&mut self, trainer: OwnTrainer, sent: Option<u64>) {
        self.own_trainer = Some(trainer);
        self.own_checkpoints.new_run(sent);
    }

    /// Sends the own network's checkpoint, unless the page has this one already.
    pub(super) async fn send_own_checkpoint(&mut self) {
        // A diverged network's weights are not worth keeping: the page keeps the last good one.
        let trainer = self
            .own_trainer
            .as_ref()
            .filter(|trainer| trainer.diverged().is_none())
            .map(|trainer| (trainer.step_count(), trainer.checkpoint()));
        self.own_checkpoints
            .send(
                trainer,
                |checkpoint| {
                    send(TransferEvent::OwnCheckpoint {
                        checkpoint: Box::new(checkpoint),
                    })
                },
                |error| send(TransferEvent::OwnNoCheckpoint { error }),
            )
            .await;
    }

    /// Goes on training from `checkpoint` (the classes and examples came before it), or says
    /// why not.
    async fn resume_own(&mut self, id: u64, checkpoint: &OwnCheckpoint) {
        self.set_own_running(false);
        match OwnTrainer::resume(checkpoint, self.device.clone()) {
            Ok(trainer) => {
                let step = trainer.step_count();
                send(TransferEvent::OwnResumed {
                    id,
                    step,
                    target: trainer.target_steps(),
                    loss: trainer.last_loss(),
                });
                let finished = trainer.is_finished();
                // The page holds this checkpoint already.
                self.new_own(trainer, Some(step));
                if finished {
                    if let Some(trainer) = &self.own_trainer {
                        send(TransferEvent::OwnTrained {
                            step,
                            accuracy: trainer.accuracy().await,
                        });
                    }
                } else {
                    self.set_running(false);
                    self.set_own_running(true);
                }
            }
            Err(error) => send(TransferEvent::OwnResumeFailed { id, error }),
        }
    }

    fn add_example(&mut self, class: usize, image: Vec<u8>) {
        match self.own.add(class, image.clone()) {
            Ok(index) => {
                send(TransferEvent::OwnAdded {
                    class,
                    index,
                    image,
                });
                examples(&self.own);
            }
            Err(problem) => rejected(vec![problem]),
        }
    }

    pub(super) async fn own_command(&mut self, command: TransferCommand) {
        match command {
            TransferCommand::OwnNames { names } => match self.own.set_names(&names) {
                Ok(()) => {
                    if self
                        .own_trainer
                        .as_ref()
                        .is_some_and(|t| t.names().len() != names.len())
                    {
                        self.set_own_running(false);
                        self.own_trainer = None;
                    }
                    examples(&self.own);
                }
                Err(problems) => rejected(problems),
            },
            TransferCommand::OwnAdd { class, image } => self.add_example(class, image),
            TransferCommand::OwnUpload { class, bytes } => {
                // A class that cannot take one more example is said before decoding.
                let full = self.own.examples.get(class).map(Vec::len);
                match full {
                    None => rejected(vec![OwnProblem::NoSuchClass { class }]),
                    Some(n) if n >= kindling_engine::lessons::transfer::own::MAX_EXAMPLES => {
                        rejected(vec![OwnProblem::ClassFull { class }])
                    }
                    Some(_) => match example_from_file(&bytes).await {
                        Ok(image) => self.add_example(class, image),
                        Err(problem) => send(TransferEvent::OwnUploadRefused { problem }),
                    },
                }
            }
            TransferCommand::OwnRemove { class, index } => match self.own.remove(class, index) {
                Ok(()) => examples(&self.own),
                Err(problem) => rejected(vec![problem]),
            },
            TransferCommand::OwnTrain { settings } => self.start_own(settings).await,
            TransferCommand::OwnPredict { id, image } => match &self.own_trainer {
                None => rejected(vec![OwnProblem::NotTrained]),
                Some(trainer) => match trainer.predict(&image).await {
                    Ok(probabilities) => send(TransferEvent::OwnPrediction { id, probabilities }),
                    Err(problem) => rejected(vec![problem]),
                },
            },
            TransferCommand::OwnExport => match &self.own_trainer {
                None => rejected(vec![OwnProblem::NotTrained]),
                Some(trainer) => match trainer.export().await {
                    Ok((bytes, card)) => send(TransferEvent::OwnExported { bytes, card }),
                    Err(error) => send(TransferEvent::OwnFileRefused { error }),
                },
            },
            TransferCommand::OwnImport { bytes } => {
                match OwnTrainer::import(&bytes, OwnSettings::default(), self.device.clone()) {
                    Ok((trainer, card)) => {
                        self.set_own_running(false);
                        self.own = OwnClasses::default();
                        // The card's names were checked on loading.
                        let _ = self.own.set_names(&card.class_names);
                        self.new_own(trainer, None);
                        send(TransferEvent::OwnImported { card });
                        examples(&self.own);
                    }
                    Err(error) => send(TransferEvent::OwnFileRefused { error }),
                }
            }
            TransferCommand::OwnResume { id, checkpoint } => self.resume_own(id, &checkpoint).await,
            TransferCommand::OwnRollBack => self.roll_own_back().await,
            // The comparison's commands are handled by the lesson itself.
            _ => {}
        }
    }

    /// Trains the own network further when its classes are the same number, or a new one.
    async fn start_own(&mut self, settings: OwnSettings) {
        if !settings.is_valid() {
            rejected(vec![OwnProblem::BadSettings]);
            return;
        }
        let problems = self.own.problems();
        if !problems.is_empty() {
            rejected(problems);
            return;
        }
        self.set_running(false);
        if let Some(trainer) = &mut self.own_trainer
            && trainer.names().len() == self.own.names.len()
        {
            if let Some(step) = trainer.diverged() {
                // It trains no further: it goes back first.
                let good_step = trainer.good_step();
                send(TransferEvent::OwnDiverged { step, good_step });
                return;
            }
            if let Err(problems) = trainer.set_examples(&self.own) {
                rejected(problems);
                return;
            }
            trainer.train_more(&settings);
            // Its examples and target changed without a step: the page's checkpoint is old.
            self.own_checkpoints.outdated();
        } else {
            if !self.load_backbone().await {
                return;
            }
            let Some(backbone) = &self.backbone else {
                return;
            };
            match OwnTrainer::new(
                &backbone.model,
                &backbone.settings,
                &self.own,
                settings,
                self.device.clone(),
            ) {
                Ok(trainer) => self.new_own(trainer, None),
                Err(problems) => {
                    rejected(problems);
                    return;
                }
            }
        }
        self.set_own_running(true);
    }

    /// Back to the own network's last good step after its loss stopped being a number: says
    /// where it stands and sends that step's checkpoint. Training stays stopped.
    async fn roll_own_back(&mut self) {
        self.set_own_running(false);
        let Some(trainer) = &mut self.own_trainer else {
            return;
        };
        trainer.roll_back();
        send(TransferEvent::OwnProgress {
            step: trainer.step_count(),
            target: trainer.target_steps(),
            loss: trainer.last_loss(),
        });
        self.send_own_checkpoint().await;
    }

    /// Trains the own network for a moment; at the end, its accuracy on its examples.
    pub(super) async fn train_own(&mut self) {
        let started = Instant::now();
        let Some(trainer) = &mut self.own_trainer else {
            self.set_own_running(false);
            return;
        };
        trainer.train_chunk(CHUNK_STEPS, CHUNK_MS).await;
        send(TransferEvent::OwnProgress {
            step: trainer.step_count(),
            target: trainer.target_steps(),
            loss: trainer.last_loss(),
        });
        if let Some(step) = trainer.diverged() {
            // More steps cannot bring the weights back: training stops and says why.
            let good_step = trainer.good_step();
            send(TransferEvent::OwnDiverged { step, good_step });
            self.set_own_running(false);
            return;
        }
        if trainer.is_finished() {
            send(TransferEvent::OwnTrained {
                step: trainer.step_count(),
                accuracy: trainer.accuracy().await,
            });
            self.set_own_running(false);
        }
        self.own_checkpoints
            .trained(started.elapsed().as_secs_f64() * 1000.0);
        if self.own_checkpoints.is_due() || self.own_checkpoints.interval_passed() {
            self.send_own_checkpoint().await;
        }
    }
}
