//! Widgets any lesson can use: plain data in, callbacks out, no lesson's types.

pub mod confusion_matrix;
pub mod drawing_pad;
pub mod filter_grid;
pub mod image_gallery;
pub mod line_chart;
pub mod load_progress;
pub mod loss_chart;
pub mod math;
pub mod number_field;
pub mod pixel_image;
pub mod plot;
pub mod series;
pub mod softmax_bars;
pub mod stats;
pub mod synced_select;
