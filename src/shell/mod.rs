//! The site around the lessons: navigation, home, about, language and backend, error banner.

pub mod about;
pub mod backend_badge;
pub mod error_banner;
pub mod fault_hooks;
pub mod home;
pub mod idea_map;
pub mod language_switch;
pub mod mnist_data;
pub mod nav;
pub mod offline_notice;
