//! A worked-example lesson's page state (activations, losses): the learner's inputs, and the
//! worker's answer to the latest request made from them; answers to older requests are dropped.

use std::rc::Rc;

use kindling_engine::common::input::InputError;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::services::worker::WorkerLink;

/// A worker's answer, with the request it answers.
#[derive(Clone, Debug, PartialEq)]
pub struct LessonAnswer<Req, Res> {
    pub id: u64,
    pub request: Req,
    pub result: Result<Res, InputError>,
}

impl<Req, Res> LessonAnswer<Req, Res> {
    /// The request and its result, when it was computed.
    pub fn computed(&self) -> Option<(&Req, &Res)> {
        self.result
            .as_ref()
            .ok()
            .map(|result| (&self.request, result))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WorkedLesson<I, Req, Res> {
    pub inputs: I,
    /// The latest request sent, waiting for its answer.
    pending: Option<(u64, Rc<Req>)>,
    pub answer: Option<Rc<LessonAnswer<Req, Res>>>,
}

impl<I: Default, Req, Res> Default for WorkedLesson<I, Req, Res> {
    fn default() -> Self {
        Self {
            inputs: I::default(),
            pending: None,
            answer: None,
        }
    }
}

pub enum WorkedAction<I, Req, Res> {
    SetInputs(I),
    /// A request was sent with this id; only its answer is kept.
    Requested {
        id: u64,
        request: Req,
    },
    Computed {
        id: u64,
        result: Result<Res, InputError>,
    },
}

impl<I, Req: Clone, Res> WorkedLesson<I, Req, Res> {
    pub fn new(inputs: I) -> Self {
        Self {
            inputs,
            pending: None,
            answer: None,
        }
    }

    pub fn reduce(&mut self, action: WorkedAction<I, Req, Res>) {
        match action {
            WorkedAction::SetInputs(inputs) => self.inputs = inputs,
            WorkedAction::Requested { id, request } => self.pending = Some((id, Rc::new(request))),
            WorkedAction::Computed { id, result } => {
                if let Some((pending, request)) =
                    self.pending.take_if(|(pending, _)| *pending == id)
                {
                    self.answer = Some(Rc::new(LessonAnswer {
                        id: pending,
                        request: (*request).clone(),
                        result,
                    }));
                }
            }
        }
    }
}

/// The inputs of a worked-example lesson, which make a request when they are valid.
pub trait WorkedInputs: Clone + PartialEq + 'static {
    type Request: Clone + 'static;
    fn worked_request(&self) -> Option<Self::Request>;
}

/// A worked-example lesson's route to the worker: while `open`, the request of valid inputs is
/// sent whenever they change, and again to each worker that says `Ready` (`ready`: its number).
/// `dispatch` hears each request's id before `command` wraps it for the worker.
#[hook]
pub fn use_worked_example<I, Res>(
    lesson: &WorkedLesson<I, I::Request, Res>,
    open: bool,
    worker: &WorkerLink,
    ready: Option<u64>,
    dispatch: Callback<WorkedAction<I, I::Request, Res>>,
    command: fn(u64, I::Request) -> ToWorker,
) where
    I: WorkedInputs,
    Res: 'static,
{
    let worker = worker.clone();
    let next_id = use_mut_ref(|| 0u64);
    use_effect_with(
        (open, lesson.inputs.clone(), ready),
        move |(open, inputs, ready)| {
            let Some(request) = inputs.worked_request().filter(|_| *open && ready.is_some()) else {
                return;
            };
            let id = {
                let mut next = next_id.borrow_mut();
                *next += 1;
                *next
            };
            dispatch.emit(WorkedAction::Requested {
                id,
                request: request.clone(),
            });
            worker.send(command(id, request));
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_answer_is_kept() {
        let mut lesson: WorkedLesson<(), &str, f64> = WorkedLesson::new(());
        lesson.reduce(WorkedAction::Requested {
            id: 1,
            request: "one",
        });
        lesson.reduce(WorkedAction::Requested {
            id: 2,
            request: "two",
        });
        lesson.reduce(WorkedAction::Computed {
            id: 1,
            result: Ok(1.0),
        });
        assert!(lesson.answer.is_none());
        lesson.reduce(WorkedAction::Computed {
            id: 2,
            result: Err(InputError::Empty),
        });
        let kept = lesson.answer.clone().unwrap();
        assert_eq!((kept.id, kept.request), (2, "two"));
        assert!(kept.computed().is_none());
        lesson.reduce(WorkedAction::Computed {
            id: 2,
            result: Ok(2.0),
        });
        assert_eq!(
            lesson.answer.as_ref().map(|a| a.result.clone()),
            Some(Err(InputError::Empty))
        );
    }
}
