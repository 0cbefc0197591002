//! What each arm does to the residual network: which parameters it freezes, which learning
//! rate each gets, and the network's layers as the page draws them. burn names a parameter by
//! its module path (`stem.conv.weight`, `blocks.2.first.norm.gamma`, `head.bias`); the groups
//! below match those paths.

use burn::lr_scheduler::module_lr_scheduler::{ModuleLearningRate, ModuleLrScheduler};
use burn::module::{Module, ModuleVisitor, Param, ParamGroup};
use burn::tensor::{Device, Tensor};

use super::config::{Arm, TransferSettings};
use crate::models::resnet::ResnetSettings;
use crate::models::resnet::model::{Resnet, ResnetConfig};

/// The layer (0 = stem, 1… = blocks, blocks + 1 = head) a parameter path belongs to.
pub fn layer_of(path: &str, blocks: usize) -> Option<usize> {
    if path.starts_with("stem.") {
        return Some(0);
    }
    if path.starts_with("head.") {
        return Some(blocks + 1);
    }
    let rest = path.strip_prefix("blocks.")?;
    let index: usize = rest.split('.').next()?.parse().ok()?;
    (index < blocks).then_some(index + 1)
}

/// Batch norms' running means and variances: saved with the model, never trained.
pub fn is_running_statistic(path: &str) -> bool {
    path.ends_with("running_mean") || path.ends_with("running_var")
}

/// Blocks in a network of `settings`.
pub fn block_count(settings: &ResnetSettings) -> usize {
    settings.stages.iter().map(|s| s.blocks).sum()
}

/// Every float tensor of `model` with its path, element count and whether it asks for a
/// gradient now.
pub fn tensors(model: &impl Module) -> Vec<(String, u64, bool)> {
    struct Visit {
        path: Vec<String>,
        found: Vec<(String, u64, bool)>,
    }
    impl ModuleVisitor for Visit {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let count = param.lazy_shape().num_elements() as u64;
            let trains = param.val().is_require_grad();
            self.found.push((self.path.join("."), count, trains));
        }
    }
    let mut visit = Visit {
        path: Vec::new(),
        found: Vec::new(),
    };
    model.visit(&mut visit);
    visit.found
}

/// Trainable parameters per layer (stem, blocks, head) of a network of `blocks` blocks.
pub fn layer_parameters(model: &Resnet, blocks: usize) -> Vec<u64> {
    let mut counts = vec![0u64; blocks + 2];
    for (path, count, _) in tensors(model) {
        if let Some(layer) = layer_of(&path, blocks).filter(|_| !is_running_statistic(&path)) {
            counts[layer] += count;
        }
    }
    counts
}

/// The group of the last block's parameters (and its batch norms' flags).
fn last_block(blocks: usize) -> ParamGroup {
    ParamGroup::from_predicate(format!("blocks.{}.", blocks.saturating_sub(1)))
}

/// The network `arm` starts from: a fresh one for scratch, otherwise the backbone with a fresh
/// head of `classes` outputs, frozen as the arm says. `device` is seeded with `seed` first, so
/// every arm's new head starts from the same weights.
pub fn prepare(
    arm: Arm,
    backbone: &Resnet,
    network: &ResnetSettings,
    classes: usize,
    seed: u64,
    device: &Device,
) -> Resnet {
    device.seed(seed);
    if arm == Arm::Scratch {
        let settings = ResnetSettings {
            classes,
            ..network.clone()
        };
        return ResnetConfig::from_settings(&settings).init(device);
    }
    // burn initialises parameters lazily, and clones of a parameter not yet initialised share
    // its pending state: freezing one arm's copy would freeze every arm's. Reading each value
    // once initialises them all, so that each arm's freezing stays its own.
    tensors(backbone);
    let model = backbone.clone().with_new_head(classes, device);
    match arm {
        Arm::Scratch => unreachable!("handled above"),
        Arm::Extract | Arm::LastBlock => model.freeze_backbone(),
        // Batch norms stay in inference mode (their statistics and their scale and shift as
        // the backbone learnt them); the convolutions train.
        Arm::Everything => model.freeze_group(ParamGroup::from_predicate("norm")),
    }
}

/// The last-block arm after its head-only phase: the last block's convolutions train from now
/// on, its batch norms stay in inference mode.
pub fn unfreeze_last_block(model: Resnet, blocks: usize) -> Resnet {
    let block = format!("blocks.{}.", blocks.saturating_sub(1));
    model
        .unfreeze_group(last_block(blocks))
        .freeze_group(ParamGroup::from_predicates(vec![block, "norm".to_string()]))
}

/// Each parameter's learning rate in `arm`: the head's rate everywhere, except the backbone of
/// the everything arm, which gets `backbone_multiplier` of it.
pub fn learning_rates(arm: Arm, settings: &TransferSettings) -> ModuleLearningRate {
    let head = settings.learning_rate;
    match arm {
        Arm::Everything => ModuleLrScheduler::new(head * settings.backbone_multiplier)
            .with_group(ParamGroup::from_predicate("head."), head)
            .step(),
        _ => ModuleLrScheduler::new(head).step(),
    }
}

/// The stem convolution's kernels as one flat tensor and their shape [filters, 1, kh, kw].
pub fn stem_filters(model: &Resnet) -> Option<(Tensor<1>, [usize; 4])> {
    struct Find {
        path: Vec<String>,
        found: Option<(Tensor<1>, [usize; 4])>,
    }
    impl ModuleVisitor for Find {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let dims = param.lazy_shape().dims::<D>();
            if self.path.join(".") == "stem.conv.weight" && D == 4 {
                let count = dims.iter().product::<usize>();
                let flat: Tensor<1> = param.val().reshape([count]);
                self.found = Some((flat, [dims[0], dims[1], dims[2], dims[3]]));
            }
        }
    }
    let mut find = Find {
        path: Vec::new(),
        found: None,
    };
    model.visit(&mut find);
    find.found
}
