pub mod boundary_plot;
pub mod controls;
