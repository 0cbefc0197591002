//! "Seeing digits": a convolutional network trained on MNIST.

pub mod card_text;
pub mod effects;
pub mod fields;
pub mod link;
pub mod page;
pub mod shipped;
pub mod state;
pub mod text;
pub mod widgets;

use crate::lessons::PageLesson;
use crate::route::Route;
use state::{CnnAction, CnnState};

impl PageLesson for CnnState {
    fn route(&self) -> Route {
        Route::Cnn
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (settings, errors) = link::from_query(query);
        *self = CnnState::new(&settings, errors);
    }

    fn follow_link(&mut self, query: &str) {
        let (settings, errors) = link::from_query(query);
        self.reduce(CnnAction::FromUrl { settings, errors });
    }

    fn to_query(&self) -> String {
        link::to_query(&self.applied)
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        link::has_keys(query) && link::from_query(query).0 == link::from_query(wanted).0
    }

    fn opened(&mut self) {
        self.reduce(CnnAction::Open);
    }

    fn worker_lost(&mut self) {
        self.reduce(CnnAction::WorkerCrashed);
    }
}
