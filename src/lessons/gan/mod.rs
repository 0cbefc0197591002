//! "Two networks compete": a GAN on 2-D points, then on handwritten digits.

pub mod digits_effects;
pub mod digits_fields;
pub mod digits_page;
pub mod digits_state;
pub mod effects;
pub mod fields;
pub mod link;
pub mod page;
pub mod state;
pub mod text;
pub mod widgets;

use kindling_engine::lessons::gan::digits_link;
use kindling_engine::lessons::gan::digits_resume::DigitCheckpoint;
use kindling_engine::lessons::gan::toy_resume::ToyCheckpoint;

use crate::lessons::checkpoints::AtIteration;

use crate::lessons::PageLesson;
use crate::route::Route;
use digits_state::{DigitsAction, DigitsState};
use state::{GanAction, GanState};

impl AtIteration for DigitCheckpoint {
    fn iterations(&self) -> u64 {
        self.iterations
    }
}

impl AtIteration for ToyCheckpoint {
    fn iterations(&self) -> u64 {
        self.iterations
    }

    /// A single D or G step moves the updates, not the iterations.
    fn mark(&self) -> u64 {
        self.d_updates + self.g_updates
    }
}

impl PageLesson for GanState {
    fn route(&self) -> Route {
        Route::Gan
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query) || digits_link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (settings, errors) = link::from_query(query);
        let digits = digits_link::from_query(query);
        *self = GanState::new(settings, errors);
        self.digits = DigitsState::new(digits.0, digits.1);
    }

    fn follow_link(&mut self, query: &str) {
        let (settings, errors) = link::from_query(query);
        self.reduce(GanAction::FromUrl { settings, errors });
        let (settings, _) = digits_link::from_query(query);
        self.reduce(GanAction::Digits(DigitsAction::SetSettings(settings)));
    }

    fn to_query(&self) -> String {
        format!(
            "{}&{}",
            link::to_query(&self.toy),
            digits_link::to_query(&self.digits.settings)
        )
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        (link::has_keys(query) || digits_link::has_keys(query))
            && link::from_query(query).0 == link::from_query(wanted).0
            && digits_link::from_query(query).0 == digits_link::from_query(wanted).0
    }

    fn opened(&mut self) {
        // Both sections offer a run kept in this browser, once the lesson opens.
        self.kept.look();
        self.digits.kept.look();
    }

    fn worker_lost(&mut self) {
        self.reduce(GanAction::WorkerLost);
    }
}
