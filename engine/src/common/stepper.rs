//! The optimisers as Kindling runs them: burn's update rules (SGD, momentum, Adam), with the state
//! held here instead of inside burn's `ModuleOptimizer`, so that a checkpoint can read it with the
//! async reads WebGPU allows. burn flattens its optimisers' state only through synchronous reads,
//! which panic in a browser on WebGPU.
//!
//! A parameter's state is kept under its place in the module (the order a visitor meets the float
//! parameters, with their path as a check), not under burn's `ParamId`: a checkpoint's weights may
//! come back in a fresh module, whose ids are new.

use std::collections::BTreeMap;

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::{Module, ModuleMapper, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};

use super::adam_kernel::{self, AdamScalars};
use super::model_file::parameters;
use super::optimizer::OptimizerKind;
use super::read::read_floats;
use super::resume::ResumeError;

/// An update rule and its hyper-parameters, as burn's configs of the same name set them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    Sgd,
    /// Momentum without dampening or Nesterov.
    Momentum {
        momentum: f32,
    },
    Adam {
        beta_1: f32,
        beta_2: f32,
        epsilon: f32,
    },
}

impl Rule {
    /// The rule a learner's choice names (momentum 0.9; Adam with burn's defaults).
    pub fn of(kind: OptimizerKind) -> Self {
        match kind {
            OptimizerKind::Sgd => Rule::Sgd,
            OptimizerKind::Momentum => Rule::Momentum { momentum: 0.9 },
            OptimizerKind::Adam => Rule::adam(0.9),
        }
    }

    /// Adam with burn's defaults but this first-moment decay (GANs use 0.5).
    pub fn adam(beta_1: f32) -> Self {
        Rule::Adam {
            beta_1,
            beta_2: 0.999,
            epsilon: 1e-5,
        }
    }

    /// The direction to step along for `grad`, and the parameter's new state. Written as burn
    /// 0.22's `Momentum` and `AdaptiveMomentum` transforms are, operation for operation, so that
    /// both give the same floats.
    fn direction(&self, grad: Tensor<1>, state: Option<Slot>) -> (Tensor<1>, Option<Slot>) {
        match *self {
            Rule::Sgd => (grad, None),
            Rule::Momentum { momentum } => {
                let velocity = match state {
                    Some(mut slot) => grad
                        .mul_scalar(1.0)
                        .add(slot.tensors.remove(0).mul_scalar(momentum)),
                    None => grad,
                };
                let slot = Slot {
                    time: 0,
                    tensors: vec![velocity.clone()],
                };
                (velocity, Some(slot))
            }
            Rule::Adam {
                beta_1,
                beta_2,
                epsilon,
            } => {
                let (time, moment_1, moment_2) = match Slot::moments(state) {
                    Some((time, moment_1, moment_2)) => (
                        time + 1,
                        moment_1
                            .mul_scalar(beta_1)
                            .add(grad.clone().mul_scalar(1.0 - beta_1)),
                        moment_2
                            .mul_scalar(beta_2)
                            .add(grad.square().mul_scalar(1.0 - beta_2)),
                    ),
                    None => (
                        1,
                        grad.clone().mul_scalar(1.0 - beta_1),
                        grad.square().mul_scalar(1.0 - beta_2),
                    ),
                };
                let (factor, epsilon) = adam_corrections(beta_1, beta_2, epsilon, time);
                let direction = moment_1
                    .clone()
                    .mul_scalar(factor)
                    .div(moment_2.clone().sqrt().add_scalar(epsilon));
                let slot = Slot {
                    time,
                    tensors: vec![moment_1, moment_2],
                };
                (direction, Some(slot))
            }
        }
    }

