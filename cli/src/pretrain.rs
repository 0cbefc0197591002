//! `kindling pretrain`: the shipped models made from their recipes, or checked against them.

use std::path::{Path, PathBuf};

use kindling_engine::common::model_card::Provenance;
use kindling_engine::common::model_file::Precision;
use kindling_engine::lessons::cnn::model::CnnConfig;
use kindling_engine::lessons::detect::card::SHIPPED_DETECTOR;
use kindling_engine::models::resnet::model::ResnetConfig;
use serde_json::Value;

use crate::args::{PretrainArgs, ShippedName};
use crate::data::{self, Mnist};
use crate::detector;
use crate::eval::digits_text;
use crate::files::{self, Model};
use crate::fit::{FIRST_LOSSES, Plan};
use crate::recipes::{
    self, F16_ACCURACY_COST, LICENCE, NAMES, Network, Recipe, TOLERANCE, file_name,
};
use crate::run::{grouped, train};
use crate::train::{artifacts, devices, write};

pub fn run(args: PretrainArgs) -> Result<(), String> {
    let names: Vec<ShippedName> = match args.name {
        ShippedName::All => [&NAMES[..], &[ShippedName::MnistDetector]].concat(),
        one => vec![one],
    };
    if args.steps.is_some() && names != [ShippedName::MnistDetector] {
        return Err("--steps is for mnist-detector only".into());
    }
    let mnist = Mnist::load(&data::folder(args.data.data.as_deref()))?;
    for name in names {
        let report = if name == ShippedName::MnistDetector {
            if args.check {
                detector::check(&args, &mnist)
            } else {
                detector::make(&args, &mnist)
            }
        } else if args.check {
            check(name, &args, &mnist)
        } else {
            make(name, &args, &mnist)
        };
        println!(
            "{}",
            report.map_err(|e| format!("{}: {e}", file_name(name)))?
        );
    }
    if args.check {
        check_index(&args.models)
    } else {
        write_index(&args.models)
    }
}

fn paths(models: &Path, name: ShippedName) -> (PathBuf, PathBuf) {
    let stem = models.join(file_name(name));
    (
        stem.with_extension("safetensors"),
        stem.with_extension("json"),
    )
}

/// The digits a recipe trains on.
fn digits(recipe: &Recipe) -> Vec<u8> {
    match &recipe.network {
        Network::Cnn(_) => (0..10).collect(),
        Network::Resnet { digits, .. } => digits.clone(),
    }
}

/// The training run of `name`'s recipe; `first_losses_only` for a check.
fn plan(
    name: ShippedName,
    recipe: &Recipe,
    args: &PretrainArgs,
    first_losses_only: bool,
) -> Result<Plan, String> {
    let folder = if first_losses_only {
        format!("check-{}-{}", file_name(name), std::process::id())
    } else {
        format!("pretrain-{}", file_name(name))
    };
    Ok(Plan {
        epochs: recipe.epochs,
        batch: recipe.batch,
        seed: recipe.seed,
        optimizer: recipe.optimizer,
        learning_rate: recipe.learning_rate,
        schedule: recipe.schedule,
        devices: devices(&args.device)?,
        ddp: args.device.ddp,
        artifacts: artifacts(args.artifacts.as_deref(), &folder),
        resume: None,
        steps_before: 0,
        checkpoints: !first_losses_only,
        first_losses_only,
    })
}

/// What a shipped model's run gives: its file in one precision, its first losses and time.
struct Made {
    first_losses: Vec<f32>,
    seconds: f64,
    /// The file (with `provenance`) in each precision.
    files: Vec<Vec<u8>>,
}

