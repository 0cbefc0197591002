//! A worked-example lesson's page state (activations, losses): the learner's inputs, and the
//! worker's answer to the latest request made from them; answers to older requests are dropped.

use std::rc::Rc;

use kindling_engine::common::input::InputError;

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