    /// Adam's step as one GPU kernel ([`adam_kernel`]): the parameter after it and its new state,
    /// from the same scalars as [`Self::direction`]. `None` for other rules, or where the kernel
    /// does not run (the CPU backend keeps the tensor operations).
    fn fused_step(
        &self,
        values: &Tensor<1>,
        grad: &Tensor<1>,
        state: &mut Option<Slot>,
        rate: f64,
    ) -> Option<(Tensor<1>, Slot)> {
        let Rule::Adam {
            beta_1,
            beta_2,
            epsilon,
        } = *self
        else {
            return None;
        };
        if !adam_kernel::applies(values) {
            return None;
        }
        let (time, moment_1, moment_2) = match Slot::moments(state.take()) {
            Some((time, moment_1, moment_2)) => (time + 1, moment_1, moment_2),
            // From zero moments, the first step's moments are (1 − β)·g and (1 − β)·g², as
            // the tensor version starts them.
            None => (1, grad.zeros_like(), grad.zeros_like()),
        };
        let (factor, epsilon) = adam_corrections(beta_1, beta_2, epsilon, time);
        let scalars = AdamScalars {
            beta_1,
            beta_2,
            factor,
            epsilon,
            rate: rate as f32,
        };
        let (updated, moment_1, moment_2) =
            adam_kernel::update(values.clone(), grad.clone(), moment_1, moment_2, scalars);
        let slot = Slot {
            time,
            tensors: vec![moment_1, moment_2],
        };
        Some((updated, slot))
    }

    /// How many tensors a parameter's state holds.
    fn tensors(&self) -> usize {
        match self {
            Rule::Sgd => 0,
            Rule::Momentum { .. } => 1,
            Rule::Adam { .. } => 2,
        }
    }
}

/// One parameter's state, flattened: Adam's step count and two moments, or momentum's velocity.
#[derive(Clone)]
struct Slot {
    time: u32,
    tensors: Vec<Tensor<1>>,
}

impl Slot {
    /// Adam's step count and first and second moments, if `state` holds them.
    fn moments(state: Option<Slot>) -> Option<(u32, Tensor<1>, Tensor<1>)> {
        let Slot { time, mut tensors } = state.filter(|slot| slot.tensors.len() == 2)?;
        let moment_2 = tensors.pop()?;
        let moment_1 = tensors.pop()?;
        Some((time, moment_1, moment_2))
    }
}

/// Adam's bias corrections at step `time` (from 1): the first moment's factor
/// √(1 − β₂ᵗ) / (1 − β₁ᵗ) and the term added to the second moment's square root, ε · √(1 − β₂ᵗ).
fn adam_corrections(beta_1: f32, beta_2: f32, epsilon: f32, time: u32) -> (f32, f32) {
    let t = time as i32;
    let correction_2 = (1.0 - beta_2.powi(t)).sqrt();
    (
        correction_2 / (1.0 - beta_1.powi(t)),
        epsilon * correction_2,
    )
}

/// An optimiser: a rule and the state of each parameter it has stepped.
#[derive(Clone)]
pub struct Stepper {
    rule: Rule,
    /// By the parameter's place among the module's float parameters.
    slots: BTreeMap<usize, Slot>,
}

impl Stepper {
    pub fn new(rule: Rule) -> Self {
        Self {
            rule,
            slots: BTreeMap::new(),
        }
    }

    /// Back-propagates `loss` through `module` and returns the module after one step at
    /// `learning_rate`.
    pub fn step<M: Module>(&mut self, learning_rate: f64, module: M, loss: &Tensor<1>) -> M {
        let grads = GradientsParams::from_grads(loss.backward(), &module);
        self.step_grads(learning_rate, module, grads)
    }

    /// One step with gradients already taken. Parameters without a gradient (frozen ones, batch
    /// norm's running statistics) are left as they are.
    pub fn step_grads<M: Module>(
        &mut self,
        learning_rate: f64,
        module: M,
        grads: GradientsParams,
    ) -> M {
        self.step_grads_by(&ModuleLearningRate::from(learning_rate), module, grads)
    }

    /// [`Self::step_grads`] with a learning rate for each group of parameters, as burn's
    /// `ModuleOptimizer` takes them (a group matched by the parameter's path in the module).
    pub fn step_grads_by<M: Module>(
        &mut self,
        rates: &ModuleLearningRate,
        module: M,
        grads: GradientsParams,
    ) -> M {
        let mut mapper = StepMapper {
            stepper: self,
            rates,
            grads,
            place: 0,
            path: Vec::new(),
        };
        module.map(&mut mapper)
    }