/// Trains `recipe` (or only its first batches) and, unless only checking, saves it in F32 and
/// F16 with the provenance `describe` gives for its plan and first losses.
fn run_recipe(
    recipe: &Recipe,
    plan: Plan,
    mnist: &Mnist,
    provenance: impl Fn(&Plan, Vec<f32>) -> Provenance,
) -> Result<Made, String> {
    let digits = digits(recipe);
    let (train_set, test_set) = if digits.len() == 10 {
        (mnist.train.clone(), mnist.test.clone())
    } else {
        (
            mnist.train.with_classes(&digits),
            mnist.test.with_classes(&digits),
        )
    };
    let only_losses = plan.first_losses_only;
    let save_all = |save: &dyn Fn(Precision) -> Result<Vec<u8>, String>| {
        if only_losses {
            return Ok(Vec::new());
        }
        [Precision::F32, Precision::F16]
            .into_iter()
            .map(save)
            .collect::<Result<Vec<_>, _>>()
    };
    match &recipe.network {
        Network::Cnn(settings) => {
            let (rows, cols) = (train_set.rows, train_set.cols);
            let run = train(
                |device| Ok(CnnConfig::from_settings(settings, rows, cols).init(device)),
                recipe.seed,
                train_set,
                test_set,
                plan,
            )?;
            let described = provenance(&run.plan, run.fitted.first_losses.clone());
            let files = save_all(&|p| run.save(settings, p, Some(described.clone())))?;
            Ok(Made {
                first_losses: run.fitted.first_losses,
                seconds: run.fitted.seconds,
                files,
            })
        }
        Network::Resnet { settings, digits } => {
            let run = train(
                |device| Ok(ResnetConfig::from_settings(settings).init(device)),
                recipe.seed,
                train_set,
                test_set,
                plan,
            )?;
            let described = provenance(&run.plan, run.fitted.first_losses.clone());
            let files = save_all(&|p| run.save(settings, digits, p, Some(described.clone())))?;
            Ok(Made {
                first_losses: run.fitted.first_losses,
                seconds: run.fitted.seconds,
                files,
            })
        }
    }
}

/// How `name` was made, in words, for its card.
fn provenance(
    name: ShippedName,
    recipe: &Recipe,
    mnist: &Mnist,
    plan: &Plan,
    first_losses: Vec<f32>,
) -> Provenance {
    let digits = digits(recipe);
    let (train, test) = if digits.len() == 10 {
        (mnist.train.len(), mnist.test.len())
    } else {
        (
            mnist.train.with_classes(&digits).len(),
            mnist.test.with_classes(&digits).len(),
        )
    };
    let which = if digits.len() == 10 {
        String::new()
    } else {
        format!(", {} only", digits_text(&digits))
    };
    Provenance {
        name: file_name(name).to_string(),
        data: format!(
            "MNIST training set{which}, {} images (CC BY-SA 3.0)",
            grouped(train)
        ),
        data_sha256: mnist.train_sha256(),
        split: format!("train {} / test {}", grouped(train), grouped(test)),
        optimizer: plan.describe_optimizer(train),
        command: recipes::command(name),
        licence: LICENCE.to_string(),
        first_losses,
        tolerance: TOLERANCE,
    }
}

/// Trains `name` from its recipe and writes its file and `.json` card; says what it wrote.
pub fn make(name: ShippedName, args: &PretrainArgs, mnist: &Mnist) -> Result<String, String> {
    let recipe = recipes::recipe(name);
    let plan = plan(name, &recipe, args, false)?;
    let made = run_recipe(&recipe, plan, mnist, |plan, losses| {
        provenance(name, &recipe, mnist, plan, losses)
    })?;
    if made.first_losses.len() < FIRST_LOSSES {
        return Err("the training did not run to its end: nothing written".into());
    }
    let accuracy = |bytes: &[u8]| -> f32 {
        files::card_json(bytes)
            .ok()
            .and_then(|json| serde_json::from_str::<Value>(&json).ok())
            .and_then(|card| card["test_accuracy"].as_f64())
            .unwrap_or(0.0) as f32
    };
    let [full, half] = &made.files[..] else {
        return Err("no file was made".into());
    };
    let (full_accuracy, half_accuracy) = (accuracy(full), accuracy(half));
    let bytes = if half_accuracy >= full_accuracy - F16_ACCURACY_COST {
        half
    } else {
        full
    };
    let (file, json) = paths(&args.models, name);
    write(&file, bytes)?;
    write(&json, files::sidecar(bytes)?.as_bytes())?;
    Ok(format!(
        "{}: test accuracy {:.2} % (f32 {:.2} %, f16 {:.2} %), {} bytes, trained in {:.0} s",
        file.display(),
        accuracy(bytes) * 100.0,
        full_accuracy * 100.0,
        half_accuracy * 100.0,
        bytes.len(),
        made.seconds
    ))
}

