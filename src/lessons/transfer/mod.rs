//! "Reusing a network": transfer learning from digits 0–4 to digits 5–9 with few labels.

pub mod effects;
pub mod fields;
pub mod inside;
pub mod link;
pub mod measured;
pub mod own;
pub mod own_state;
pub mod own_text;
pub mod page;
pub mod results;
pub mod state;
pub mod text;
pub mod widgets;
pub mod worked;

use crate::lessons::PageLesson;
use crate::route::Route;
use state::{TransferAction, TransferState};

impl PageLesson for TransferState {
    fn route(&self) -> Route {
        Route::Transfer
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (settings, refused) = link::from_query(query);
        *self = TransferState::new(settings, refused);
    }

    fn follow_link(&mut self, query: &str) {
        let (settings, refused) = link::from_query(query);
        self.reduce(TransferAction::FromUrl { settings, refused });
    }

    fn to_query(&self) -> String {
        link::to_query(&self.settings)
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        link::has_keys(query) && link::from_query(query).0 == link::from_query(wanted).0
    }

    fn opened(&mut self) {
        self.reduce(TransferAction::Open);
    }

    fn worker_lost(&mut self) {
        self.reduce(TransferAction::WorkerLost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::lessons::transfer::TransferSettings;
    use kindling_engine::lessons::transfer::config::Target;

    #[test]
    fn the_link_round_trips_the_settings_and_names_refused_values() {
        let mut state = TransferState::default();
        state.start_from_link(
            "labels=all&steps=40&batch=16&lr=0.01&blr=0.5&head=0.25&seed=9&target=fashion",
        );
        let wanted = TransferSettings {
            labels_per_class: 0,
            steps: 40,
            batch: 16,
            learning_rate: 0.01,
            backbone_multiplier: 0.5,
            head_first: 0.25,
            seed: 9,
            target: Target::Fashion,
        };
        assert_eq!(state.settings, wanted);
        let query = state.to_query();
        let mut again = TransferState::default();
        again.start_from_link(&query);
        assert_eq!(again.settings, wanted);
        assert!(TransferState::link_holds(&query, &query));
        assert!(!TransferState::link_holds("steps=41", &query));

        state.follow_link("steps=0&labels=7&lang=zh");
        assert_eq!(state.refused, ["steps", "labels"]);
        assert_eq!(state.settings, TransferSettings::default());
        assert!(!state.has_keys("lang=zh") && state.has_keys("seed=3"));
    }
}
