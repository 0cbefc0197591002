//! The page's components, one per file.

pub mod about;
pub mod activations_page;
pub mod backend_badge;
pub mod boundary_plot;
pub mod error_banner;
pub mod home;
pub mod idea_map;
pub mod language_switch;
pub mod loss_chart;
pub mod losses_page;
pub mod nav;
pub mod number_field;
pub mod playground;
pub mod playground_controls;
pub mod stats;
pub mod synced_select;
