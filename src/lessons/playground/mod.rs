//! "Your first network": an MLP separating 2-D point clouds.

pub mod effects;
pub mod fields;
pub mod page;
pub mod state;
pub mod widgets;
