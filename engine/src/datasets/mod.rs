//! Data sets the lessons train on: image sets (MNIST) and the playground's 2-D point clouds.

pub mod mnist;
pub mod toy2d;
