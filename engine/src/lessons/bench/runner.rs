//! Runs one workload step by step on a device and times each step, waiting for the device by
//! reading the step's result back.

use burn::module::{Module, ModuleMapper, Param};
use burn::nn::Initializer;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};
use web_time::Instant;

use super::memory::GpuMemory;
use super::model::{self, Mlp, NOISE, PIXELS, SmallCnn, SmallCnnConfig};
use super::workload::{BenchResult, Workload};
use crate::common::bce_kernel;
use crate::common::optimizer::OptimizerKind;
use crate::common::read::read_scalar;
use crate::common::stepper::{Rule, Stepper};
use crate::lessons::cnn::config::CnnSettings;
use crate::lessons::cnn::model::{Cnn, CnnConfig};
use crate::rng::Rng;

const CLASSES: usize = 10;

/// Moves a module's weights to a device as they are. `Module::to_device` would only retarget a
/// parameter that burn has not initialised yet (it initialises lazily), which would then draw
/// its weights on the new device, from that backend's generator.
struct MoveAsIs<'a>(&'a Device);

impl ModuleMapper for MoveAsIs<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        // Detached: the moved weight is a leaf of the new device's graph, not a step away from
        // the old one (whose tape the first backward pass would consume).
        param.map(|tensor| {
            let trained = tensor.is_require_grad();
            let moved = tensor.to_device(self.0).detach();
            if trained { moved.require_grad() } else { moved }
        })
    }
}

/// Seeded synthetic inputs: standard normal pixels, uniform labels.
fn normal(rng: &mut Rng, count: usize) -> Vec<f32> {
    (0..count).map(|_| rng.normal() as f32).collect()
}

fn images(rng: &mut Rng, n: usize, device: &Device) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(normal(rng, n * PIXELS), [n, 1, 28, 28]),
        device,
    )
}

fn labels(rng: &mut Rng, n: usize, device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = (0..n).map(|_| rng.below(CLASSES) as i64).collect();
    Tensor::from_data(TensorData::new(values, [n]), device)
}

struct Gan {
    generator: Mlp,
    discriminator: Mlp,
    g_optimizer: Stepper,
    d_optimizer: Stepper,
    real: Tensor<2>,
    noise: Tensor<2>,
}

enum State {
    Small {
        model: SmallCnn,
        optimizer: Stepper,
    },
    Default {
        model: Cnn,
        optimizer: Stepper,
        learning_rate: f64,
    },
    Gan(Box<Gan>),
    Inference {
        model: SmallCnn,
    },
    Transfer {
        model: SmallCnn,
        optimizer: Stepper,
    },
}

/// One workload's model, optimiser and data, ready to step.
pub struct BenchRun {
    workload: Workload,
    state: State,
    x: Tensor<4>,
    y: Tensor<1, Int>,
    loss: CrossEntropyLoss,
}

const ADAM_RATE: f64 = 1e-3;
/// Small enough that the constant network's activations stay finite over a calibration.
const CONSTANT_WEIGHT: f64 = 0.01;
const GAN_RATE: f64 = 2e-4;

impl BenchRun {
    /// `device` must have autodiff enabled. The same seed gives the same weights and data.
    pub fn new(workload: Workload, device: &Device, seed: u64) -> Self {
        device.seed(seed);
        Self::build(workload, device, seed, None)
    }

    /// The run `new` makes on the CPU backend (so the weights and data of a CPU run with this
    /// seed), moved to `device` before its first step: a backend's steps compared with the CPU's
    /// from the same starting point.
    pub fn from_cpu(workload: Workload, device: &Device, seed: u64) -> Self {
        Self::new(workload, &crate::backend::cpu(), seed).moved_to(device)
    }