    /// The state, read from the device (asynchronously, as WebGPU requires), as bytes.
    pub async fn save<M: Module>(&self, module: &M) -> Vec<u8> {
        let places = parameters(module);
        let mut slots = Vec::with_capacity(self.slots.len());
        for (&place, slot) in &self.slots {
            let mut tensors = Vec::with_capacity(slot.tensors.len());
            for tensor in &slot.tensors {
                tensors.push(read_floats(tensor.clone()).await);
            }
            slots.push(SavedSlot {
                place,
                path: places
                    .get(place)
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                time: slot.time,
                tensors,
            });
        }
        let saved = SavedState {
            rule: self.rule,
            slots,
        };
        postcard::to_allocvec(&saved).unwrap_or_default()
    }

    /// The state `save` wrote for `module`'s parameters, on `device`. Refused when the bytes
    /// are damaged, or were saved for another rule or another shape of module.
    pub fn load<M: Module>(
        rule: Rule,
        module: &M,
        bytes: &[u8],
        device: &Device,
    ) -> Result<Self, ResumeError> {
        let unreadable = |message: String| ResumeError::Unreadable { message };
        let saved: SavedState =
            postcard::from_bytes(bytes).map_err(|e| unreadable(format!("optimiser state: {e}")))?;
        if saved.rule != rule {
            return Err(unreadable(
                "the optimiser's state is another optimiser's".into(),
            ));
        }
        let places = parameters(module);
        let mut slots = BTreeMap::new();
        for saved in saved.slots {
            let fits = places.get(saved.place).is_some_and(|p| {
                p.name == saved.path
                    && saved.tensors.len() == rule.tensors()
                    && saved
                        .tensors
                        .iter()
                        .all(|values| values.len() == p.shape.iter().product::<usize>())
            });
            if !fits {
                return Err(unreadable(format!(
                    "the optimiser's state does not fit the network at {}",
                    saved.path
                )));
            }
            let tensors = saved
                .tensors
                .into_iter()
                .map(|values| {
                    let n = values.len();
                    Tensor::from_data(TensorData::new(values, [n]), device)
                })
                .collect();
            slots.insert(
                saved.place,
                Slot {
                    time: saved.time,
                    tensors,
                },
            );
        }
        Ok(Self { rule, slots })
    }
}

#[derive(Serialize, Deserialize)]
struct SavedState {
    rule: Rule,
    slots: Vec<SavedSlot>,
}

#[derive(Serialize, Deserialize)]
struct SavedSlot {
    place: usize,
    path: String,
    time: u32,
    tensors: Vec<Vec<f32>>,
}

struct StepMapper<'a> {
    stepper: &'a mut Stepper,
    rates: &'a ModuleLearningRate,
    grads: GradientsParams,
    place: usize,
    /// The modules entered, as burn's optimiser tracks them to match a parameter's group.
    path: Vec<String>,
}

