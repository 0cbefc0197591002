//! The GAN lesson's widgets: plain data in, callbacks out.

pub mod coverage;
pub mod own_data;
pub mod presets;
pub mod run_bar;
pub mod toy_form;
pub mod toy_plot;
