//! "Your first network": an MLP separating 2-D point clouds.

pub mod fields;
pub mod page;
pub mod widgets;
