//! "Finding and naming a digit": the source article's "pretrained backbone + new head" project
//! done right, as a detector of one digit on a 64 × 64 canvas.

pub mod design;
pub mod drawing;
pub mod effects;
pub mod fields;
pub mod link;
pub mod model_file;
pub mod page;
pub mod results;
pub mod state;
pub mod text;
pub mod widgets;

use crate::lessons::PageLesson;
use crate::route::Route;
use state::{DetectAction, DetectState};

impl PageLesson for DetectState {
    fn route(&self) -> Route {
        Route::Detect
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (settings, refused) = link::from_query(query);
        *self = DetectState::new(settings, refused);
    }

    fn follow_link(&mut self, query: &str) {
        let (settings, refused) = link::from_query(query);
        self.reduce(DetectAction::FromUrl { settings, refused });
    }

    fn to_query(&self) -> String {
        link::to_query(&self.settings)
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        link::has_keys(query) && link::from_query(query).0 == link::from_query(wanted).0
    }

    fn opened(&mut self) {
        self.reduce(DetectAction::Open);
    }

    fn worker_lost(&mut self) {
        self.reduce(DetectAction::WorkerLost);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::lessons::detect::config::{DetectSettings, HeadKind};

    #[test]
    fn the_link_round_trips_the_settings_and_names_refused_values() {
        let mut state = DetectState::default();
        state.start_from_link(
            "head=pooled&hidden=16&steps=40&batch=8&lr=0.01&unfreeze=20&blr=0.5&box=1.5&seed=9",
        );
        let wanted = DetectSettings {
            head: HeadKind::Pooled,
            hidden: 16,
            steps: 40,
            batch: 8,
            learning_rate: 0.01,
            unfreeze_at: Some(20),
            backbone_share: 0.5,
            box_weight: 1.5,
            seed: 9,
        };
        assert_eq!(
            (state.settings.clone(), state.refused.clone()),
            (wanted.clone(), vec![])
        );
        let query = state.to_query();
        let mut again = DetectState::default();
        again.start_from_link(&query);
        assert_eq!(again.settings, wanted);
        assert!(DetectState::link_holds(&query, &query));
        assert!(!DetectState::link_holds("steps=41", &query));

        state.follow_link("steps=0&head=retinanet&lang=zh");
        assert_eq!(state.refused, ["steps", "head"]);
        assert_eq!(state.settings, DetectSettings::default());
        assert!(!state.has_keys("lang=zh") && state.has_keys("box=3"));
    }
}
