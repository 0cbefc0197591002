//! The optimisers a learner can choose (the lessons run their update rules with
//! `common/stepper.rs`).

use serde::{Deserialize, Serialize};

use super::named::named;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}
named!(OptimizerKind { Sgd => "sgd", Momentum => "momentum", Adam => "adam" });

#[cfg(feature = "compute")]
use burn::optim::{AdamConfig, ModuleOptimizer, SgdConfig, momentum::MomentumConfig};

#[cfg(feature = "compute")]
/// burn's own optimiser of this kind (momentum: 0.9, no dampening; Adam: burn's defaults), for
/// burn-train's `Learner` in the native program; the lessons use the same rules through
/// `common::stepper`, whose state a browser can read back.
pub fn init(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Sgd => SgdConfig::new().init(),
        OptimizerKind::Momentum => SgdConfig::new()
            .with_momentum(Some(
                MomentumConfig::new().with_momentum(0.9).with_dampening(0.0),
            ))
            .init(),
        OptimizerKind::Adam => AdamConfig::new().init(),
    }
}
