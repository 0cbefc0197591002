//! `kindling train cnn` and `kindling train resnet`: a network trained by burn-train and saved
//! as the browser saves it.

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use kindling_engine::backend::{NativeBackend, native_devices};
use kindling_engine::common::model_file::Precision;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::lessons::cnn::checkpoint;
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::link::to_query;
use kindling_engine::lessons::cnn::model::CnnConfig;
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint as resnet_file;
use kindling_engine::models::resnet::model::ResnetConfig;

use crate::args::{DeviceArgs, RunArgs, TrainCnnArgs, TrainResnetArgs, parse_digits};
use crate::data::{self, Mnist};
use crate::files::{self, Model};
use crate::fit::Plan;
use crate::run::{Trained, train};
use crate::words::{cnn_problem, cnn_settings, query_part};

/// A model file to start from: its bytes and the steps its network has trained.
struct Start {
    bytes: Vec<u8>,
    steps: u64,
}

fn read_start(run: &RunArgs) -> Result<Option<(Vec<u8>, String)>, String> {
    let Some(path) = &run.from else {
        return Ok(None);
    };
    let bytes = files::read(path)?;
    Ok(Some((bytes, format!("--from {}", path.display()))))
}

pub fn cnn(args: TrainCnnArgs) -> Result<(), String> {
    let (mut settings, start) = match read_start(&args.run)? {
        None => (cnn_settings(&args.settings)?, None),
        Some((bytes, named)) => {
            let card = checkpoint::read_card(&bytes).map_err(|e| format!("{named}: {e}"))?;
            let settings =
                continued(&card.settings, &args.settings).map_err(|e| format!("{named}: {e}"))?;
            let steps = card.steps;
            (settings, Some(Start { bytes, steps }))
        }
    };
    if let Some(epochs) = args.epochs {
        settings.epochs = epochs;
    }
    if let Some(problem) = settings.validate().first() {
        return Err(format!("--settings: {}", cnn_problem(problem)));
    }
    let mnist = Mnist::load(&data::folder(args.run.data.data.as_deref()))?;
    let plan = plan(
        &args.run,
        "train-cnn",
        (settings.epochs, settings.batch_size, settings.seed),
        (settings.optimizer, settings.learning_rate),
        start.as_ref().map_or(0, |s| s.steps),
    )?;
    let (rows, cols) = (mnist.train.rows, mnist.train.cols);
    let build = |device: &Device| match &start {
        None => Ok(CnnConfig::from_settings(&settings, rows, cols).init(device)),
        Some(start) => match files::load(&start.bytes, device)? {
            Model::Cnn { net, .. } => Ok(net),
            Model::Resnet { .. } => Err("--from: not a CNN".to_string()),
        },
    };
    let run = train(build, settings.seed, mnist.train, mnist.test, plan)?;
    let bytes = run.save(&settings, precision(&args.run), None)?;
    finish(&run, &args.out, &bytes)
}

/// A file's settings with the training changes a --settings link makes; its network must stay.
fn continued(card: &CnnSettings, link: &str) -> Result<CnnSettings, String> {
    let settings = cnn_settings(&format!("{}&{}", to_query(card), query_part(link)))?;
    let network = |s: &CnnSettings| (s.blocks.clone(), s.dense, s.activation);
    if network(&settings) != network(card) {
        return Err(
            "--settings may change how the network trains, not its blocks, dense layer or activation"
                .into(),
        );
    }
    Ok(settings)
}

pub fn resnet(args: TrainResnetArgs) -> Result<(), String> {
    let chosen = args.digits.as_deref().map(parse_digits).transpose()?;
    let (settings, digits, start) = match read_start(&args.run)? {
        None => {
            let digits = chosen.unwrap_or_else(|| (0..10).collect());
            let settings = ResnetSettings {
                classes: digits.len(),
                ..ResnetSettings::default()
            };
            (settings, digits, None)
        }
        Some((bytes, named)) => {
            let card = resnet_file::read_card(&bytes).map_err(|e| format!("{named}: {e}"))?;
            if chosen.as_ref().is_some_and(|d| *d != card.classes) {
                return Err(format!(
                    "{named}: the file's network tells other digits apart than --digits"
                ));
            }
            let steps = card.steps;
            (card.settings, card.classes, Some(Start { bytes, steps }))
        }
    };
    let mnist = Mnist::load(&data::folder(args.run.data.data.as_deref()))?;
    let plan = plan(
        &args.run,
        "train-resnet",
        (args.epochs, args.batch, args.seed),
        (OptimizerKind::Adam, args.lr),
        start.as_ref().map_or(0, |s| s.steps),
    )?;
    let build = |device: &Device| match &start {
        None => Ok(ResnetConfig::from_settings(&settings).init(device)),
        Some(start) => match files::load(&start.bytes, device)? {
            Model::Resnet { net, .. } => Ok(net),
            Model::Cnn { .. } => Err("--from: not a residual network".to_string()),
        },
    };
    let run = train(
        build,
        args.seed,
        mnist.train.with_classes(&digits),
        mnist.test.with_classes(&digits),
        plan,
    )?;
    let bytes = run.save(&settings, &digits, precision(&args.run), None)?;
    finish(&run, &args.out, &bytes)
}

