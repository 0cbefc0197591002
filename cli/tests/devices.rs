//! `--devices 2` on the CPU: burn-train's multi-device strategy with the CPU backend's one device
//! given twice (one worker thread each), which is what this machine can test of data parallelism.

use kindling_cli::args::{Backend, DeviceArgs, Schedule};
use kindling_cli::data::{self, Mnist};
use kindling_cli::fit::{FIRST_LOSSES, Plan};
use kindling_cli::run::train;
use kindling_cli::train::devices;
use kindling_engine::backend::{NativeBackend, native_devices};
use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::model::CnnConfig;

#[test]
fn two_cpu_devices_share_each_epoch_and_learn() {
    let mnist = Mnist::load(&data::folder(None)).expect("MNIST (run `cargo xtask data`)");
    let settings = CnnSettings::default();
    let devices = native_devices(NativeBackend::Cpu, 2).unwrap();
    assert_eq!(devices.len(), 2);
    let plan = Plan {
        epochs: 1,
        batch: settings.batch_size,
        seed: settings.seed,
        optimizer: settings.optimizer,
        learning_rate: settings.learning_rate,
        schedule: Schedule::Constant,
        devices,
        ddp: false,
        artifacts: std::env::temp_dir().join(format!("kindling-devices-{}", std::process::id())),
        resume: None,
        steps_before: 0,
        checkpoints: false,
        first_losses_only: false,
    };
    let folder = plan.artifacts.clone();
    let run = train(
        |device| Ok(CnnConfig::from_settings(&settings, 28, 28).init(device)),
        settings.seed,
        mnist.train.take(4_000),
        mnist.test.take(1_000),
        plan,
    )
    .expect("two devices train");
    let _ = std::fs::remove_dir_all(folder);
    // Each device takes half of the 4 000 images; a step takes one batch of 64 on each.
    assert_eq!(run.fitted.steps_per_epoch, 2_000 / 64);
    assert_eq!(run.fitted.steps, 2_000 / 64);
    assert_eq!(run.fitted.first_losses.len(), FIRST_LOSSES);
    assert!(
        run.evaluation.loss < run.fitted.first_losses[0] / 3.0,
        "{:?}",
        run.evaluation
    );
    assert!(
        run.evaluation.accuracy > 0.8,
        "{:?}",
        run.evaluation.accuracy
    );
}

#[test]
fn missing_backends_and_no_devices_are_refused() {
    assert!(native_devices(NativeBackend::Cpu, 0).is_err());
    // burn's CPU backend has no all-reduce for the distributed data-parallel strategy.
    let ddp = DeviceArgs {
        backend: Backend::Cpu,
        devices: 2,
        ddp: true,
    };
    assert!(devices(&ddp).unwrap_err().contains("all-reduce"));
    for backend in [NativeBackend::Wgpu, NativeBackend::Cuda] {
        if !backend.compiled() {
            let error = native_devices(backend, 1).err().unwrap();
            assert!(error.contains(backend.feature().unwrap()), "{error}");
        }
    }
}
