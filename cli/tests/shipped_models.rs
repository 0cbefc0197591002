//! The models in static/models: each file agrees with its cards, states an accuracy the test set
//! reproduces, and a retraining reproduces its first batch losses.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kindling_cli::args::{Backend, DataArgs, DeviceArgs, PretrainArgs, ShippedName};
use kindling_cli::data::{self, Mnist};
use kindling_cli::eval::test;
use kindling_cli::pretrain::{check, check_index};
use kindling_cli::recipes::{NAMES, file_name};
use kindling_cli::{detector, files};
use kindling_engine::backend;

/// Building a network draws from burn's global CPU generator: one test at a time does.
static SERIAL: Mutex<()> = Mutex::new(());

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../static/models")
}

fn mnist() -> Mnist {
    Mnist::load(&data::folder(None)).expect("MNIST (run `cargo xtask data`)")
}

fn file(name: ShippedName) -> Vec<u8> {
    let path = models().join(format!("{}.safetensors", file_name(name)));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn each_card_matches_its_file_and_the_index_lists_them() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    check_index(&models()).unwrap();
    let mut total = 0;
    for name in NAMES {
        let bytes = file(name);
        total += bytes.len();
        assert!(
            bytes.len() <= 1_000_000,
            "{}: {} bytes",
            file_name(name),
            bytes.len()
        );
        let json_path = models().join(format!("{}.json", file_name(name)));
        let json = std::fs::read_to_string(&json_path).unwrap();
        files::check_sidecar(&bytes, &json).unwrap_or_else(|e| panic!("{}: {e}", file_name(name)));
        // A byte changed anywhere is caught: by the file's SHA-256 in the .json card, and in the
        // weights by the card inside the file too.
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(files::check_sidecar(&damaged, &json).is_err());
        let error = files::load(&damaged, &backend::cpu().inner())
            .err()
            .unwrap();
        assert!(error.contains("checksum"), "{error}");

        let card: serde_json::Value =
            serde_json::from_str(&files::card_json(&bytes).unwrap()).unwrap();
        let provenance = &card["provenance"];
        assert_eq!(provenance["name"], file_name(name));
        assert_eq!(provenance["first_losses"].as_array().map(Vec::len), Some(8));
        assert!(
            provenance["command"]
                .as_str()
                .unwrap()
                .contains(file_name(name))
        );
        let data = provenance["data_sha256"].as_str().unwrap();
        let manifest = &mnist().manifest.sets.train;
        assert_eq!(
            data,
            format!("{}{}", manifest.images.sha256, manifest.labels.sha256)
        );
    }
    assert!(total <= 3_000_000, "{total} bytes in all");
}

#[test]
fn each_stated_accuracy_is_reproduced_on_the_test_set() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mnist = mnist();
    let device = backend::cpu().inner();
    for name in NAMES {
        let model = files::load(&file(name), &device).unwrap();
        let stated = model.stated_accuracy().expect("a stated accuracy");
        let result = test(&model, &mnist, &device).unwrap();
        // Exact on the machine that measured it; elsewhere a borderline image may flip.
        let apart = ((stated - result.accuracy).abs() * result.count as f32).round();
        assert!(
            apart <= 2.0,
            "{}: stated {stated}, measured {}",
            file_name(name),
            result.accuracy
        );
    }
    let classifier = files::load(&file(ShippedName::MnistClassifier), &device).unwrap();
    assert!(classifier.stated_accuracy().unwrap() >= 0.99);
}

#[test]
fn retraining_reproduces_the_first_losses() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mnist = mnist();
    let args = PretrainArgs {
        name: ShippedName::All,
        models: models(),
        check: true,
        data: DataArgs { data: None },
        device: DeviceArgs {
            backend: Backend::Cpu,
            devices: 1,
            ddp: false,
        },
        artifacts: None,
        steps: None,
    };
    for name in NAMES {
        let report =
            check(name, &args, &mnist).unwrap_or_else(|e| panic!("{}: {e}", file_name(name)));
        assert!(report.contains("reproduced"), "{report}");
    }
    // The detector: its cards, its score on its 1,000 test canvases, its first losses.
    let report = detector::check(&args, &mnist).unwrap_or_else(|e| panic!("mnist-detector: {e}"));
    assert!(report.contains("reproduced"), "{report}");
}
