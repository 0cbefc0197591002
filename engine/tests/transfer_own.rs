//! The learner's own classes: the shipped backbone fine-tuned on a few examples of three shapes
//! recognises new ones, and its model file (with its card) loads back, predicts the same and
//! trains on; damaged or foreign files are refused.

mod common;
mod transfer_common;

use kindling_engine::backend;
use kindling_engine::common::model_file::ModelFileError;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::transfer::own::{OwnClasses, OwnProblem};
use kindling_engine::lessons::transfer::own_card::{OWN_BASE, OwnSettings};
use kindling_engine::lessons::transfer::own_training::OwnTrainer;

use common::{SEEDED, bars};

/// Bars, columns and crosses as three named classes of `per_class` examples each.
fn shapes(per_class: usize, seed: u64) -> OwnClasses {
    let mut own = OwnClasses::default();
    let names: Vec<String> = ["minus", "bar", "plus"].map(String::from).to_vec();
    own.set_names(&names).unwrap();
    let drawn = bars(per_class * 3, seed);
    for i in 0..drawn.len() {
        own.add(drawn.labels[i] as usize, drawn.image(i).to_vec())
            .unwrap();
    }
    own
}

fn predicted(probabilities: &[f32]) -> usize {
    (0..probabilities.len())
        .max_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]))
        .unwrap()
}

fn correct(trainer: &OwnTrainer, new: &Images) -> usize {
    (0..new.len())
        .filter(|&i| {
            let p = pollster::block_on(trainer.predict(new.image(i))).unwrap();
            predicted(&p) == new.labels[i] as usize
        })
        .count()
}

#[test]
fn own_classes_train_predict_export_and_import() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let (backbone, network) = transfer_common::shipped_backbone(&device);
    let settings = OwnSettings::default();

    let mut few = shapes(4, 1);
    let refused = OwnTrainer::new(&backbone, &network, &few, settings.clone(), device.clone());
    assert_eq!(
        refused.err().map(|p| p.len()),
        Some(3),
        "each class needs five examples"
    );
    few = shapes(8, 1);
    let mut trainer =
        OwnTrainer::new(&backbone, &network, &few, settings.clone(), device.clone()).unwrap();
    while !trainer.is_finished() {
        pollster::block_on(trainer.train_chunk(100, f64::INFINITY));
    }
    assert_eq!(trainer.step_count(), 60);
    let accuracy = pollster::block_on(trainer.accuracy()).unwrap();
    assert!(accuracy >= 0.9, "accuracy on its own examples {accuracy}");
    // New drawings of the three shapes, never trained on.
    let new = bars(30, 99);
    let right = correct(&trainer, &new);
    assert!(right >= 24, "{right} of 30 new shapes recognised");
    let p = pollster::block_on(trainer.predict(new.image(0))).unwrap();
    assert_eq!(p.len(), 3);
    assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    assert_eq!(
        pollster::block_on(trainer.predict(&[0; 10])),
        Err(OwnProblem::WrongImageSize { actual: 10 })
    );

    let (file, card) = pollster::block_on(trainer.export()).unwrap();
    assert_eq!(card.class_names, ["minus", "bar", "plus"]);
    assert_eq!((card.examples.clone(), card.steps), (vec![8, 8, 8], 60));
    assert_eq!(card.base, OWN_BASE);
    let (mut imported, read) = OwnTrainer::import(&file, settings.clone(), device.clone()).unwrap();
    assert_eq!(read.class_names, card.class_names);
    assert_eq!(read.train_accuracy, Some(accuracy));
    for i in 0..5 {
        let a = pollster::block_on(trainer.predict(new.image(i))).unwrap();
        let b = pollster::block_on(imported.predict(new.image(i))).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }
    // It trains on: its examples are given again (they are not in the file), more steps run.
    assert!(imported.is_finished());
    assert!(imported.set_examples(&shapes(3, 2)).is_err());
    imported.set_examples(&shapes(6, 2)).unwrap();
    imported.train_more(&OwnSettings {
        steps: 5,
        ..settings.clone()
    });
    while !imported.is_finished() {
        pollster::block_on(imported.train_chunk(100, f64::INFINITY));
    }
    assert_eq!(imported.step_count(), 65);

    let mut damaged = file.clone();
    let last = damaged.len() - 1;
    damaged[last] ^= 0x40;
    assert_eq!(
        OwnTrainer::import(&damaged, settings.clone(), device.clone()).err(),
        Some(ModelFileError::ChecksumMismatch)
    );
    let shipped = std::fs::read(transfer_common::data_folder(
        "models/mnist04-resnet.safetensors",
    ))
    .unwrap();
    assert!(matches!(
        OwnTrainer::import(&shipped, settings, device).err(),
        Some(ModelFileError::WrongModel { .. })
    ));
}
