pub mod boundary_plot;
pub mod controls;
pub mod stats;