fn precision(run: &RunArgs) -> Precision {
    if run.f16 {
        Precision::F16
    } else {
        Precision::F32
    }
}

/// A run of `epochs`, `batch`, `seed` with `optimizer` at `learning_rate`, as `run` says.
fn plan(
    run: &RunArgs,
    name: &str,
    (epochs, batch, seed): (usize, usize, u64),
    (optimizer, learning_rate): (OptimizerKind, f64),
    steps_before: u64,
) -> Result<Plan, String> {
    if epochs == 0 || batch == 0 {
        return Err("--epochs and --batch must be at least 1".into());
    }
    if !(learning_rate.is_finite() && learning_rate > 0.0) {
        return Err(format!("--lr {learning_rate}: a learning rate is above 0"));
    }
    Ok(Plan {
        epochs,
        batch,
        seed,
        optimizer,
        learning_rate,
        schedule: run.schedule,
        devices: devices(&run.device)?,
        artifacts: artifacts(run.artifacts.as_deref(), name),
        resume: run.resume,
        ddp: run.device.ddp,
        steps_before,
        checkpoints: true,
        first_losses_only: false,
    })
}

fn finish<N>(run: &Trained<N>, out: &Path, bytes: &[u8]) -> Result<(), String> {
    write(out, bytes)?;
    println!(
        "test accuracy {:.2} % after {} steps ({:.0} s); wrote {} ({} bytes)",
        run.evaluation.accuracy * 100.0,
        run.fitted.steps,
        run.fitted.seconds,
        out.display(),
        bytes.len()
    );
    Ok(())
}

pub fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The devices `--backend` and `--devices` name.
pub fn devices(args: &DeviceArgs) -> Result<Vec<Device>, String> {
    let backend = args.backend.native();
    if !backend.compiled() {
        return Err(format!(
            "--backend {0}: this kindling was built without it; build it with \
             `cargo build --release -p kindling-cli --features {0}`",
            backend.name()
        ));
    }
    if args.ddp && backend == NativeBackend::Cpu {
        return Err(
            "--ddp: burn's CPU backend has no all-reduce, which burn-train's distributed \
             data-parallel strategy needs; --devices alone uses the multi-device strategy"
                .into(),
        );
    }
    if args.ddp && args.devices < 2 {
        return Err("--ddp needs --devices 2 or more".into());
    }
    native_devices(backend, args.devices).map_err(|e| format!("--devices: {e}"))
}

/// burn-train's folder: `--artifacts`, or one per run name under the temporary directory.
pub fn artifacts(chosen: Option<&Path>, name: &str) -> PathBuf {
    chosen.map_or_else(
        || std::env::temp_dir().join("kindling-runs").join(name),
        Path::to_path_buf,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_files_settings_change_only_in_how_they_train() {
        let card = CnnSettings {
            dense: 64,
            seed: 5,
            ..CnnSettings::default()
        };
        assert_eq!(continued(&card, ""), Ok(card.clone()));
        let faster = continued(&card, "#/cnn?lr=0.01&epochs=1").unwrap();
        assert_eq!(
            (
                faster.learning_rate,
                faster.epochs,
                faster.dense,
                faster.seed
            ),
            (0.01, 1, 64, 5)
        );
        assert!(
            continued(&card, "dense=128")
                .unwrap_err()
                .contains("not its blocks")
        );
        assert!(continued(&card, "blocks=4x3s1p1none").is_err());
        assert!(continued(&card, "lr=fast").is_err());
    }
}