    fn moved_to(self, device: &Device) -> Self {
        let state = match self.state {
            State::Small { model, optimizer } => State::Small {
                model: model.map(&mut MoveAsIs(device)),
                optimizer,
            },
            State::Transfer { model, optimizer } => State::Transfer {
                model: model.map(&mut MoveAsIs(device)),
                optimizer,
            },
            State::Default {
                model,
                optimizer,
                learning_rate,
            } => State::Default {
                model: model.map(&mut MoveAsIs(device)),
                optimizer,
                learning_rate,
            },
            State::Inference { model } => State::Inference {
                model: model.map(&mut MoveAsIs(device)),
            },
            State::Gan(gan) => {
                let Gan {
                    generator,
                    discriminator,
                    g_optimizer,
                    d_optimizer,
                    real,
                    noise,
                } = *gan;
                State::Gan(Box::new(Gan {
                    generator: generator.map(&mut MoveAsIs(device)),
                    discriminator: discriminator.map(&mut MoveAsIs(device)),
                    g_optimizer,
                    d_optimizer,
                    real: real.to_device(device),
                    noise: noise.to_device(device),
                }))
            }
        };
        Self {
            workload: self.workload,
            state,
            x: self.x.to_device(device),
            y: self.y.to_device(device),
            loss: CrossEntropyLossConfig::new().init(device),
        }
    }

    /// Workload A for timing alone, on a device that lessons share: its weights are constant
    /// and its data comes from the crate's own generator, so the device's random stream (which
    /// a lesson's dropout or next initialisation continues) is neither reseeded nor advanced.
    pub fn without_device_randomness(device: &Device, seed: u64) -> Self {
        let constant = Initializer::Constant {
            value: CONSTANT_WEIGHT,
        };
        Self::build(Workload::CnnSmall, device, seed, Some(constant))
    }

    /// `initializer` replaces the small CNN's random one (workloads A and its variants).
    fn build(
        workload: Workload,
        device: &Device,
        seed: u64,
        initializer: Option<Initializer>,
    ) -> Self {
        let small = || SmallCnnConfig::new().with_initializer(initializer.clone());
        let mut rng = Rng::new(seed);
        let n = workload.batch();
        let x = images(&mut rng, n, device);
        let y = labels(&mut rng, n, device);
        let adam = || Stepper::new(Rule::of(OptimizerKind::Adam));
        let state = match workload {
            Workload::CnnSmall => State::Small {
                model: small().init(device),
                optimizer: adam(),
            },
            Workload::CnnDefault => {
                let settings = CnnSettings::default();
                State::Default {
                    model: CnnConfig::from_settings(&settings, 28, 28).init(device),
                    optimizer: Stepper::new(Rule::of(settings.optimizer)),
                    learning_rate: settings.learning_rate,
                }
            }
            Workload::Gan => {
                let real: Vec<f32> = (0..n * PIXELS)
                    .map(|_| rng.range(-1.0, 1.0) as f32)
                    .collect();
                let gan_adam = || Stepper::new(Rule::adam(0.5));
                State::Gan(Box::new(Gan {
                    generator: model::generator(device),
                    discriminator: model::discriminator(device),
                    g_optimizer: gan_adam(),
                    d_optimizer: gan_adam(),
                    real: Tensor::from_data(TensorData::new(real, [n, PIXELS]), device),
                    noise: Tensor::from_data(
                        TensorData::new(normal(&mut rng, n * NOISE), [n, NOISE]),
                        device,
                    ),
                }))
            }
            Workload::Inference => State::Inference {
                model: small().init(device).valid(),
            },
            Workload::Transfer => {
                let mut model = small().init(device);
                model.convs = model.convs.no_grad();
                State::Transfer {
                    model,
                    optimizer: adam(),
                }
            }
        };
        Self {
            workload,
            state,
            x: if workload == Workload::Inference {
                x.without_autodiff()
            } else {
                x
            },
            y,
            loss: CrossEntropyLossConfig::new().init(device),
        }
    }

    pub fn workload(&self) -> Workload {
        self.workload
    }