impl ModuleMapper for StepMapper<'_> {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let place = self.place;
        self.place += 1;
        let (id, tensor, mapper) = param.consume();
        let Some(grad) = self.grads.remove::<D>(id) else {
            return Param::from_mapped_value(id, tensor, mapper);
        };
        let require_grad = tensor.is_require_grad();
        let shape = tensor.shape();
        let values = tensor.inner().reshape([shape.num_elements()]);
        let grad = grad.reshape([shape.num_elements()]);
        let mut state = self.stepper.slots.remove(&place);
        let rate = self
            .rates
            .lr_from_param(id, Some(self.path.join(".").as_str()));
        let fused = self
            .stepper
            .rule
            .fused_step(&values, &grad, &mut state, rate);
        let updated = match fused {
            Some((updated, state)) => {
                self.stepper.slots.insert(place, state);
                updated
            }
            None => {
                let (direction, state) = self.stepper.rule.direction(grad, state);
                if let Some(state) = state {
                    self.stepper.slots.insert(place, state);
                }
                values - direction.mul_scalar(rate)
            }
        };
        let mut updated = Tensor::from_inner(updated.reshape(shape));
        if require_grad {
            updated = updated.require_grad();
        }
        Param::from_mapped_value(id, updated, mapper)
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
    use burn::tensor::activation::relu;

    use super::*;
    use crate::backend;

    #[derive(Module, Debug)]
    struct Net {
        first: Linear,
        norm: BatchNorm,
        second: Linear,
    }

    /// Fixed weights, not the device's generator: tests run in parallel and share it.
    struct Fill(usize);

    impl ModuleMapper for Fill {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let (id, tensor, mapper) = param.consume();
            let shape = tensor.shape();
            let values: Vec<f32> = (0..shape.num_elements())
                .map(|i| ((self.0 + i) as f32 * 0.37).sin() * 0.5)
                .collect();
            self.0 += 100;
            let filled = Tensor::from_data(TensorData::new(values, shape), &tensor.device());
            let filled = filled.set_require_grad(tensor.is_require_grad());
            Param::from_mapped_value(id, filled, mapper)
        }
    }

    fn net(device: &Device) -> Net {
        Net {
            first: LinearConfig::new(3, 4).init(device),
            norm: BatchNormConfig::new(4).init(device),
            second: LinearConfig::new(4, 2).init(device),
        }
        .map(&mut Fill(0))
    }

    fn loss(net: &Net, step: usize, device: &Device) -> Tensor<1> {
        let x: Vec<f32> = (0..15)
            .map(|i| ((i * 7 + step * 3) % 11) as f32 / 5.0 - 1.0)
            .collect();
        let x = Tensor::<2>::from_data(TensorData::new(x, [5, 3]), device);
        let hidden = relu(net.first.forward(x));
        // [5, 4] → batch norm over the 4 features, as [5, 4, 1].
        let hidden = net
            .norm
            .forward(hidden.unsqueeze_dim::<3>(2))
            .squeeze_dim::<2>(2);
        net.second.forward(hidden).powi_scalar(2).mean()
    }

    fn weights(net: &Net) -> Vec<f32> {
        let mut all = Vec::new();
        for tensor in [
            net.first.weight.val().flatten::<1>(0, 1),
            net.second.weight.val().flatten::<1>(0, 1),
            net.norm.gamma.val(),
            net.norm.running_mean.value(),
        ] {
            all.extend(pollster::block_on(read_floats(tensor)));
        }
        all
    }

    const KINDS: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    #[test]
    fn each_rule_steps_as_burns_own_optimiser_does() {
        let device = backend::cpu().autodiff();
        assert_eq!(
            weights(&net(&device)),
            weights(&net(&device)),
            "same seed, same network"
        );
        for kind in KINDS {
            let (mut ours, mut theirs) = (net(&device), net(&device));
            let mut stepper = Stepper::new(Rule::of(kind));
            let mut optimizer = crate::common::optimizer::init(kind);
            for step in 0..5 {
                let l = loss(&ours, step, &device);
                ours = stepper.step(0.05, ours, &l);
                let l = loss(&theirs, step, &device);
                let grads = GradientsParams::from_grads(l.backward(), &theirs);
                theirs = optimizer.step(0.05, theirs, grads);
            }
            let (ours, theirs) = (weights(&ours), weights(&theirs));
            assert_ne!(ours, weights(&net(&device)), "{kind:?} trained");
            for (a, b) in ours.iter().zip(&theirs) {
                assert!((a - b).abs() <= 1e-6, "{kind:?}: {a} against burn's {b}");
            }
        }
    }

    #[test]
    fn rates_by_group_step_as_burns_own_optimiser_does() {
        use burn::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
        use burn::module::ParamGroup;

        let device = backend::cpu().autodiff();
        let rates = ModuleLrScheduler::new(0.05)
            .with_group(ParamGroup::from_predicate("second"), 0.005)
            .step();
        let (mut ours, mut theirs, mut even) = (net(&device), net(&device), net(&device));
        let mut stepper = Stepper::new(Rule::adam(0.9));
        let mut evenly = Stepper::new(Rule::adam(0.9));
        let mut optimizer = crate::common::optimizer::init(OptimizerKind::Adam);
        for step in 0..4 {
            let l = loss(&ours, step, &device);
            let grads = GradientsParams::from_grads(l.backward(), &ours);
            ours = stepper.step_grads_by(&rates, ours, grads);
            let l = loss(&theirs, step, &device);
            let grads = GradientsParams::from_grads(l.backward(), &theirs);
            theirs = optimizer.step(rates.clone(), theirs, grads);
            let l = loss(&even, step, &device);
            even = evenly.step(0.05, even, &l);
        }
        let (ours, theirs, even) = (weights(&ours), weights(&theirs), weights(&even));
        for (a, b) in ours.iter().zip(&theirs) {
            assert!((a - b).abs() <= 1e-6, "{a} against burn's {b}");
        }
        assert_ne!(ours, even, "the second layer's own rate was used");
    }

    #[test]
    fn a_saved_state_loaded_into_a_fresh_network_goes_on_as_if_never_stopped() {
        let device = backend::cpu().autodiff();
        for kind in KINDS {
            let rule = Rule::of(kind);
            let mut straight = net(&device);
            let mut stepper = Stepper::new(rule);
            for step in 0..6 {
                let l = loss(&straight, step, &device);
                straight = stepper.step(0.05, straight, &l);
            }

            let mut first = net(&device);
            let mut stepper = Stepper::new(rule);
            for step in 0..3 {
                let l = loss(&first, step, &device);
                first = stepper.step(0.05, first, &l);
            }
            let bytes = pollster::block_on(stepper.save(&first));
            // Syncs batch norm's running statistics into what the record reads.
            let _ = first.valid();
            // A fresh network (new parameter ids) with the first one's weights.
            let second = net(&device).load_record(first.clone().into_record());
            let mut stepper = Stepper::load(rule, &second, &bytes, &device).expect("loads");
            let mut second = second;
            for step in 3..6 {
                let l = loss(&second, step, &device);
                second = stepper.step(0.05, second, &l);
            }
            assert_eq!(weights(&second), weights(&straight), "{kind:?}");

            // Without the state, Adam and momentum would have gone elsewhere.
            if kind != OptimizerKind::Sgd {
                let mut restarted = net(&device).load_record(first.clone().into_record());
                let mut stepper = Stepper::new(rule);
                for step in 3..6 {
                    let l = loss(&restarted, step, &device);
                    restarted = stepper.step(0.05, restarted, &l);
                }
                assert_ne!(weights(&restarted), weights(&straight), "{kind:?}");
            }
        }
    }

    #[test]
    fn a_state_of_another_rule_or_network_or_damaged_is_refused() {
        let device = backend::cpu().autodiff();
        let mut trained = net(&device);
        let mut stepper = Stepper::new(Rule::of(OptimizerKind::Adam));
        let l = loss(&trained, 0, &device);
        trained = stepper.step(0.05, trained, &l);
        let bytes = pollster::block_on(stepper.save(&trained));
        let adam = Rule::of(OptimizerKind::Adam);
        assert!(Stepper::load(adam, &trained, &bytes, &device).is_ok());
        let momentum = Rule::of(OptimizerKind::Momentum);
        assert!(Stepper::load(momentum, &trained, &bytes, &device).is_err());
        let wider = Net {
            first: LinearConfig::new(3, 5).init(&device),
            norm: BatchNormConfig::new(5).init(&device),
            second: LinearConfig::new(5, 2).init(&device),
        };
        assert!(Stepper::load(adam, &wider, &bytes, &device).is_err());
        assert!(Stepper::load(adam, &trained, &bytes[..bytes.len() / 2], &device).is_err());
        assert!(Stepper::load(adam, &trained, b"junk", &device).is_err());
    }
}
