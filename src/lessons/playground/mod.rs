//! "Your first network": an MLP separating 2-D point clouds.

pub mod effects;
pub mod fields;
pub mod page;
pub mod state;
pub mod widgets;

use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::resume::PlaygroundCheckpoint;

use crate::lessons::PageLesson;
use crate::lessons::checkpoints::AtIteration;
use crate::route::{self, Route};
use state::{PlaygroundAction, PlaygroundState};

fn read_link(
    query: &str,
) -> (
    PlaygroundConfig,
    Vec<kindling_engine::lessons::playground::config::ConfigError>,
) {
    PlaygroundConfig::from_query(&route::decoded_query(query))
}

impl AtIteration for PlaygroundCheckpoint {
    fn iterations(&self) -> u64 {
        self.step
    }
}

impl PageLesson for PlaygroundState {
    fn route(&self) -> Route {
        Route::Playground
    }

    fn has_keys(&self, query: &str) -> bool {
        route::has_config_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        let (config, errors) = read_link(query);
        *self = PlaygroundState::new(config, errors);
    }

    fn follow_link(&mut self, query: &str) {
        let (config, errors) = read_link(query);
        self.reduce(PlaygroundAction::FromUrl { config, errors });
    }

    fn to_query(&self) -> String {
        self.config.to_query()
    }

    fn link_holds(query: &str, wanted: &str) -> bool {
        route::has_config_keys(query) && read_link(query).0 == read_link(wanted).0
    }

    fn opened(&mut self) {
        // A run kept in this browser is offered once the lesson opens.
        self.kept.look();
    }

    fn worker_lost(&mut self) {
        self.reduce(PlaygroundAction::WorkerLost);
    }
}