/// Checks `name`'s shipped file against its `.json` card and its recipe, and that retraining
/// reproduces its first batch losses; says how well.
pub fn check(name: ShippedName, args: &PretrainArgs, mnist: &Mnist) -> Result<String, String> {
    let (file, json) = paths(&args.models, name);
    let bytes = files::read(&file)?;
    let sidecar = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    files::check_sidecar(&bytes, &sidecar)?;
    let model = files::load(&bytes, &kindling_engine::backend::cpu().inner())?;
    let recipe = recipes::recipe(name);
    let plan = plan(name, &recipe, args, true)?;
    let stale = || {
        format!(
            "the card does not describe the recipe: run `cargo xtask models` ({})",
            recipes::command(name)
        )
    };
    let provenance = match (&model, &recipe.network) {
        (Model::Cnn { card, .. }, Network::Cnn(settings)) if &card.settings == settings => {
            card.provenance.as_deref().cloned()
        }
        (Model::Resnet { card, .. }, Network::Resnet { settings, digits })
            if &card.settings == settings
                && &card.classes == digits
                && card.seed == recipe.seed =>
        {
            card.provenance.clone()
        }
        _ => return Err(stale()),
    }
    .ok_or("the card has no provenance")?;
    let expected = self::provenance(name, &recipe, mnist, &plan, provenance.first_losses.clone());
    if provenance != expected {
        return Err(stale());
    }
    let folder = plan.artifacts.clone();
    let made = run_recipe(&recipe, plan, mnist, |_, _| provenance.clone());
    let _ = std::fs::remove_dir_all(&folder);
    Ok(format!(
        "{}: the file, its .json card, the card inside and the recipe agree; {}",
        file_name(name),
        compare_losses(
            &provenance.first_losses,
            &made?.first_losses,
            provenance.tolerance
        )?
    ))
}

/// Whether a retraining's first losses reproduce a card's: how, or why not.
pub fn compare_losses(card: &[f32], retrained: &[f32], tolerance: f32) -> Result<String, String> {
    if card.len() != FIRST_LOSSES || retrained.len() != card.len() {
        return Err(format!(
            "the card records {} first losses, the retraining gave {}",
            card.len(),
            retrained.len()
        ));
    }
    if card == retrained {
        return Ok(format!(
            "the first {FIRST_LOSSES} batch losses are reproduced exactly"
        ));
    }
    let largest = card
        .iter()
        .zip(retrained)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    if largest <= tolerance {
        Ok(format!(
            "the first {FIRST_LOSSES} batch losses are reproduced within {largest:.2e} (the card allows {tolerance})"
        ))
    } else {
        Err(format!(
            "the retraining's first batch losses {retrained:?} differ from the card's {card:?} by up to {largest:.2e}, more than the card's tolerance {tolerance}"
        ))
    }
}

const INDEX: &str = "index.json";

fn index_json() -> String {
    let mut names: Vec<&str> = NAMES.iter().map(|n| file_name(*n)).collect();
    names.push(SHIPPED_DETECTOR);
    serde_json::to_string_pretty(&serde_json::json!({ "models": names })).unwrap_or_default() + "\n"
}

fn write_index(models: &Path) -> Result<(), String> {
    write(&models.join(INDEX), index_json().as_bytes())
}

pub fn check_index(models: &Path) -> Result<(), String> {
    let path = models.join(INDEX);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let found: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let wanted: Value = serde_json::from_str(&index_json()).map_err(|e| e.to_string())?;
    if found != wanted {
        return Err(format!("{} should be {wanted}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_losses_compare_exactly_or_within_the_tolerance() {
        let card = [2.3, 2.2, 2.1, 2.0, 1.9, 1.8, 1.7, 1.6];
        assert!(
            compare_losses(&card, &card, 0.0)
                .unwrap()
                .contains("exactly")
        );
        let mut near = card;
        near[3] += 5e-4;
        assert!(
            compare_losses(&card, &near, 1e-3)
                .unwrap()
                .contains("within")
        );
        assert!(compare_losses(&card, &near, 1e-4).is_err());
        assert!(compare_losses(&card, &card[..7], 1.0).is_err());
        assert!(compare_losses(&card[..2], &card[..2], 1.0).is_err());
    }
}
