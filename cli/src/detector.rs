//! `kindling pretrain mnist-detector`: the shipped detector (the detection project's spatial head
//! on the shipped `mnist-resnet` backbone) trained from its recipe, or checked against it. Its
//! canvases are drawn fresh every step from the seed, so it is trained by the engine's own loop
//! (the one the browser runs), not by burn-train.

use std::path::{Path, PathBuf};
use std::time::Instant;

use kindling_engine::backend;
use kindling_engine::common::model_card::Provenance;
use kindling_engine::common::model_file::ModelFileError;
use kindling_engine::datasets::mnist::sha256_hex;
use kindling_engine::lessons::detect::card::{DETECTOR_BASE, DetectCard, SHIPPED_DETECTOR};
use kindling_engine::lessons::detect::config::{DetectEvaluation, DetectSettings, HeadKind};
use kindling_engine::lessons::detect::file;
use kindling_engine::lessons::detect::training::{DetectRun, TEST_SEED, evaluate};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::Resnet;

use crate::args::PretrainArgs;
use crate::data::Mnist;
use crate::files;
use crate::fit::FIRST_LOSSES;
use crate::pretrain::compare_losses;
use crate::recipes::{LICENCE, TOLERANCE};
use crate::run::grouped;
use crate::train::write;

/// Generated test canvases the card's score is measured on.
pub const TEST_CANVASES: usize = 1_000;

/// The detector's recipe: the lesson's spatial head, 1,000 steps of 32 fresh canvases, the
/// backbone's convolutions unfrozen halfway at a tenth of the head's rate. Frozen throughout, the
/// class accuracy stays under 97 %; the backbone learnt digits at one size and place.
pub fn recipe(steps: Option<u32>) -> DetectSettings {
    let steps = steps.unwrap_or(1_000);
    DetectSettings {
        head: HeadKind::Spatial,
        steps,
        batch: 32,
        unfreeze_at: Some(steps / 2),
        seed: 1,
        ..DetectSettings::default()
    }
}

pub fn command() -> String {
    format!("cargo run --release -p kindling-cli -- pretrain {SHIPPED_DETECTOR}")
}

fn paths(models: &Path) -> (PathBuf, PathBuf) {
    let stem = models.join(SHIPPED_DETECTOR);
    (
        stem.with_extension("safetensors"),
        stem.with_extension("json"),
    )
}

/// The shipped backbone in `models`, its shape and its file's SHA-256.
fn backbone(models: &Path) -> Result<(Resnet, ResnetSettings, String), String> {
    let path = models.join(format!("{DETECTOR_BASE}.safetensors"));
    let bytes = files::read(&path)?;
    let (net, card) = checkpoint::load(&bytes, &backend::cpu().autodiff())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((net, card.settings, sha256_hex(&bytes)))
}

fn provenance(
    settings: &DetectSettings,
    mnist: &Mnist,
    backbone_sha256: &str,
    first_losses: Vec<f32>,
) -> Provenance {
    Provenance {
        name: SHIPPED_DETECTOR.to_string(),
        data: format!(
            "{} generated 64 × 64 canvases (seed {}) of MNIST's {} training digits (CC BY-SA 3.0), \
             on the backbone {DETECTOR_BASE} (file SHA-256 {backbone_sha256})",
            grouped(settings.steps as usize * settings.batch),
            settings.seed,
            grouped(mnist.train.len())
        ),
        data_sha256: mnist.train_sha256(),
        split: format!(
            "train: canvases of the {} training digits; test: {TEST_CANVASES} canvases (seed \
             {TEST_SEED}) of the {} test digits",
            grouped(mnist.train.len()),
            grouped(mnist.test.len())
        ),
        optimizer: format!(
            "Adam, learning rate {} for the head; the backbone's convolutions from step {} at {} \
             of it; batch {}; box losses × {}",
            settings.learning_rate,
            settings.unfreeze_at.unwrap_or(settings.steps),
            settings.backbone_share,
            settings.batch,
            settings.box_weight
        ),
        command: command(),
        licence: LICENCE.to_string(),
        first_losses,
        tolerance: TOLERANCE,
    }
}

/// A run of `settings` on the backbone, which records the first batches' total losses.
fn start(settings: DetectSettings, models: &Path, mnist: &Mnist) -> Result<Started, String> {
    let (net, network, sha256) = backbone(models)?;
    let run = DetectRun::new(
        settings,
        &net,
        network.feature_channels(),
        mnist.train.clone(),
        mnist.test.clone(),
        backend::cpu().autodiff(),
    )
    .map_err(|problems| format!("the recipe's settings are refused: {problems:?}"))?;
    Ok(Started {
        run,
        network,
        backbone_sha256: sha256,
        first_losses: Vec::new(),
    })
}

