//! What a playground run reports, and the grid its decision boundary is drawn on.

use serde::{Deserialize, Serialize};

/// Side of the square grid on which the decision boundary is sampled.
pub const BOUNDARY_RESOLUTION: usize = 50;
/// Half-width of the plotted square: the plot spans [-EXTENT, EXTENT]².
pub const EXTENT: f32 = 1.2;

/// Loss and accuracy on both splits.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    pub train_loss: f32,
    pub test_loss: f32,
    pub train_accuracy: f32,
    pub test_accuracy: f32,
}

/// What a training run reports as it goes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Progress {
    pub step: u64,
    /// Loss of the last mini-batch.
    pub batch_loss: f32,
    pub evaluation: Evaluation,
    /// Time spent training (not paused), in milliseconds.
    pub elapsed_ms: f64,
    pub steps_per_second: f64,
}

/// Centres of the boundary grid's cells, row by row from the top (y = +EXTENT).
pub fn grid_points() -> Vec<f32> {
    let n = BOUNDARY_RESOLUTION;
    let cell = 2.0 * EXTENT / n as f32;
    (0..n)
        .flat_map(|row| {
            (0..n).flat_map(move |col| {
                [
                    -EXTENT + cell * (col as f32 + 0.5),
                    EXTENT - cell * (row as f32 + 0.5),
                ]
            })
        })
        .collect()
}
