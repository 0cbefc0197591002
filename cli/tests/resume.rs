//! `--resume`: a run continued from burn-train's checkpoint of an epoch ends with the weights the
//! uninterrupted run ends with (the optimiser's state and the schedule come from the checkpoint,
//! the batches from the loader's replayed shuffles).

use kindling_cli::args::Schedule;
use kindling_cli::data::{self, Mnist};
use kindling_cli::fit::Plan;
use kindling_cli::run::{Trained, train};
use kindling_engine::backend;
use kindling_engine::common::model_file::Precision;
use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::checkpoint::read_card;
use kindling_engine::lessons::cnn::model::{Cnn, CnnConfig};

fn run(mnist: &Mnist, settings: &CnnSettings, plan: Plan) -> Trained<Cnn> {
    train(
        |device| Ok(CnnConfig::from_settings(settings, 28, 28).init(device)),
        settings.seed,
        mnist.train.take(1_000),
        mnist.test.take(200),
        plan,
    )
    .expect("training")
}

#[test]
fn a_resumed_run_ends_where_an_uninterrupted_one_does() {
    let mnist = Mnist::load(&data::folder(None)).expect("MNIST (run `cargo xtask data`)");
    let settings = CnnSettings::default();
    let folder = std::env::temp_dir().join(format!("kindling-resume-{}", std::process::id()));
    let plan = |epochs, resume| Plan {
        epochs,
        batch: settings.batch_size,
        seed: settings.seed,
        optimizer: settings.optimizer,
        learning_rate: settings.learning_rate,
        schedule: Schedule::Cosine,
        devices: vec![backend::cpu()],
        ddp: false,
        artifacts: folder.clone(),
        resume,
        steps_before: 0,
        checkpoints: true,
        first_losses_only: false,
    };
    let _ = std::fs::remove_dir_all(&folder);
    let whole = run(&mnist, &settings, plan(3, None));
    // Its last epoch again, from the checkpoint burn-train saved after the second.
    let resumed = run(&mnist, &settings, plan(3, Some(2)));
    let _ = std::fs::remove_dir_all(&folder);

    assert_eq!(resumed.fitted.steps, whole.fitted.steps);
    let card = |run: &Trained<Cnn>| {
        read_card(&run.save(&settings, Precision::F32, None).unwrap()).unwrap()
    };
    let (whole, resumed) = (card(&whole), card(&resumed));
    assert_eq!(resumed.weights_sha256, whole.weights_sha256);
    assert_eq!(resumed.steps, 3 * (1_000 / 64));
}