    /// One step, queued but not waited for: returns a value to read back (a loss, or a logit).
    pub fn step(&mut self) -> Tensor<1> {
        let (x, y) = (self.x.clone(), self.y.clone());
        match &mut self.state {
            State::Small { model, optimizer } | State::Transfer { model, optimizer } => {
                let loss = self.loss.forward(model.forward(x), y);
                *model = optimizer.step(ADAM_RATE, model.clone(), &loss);
                loss.without_autodiff()
            }
            State::Default {
                model,
                optimizer,
                learning_rate,
            } => {
                let loss = self.loss.forward(model.forward(x), y);
                *model = optimizer.step(*learning_rate, model.clone(), &loss);
                loss.without_autodiff()
            }
            State::Gan(gan) => {
                let Gan {
                    generator,
                    discriminator,
                    g_optimizer,
                    d_optimizer,
                    real,
                    noise,
                } = gan.as_mut();
                // Discriminator: real towards 1, detached fakes towards 0.
                let fake = generator.generate(noise.clone()).detach();
                let d_loss = bce_kernel::discriminator_bce(
                    discriminator.discriminate(real.clone()),
                    discriminator.discriminate(fake),
                );
                *discriminator = d_optimizer.step(GAN_RATE, discriminator.clone(), &d_loss);
                // Generator (non-saturating): its fakes towards 1 through the updated D, whose
                // weights need no gradients in this step.
                let judge = discriminator.clone().no_grad();
                let g_loss = bce_kernel::bce_with_logits_mean(
                    judge.discriminate(generator.generate(noise.clone())),
                    true,
                );
                *generator = g_optimizer.step(GAN_RATE, generator.clone(), &g_loss);
                g_loss.without_autodiff()
            }
            State::Inference { model } => model.forward(x).flatten(0, 1),
        }
    }

    /// One step, waited for; returns its wall time in milliseconds and the value read back.
    pub async fn timed_step(&mut self) -> (f64, f32) {
        let started = Instant::now();
        let value = read_scalar(self.step()).await;
        (started.elapsed().as_secs_f64() * 1000.0, value)
    }

    /// One timed step's milliseconds. A workload that keeps no state (C, inference) can take
    /// less than a browser's clock resolves (0.1 ms without cross-origin isolation, where a
    /// single step reads as 0), so it repeats until [`MIN_TIMED_MS`] have passed and reports
    /// the mean.
    async fn timed_mean(&mut self) -> f64 {
        if self.workload != Workload::Inference {
            return self.timed_step().await.0;
        }
        let started = Instant::now();
        let mut count = 0u32;
        loop {
            read_scalar(self.step()).await;
            count += 1;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if elapsed >= MIN_TIMED_MS || count >= MAX_REPEATS {
                return elapsed / f64::from(count);
            }
        }
    }
}

/// The shortest span one timed inference step is measured over (see `timed_mean`).
const MIN_TIMED_MS: f64 = 2.0;
/// At most this many repeats make one timed step, whatever the clock says.
const MAX_REPEATS: u32 = 1000;

/// Runs `workload`: the first step apart, `warmup` untimed steps, then `steps` timed ones
/// (inference's each a mean over repeats, see `BenchRun::timed_mean`).
pub async fn run(
    workload: Workload,
    device: &Device,
    seed: u64,
    warmup: u32,
    steps: u32,
) -> BenchResult {
    let mut bench = BenchRun::new(workload, device, seed);
    let (first_ms, _) = bench.timed_step().await;
    for _ in 0..warmup {
        bench.timed_step().await;
    }
    let mut steps_ms = Vec::with_capacity(steps as usize);
    for _ in 0..steps {
        steps_ms.push(bench.timed_mean().await);
    }
    BenchResult {
        workload,
        first_ms,
        steps_ms,
    }
}

/// What burn's device allocator holds on `device` (cubecl's pools, recorded operations drained
/// first, nothing read from the device); `None` on the CPU backend, which reports nothing.
pub fn gpu_memory(device: &Device) -> Option<GpuMemory> {
    device.memory_pool_usage().map(|usage| GpuMemory {
        in_use: usage.bytes_in_use,
        reserved: usage.bytes_reserved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use burn::tensor::Distribution;

    fn values(mut run: BenchRun, steps: usize) -> Vec<f32> {
        (0..steps)
            .map(|_| pollster::block_on(run.timed_step()).1)
            .collect()
    }

    #[test]
    fn a_run_moved_from_the_cpu_steps_as_the_cpu_run_does() {
        let cpu = backend::cpu();
        for &workload in Workload::ALL {
            let moved = BenchRun::from_cpu(workload, &cpu, 7);
            // Another backend's generator is another stream: weights still to be drawn after
            // the move would come out different.
            let _ = Tensor::<1>::random([8], Distribution::Default, &cpu);
            let moved = values(moved, 3);
            let direct = values(BenchRun::new(workload, &cpu, 7), 3);
            assert_eq!(moved, direct, "{workload:?}");
            assert!(moved.iter().all(|v| v.is_finite()), "{moved:?}");
            if workload != Workload::Inference {
                assert_ne!(moved[0], moved[2], "{workload:?} did not train");
            }
        }
    }
}