struct Started {
    run: DetectRun,
    network: ResnetSettings,
    backbone_sha256: String,
    first_losses: Vec<f32>,
}

impl Started {
    /// Trains one step at a time until the first losses are recorded.
    fn first_steps(&mut self) {
        while self.first_losses.len() < FIRST_LOSSES && !self.run.is_finished() {
            let (_, losses) = pollster::block_on(self.run.train_chunk(1, f64::INFINITY));
            self.first_losses.extend(losses.map(|l| l.total));
        }
    }
}

/// Trains the shipped detector from its recipe (`--steps` shortens it, for measuring) and writes
/// its file and `.json` card into `--models`; says what it wrote.
pub fn make(args: &PretrainArgs, mnist: &Mnist) -> Result<String, String> {
    let settings = recipe(args.steps);
    let started_at = Instant::now();
    let mut started = start(settings.clone(), &args.models, mnist)?;
    started.first_steps();
    while !started.run.is_finished() {
        let (_, losses) = pollster::block_on(started.run.train_chunk(50, f64::INFINITY));
        if let Some(l) = losses {
            println!(
                "step {:>5}  loss {:.4}  class {:.4}  box {:.4}  {:.0} s",
                started.run.steps_done(),
                l.total,
                l.class,
                l.boxes,
                started_at.elapsed().as_secs_f64()
            );
        }
    }
    let seconds = started_at.elapsed().as_secs_f64();
    let run = &started.run;
    let score = pollster::block_on(run.evaluate(TEST_CANVASES));
    let mut card = DetectCard::new(settings.clone(), started.network.clone(), TEST_SEED);
    card.steps = run.steps_done();
    card.evaluation = Some(score);
    // Whole seconds: the card is compared as text, and the time is a measurement, not a recipe.
    card.training_seconds = Some(seconds.round());
    card.provenance = Some(provenance(
        &settings,
        mnist,
        &started.backbone_sha256,
        started.first_losses.clone(),
    ));
    let bytes = pollster::block_on(file::save(run.model(), card)).map_err(|e| e.to_string())?;
    let (path, json) = paths(&args.models);
    write(&path, &bytes)?;
    write(&json, files::sidecar(&bytes)?.as_bytes())?;
    Ok(format!(
        "{}: {} test canvases: mean IoU {:.3}, class accuracy {:.2} %, IoU ≥ 0.5 with the right \
         class {:.2} %; {} bytes, trained in {seconds:.0} s",
        path.display(),
        score.count,
        score.mean_iou,
        score.class_accuracy * 100.0,
        score.hits * 100.0,
        bytes.len()
    ))
}

/// Checks the shipped detector against its `.json` card and its recipe, that it loads and scores
/// what its card says, and that retraining reproduces its first batch losses.
pub fn check(args: &PretrainArgs, mnist: &Mnist) -> Result<String, String> {
    let (path, json) = paths(&args.models);
    let bytes = files::read(&path)?;
    let sidecar = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    files::check_sidecar(&bytes, &sidecar)?;
    let device = backend::cpu();
    let (model, card) = file::load(&bytes, &device).map_err(|e: ModelFileError| e.to_string())?;
    let stale = || format!("the card does not describe the recipe: run `{}`", command());
    if card.settings != recipe(None) {
        return Err(stale());
    }
    let provenance = card
        .provenance
        .clone()
        .ok_or("the card has no provenance")?;
    let mut started = start(card.settings.clone(), &args.models, mnist)?;
    let expected = self::provenance(
        &card.settings,
        mnist,
        &started.backbone_sha256,
        provenance.first_losses.clone(),
    );
    if provenance != expected {
        return Err(stale());
    }
    let stated = card.evaluation.ok_or("the card states no score")?;
    let measured: DetectEvaluation =
        pollster::block_on(evaluate(&model, &mnist.test, stated.count, &device));
    // The same weights on another machine's CPU kernels may move a borderline box or class.
    let near = (measured.mean_iou - stated.mean_iou).abs() <= 1e-3
        && (measured.class_accuracy - stated.class_accuracy).abs() <= 2e-3
        && measured.count == stated.count;
    if !near {
        return Err(format!(
            "the file scores {measured:?} on its test canvases, its card says {stated:?}"
        ));
    }
    started.first_steps();
    Ok(format!(
        "{SHIPPED_DETECTOR}: the file, its .json card, the card inside, its score and the recipe \
         agree; {}",
        compare_losses(
            &provenance.first_losses,
            &started.first_losses,
            provenance.tolerance
        )?
    ))
}
