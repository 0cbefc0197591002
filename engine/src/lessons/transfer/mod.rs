//! "Reusing a network": transfer learning from a residual network trained on digits 0–4 to a
//! task it never saw (digits 5–9, or clothes), with few labels. Four ways of reusing the
//! backbone train side by side on the same data, seed and step budget. Then the learner's own
//! classes, drawn or uploaded, fine-tune the backbone the same way.

pub mod config;
pub mod link;
pub mod messages;
#[cfg(feature = "compute")]
pub mod model;
pub mod own;
pub mod own_card;
pub mod own_resume;
#[cfg(feature = "compute")]
pub mod own_training;
pub mod pca;
pub mod resume;
pub mod sample;
pub mod table;
#[cfg(feature = "compute")]
pub mod training;
#[cfg(feature = "compute")]
pub mod worked;

pub use config::{Arm, LayerPlan, TransferProblem, TransferSettings};
