//! Data sets the lessons train on: image sets (MNIST, Fashion-MNIST) and the playground's 2-D
//! point clouds.

pub mod fashion;
pub mod mnist;
pub mod toy2d;
