//! The measured table the transfer page shows (`static/transfer/table-<target>.json`, written by
//! `engine/examples/transfer_table.rs`): the digits table's first row (1 label per class, the
//! cheapest to train) recomputed from the file's own settings equals the file. Both files name
//! the arms in order and hold every size the page offers.

mod transfer_common;

use kindling_engine::backend;
use kindling_engine::lessons::transfer::config::{Arm, LABEL_CHOICES, Target};
use kindling_engine::lessons::transfer::table::MeasuredTable;
use kindling_engine::lessons::transfer::training::TransferRun;

fn shipped(target: Target) -> MeasuredTable {
    let path = transfer_common::data_folder(&MeasuredTable::file(target));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_measured_digits_tables_first_row_is_what_the_engine_computes() {
    let device = backend::cpu().autodiff();
    let (backbone, network) = transfer_common::shipped_backbone(&device);
    for target in Target::ALL {
        let table = shipped(target);
        assert_eq!((table.target, table.settings.target), (target, target));
        assert_eq!(table.arms, Arm::ALL);
        let sizes: Vec<u32> = table.rows.iter().map(|r| r.labels_per_class).collect();
        assert_eq!(sizes, LABEL_CHOICES, "{}", target.name());
        for row in &table.rows {
            assert_eq!(row.accuracy.len(), Arm::ALL.len());
            assert!(row.accuracy.iter().all(|a| (0.0..=1.0).contains(a)));
        }
    }
    // Fashion-MNIST's test set is twice as large and its run as slow: one target is recomputed.
    {
        let target = Target::Digits;
        let table = shipped(target);
        let row = &table.rows[0];
        assert_eq!(row.labels_per_class, 1);
        let (train, test) = transfer_common::load_target(target);
        let mut run = TransferRun::new(
            table.settings_of(row),
            &backbone,
            &network,
            &train,
            test,
            target.classes(),
            device.clone(),
        )
        .expect("the file's settings are valid");
        while !run.is_finished() {
            pollster::block_on(run.train_chunk(1000, f64::INFINITY));
        }
        let results = pollster::block_on(run.results());
        let accuracy: Vec<f32> = results.iter().map(|r| r.accuracy).collect();
        assert_eq!(
            (run.train_set().len(), run.test_set().len()),
            (row.train_images, row.test_images),
            "{}",
            target.name()
        );
        assert_eq!(accuracy, row.accuracy, "{}", target.name());
    }
}
