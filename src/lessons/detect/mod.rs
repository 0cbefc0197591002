//! "Finding and naming a digit": the source article's "pretrained backbone + new head" project
//! done right, as a detector of one digit on a 64 × 64 canvas.

pub mod design;
pub mod design_many;
pub mod drawing;
pub mod effects;
pub mod fields;
pub mod kept;
pub mod link;
pub mod many;
pub mod model_file;
pub mod page;
pub mod results;
pub mod state;
pub mod text;
pub mod widgets;

use crate::lessons::PageLesson;
use crate::route::Route;
use kindling_engine::lessons::detect::config::DetectSettings;
use kindling_engine::lessons::detect::data::Level;
use state::{DetectAction, DetectState};

/// A link's settings, level and refused keys (the level's key among them when refused).
fn from_link(query: &str) -> (DetectSettings, Level, Vec<String>) {
    let (settings, mut refused) = link::from_query(query);
    let (level, bad_level) = link::level_from_query(query);
    if bad_level {
        refused.push("level".to_string());
    }
    (settings, level, refused)
}

impl PageLesson for DetectState {
    fn route(&self) -> Route {
        Route::Detect
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (settings, level, refused) = from_link(query);
        *self = DetectState::new(settings, level, refused);
    }

    fn follow_link(&mut self, query: &str) {
        let (settings, level, refused) = from_link(query);
        self.reduce(DetectAction::FromUrl {
            settings,
            level,
            refused,
        });
    }

    fn to_query(&self) -> String {
        link::to_query_with_level(&self.settings, self.level)
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        let read = |q: &str| {
            let (settings, level, _) = from_link(q);
            (settings, level)
        };
        link::has_keys(query) && read(query) == read(wanted)
    }

    fn opened(&mut self) {
        self.reduce(DetectAction::Open);
        // A run kept in this browser is offered once the lesson opens.
        self.kept.look();
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

    #[test]
    fn the_level_round_trips_through_the_link_and_a_bad_one_is_named() {
        let mut state = DetectState::default();
        state.start_from_link("steps=40&level=many");
        assert_eq!(state.level, Level::Many);
        assert_eq!(state.settings.steps, 40);
        assert!(state.refused.is_empty());
        let query = state.to_query();
        assert!(query.ends_with("&level=many"), "{query}");
        let mut again = DetectState::default();
        again.start_from_link(&query);
        assert_eq!(
            (again.level, again.settings.clone()),
            (Level::Many, state.settings.clone())
        );
        assert!(DetectState::link_holds(&query, &query));
        // The same settings at the other level are another link.
        let one = DetectState::new(state.settings.clone(), Level::One, vec![]).to_query();
        assert!(!DetectState::link_holds(&one, &query));
        assert!(!one.contains("level="));
        // A bad level: level one, and the key is named.
        state.follow_link("level=seven&steps=12");
        assert_eq!(state.level, Level::One);
        assert_eq!(state.refused, ["level"]);
        assert_eq!(state.settings.steps, 12);
    }
}
