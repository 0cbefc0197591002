//! A network trained from scratch, with its plan and test result, and the model file of either
//! kind it makes.

use std::sync::Arc;

use burn::tensor::Device;
use kindling_engine::common::model_file::Precision;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::cnn::checkpoint::{self as cnn_file, Provenance, TrainingRecord};
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::model::Cnn;
use kindling_engine::models::resnet::checkpoint as resnet_file;
use kindling_engine::models::resnet::model::Resnet;
use kindling_engine::models::resnet::{ResnetCard, ResnetSettings};

use crate::eval::digits_text;
use crate::evaluate::{Evaluation, evaluate};
use crate::files;
use crate::fit::{Fitted, Plan, fit};

pub struct Trained<N> {
    pub plan: Plan,
    pub fitted: Fitted<N>,
    /// On the whole test set (NaN for a run stopped after its first losses).
    pub evaluation: Evaluation,
    /// Where the network is now (the first training device, without autodiff).
    pub device: Device,
    pub train_images: usize,
    pub test: Arc<Images>,
}

/// Seeds the first device with `seed`, builds the network there (so the same seed gives the
/// same initial weights, as in the lessons), trains it on `train` and tests it on `test`.
pub fn train<N: super::network::Network>(
    build: impl FnOnce(&Device) -> Result<N, String>,
    seed: u64,
    train: Images,
    test: Images,
    plan: Plan,
) -> Result<Trained<N>, String> {
    let main = plan.devices.first().ok_or("no training device")?.clone();
    main.seed(seed);
    let net = build(&main)?;
    let train_images = train.len();
    let (train, test) = (Arc::new(train), Arc::new(test));
    let fitted = fit(net, train, test.clone(), &plan)?;
    if let Some(why) = fitted
        .interrupted
        .as_ref()
        .filter(|_| !plan.first_losses_only)
    {
        println!("training stopped early: {why}");
    }
    let device = main.inner();
    let evaluation = if plan.first_losses_only {
        Evaluation {
            count: 0,
            accuracy: f32::NAN,
            loss: f32::NAN,
            predictions: Vec::new(),
        }
    } else {
        evaluate(&fitted.net, test.clone(), &device)?
    };
    Ok(Trained {
        plan,
        fitted,
        evaluation,
        device,
        train_images,
        test,
    })
}

/// What a card says the data was: "MNIST (60 000 train / 10 000 test), …", or with the digits
/// when they are not all ten.
pub fn describe_data(digits: &[u8], train: usize, test: usize) -> String {
    let which = if digits.len() == 10 {
        String::new()
    } else {
        format!(" {}", digits_text(digits))
    };
    format!(
        "MNIST{which} ({} train / {} test), CC BY-SA 3.0, LeCun & Cortes",
        grouped(train),
        grouped(test)
    )
}

/// 60000 → "60 000".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

impl<N> Trained<N> {
    /// The file `save(accuracy)` writes in `precision`, stating the test accuracy of the weights
    /// as stored: rounded to f16 they predict a little differently, so that file is read back
    /// and tested before its card is written.
    fn stored(
        &self,
        precision: Precision,
        save: impl Fn(Option<f32>) -> Result<Vec<u8>, String>,
    ) -> Result<Vec<u8>, String> {
        if precision == Precision::F32 {
            return save(Some(self.evaluation.accuracy));
        }
        let rounded = save(None)?;
        let model = files::load(&rounded, &self.device)?;
        let accuracy = model.evaluate(self.test.clone(), &self.device)?.accuracy;
        save(Some(accuracy))
    }
}

impl Trained<Cnn> {
    pub fn save(
        &self,
        settings: &CnnSettings,
        precision: Precision,
        provenance: Option<Provenance>,
    ) -> Result<Vec<u8>, String> {
        let record = |test_accuracy| TrainingRecord {
            settings: CnnSettings {
                epochs: self.plan.epochs,
                ..settings.clone()
            },
            image: [self.test.rows, self.test.cols],
            data: describe_data(
                &(0..10).collect::<Vec<_>>(),
                self.train_images,
                self.test.len(),
            ),
            steps: self.fitted.steps,
            steps_per_epoch: self.fitted.steps_per_epoch,
            test_accuracy,
            provenance: provenance.clone(),
        };
        self.stored(precision, |accuracy| {
            pollster::block_on(cnn_file::save_as(
                &self.fitted.net,
                record(accuracy),
                precision,
            ))
            .map_err(|e| e.to_string())
        })
    }
}

impl Trained<Resnet> {
    pub fn save(
        &self,
        settings: &ResnetSettings,
        digits: &[u8],
        precision: Precision,
        provenance: Option<Provenance>,
    ) -> Result<Vec<u8>, String> {
        let card = |test_accuracy| ResnetCard {
            image: [self.test.rows, self.test.cols],
            data: describe_data(digits, self.train_images, self.test.len()),
            epochs_trained: self.fitted.steps as f64 / self.fitted.steps_per_epoch.max(1) as f64,
            steps: self.fitted.steps,
            test_accuracy,
            seed: self.plan.seed,
            provenance: provenance.clone(),
            ..ResnetCard::new(settings.clone(), digits.to_vec())
        };
        self.stored(precision, |accuracy| {
            pollster::block_on(resnet_file::save(
                &self.fitted.net,
                card(accuracy),
                precision,
            ))
            .map_err(|e| e.to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let groups: Vec<_> = [0, 999, 1000, 60_000, 1_234_567]
            .into_iter()
            .map(grouped)
            .collect();
        assert_eq!(groups, ["0", "999", "1 000", "60 000", "1 234 567"]);
    }

    #[test]
    fn the_data_is_described_with_its_digits() {
        let all: Vec<u8> = (0..10).collect();
        assert_eq!(
            describe_data(&all, 60_000, 10_000),
            "MNIST (60 000 train / 10 000 test), CC BY-SA 3.0, LeCun & Cortes"
        );
        assert_eq!(
            describe_data(&[0, 1, 2, 3, 4], 30_596, 5_139),
            "MNIST digits 0–4 (30 596 train / 5 139 test), CC BY-SA 3.0, LeCun & Cortes"
        );
    }
}
