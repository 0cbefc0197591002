//! `kindling eval`: a model file's accuracy on the MNIST test set.

use std::sync::Arc;

use crate::args::{DeviceArgs, EvalArgs};
use crate::data::{self, Mnist};
use crate::evaluate::Evaluation;
use crate::files::{self, Model};
use crate::train::devices;

pub fn run(args: EvalArgs) -> Result<(), String> {
    let bytes = files::read(&args.model)?;
    let device = devices(&DeviceArgs {
        backend: args.backend,
        devices: 1,
        ddp: false,
    })?
    .remove(0)
    .inner();
    let model =
        files::load(&bytes, &device).map_err(|e| format!("{}: {e}", args.model.display()))?;
    let mnist = Mnist::load(&data::folder(args.data.data.as_deref()))?;
    let result = test(&model, &mnist, &device)?;
    println!(
        "{}: a {} model, {} test images ({}): accuracy {:.2} %, loss {:.4}",
        args.model.display(),
        model.kind(),
        result.count,
        digits_text(&model.digits()),
        result.accuracy * 100.0,
        result.loss
    );
    match model.stated_accuracy() {
        Some(stated) if stated == result.accuracy => {
            println!("the card states the same accuracy")
        }
        Some(stated) => println!(
            "the card states {:.2} % ({} images apart)",
            stated * 100.0,
            ((stated - result.accuracy).abs() * result.count as f32).round()
        ),
        None => println!("the card states no accuracy"),
    }
    Ok(())
}

/// `model` on the test images of the digits it tells apart.
pub fn test(
    model: &Model,
    mnist: &Mnist,
    device: &burn::tensor::Device,
) -> Result<Evaluation, String> {
    let digits = model.digits();
    let test = if digits.len() == 10 {
        mnist.test.clone()
    } else {
        mnist.test.with_classes(&digits)
    };
    model.evaluate(Arc::new(test), device)
}

/// [0, 1, 2, 3, 4] → "digits 0–4"; [3, 8] → "digits 3, 8".
pub fn digits_text(digits: &[u8]) -> String {
    let consecutive = digits.windows(2).all(|w| w[1] == w[0] + 1);
    match (digits.first(), digits.last()) {
        (Some(first), Some(last)) if consecutive && digits.len() > 2 => {
            format!("digits {first}–{last}")
        }
        _ => {
            let list: Vec<String> = digits.iter().map(u8::to_string).collect();
            format!("digits {}", list.join(", "))
        }
    }
}
